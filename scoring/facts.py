"""Knowledge accuracy: what the trainee stated against a fact.

A quantity fact (a price, a speed, a date, a weekday, a dose ...) is RIGHT when the trainee states
the same value in the same unit family ("forty-nine dollars" for 49 dollars; a bare "49" also
confirms it; an `accept` phrasing that is a quantity, "48 hours" for 2 working days, is one more
right value), WRONG when they state a different value of that family ("fifty-nine dollars"),
MISSING otherwise. A text fact (a plan name, a holder's name) is RIGHT when its value or an
`accept` phrasing is found, with the same ASR tolerance as phrases, else MISSING: naming
something else is not proof of a contradiction without knowing the alternatives. The one
exception is a name with a value in it ("Fibre 100", 一百兆宽带): the same name with another
value ("Fibre 50") is WRONG.

Fuzzy phrase matching forgives a letter or two, which must never forgive a number: a phrasing
found that way counts only when the quantities in it are the ones said ("5 working days" does
not match "2 working days").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from phrasebank import Phrasebank
from roleplay.model.scenario import Fact
from scoring.numbers import Family, Quantity, extract_quantities, parse_quantity
from scoring.phrases import find_phrases

# A bare number never confirms a day or a time of day: "4" is not Thursday.
_NOT_LOOSE = (Family.DATE, Family.WEEKDAY, Family.CLOCK, Family.DAYPART)


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
    quantity = parse_quantity(str(fact.value), fact.unit)
    # Accepted phrasings that are quantities are judged by value with the fact's own.
    values = [quantity] if quantity else []
    values += [q for q in (parse_quantity(a) for a in fact.accept) if q is not None and quantity is not None]
    if quantity is not None and quantity.family == Family.NUMBER:
        # A bare CRM value ("6") takes its kind from an accepted phrasing ("six boxes").
        quantity = next((v for v in values if v.family != Family.NUMBER and abs(v.value - quantity.value) < 1e-6),
                        quantity)
    phrasings = tuple(p for p in (str(fact.value), *fact.accept)
                      if p.strip() and (quantity is None or parse_quantity(p) is None))
    if quantity is not None:
        phrasings = tuple(p for p in phrasings if p != str(fact.value))  # the bare value: by value
    said = _said_phrasing(text, phrasings, language)
    if said is not None:
        return FactCheck(fact.id, FactStatus.RIGHT, expected, *said)
    stated = extract_quantities(text)
    for q in stated:
        if any(_confirms(q, v) for v in values):
            return FactCheck(fact.id, FactStatus.RIGHT, expected, q.text, q.start, q.end)
    for q in stated:
        if quantity is not None and _contradicts(q, quantity) and not any(q.equals(v) for v in values):
            return FactCheck(fact.id, FactStatus.WRONG, expected, q.text, q.start, q.end)
    if quantity is None:
        other = _other_named_value(text, stated, str(fact.value), language)
        if other is not None:
            return FactCheck(fact.id, FactStatus.WRONG, expected, *other)
    return FactCheck(fact.id, FactStatus.MISSING, expected)


def _said_phrasing(text: str, phrasings: tuple[str, ...], language: str) -> tuple[str, int, int] | None:
    """The fact's value or an accepted phrasing, found as a phrase is (fuzzy, on word edges),
    with the same quantities in it as in the phrasing."""
    if not phrasings:
        return None
    found = find_phrases(text, _bank(language, "fact", phrasings))
    if not found or not _same_values(found[0].text, found[0].phrase):
        return None
    return found[0].text, found[0].start, found[0].end


def _bank(language: str, category: str, phrasings: tuple[str, ...]) -> Phrasebank:
    """The fact's phrasings as a bank that reads numerals as digits on both sides: ASR writes
    五十兆宽带 as 50兆宽带, a CRM may write 50兆 where the trainee says 五十兆."""
    matching = replace(Phrasebank(language).settings, digits=True)
    return Phrasebank(language, {category: phrasings}, matching=matching)


def _same_values(said: str, phrasing: str) -> bool:
    return sorted(q.value for q in extract_quantities(said)) == sorted(q.value for q in extract_quantities(phrasing))


def _other_named_value(text: str, stated: list[Quantity], value: str, language: str) -> tuple[str, int, int] | None:
    """The same name with another value ("Fibre 50" for "Fibre 100"), as said."""
    inside = extract_quantities(value)
    if len(inside) != 1:
        return None
    own = inside[0]
    name = (value[:own.start] + " " + value[own.end:]).strip()
    if not name:
        return None
    bank = _bank(language, "name", (name,))
    reach = len(name) + 4   # the name right before or after the number, as a plan is named
    for q in stated:
        if abs(q.value - own.value) < 1e-6 or q.family not in (own.family, Family.NUMBER, Family.COUNT):
            continue
        before = max(0, q.start - reach)
        for offset, window in ((before, text[before:q.start]), (q.end, text[q.end:q.end + reach])):
            hit = find_phrases(window, bank)
            if hit:
                start, end = min(q.start, offset + hit[0].start), max(q.end, offset + hit[0].end)
                return text[start:end], start, end
    return None


def _confirms(stated: Quantity, fact: Quantity) -> bool:
    if stated.equals(fact):
        return True
    # A bare "49" (or "49 a month" read as a count) confirms 49 dollars.
    loose = stated.family in (Family.NUMBER, Family.COUNT) and fact.family not in _NOT_LOOSE
    return loose and abs(stated.value - fact.value) < 1e-6


def _contradicts(stated: Quantity, fact: Quantity) -> bool:
    if fact.family == Family.NUMBER:
        # A bare fact (an account number) is contradicted only by a number of the same length.
        return stated.family == Family.NUMBER and len(_digits(stated.text)) == len(_digits(str(int(fact.value))))
    return stated.same_kind(fact) and not stated.equals(fact)


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())
