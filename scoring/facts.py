"""Knowledge accuracy: what the trainee stated against a fact.

A quantity fact (a price, a speed, a date ...) is RIGHT when the trainee states the same value in
the same unit family ("forty-nine dollars" for 49 dollars; a bare "49" also confirms it), WRONG
when they state a different value of that family ("fifty-nine dollars"), MISSING otherwise.
A text fact (a plan name, a holder's name) is RIGHT when its value or an `accept` phrasing is
found, with the same ASR tolerance as phrases, else MISSING: naming something else is not
proof of a contradiction without knowing the alternatives.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from phrasebank import Phrasebank
from roleplay.model.scenario import Fact
from scoring.numbers import Family, Quantity, extract_quantities, parse_quantity
from scoring.phrases import find_phrases


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
    expected = f"{fact.value} {fact.unit}".strip()
    said = _said_phrasing(text, fact, language)
    if said is not None:
        return FactCheck(fact.id, FactStatus.RIGHT, expected, *said)
    quantity = parse_quantity(str(fact.value), fact.unit)
    if quantity is None:
        return FactCheck(fact.id, FactStatus.MISSING, expected)
    stated = extract_quantities(text)
    for q in stated:
        if _confirms(q, quantity):
            return FactCheck(fact.id, FactStatus.RIGHT, expected, q.text, q.start, q.end)
    for q in stated:
        if _contradicts(q, quantity):
            return FactCheck(fact.id, FactStatus.WRONG, expected, q.text, q.start, q.end)
    return FactCheck(fact.id, FactStatus.MISSING, expected)


def _said_phrasing(text: str, fact: Fact, language: str) -> tuple[str, int, int] | None:
    """The fact's value or an accepted phrasing, found as a phrase is (fuzzy, on word edges)."""
    phrasings = tuple(p for p in (str(fact.value), *fact.accept) if p.strip())
    if parse_quantity(str(fact.value), fact.unit) is not None:
        phrasings = phrasings[1:]   # a quantity's bare value is judged by value, below
    if not phrasings:
        return None
    found = find_phrases(text, Phrasebank(language, {"fact": phrasings}))
    return (found[0].text, found[0].start, found[0].end) if found else None


def _confirms(stated: Quantity, fact: Quantity) -> bool:
    if stated.equals(fact):
        return True
    # A bare "49" (or "49 a month" read as a count) confirms 49 dollars.
    loose = stated.family in (Family.NUMBER, Family.COUNT) and fact.family != Family.DATE
    return loose and abs(stated.value - fact.value) < 1e-6


def _contradicts(stated: Quantity, fact: Quantity) -> bool:
    if fact.family == Family.NUMBER:
        # A bare fact (an account number) is contradicted only by a number of the same length.
        return stated.family == Family.NUMBER and len(_digits(stated.text)) == len(_digits(str(int(fact.value))))
    return stated.same_kind(fact) and not stated.equals(fact)


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())
