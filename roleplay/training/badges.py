"""Attempt records for the curriculum, and the badges a trainee earns from them.

A `CallRecord` is what progress needs of one scored call: the per-item marks the records
database keeps, plus a `CallSummary` drawn from the scorecard's evidence at recording time
(missed phrase categories, forbidden phrases, lookup times, outcome), which the database's
item rows do not hold. Everything here is pure: records in, badges out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from roleplay.model.scenario import Scenario
from scoring.evidence import (
    CallOutcome,
    Evidence,
    FactResult,
    HoldEvidence,
    PhraseFound,
    PhraseMissing,
    read_evidence,
)

PHRASE_ITEMS = ("opening", "required_phrases", "verification", "empathy", "closing")


@dataclass(frozen=True)
class ItemMark:
    id: str
    points: float
    max_points: float
    passed: bool

    @property
    def ratio(self) -> float | None:
        """Share of the item's points won; None when the item did not apply to the call."""
        return self.points / self.max_points if self.max_points > 0 else None


@dataclass(frozen=True)
class CallSummary:
    missed_categories: tuple[str, ...] = ()   # phrase categories expected and not said
    missed_facts: tuple[str, ...] = ()        # facts not stated, or stated wrong
    forbidden: tuple[str, ...] = ()           # forbidden phrases said
    lookup_ms: tuple[int | None, ...] = ()    # per lookup: customer's request to the answer; None: never
    outcome: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"missed_categories": list(self.missed_categories), "missed_facts": list(self.missed_facts),
                "forbidden": list(self.forbidden), "lookup_ms": list(self.lookup_ms), "outcome": self.outcome}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> CallSummary:
        return cls(tuple(raw.get("missed_categories") or ()), tuple(raw.get("missed_facts") or ()),
                   tuple(raw.get("forbidden") or ()), tuple(raw.get("lookup_ms") or ()), raw.get("outcome"))


@dataclass(frozen=True)
class CallRecord:
    call_id: str
    trainee: str
    scenario_id: str
    language: str
    stage: str
    started_at: str               # ISO time; records sort by it
    score: float | None           # None: not scored
    passed: bool
    items: tuple[ItemMark, ...] = ()
    summary: CallSummary = CallSummary()

    @property
    def scored(self) -> bool:
        return self.score is not None

    def item(self, item_id: str) -> ItemMark | None:
        return next((i for i in self.items if i.id == item_id), None)

    def item_passed(self, item_id: str) -> bool:
        mark = self.item(item_id)
        return mark is not None and mark.passed


def summarise(card: dict[str, Any], scenario: Scenario | None = None) -> CallSummary:
    """What a scorecard (Scorecard.to_json) says was missed, and how long each lookup took.
    Lookup nodes (a hold, or a CRM fact expected) need the scenario; without it, none."""
    items = {i.get("id"): i for i in card.get("items") or [] if isinstance(i, dict)}

    def evidence(item_id: str) -> list[Evidence]:
        return read_evidence(items.get(item_id))

    missed = [e.category for i in PHRASE_ITEMS for e in evidence(i)
              if isinstance(e, PhraseMissing) and e.category]
    for hold in evidence("dead_air"):
        if isinstance(hold, HoldEvidence):
            missed += [c for c, ok in (("hold_request", hold.announced), ("thanks_for_waiting", hold.thanked))
                       if not ok]
    facts = [e for e in evidence("knowledge") if isinstance(e, FactResult)]
    wrong = [e.fact for e in facts if e.status != "right" and e.fact]
    forbidden = [e.text or e.phrase for e in evidence("forbidden") if isinstance(e, PhraseFound)]
    ends = [e for e in evidence("resolution") if isinstance(e, CallOutcome)]
    outcome = card.get("outcome") or (ends[0].outcome if ends else None)
    return CallSummary(tuple(dict.fromkeys(missed)), tuple(dict.fromkeys(wrong)), tuple(forbidden),
                       _lookup_times(card, facts, scenario), outcome)


