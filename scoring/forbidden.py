"""Is a forbidden phrase meant as one? A refusal, a blame or a brush-off, not the same words
inside an innocent sentence.

"I don't know" is a brush-off; "I don't know if you have tried restarting your router" is a
question. "没办法" is a refusal; "我们没办法今天送到，但是明天可以" offers another way. Each reading
looks at the rest of the sentence the phrase is in (the original text, punctuation kept):
what follows it, what precedes it, or whether the phrase ends its clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SENTENCE_END = re.compile(r"[.!?;。！？；…]")
_CLAUSE_END = re.compile(r"[,，、:：.!?;。！？；…]")


@dataclass(frozen=True)
class Reading:
    """When the words of one forbidden phrase are innocent."""

    innocent_after: re.Pattern[str] | None = None    # the rest of the sentence, from the phrase's end
    innocent_before: re.Pattern[str] | None = None   # the sentence up to the phrase
    ends_clause: bool = False                        # hostile only as the last words of a clause


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# A refusal that goes on to offer another way is a refusal softened, not a brush-off.
_EN_OFFER = r"[^.!?]*\b(?:but|however|instead|what i can do|i can|i will|i'll|let me|we can)\b"
_ZH_OFFER = r"[^。！？]*(?:但是|不过|可是|可以|建议|我帮您|帮您|为您|我这边|我去|我来|我马上|请您稍等)"
_EN_REFUSAL = Reading(innocent_after=_re(_EN_OFFER))
_ZH_REFUSAL = Reading(innocent_after=_re(_ZH_OFFER))

READINGS: dict[str, dict[str, Reading]] = {
    "en": {
        # an embedded question ("if you have tried", "how long it takes") or a promise to find out
        "i do not know": Reading(innocent_after=_re(
            r"\s*(?:if|whether|how|why|when|where|which|who|yet|offhand|exactly|off the top)\b|" + _EN_OFFER)),
        "no idea": _EN_REFUSAL,
        "there is nothing i can do": _EN_REFUSAL,
        "nothing i can do about it": _EN_REFUSAL,
        "i can not help you": _EN_REFUSAL,
        "that is impossible": _EN_REFUSAL,
        "call back later": _EN_REFUSAL,
        # "whatever you prefer", "what do you want to change": only the bare retort is rude
        "whatever": Reading(ends_clause=True),
        "what do you want": Reading(ends_clause=True),
        # "once things calm down" is about the world, not an order to the caller
        "calm down": Reading(innocent_before=_re(r"\b(?:once|when|until|after|things|it|they|has|have|had|will)\s*$")),
    },
    "zh": {
        # 我不知道您是否方便 asks; 这个我不知道，我帮您问一下 promises to find out
        "不知道": Reading(innocent_after=_re(r"\s*(?:您|你)?(?:是否|能否|可否|方便|有没有|要不要|需不需要|可不可以|会不会)|"
                                         + _ZH_OFFER)),
        "没办法": _ZH_REFUSAL,
        "我也没办法": _ZH_REFUSAL,
        "这是规定": _ZH_REFUSAL,
        "就这样吧": Reading(ends_clause=True),
    },
}


def meant(text: str, start: int, end: int, phrase: str, language: str) -> bool:
    """Whether the forbidden `phrase`, found at text[start:end], is said as one."""
    reading = READINGS.get(language[:2], {}).get(phrase)
    if reading is None:
        return True
    ends = [m.start() for m in _SENTENCE_END.finditer(text, end)]
    after = text[end:ends[0] if ends else len(text)]
    starts = [m.end() for m in _SENTENCE_END.finditer(text, 0, start)]
    before = text[starts[-1] if starts else 0:start]
    if reading.innocent_after is not None and reading.innocent_after.match(after):
        return False
    if reading.innocent_before is not None and reading.innocent_before.search(before):
        return False
    if reading.ends_clause:
        clause_end = _CLAUSE_END.search(text, end)
        return not text[end:clause_end.start() if clause_end else len(text)].strip()
    return True
