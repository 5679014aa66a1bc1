"""Whisper's Mandarin, made comparable with the scenarios: simplified characters, whole decimals.

The multilingual Whisper models write Chinese mostly in traditional characters (their training
data) while scenarios, the phrasebank and facts are simplified, so every word goes through
OpenCC's t2s tables (opencc-python-reimplemented: pure Python, no native library). Whisper also
puts a comma where the voice breathes, even inside a decimal (百分之一点,五), which would
read as two numbers; a comma after 点 before a digit is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from roleplay.model.errors import ModelError
from roleplay.model.message import Msg

_SPLIT_DECIMAL = re.compile(r"(?<=[点點])[,，、]\s*(?=[0-9零〇一二两兩三四五六七八九])")


@cache
def _t2s() -> Any:
    try:
        from opencc import OpenCC
    except ImportError:
        raise ModelError(Msg("Chinese from Whisper needs the package opencc-python-reimplemented: "
                             "pip install 'roleplay[whisper]'")) from None
    return OpenCC("t2s")


def simplified(text: str) -> str:
    return str(_t2s().convert(_SPLIT_DECIMAL.sub("", text)))


def script_fixer(language: str) -> Callable[[str], str]:
    """What every text and word of `language`'s Whisper output goes through before scoring."""
    return simplified if language == "zh" else str
