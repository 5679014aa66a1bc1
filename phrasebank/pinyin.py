"""Do two Chinese characters sound alike? ASR swaps homophones and near-homophones
(等/的, 账/帐, 吗/嘛, 机主姓名 heard as 记主性民), rarely characters that sound nothing alike (好/上)."""

from __future__ import annotations

import re
from functools import lru_cache

from roleplay.model.errors import RoleplayError
from roleplay.model.message import Msg

# Pairs that Mandarin speakers (and ASR models trained on them) blur together.
_INITIAL_FOLD = {"zh": "z", "ch": "c", "sh": "s", "n": "l", "f": "h", "r": "l"}
_FINAL_FOLD = {"eng": "en", "ing": "in", "ang": "an", "iang": "ian", "uang": "uan"}
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@lru_cache(maxsize=8192)
def _syllable(char: str) -> tuple[str, str]:
    try:
        from pypinyin import Style, pinyin
    except ImportError:  # pragma: no cover - a declared dependency
        raise RoleplayError(Msg("Chinese phrase matching needs pypinyin: pip install pypinyin")) from None
    initial = pinyin(char, style=Style.INITIALS, strict=False)[0][0]
    final = pinyin(char, style=Style.FINALS, strict=False)[0][0]
    return _INITIAL_FOLD.get(initial, initial), _FINAL_FOLD.get(final, final)


def sounds_alike(a: str, b: str) -> bool:
    """Same (folded) initial or same (folded) final: 等 deng ~ 的 de, 致 zhi ~ 至 zhi."""
    if a == b:
        return True
    (ia, fa), (ib, fb) = _syllable(a), _syllable(b)
    return bool(ia and ia == ib) or bool(fa and fa == fb and (ia == ib or not ia or not ib))


def is_cjk(char: str) -> bool:
    return bool(_CJK.fullmatch(char))


def sound(char: str) -> str:
    """A Chinese character's toneless pinyin with the blurred pairs folded (姓 and 性 are
    both "xin", 名 and 民 "min"); anything else stands for itself."""
    if not is_cjk(char):
        return char
    initial, final = _syllable(char)
    return initial + final


def homophones(a: str, b: str) -> bool:
    """Two different characters that sound the same but for the tone (机/记, 芳/方, 兆/赵):
    what ASR writes when it hears the syllable right and guesses the word wrong."""
    return a != b and sound(a) == sound(b) and is_cjk(a) and is_cjk(b)
