"""QA reviews: a reviewer overrides an item's points (with a comment) or fails the whole
call; the automatic score stays beside it. The effective score (the call's one score in
every view: review, report, export, progress) applies the newest override of each item;
every reviewer's earlier reviews stay in the history. Calibration compares reviewers.

Pass/fail after a review: an auto-failed call stays failed unless a reviewer overrode the
item that failed it, with a comment; a reviewer's "fail" verdict fails the call whatever
its score; otherwise the effective score is held against the pass mark.

A reviewer who reviewed a call but left an item alone accepted the automatic points for it,
so every reviewer of a call has a full set of item points to compare.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from statistics import mean

from roleplay.model.errors import RoleplayError
from roleplay.model.i18n import N_, translator
from roleplay.model.message import Msg
from roleplay.records.store import Attempt, ItemScore, Review, Store, Verdict
from scoring.view import ITEM_TITLES

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
    turn: int | None = None     # the turn the comment is about


@dataclass(frozen=True)
class EffectiveScore:
    call_id: str
    automatic: float | None     # the scorecard's score, unchanged
    score: float | None         # with the overrides applied
    passed: bool | None
    items: tuple[EffectiveItem, ...]
    overridden: bool
    auto_failed: tuple[str, ...] = ()       # auto-fail items no reviewer has lifted
    verdict: Verdict | None = None          # a reviewer's standing "fail", if any
    history: tuple[Review, ...] = ()        # every review of the call, oldest first
    verdicts: tuple[Verdict, ...] = ()

    @property
    def reviewed(self) -> bool:
        return bool(self.history or self.verdicts)

    def history_lines(self, lang: str = "en") -> list[str]:
        """Every review and verdict, oldest first: 'when  who  what -> change  comment'; in
        `lang` the item's title and the words (English: the ids, as before)."""
        _ = translator(lang).gettext
        entries = [(r.created_at, r.reviewer, _(ITEM_TITLES.get(r.item_id, r.item_id)),
                    _("comment") if r.points is None else f"{r.points:g}", r.comment) for r in self.history]
        entries += [(v.created_at, v.reviewer, _(N_("call")), _(VERDICT_WORDS.get(v.verdict, v.verdict)), v.comment)
                    for v in self.verdicts]
        line = _("{at}  {who}  {what} -> {change}  {comment}")
        return [line.format(at=f"{at:%Y-%m-%d %H:%M:%S}", who=who, what=what, change=change, comment=comment).rstrip()
                for at, who, what, change, comment in sorted(entries, key=lambda e: e[0])]


VERDICTS = ("fail", "clear")
VERDICT_WORDS = {"fail": N_("fail"), "clear": N_("clear")}   # as a history line says them


def override_item(store: Store, call_id: str, item_id: str, reviewer: str, points: float,
                  comment: str, at: datetime | None = None, turn: int | None = None) -> Review:
    """Record `reviewer`'s points for one item of a call; the automatic points are kept."""
    _check_reviewer(call_id, reviewer)
    items = {i.item_id: i for i in store.item_scores(call_id)}
    if item_id not in items:
        known = ", ".join(sorted(items)) or "none; the call was not scored"
        raise ReviewError(Msg("{call_id}: no item '{item_id}' to override (items: {known})", call_id=call_id, item_id=item_id, known=known))
    top = items[item_id].max_points
    if not 0 <= points <= top:
        raise ReviewError(Msg("{call_id}: {item_id} takes 0 to {top:g} points, not {points:g}", call_id=call_id, item_id=item_id, top=top, points=points))
    if item_id in store.attempt(call_id).auto_failed and not comment.strip():
        raise ReviewError(Msg("{call_id}: {item_id} failed the call outright; overriding it needs a --comment saying why", call_id=call_id, item_id=item_id))
    if turn is not None and turn < 0:
        raise ReviewError(Msg("{call_id}: turn {turn} is not a turn of the call (they are numbered from 0)", call_id=call_id, turn=turn))
    return store.add_review(call_id, item_id, reviewer.strip(), float(points), comment, at, turn)


def set_verdict(store: Store, call_id: str, reviewer: str, verdict: str, comment: str,
                at: datetime | None = None) -> Verdict:
    """A reviewer fails the whole call ("fail", with a comment) or withdraws that ("clear")."""
    _check_reviewer(call_id, reviewer)
    if verdict not in VERDICTS:
        raise ReviewError(Msg("{call_id}: verdict {verdict!r}: use one of {VERDICTS}", call_id=call_id, verdict=verdict, VERDICTS=', '.join(VERDICTS)))
    if verdict == "fail" and not comment.strip():
        raise ReviewError(Msg("{call_id}: failing a call needs a --comment saying why", call_id=call_id))
    return store.add_verdict(call_id, reviewer.strip(), verdict, comment, at)


def _check_reviewer(call_id: str, reviewer: str) -> None:
    if not reviewer.strip():
        raise ReviewError(Msg("{call_id}: a review needs the reviewer's name (--reviewer)", call_id=call_id))


def replaced_by(history: list[Review], review: Review) -> Review | None:
    """The other reviewer's override that `review` (the newest) replaces, if any."""
    earlier = [r for r in history if r.item_id == review.item_id and r.points is not None
               and r.id != review.id]
    return earlier[-1] if earlier and earlier[-1].reviewer != review.reviewer else None


