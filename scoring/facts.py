"""Knowledge accuracy: what the trainee stated against a fact (simple first version)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from roleplay.scenario import Fact


class FactStatus(StrEnum):
    RIGHT = "right"
    WRONG = "wrong"        # a value was stated and it contradicts the fact
    MISSING = "missing"


@dataclass(frozen=True)
class FactCheck:
    fact_id: str
    status: FactStatus
    expected: str          # the fact's value with its unit, as an author wrote it
    stated: str = ""       # the words the trainee said for it ("" when missing)
    start: int = -1        # character offsets of `stated` in the text
    end: int = -1


def check_fact(text: str, fact: Fact, language: str) -> FactCheck:
    lowered = text.lower()
    expected = f"{fact.value} {fact.unit}".strip()
    for candidate in (fact.value, *fact.accept):
        at = lowered.find(candidate.lower())
        if candidate and at >= 0:
            return FactCheck(fact.id, FactStatus.RIGHT, expected, text[at:at + len(candidate)], at, at + len(candidate))
    return FactCheck(fact.id, FactStatus.MISSING, expected)
