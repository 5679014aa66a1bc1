"""Typed evidence of the desk items (scoring/desk.py); each entry's JSON carries a `desk` tag
so scoring/evidence.py reads it back to its type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LookupTime:
    node: str
    table: str
    key: str
    key_given_s: float
    opened_s: float | None       # None: the customer's record was never opened
    limit_s: float
    note: str

    def to_json(self) -> dict[str, Any]:
        elapsed = None if self.opened_s is None else round(max(0.0, self.opened_s - self.key_given_s), 3)
        return {"desk": "lookup", "node": self.node, "table": self.table, "key": self.key,
                "key_given": self.key_given_s, "opened": self.opened_s, "elapsed_s": elapsed,
                "limit_s": self.limit_s, "note": self.note}


@dataclass(frozen=True)
class WrongRecord:
    table: str
    key: str
    opened_s: float
    note: str

    def to_json(self) -> dict[str, Any]:
        return {"desk": "wrong_record", "wrong_record": True, "table": self.table, "key": self.key,
                "opened": self.opened_s, "note": self.note}


@dataclass(frozen=True)
class ReadBack:
    """A value the trainee said that only a wrong record holds."""

    turn: int
    node: str
    field: str
    stated: str
    right_value: str
    note: str

    def to_json(self) -> dict[str, Any]:
        return {"desk": "read_back", "wrong_record": True, "turn": self.turn, "node": self.node,
                "field": self.field, "stated": self.stated, "right_value": self.right_value,
                "note": self.note}


@dataclass(frozen=True)
class KbTime:
    node: str
    article: str                 # "" when none was opened
    asked_s: float
    opened_s: float | None
    limit_s: float
    note: str

    def to_json(self) -> dict[str, Any]:
        elapsed = None if self.opened_s is None else round(max(0.0, self.opened_s - self.asked_s), 3)
        return {"desk": "kb", "node": self.node, "article": self.article, "asked": self.asked_s,
                "opened": self.opened_s, "elapsed_s": elapsed, "limit_s": self.limit_s, "note": self.note}


@dataclass(frozen=True)
class Wrapup:
    disposition: str             # "" when never submitted
    elapsed_s: float | None
    limit_s: float
    notes: str
    facts_found: tuple[str, ...]
    facts_missing: tuple[str, ...]
    note: str

    def to_json(self) -> dict[str, Any]:
        return {"desk": "wrapup", "disposition": self.disposition, "elapsed_s": self.elapsed_s,
                "limit_s": self.limit_s, "notes": self.notes, "facts_found": list(self.facts_found),
                "facts_missing": list(self.facts_missing), "note": self.note}


DeskEvidence = LookupTime | WrongRecord | ReadBack | KbTime | Wrapup


def desk_evidence_from_json(raw: dict[str, Any]) -> DeskEvidence | None:
    def s(key: str) -> str:
        v = raw.get(key)
        return v if isinstance(v, str) else ""

    def f(key: str) -> float | None:
        v = raw.get(key)
        return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None

    def names(key: str) -> tuple[str, ...]:
        v = raw.get(key)
        return tuple(x for x in v if isinstance(x, str)) if isinstance(v, list) else ()

    tag, note = raw.get("desk"), s("note")
    if tag == "lookup":
        return LookupTime(s("node"), s("table"), s("key"), f("key_given") or 0.0, f("opened"), f("limit_s") or 0.0, note)
    if tag == "wrong_record":
        return WrongRecord(s("table"), s("key"), f("opened") or 0.0, note)
    if tag == "read_back":
        return ReadBack(int(f("turn") or 0), s("node"), s("field"), s("stated"), s("right_value"), note)
    if tag == "kb":
        return KbTime(s("node"), s("article"), f("asked") or 0.0, f("opened"), f("limit_s") or 0.0, note)
    if tag == "wrapup":
        return Wrapup(s("disposition"), f("elapsed_s"), f("limit_s") or 0.0, s("notes"),
                      names("facts_found"), names("facts_missing"), note)
    return None
