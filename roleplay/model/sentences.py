"""Sentences of a line of text, in English or Mandarin: what is rendered apart for speech and
where the last cue of a turn is read."""

from __future__ import annotations

import re

# A sentence ends at . ? ! followed by a space or the end ("1.5" is no end), or at 。？！.
_SENTENCE = re.compile(r".+?(?:[.?!]+(?=\s|$)|[。？！]+|$)", re.DOTALL)
_MARKS = " .?!。？！"


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, each with its end mark; `[text]` when it has none."""
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip(_MARKS)] or [text]