def _latest(reviews: list[Review]) -> dict[str, Review]:
    """The newest override per item (reviews come ordered by time); comments do not count."""
    return {r.item_id: r for r in reviews if r.points is not None}


def _effective_item(item: ItemScore, review: Review | None) -> EffectiveItem:
    if review is None or review.points is None:
        return EffectiveItem(item.item_id, item.kind, item.max_points, item.points, item.points)
    return EffectiveItem(item.item_id, item.kind, item.max_points, item.points, review.points,
                         review.reviewer, review.comment, review.turn)


def apply_overrides(attempt: Attempt, items: list[ItemScore], reviews: list[Review],
                    verdicts: list[Verdict] | None = None) -> EffectiveScore:
    """Pure: the attempt's score with the newest override of each item applied, and its
    pass/fail after the reviews (see the module's docstring)."""
    latest = _latest(reviews)
    effective = tuple(_effective_item(i, latest.get(i.item_id)) for i in items)
    overridden = any(e.reviewer for e in effective)
    lifted = {r.item_id for r in latest.values() if r.comment.strip()}
    still_failed = tuple(i for i in attempt.auto_failed if i not in lifted)
    newest = verdicts[-1] if verdicts else None
    verdict = newest if newest is not None and newest.verdict == "fail" else None
    score = attempt.score if attempt.score is None or not overridden else _rescale(attempt.score, effective)
    if attempt.passed is None or score is None:
        passed = attempt.passed
    elif verdict is not None or still_failed:
        passed = False
    elif not overridden and not attempt.auto_failed:
        passed = attempt.passed
    else:
        passed = attempt.passed if attempt.pass_mark is None else score >= attempt.pass_mark
    return EffectiveScore(attempt.call_id, attempt.score, score, passed, effective, overridden,
                          still_failed, verdict, tuple(reviews), tuple(verdicts or ()))


def _rescale(automatic: float, items: tuple[EffectiveItem, ...]) -> float:
    # Items' max points may not sum to 100 (rubric weights); move the score by the change in
    # points on the same scale, so an override of nothing gives back the automatic score.
    total = sum(e.max_points for e in items)
    if total <= 0:
        return automatic
    delta = sum(e.points - e.automatic for e in items) * 100 / total
    return round(min(100.0, max(0.0, automatic + delta)), 2)


def effective_score(store: Store, call_id: str) -> EffectiveScore:
    """The call's one score: the archive's current card (as recorded) with its reviews."""
    return apply_overrides(store.attempt(call_id), store.item_scores(call_id),
                           store.reviews(call_id), store.verdicts(call_id))


def recorded_standing(db_url: str | None, call_id: str) -> EffectiveScore | None:
    """The call's effective score from the records database; None when it is not recorded."""
    from roleplay.records.store import open_store

    try:
        with open_store(db_url) as store:
            return effective_score(store, call_id)
    except RoleplayError:
        return None


def effective_scores(store: Store, trainee: str | None = None) -> dict[str, tuple[Attempt, list[ItemScore], EffectiveScore]]:
    """Every attempt (of one trainee) with its items and effective score: four queries for
    the lot, not four per call."""
    items: dict[str, list[ItemScore]] = defaultdict(list)
    for item in store.item_scores(trainee=trainee):
        items[item.call_id].append(item)
    reviews: dict[str, list[Review]] = defaultdict(list)
    for review in store.reviews():
        reviews[review.call_id].append(review)
    verdicts: dict[str, list[Verdict]] = defaultdict(list)
    for verdict in store.verdicts():
        verdicts[verdict.call_id].append(verdict)
    return {a.call_id: (a, items[a.call_id], apply_overrides(a, items[a.call_id], reviews[a.call_id],
                                                             verdicts[a.call_id]))
            for a in store.attempts(trainee=trainee)}


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


def reviewer_scores(attempt: Attempt, items: list[ItemScore], call_reviews: list[Review]) -> dict[str, EffectiveScore]:
    """Each reviewer's own score of one call: their reviews alone, the other items automatic."""
    per_reviewer: dict[str, list[Review]] = defaultdict(list)
    for r in call_reviews:
        per_reviewer[r.reviewer].append(r)
    return {who: apply_overrides(attempt, items, rs) for who, rs in per_reviewer.items()}


def calibration_report(store: Store, tolerance: float = TOLERANCE_POINTS,
                       calls: Collection[str] | None = None) -> CalibrationReport:
    """Agreement over the reviewed calls (or only `calls`, a calibration set)."""
    by_call: dict[str, list[Review]] = defaultdict(list)
    for review in store.reviews():
        if calls is None or review.call_id in calls:
            by_call[review.call_id].append(review)
    pair_diffs: dict[str, list[float]] = defaultdict(list)
    auto_diffs: dict[str, list[float]] = defaultdict(list)
    agree: list[bool] = []
    auto_agree: list[bool] = []
    for call_id, call_reviews in by_call.items():
        attempt = store.attempt(call_id)
        scores = reviewer_scores(attempt, store.item_scores(call_id), call_reviews)
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
