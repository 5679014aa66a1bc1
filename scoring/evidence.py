"""Scorecard evidence as typed data: what each finding rests on, serialised here and only here.

Every entry carries a human `note` plus the data behind it (turn index, node, the words with
their times in seconds, the phrase matched and its similarity, a fact's expected and stated
values, a hold's span). `to_json` gives the archived shape (docs/scorecard.md); `read_evidence`
turns an archived item's evidence back into these types, so badges, replay, report and
from-call drafts read fields, never note strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scoring.desk_evidence import DeskEvidence, desk_evidence_from_json


@dataclass(frozen=True)
class TimedWord:
    word: str
    start_s: float
    end_s: float

    def to_json(self) -> dict[str, Any]:
        return {"word": self.word, "start": self.start_s, "end": self.end_s}


def _words_json(words: tuple[TimedWord, ...]) -> list[dict[str, Any]]:
    return [w.to_json() for w in words]


@dataclass(frozen=True)
class PhraseFound:
    turn: int
    node: str
    category: str
    phrase: str                 # the phrasebank phrasing it matched
    similarity: float           # 0..100
    text: str                   # the words actually said
    words: tuple[TimedWord, ...]
    note: str

    def to_json(self) -> dict[str, Any]:
        return {"turn": self.turn, "node": self.node, "category": self.category, "found": True,
                "phrase": self.phrase, "similarity": self.similarity, "text": self.text,
                "words": _words_json(self.words), "note": self.note}


@dataclass(frozen=True)
class PhraseMissing:
    turn: int | None
    node: str | None
    category: str
    said: str
    note: str

    def to_json(self) -> dict[str, Any]:
        return {"turn": self.turn, "node": self.node, "category": self.category, "found": False,
                "expected": self.category, "said": self.said, "note": self.note}


@dataclass(frozen=True)
class FactResult:
    turn: int | None
    node: str
    fact: str
    status: str                 # right / wrong / missing (scoring.facts.FactStatus)
    expected: str
    stated: str
    critical: bool
    words: tuple[TimedWord, ...] | None
    note: str

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"turn": self.turn, "node": self.node, "fact": self.fact,
                               "status": self.status, "expected": self.expected,
                               "stated": self.stated, "critical": self.critical}
        if self.words is not None:
            out["words"] = _words_json(self.words)
        out["note"] = self.note
        return out


@dataclass(frozen=True)
class AnswerTime:
    turn: int | None
    node: str
    latency_ms: int | None
    limit_ms: int
    credit: float
    note: str

    def to_json(self) -> dict[str, Any]:
        return {"turn": self.turn, "node": self.node, "latency_ms": self.latency_ms,
                "limit_ms": self.limit_ms, "credit": self.credit, "note": self.note}


@dataclass(frozen=True)
class DeadAirGap:
    node: str
    start_s: float | None
    end_s: float | None
    duration_ms: int
    owner: str                  # who was expected to speak: trainee / customer
    counted: bool
    note: str

    def to_json(self) -> dict[str, Any]:
        return {"node": self.node, "start": self.start_s, "end": self.end_s,
                "duration_ms": self.duration_ms, "owner": self.owner, "counted": self.counted,
                "note": self.note}


NOT_ANNOUNCED = "not announced"
NOT_THANKED = "not thanked after"


@dataclass(frozen=True)
class HoldEvidence:
    node: str
    start_s: float | None
    end_s: float | None
    duration_ms: int | None     # None: the call ended on hold
    announced: bool
    thanked: bool
    too_long: str               # "" or the limit broken, e.g. "over 60 s"
    announced_by: PhraseFound | None
    thanked_by: PhraseFound | None
    note: str

    @property
    def problems(self) -> list[str]:
        return [p for p, bad in ((NOT_ANNOUNCED, not self.announced), (NOT_THANKED, not self.thanked),
                                 (self.too_long, bool(self.too_long))) if bad]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"node": self.node, "hold": True, "start": self.start_s, "end": self.end_s,
                               "duration_ms": self.duration_ms, "problems": self.problems,
                               "note": self.note}
        if self.announced_by is not None:
            out["announced"] = self.announced_by.to_json()
        if self.thanked_by is not None:
            out["thanked"] = self.thanked_by.to_json()
        return out


@dataclass(frozen=True)
class SpeechRate:
    per_minute: float | None    # None: too little speech to measure
    units: int
    unit: str                   # words / characters
    speaking_ms: int
    band: tuple[float, float]
    ok: bool | None             # None: too little speech to judge
    note: str

    def to_json(self) -> dict[str, Any]:
        return {"measure": "speech_rate", "per_minute": self.per_minute, "units": self.units,
                "unit": self.unit, "speaking_ms": self.speaking_ms, "band": list(self.band),
                "ok": self.ok, "note": self.note}


@dataclass(frozen=True)
class Fillers:
    count: int
    units: int
    ratio: float
    limit: float
    ok: bool
    matches: tuple[PhraseFound, ...]
    note: str

    def to_json(self) -> dict[str, Any]:
        return {"measure": "fillers", "count": self.count, "units": self.units, "ratio": self.ratio,
                "limit": self.limit, "ok": self.ok, "matches": [m.to_json() for m in self.matches],
                "note": self.note}


@dataclass(frozen=True)
class TalkOverCount:
    count: int
    longest_ms: int
    nodes: tuple[str, ...]
    ok: bool
    note: str

    def to_json(self) -> dict[str, Any]:
        return {"measure": "talk_over", "count": self.count, "longest_ms": self.longest_ms,
                "nodes": list(self.nodes), "ok": self.ok, "note": self.note}


@dataclass(frozen=True)
class CallOutcome:
    node: str | None
    outcome: str | None         # None: the call never ended
    credit: float | None
    note: str

    def to_json(self) -> dict[str, Any]:
        if self.outcome is None:
            return {"outcome": None, "note": self.note}
        return {"node": self.node, "outcome": self.outcome, "credit": self.credit, "note": self.note}


Evidence = (
    PhraseFound | PhraseMissing | FactResult | AnswerTime | DeadAirGap | HoldEvidence | SpeechRate
    | Fillers | TalkOverCount | CallOutcome | DeskEvidence
)
Measure = SpeechRate | Fillers | TalkOverCount


# Reading archived evidence back. Archived cards come from disk: every field is checked and an
# entry of no known shape is skipped (read_evidence returns what it can understand).

def _str(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    return value if isinstance(value, str) else ""


def _opt_str(raw: dict[str, Any], key: str) -> str | None:
    value = raw.get(key)
    return value if isinstance(value, str) else None


def _list(raw: dict[str, Any], key: str) -> list[Any]:
    value = raw.get(key)
    return value if isinstance(value, list) else []


def _num(raw: dict[str, Any], key: str) -> float | None:
    value = raw.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _int(raw: dict[str, Any], key: str) -> int | None:
    value = _num(raw, key)
    return int(value) if value is not None and abs(value) < 2**53 else None


def _timed_words(raw: Any) -> tuple[TimedWord, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(TimedWord(w["word"], _num(w, "start") or 0.0, _num(w, "end") or 0.0)
                 for w in raw if isinstance(w, dict) and isinstance(w.get("word"), str))


def _phrase_found(raw: Any) -> PhraseFound | None:
    if not isinstance(raw, dict) or raw.get("found") is not True:
        return None
    return PhraseFound(_int(raw, "turn") or 0, _str(raw, "node"), _str(raw, "category"),
                       _str(raw, "phrase"), _num(raw, "similarity") or 0.0, _str(raw, "text"),
                       _timed_words(raw.get("words")), _str(raw, "note"))


def evidence_from_json(raw: Any) -> Evidence | None:
    """One archived evidence entry as its type; None for an entry of no known shape."""
    if not isinstance(raw, dict):
        return None
    note = _str(raw, "note")
    if "desk" in raw:
        return desk_evidence_from_json(raw)
    if raw.get("hold") is True:
        problems = _list(raw, "problems")
        too_long = next((p for p in problems if isinstance(p, str) and p.startswith("over ")), "")
        announced_by, thanked_by = _phrase_found(raw.get("announced")), _phrase_found(raw.get("thanked"))
        return HoldEvidence(_str(raw, "node"), _num(raw, "start"), _num(raw, "end"),
                            _int(raw, "duration_ms"), NOT_ANNOUNCED not in problems,
                            NOT_THANKED not in problems, too_long, announced_by, thanked_by, note)
    measure = raw.get("measure")
    if measure == "speech_rate":
        band = [*_list(raw, "band"), 0, 0]
        low, high = (float(b) if isinstance(b, int | float) else 0.0 for b in band[:2])
        ok = raw.get("ok")
        return SpeechRate(_num(raw, "per_minute"), _int(raw, "units") or 0, _str(raw, "unit"),
                          _int(raw, "speaking_ms") or 0, (low, high), ok if isinstance(ok, bool) else None,
                          note)
    if measure == "fillers":
        matches = _list(raw, "matches")
        return Fillers(_int(raw, "count") or 0, _int(raw, "units") or 0, _num(raw, "ratio") or 0.0,
                       _num(raw, "limit") or 0.0, raw.get("ok") is True,
                       tuple(m for m in map(_phrase_found, matches) if m is not None), note)
    if measure == "talk_over":
        nodes = _list(raw, "nodes")
        return TalkOverCount(_int(raw, "count") or 0, _int(raw, "longest_ms") or 0,
                             tuple(n for n in nodes if isinstance(n, str)), raw.get("ok") is True, note)
    if "fact" in raw:
        words = _timed_words(raw.get("words")) if "words" in raw else None
        return FactResult(_int(raw, "turn"), _str(raw, "node"), _str(raw, "fact"), _str(raw, "status"),
                          _str(raw, "expected"), _str(raw, "stated"), raw.get("critical") is True,
                          words, note)
    if "limit_ms" in raw:
        return AnswerTime(_int(raw, "turn"), _str(raw, "node"), _int(raw, "latency_ms"),
                          _int(raw, "limit_ms") or 0, _num(raw, "credit") or 0.0, note)
    if "owner" in raw:
        return DeadAirGap(_str(raw, "node"), _num(raw, "start"), _num(raw, "end"),
                          _int(raw, "duration_ms") or 0, _str(raw, "owner"), raw.get("counted") is True,
                          note)
    if raw.get("found") is True:
        return _phrase_found(raw)
    if raw.get("found") is False:
        return PhraseMissing(_int(raw, "turn"), _opt_str(raw, "node"), _str(raw, "category"),
                             _str(raw, "said"), note)
    if "outcome" in raw:
        return CallOutcome(_opt_str(raw, "node"), _opt_str(raw, "outcome"), _num(raw, "credit"), note)
    return None


def read_evidence(item: Any) -> list[Evidence]:
    """The evidence of one archived scorecard item (a dict from call.json), typed."""
    entries = item.get("evidence") if isinstance(item, dict) else None
    if not isinstance(entries, list):
        return []
    return [e for e in map(evidence_from_json, entries) if e is not None]
