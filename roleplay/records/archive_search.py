"""QA call search over the records database: filters, sort and pages in SQL, so a list of
20,000 calls is one indexed query, not a Python loop (bench/archive_search_bench.py).

Score filters read the recorded automatic score (indexed); each row of the page carries the
effective score too (after reviews), computed for that page only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, and_, exists, func, or_, select

from roleplay.model.errors import RoleplayError
from roleplay.model.message import Msg
from roleplay.records import review_states
from roleplay.records.review_states import ReviewState, state_changes
from roleplay.records.reviews import EffectiveScore, apply_overrides, effective_score
from roleplay.records.store import Attempt, Store, attempts, reviews, row_attempt, verdicts

Reviewed = Literal["yes", "no"]
SORTS = {
    "newest": attempts.c.started_at.desc(), "oldest": attempts.c.started_at.asc(),
    "score": attempts.c.score.asc(), "-score": attempts.c.score.desc(),
}
PER_PAGE_MAX = 200


@dataclass(frozen=True)
class ArchiveQuery:
    trainee: str | None = None
    scenario: str | None = None
    since: datetime | None = None          # started at or after
    until: datetime | None = None          # started before
    min_score: float | None = None
    max_score: float | None = None
    auto_fail: bool | None = None          # True: only auto-failed calls; False: none of them
    reviewed: Reviewed | None = None
    state: ReviewState | None = None       # where the review stands (draft ... final)
    sort: str = "newest"
    page: int = 1
    per_page: int = 50

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise RoleplayError(Msg("sort {sort!r}: use one of {SORTS}", sort=self.sort, SORTS=', '.join(SORTS)))
        if self.page < 1 or not 1 <= self.per_page <= PER_PAGE_MAX:
            raise RoleplayError(Msg("page must be 1 or more and per_page 1 to {PER_PAGE_MAX}", PER_PAGE_MAX=PER_PAGE_MAX))


@dataclass(frozen=True)
class FoundCall:
    attempt: Attempt
    standing: EffectiveScore
    state: ReviewState = ReviewState.NONE


@dataclass(frozen=True)
class ArchivePage:
    calls: tuple[FoundCall, ...]
    total: int


def _conditions(q: ArchiveQuery) -> list[ColumnElement[bool]]:
    reviewed = or_(exists().where(reviews.c.attempt_id == attempts.c.id),
                   exists().where(verdicts.c.attempt_id == attempts.c.id))
    latest = (select(state_changes.c.state).where(state_changes.c.attempt_id == attempts.c.id)
              .order_by(state_changes.c.id.desc()).limit(1).scalar_subquery())
    states = {ReviewState.NONE: ~reviewed, ReviewState.DRAFT: and_(reviewed, latest.is_(None))}
    return [c for c in (
        attempts.c.trainee_id == q.trainee if q.trainee else None,
        attempts.c.scenario_id == q.scenario if q.scenario else None,
        attempts.c.started_at >= q.since if q.since else None,
        attempts.c.started_at < q.until if q.until else None,
        attempts.c.score >= q.min_score if q.min_score is not None else None,
        attempts.c.score <= q.max_score if q.max_score is not None else None,
        None if q.auto_fail is None else (attempts.c.auto_failed != "") if q.auto_fail else (attempts.c.auto_failed == ""),
        None if q.reviewed is None else reviewed if q.reviewed == "yes" else ~reviewed,
        None if q.state is None else states.get(q.state, latest == str(q.state)),
    ) if c is not None]


def matching_call_ids(store: Store, q: ArchiveQuery) -> list[str]:
    """Every call the filters match, in the query's order, no pages (exports, re-scoring)."""
    review_states.ensure(store)
    conditions = _conditions(q)
    listing = select(attempts.c.call_id).order_by(SORTS[q.sort], attempts.c.id.desc())
    if conditions:
        listing = listing.where(and_(*conditions))
    with store.read() as conn:
        return [str(c) for c in conn.execute(listing).scalars()]


def search_archive(store: Store, q: ArchiveQuery) -> ArchivePage:
    review_states.ensure(store)
    conditions = _conditions(q)
    where = and_(*conditions) if conditions else None
    listing = select(attempts).order_by(SORTS[q.sort], attempts.c.id.desc())
    counting = select(func.count()).select_from(attempts)
    if where is not None:
        listing, counting = listing.where(where), counting.where(where)
    listing = listing.limit(q.per_page).offset((q.page - 1) * q.per_page)
    with store.read() as conn:
        total = int(conn.execute(counting).scalar_one())
        found = [row_attempt(r) for r in conn.execute(listing).mappings()]
        ids = [a.id for a in found]
        touched = set(conn.execute(select(reviews.c.attempt_id).where(reviews.c.attempt_id.in_(ids))).scalars())
        touched |= set(conn.execute(select(verdicts.c.attempt_id).where(verdicts.c.attempt_id.in_(ids))).scalars())
    newest = review_states.newest_states(store, ids)

    def state(a: Attempt) -> ReviewState:
        return newest.get(a.id) or (ReviewState.DRAFT if a.id in touched else ReviewState.NONE)

    return ArchivePage(tuple(FoundCall(a, _standing(store, a, a.id in touched), state(a)) for a in found), total)


def _standing(store: Store, attempt: Attempt, reviewed: bool) -> EffectiveScore:
    if not reviewed:   # the automatic score stands; no need to read the items
        return apply_overrides(attempt, [], [])
    return effective_score(store, attempt.call_id)
