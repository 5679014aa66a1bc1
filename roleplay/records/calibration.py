"""Calibration between QA reviewers: several score the same calls blind, then compare.

A call is marked for calibration (an explicit set); until a reviewer submits their review of
a marked call, they see only their own reviews of it, so nobody anchors on a colleague's
points. The calibration set is the marked calls and every call two or more reviewers
reviewed. The figures: the share of calls whose reviewers are within the tolerance, the
disagreement per item (reviews.calibration_report) and each reviewer's drift from the
median of the reviewers of each call.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from statistics import mean, median

from sqlalchemy import Column, DateTime, ForeignKey, Integer, MetaData, String, Table, select

from roleplay.records.reviews import (
    TOLERANCE_POINTS,
    CalibrationReport,
    calibration_report,
    reviewer_scores,
)
from roleplay.records.store import Review, Store, _utc, attempts


class Mark(StrEnum):
    MARKED = "marked"          # the call is in the calibration set
    SUBMITTED = "submitted"    # this reviewer has handed in their review of it


metadata = MetaData()
calibration_events = Table(
    "calibration_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("attempt_id", Integer, ForeignKey(attempts.c.id, ondelete="CASCADE"), nullable=False, index=True),
    Column("reviewer", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class ReviewerDrift:
    reviewer: str
    calls: int
    drift: float          # mean (their score - the call's median), signed: + = more generous
    abs_drift: float      # mean |their score - the call's median|


@dataclass(frozen=True)
class CalibrationFigures:
    calls: tuple[str, ...]                # the calibration set
    report: CalibrationReport             # agreement share, per-item disagreement
    drift: tuple[ReviewerDrift, ...]      # largest |drift| first


def _add(store: Store, call_id: str, reviewer: str, kind: Mark, at: datetime | None) -> None:
    store.ensure_tables(metadata)
    attempt_id = store.attempt(call_id).id
    with store.write() as conn:
        conn.execute(calibration_events.insert().values(attempt_id=attempt_id, reviewer=reviewer, kind=str(kind),
                                                        created_at=_utc(at or datetime.now(UTC))))


def _events(store: Store, kind: Mark) -> list[tuple[str, str]]:
    store.ensure_tables(metadata)
    query = (select(attempts.c.call_id, calibration_events.c.reviewer)
             .join(attempts, attempts.c.id == calibration_events.c.attempt_id)
             .where(calibration_events.c.kind == str(kind)).order_by(calibration_events.c.id))
    with store.read() as conn:
        return [(str(c), str(r)) for c, r in conn.execute(query).all()]


def mark_call(store: Store, call_id: str, by: str, at: datetime | None = None) -> None:
    if call_id not in marked_calls(store):
        _add(store, call_id, by, Mark.MARKED, at)


def submit_review(store: Store, call_id: str, reviewer: str, at: datetime | None = None) -> None:
    if reviewer not in submitted_by(store, call_id):
        _add(store, call_id, reviewer, Mark.SUBMITTED, at)


def marked_calls(store: Store) -> set[str]:
    return {c for c, _ in _events(store, Mark.MARKED)}


def submitted_by(store: Store, call_id: str) -> set[str]:
    return {r for c, r in _events(store, Mark.SUBMITTED) if c == call_id}


def is_blind(store: Store, call_id: str, reviewer: str) -> bool:
    """A reviewer of a marked call sees only their own reviews of it until they submit."""
    return call_id in marked_calls(store) and reviewer not in submitted_by(store, call_id)


def calibration_set(store: Store) -> list[str]:
    """The marked calls and every call two or more reviewers reviewed, in call id order."""
    reviewers: dict[str, set[str]] = defaultdict(set)
    for review in store.reviews():
        reviewers[review.call_id].add(review.reviewer)
    return sorted(marked_calls(store) | {c for c, who in reviewers.items() if len(who) >= 2})


def reviewer_drift(store: Store, calls: list[str]) -> list[ReviewerDrift]:
    """Each reviewer's score minus the median of the call's reviewers, over the calls two or
    more of them reviewed."""
    by_call: dict[str, list[Review]] = defaultdict(list)
    wanted = set(calls)
    for review in store.reviews():
        if review.call_id in wanted:
            by_call[review.call_id].append(review)
    drifts: dict[str, list[float]] = defaultdict(list)
    for call_id, call_reviews in by_call.items():
        scores = {who: s.score for who, s in reviewer_scores(store.attempt(call_id), store.item_scores(call_id),
                                                             call_reviews).items() if s.score is not None}
        if len(scores) < 2:
            continue
        middle = median(scores.values())
        for who, value in scores.items():
            drifts[who].append(value - middle)
    found = [ReviewerDrift(who, len(d), round(mean(d), 2), round(mean(abs(x) for x in d), 2))
             for who, d in drifts.items()]
    return sorted(found, key=lambda d: (-d.abs_drift, d.reviewer))


def calibration_figures(store: Store, tolerance: float = TOLERANCE_POINTS) -> CalibrationFigures:
    calls = calibration_set(store)
    return CalibrationFigures(tuple(calls), calibration_report(store, tolerance, set(calls)),
                              tuple(reviewer_drift(store, calls)))
