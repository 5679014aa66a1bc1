"""QA reviews: a reviewer overrides an item's points (with a comment); the automatic score
stays beside it. Effective scores apply the overrides; calibration compares reviewers.

A reviewer who reviewed a call but left an item alone accepted the automatic points for it,
so every reviewer of a call has a full set of item points to compare.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from statistics import mean

from roleplay.model.errors import RoleplayError
from roleplay.records.store import Attempt, ItemScore, Review, Store

TOLERANCE_POINTS = 10.0


class ReviewError(RoleplayError):
    """A review that cannot apply: unknown item, points out of range, no reviewer name."""


@dataclass(frozen=True)
class EffectiveItem:
    item_id: str
    kind: str
    max_points: float
    automatic: float
    points: float               # after the override, if any
    reviewer: str = ""          # who set `points`; "" when automatic
    comment: str = ""


@dataclass(frozen=True)
class EffectiveScore:
    call_id: str
    automatic: float | None     # the scorecard's score, unchanged
    score: float | None         # with the overrides applied
    passed: bool | None
    items: tuple[EffectiveItem, ...]
    overridden: bool


def override_item(store: Store, call_id: str, item_id: str, reviewer: str, points: float,
                  comment: str, at: datetime | None = None) -> Review:
    """Record `reviewer`'s points for one item of a call; the automatic points are kept."""
    if not reviewer.strip():
        raise ReviewError(f"{call_id}: a review needs the reviewer's name (--reviewer)")
    items = {i.item_id: i for i in store.item_scores(call_id)}
    if item_id not in items:
        known = ", ".join(sorted(items)) or "none; the call was not scored"
        raise ReviewError(f"{call_id}: no item '{item_id}' to override (items: {known})")
    top = items[item_id].max_points
    if not 0 <= points <= top:
        raise ReviewError(f"{call_id}: {item_id} takes 0 to {top:g} points, not {points:g}")
    return store.add_review(call_id, item_id, reviewer.strip(), float(points), comment, at)


def _latest(reviews: list[Review]) -> dict[str, Review]:
    """The newest override per item (reviews come ordered by time); comments do not count."""
    return {r.item_id: r for r in reviews if r.points is not None}


def _effective_item(item: ItemScore, review: Review | None) -> EffectiveItem:
    if review is None or review.points is None:
        return EffectiveItem(item.item_id, item.kind, item.max_points, item.points, item.points)
    return EffectiveItem(item.item_id, item.kind, item.max_points, item.points, review.points,
                         review.reviewer, review.comment)


def apply_overrides(attempt: Attempt, items: list[ItemScore], reviews: list[Review]) -> EffectiveScore:
    """Pure: the attempt's score with the newest override of each item applied."""
    latest = _latest(reviews)
    effective = tuple(_effective_item(i, latest.get(i.item_id)) for i in items)
    overridden = any(e.reviewer for e in effective)
    if attempt.score is None or not overridden:
        return EffectiveScore(attempt.call_id, attempt.score, attempt.score, attempt.passed,
                              effective, overridden)
    score = _rescale(attempt.score, effective)
    mark = attempt.pass_mark
    passed = attempt.passed if mark is None else score >= mark
    return EffectiveScore(attempt.call_id, attempt.score, score, passed, effective, overridden)


def _rescale(automatic: float, items: tuple[EffectiveItem, ...]) -> float:
    # Items' max points may not sum to 100 (rubric weights); move the score by the change in
    # points on the same scale, so an override of nothing gives back the automatic score.
    total = sum(e.max_points for e in items)
    if total <= 0:
        return automatic
    delta = sum(e.points - e.automatic for e in items) * 100 / total
    return round(min(100.0, max(0.0, automatic + delta)), 2)


def effective_score(store: Store, call_id: str) -> EffectiveScore:
    return apply_overrides(store.attempt(call_id), store.item_scores(call_id),
                           store.reviews(call_id))


@dataclass(frozen=True)
class ItemDisagreement:
    item_id: str
    between_reviewers: float | None   # mean |points difference| over reviewer pairs
    pairs: int
    vs_automatic: float               # mean |reviewer - automatic| over reviewers
    reviews: int


@dataclass(frozen=True)
class CalibrationReport:
    calls_reviewed: int
    calls_multi_reviewed: int             # calls with two or more reviewers
    reviewers_agree: float | None         # share of multi-reviewed calls within the tolerance
    automatic_agree: float | None         # share of reviewed calls: every reviewer within it
    items: tuple[ItemDisagreement, ...]   # worst first
    tolerance: float = TOLERANCE_POINTS


def calibration_report(store: Store, tolerance: float = TOLERANCE_POINTS) -> CalibrationReport:
    by_call: dict[str, list[Review]] = defaultdict(list)
    for review in store.reviews():
        by_call[review.call_id].append(review)
    pair_diffs: dict[str, list[float]] = defaultdict(list)
    auto_diffs: dict[str, list[float]] = defaultdict(list)
    agree: list[bool] = []
    auto_agree: list[bool] = []
    for call_id, call_reviews in by_call.items():
        attempt, items = store.attempt(call_id), store.item_scores(call_id)
        per_reviewer = defaultdict(list)
        for r in call_reviews:
            per_reviewer[r.reviewer].append(r)
        scores = {who: apply_overrides(attempt, items, rs) for who, rs in per_reviewer.items()}
        values = [s.score for s in scores.values() if s.score is not None]
        if attempt.score is not None and values:
            auto_agree.append(all(abs(v - attempt.score) <= tolerance for v in values))
        if len(values) >= 2:
            agree.append(max(values) - min(values) <= tolerance)
        for mine, theirs in combinations(scores.values(), 2):
            for a, b in zip(mine.items, theirs.items, strict=True):
                pair_diffs[a.item_id].append(abs(a.points - b.points))
        for card in scores.values():
            for e in card.items:
                auto_diffs[e.item_id].append(abs(e.points - e.automatic))
    items_report = sorted(
        (ItemDisagreement(item, mean(pair_diffs[item]) if pair_diffs[item] else None,
                          len(pair_diffs[item]), mean(diffs), len(diffs))
         for item, diffs in auto_diffs.items()),
        key=lambda d: (-(d.between_reviewers or 0), -d.vs_automatic, d.item_id))
    return CalibrationReport(
        calls_reviewed=len(by_call), calls_multi_reviewed=len(agree),
        reviewers_agree=sum(agree) / len(agree) if agree else None,
        automatic_agree=sum(auto_agree) / len(auto_agree) if auto_agree else None,
        items=tuple(items_report), tolerance=tolerance)