def _lookup_times(card: dict[str, Any], facts: list[FactResult], scenario: Scenario | None) -> tuple[int | None, ...]:
    """From the end of the customer's line at a lookup node to the start of the answer that
    gives the record (a fact stated there, else the answer after the hold)."""
    if scenario is None:
        return ()
    lookups = {n.id for n in scenario.nodes.values()
               if n.hold or any(scenario.knowledge.get(f) and scenario.knowledge[f].crm for f in n.expect.facts)}
    fact_turns = {e.turn for e in facts if e.turn is not None}
    turns = [t for t in card.get("turns") or [] if isinstance(t, dict)]
    times: list[int | None] = []
    for i, line in enumerate(turns):
        if line.get("speaker") != "customer" or line.get("node") not in lookups:
            continue
        answers = []
        for t in turns[i + 1:]:
            if t.get("speaker") == "customer":
                break
            answers.append(t)
        answer = (next((t for t in answers if t.get("index") in fact_turns), None)
                  or next((t for t in answers if t.get("after_hold")), None)
                  or (answers[0] if answers else None))
        times.append(None if answer is None else round((answer["start"] - line["end"]) * 1000))
    return tuple(times)


# --- badges ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Badge:
    id: str
    title: str
    description: str
    criteria: tuple[tuple[str, float], ...]   # (criterion, value); all must hold
    calls: int = 1                            # how many calls a threshold criterion needs


@dataclass(frozen=True)
class BadgeProgress:
    badge: Badge
    earned: bool
    have: int          # the weakest criterion's count so far ...
    need: int          # ... and what it needs


def _longest_run(flags: Sequence[bool]) -> int:
    best = run = 0
    for flag in flags:
        run = run + 1 if flag else 0
        best = max(best, run)
    return best


def _quick_lookups(limit_s: float) -> Callable[[CallRecord], bool]:
    def ok(r: CallRecord) -> bool:
        times = r.summary.lookup_ms
        return bool(times) and all(t is not None and t < limit_s * 1000 for t in times)
    return ok


# criterion -> (is a threshold whose count is `calls`, how many calls count toward it)
Count = Callable[[Sequence[CallRecord], float, int], tuple[int, int]]


def _count(test: Callable[[CallRecord], bool]) -> Count:
    return lambda records, value, _calls: (sum(test(r) for r in records), int(value))


def _threshold(make: Callable[[float], Callable[[CallRecord], bool]]) -> Count:
    return lambda records, value, calls: (sum(make(value)(r) for r in records), calls)


def _streak(test: Callable[[CallRecord], bool]) -> Count:
    return lambda records, value, _calls: (_longest_run([test(r) for r in records]), int(value))


CRITERIA: dict[str, Count] = {
    "no_forbidden_streak": _streak(lambda r: r.item_passed("forbidden") and not r.summary.forbidden),
    "pass_streak": _streak(lambda r: r.passed),
    "passed_calls": _count(lambda r: r.passed),
    "perfect_opening": _count(lambda r: r.item_passed("opening")),
    "perfect_closing": _count(lambda r: r.item_passed("closing")),
    "facts_right": _count(lambda r: r.item_passed("knowledge")),
    "complaint_calmed": _count(lambda r: r.stage == "complaint" and r.summary.outcome == "resolved"),
    "lookup_under_s": _threshold(_quick_lookups),
    "score_at_least": _threshold(lambda s: lambda r: r.score is not None and r.score >= s),
}
THRESHOLDS = ("lookup_under_s", "score_at_least")   # these take `calls: N` (default 1)


def badge_progress(badges: Sequence[Badge], attempts: Sequence[CallRecord]) -> list[BadgeProgress]:
    """Each badge with whether it is earned and how far along its weakest criterion is.
    Only scored calls count, in the order they were made."""
    records = sorted((a for a in attempts if a.scored), key=lambda a: a.started_at)
    result = []
    for badge in badges:
        counts = [CRITERIA[name](records, value, badge.calls) for name, value in badge.criteria]
        earned = all(have >= need for have, need in counts)
        have, need = min(counts, key=lambda c: c[0] / c[1] if c[1] else 1.0, default=(0, 0))
        result.append(BadgeProgress(badge, earned, min(have, need), need))
    return result


def earned_badges(badges: Sequence[Badge], attempts: Sequence[CallRecord]) -> list[Badge]:
    return [p.badge for p in badge_progress(badges, attempts) if p.earned]
