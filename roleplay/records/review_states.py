"""Where a call's review stands: Draft -> Shared -> Disputed -> Final, and who moved it when.

A reviewed call with no change recorded is a Draft (the reviewer is still at work, the
trainee does not see it). QA shares it; the call's own trainee may dispute a shared review
with a comment; QA makes a shared or disputed review final. Every change is a row of its own
table (created beside the records' tables on open, so an older records file gets it), the
newest row is the state, and the rows are the history.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    select,
)

from roleplay.model.errors import RoleplayError
from roleplay.records.store import Store, _utc, attempts


class ReviewState(StrEnum):
    NONE = "none"            # nobody has reviewed the call
    DRAFT = "draft"
    SHARED = "shared"
    DISPUTED = "disputed"
    FINAL = "final"


class Actor(StrEnum):
    """Who may move a review: QA staff (trainers review too) or the call's own trainee."""
    QA = "qa"
    TRAINEE = "trainee"


# (from, to) -> who may make that change.
TRANSITIONS: dict[tuple[ReviewState, ReviewState], Actor] = {
    (ReviewState.DRAFT, ReviewState.SHARED): Actor.QA,
    (ReviewState.SHARED, ReviewState.FINAL): Actor.QA,
    (ReviewState.DISPUTED, ReviewState.FINAL): Actor.QA,
    (ReviewState.SHARED, ReviewState.DISPUTED): Actor.TRAINEE,
}
# What a trainee sees of the reviews: nothing while QA is still drafting.
VISIBLE_TO_TRAINEE = (ReviewState.SHARED, ReviewState.DISPUTED, ReviewState.FINAL)

metadata = MetaData()
state_changes = Table(
    "review_state_changes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("attempt_id", Integer, ForeignKey(attempts.c.id, ondelete="CASCADE"), nullable=False, index=True),
    Column("state", String(16), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


class StateError(RoleplayError):
    """A change of state the rules do not allow (from this state, or without a comment)."""


class NotYours(StateError):
    """A change the rules allow, but to someone else (QA's to make, or the trainee's)."""


@dataclass(frozen=True)
class StateChange:
    call_id: str
    state: ReviewState
    actor: str
    role: Actor
    comment: str
    created_at: datetime


def ensure(store: Store) -> None:
    store.ensure_tables(metadata)


def history(store: Store, call_id: str) -> list[StateChange]:
    """Every change of the call's review state, oldest first."""
    ensure(store)
    query = (select(attempts.c.call_id, state_changes).join(attempts, attempts.c.id == state_changes.c.attempt_id)
             .where(attempts.c.call_id == call_id).order_by(state_changes.c.id))
    with store.read() as conn:
        return [StateChange(r["call_id"], ReviewState(r["state"]), r["actor"], Actor(r["role"]), r["comment"],
                            _utc(r["created_at"])) for r in conn.execute(query).mappings()]


def newest_states(store: Store, attempt_ids: Collection[int]) -> dict[int, ReviewState]:
    """attempt id -> the state its newest change set, for the attempts that have one."""
    ensure(store)
    newest = (select(func.max(state_changes.c.id)).where(state_changes.c.attempt_id.in_(list(attempt_ids)))
              .group_by(state_changes.c.attempt_id))
    with store.read() as conn:
        rows = conn.execute(select(state_changes.c.attempt_id, state_changes.c.state)
                            .where(state_changes.c.id.in_(newest))).all()
    return {int(a): ReviewState(s) for a, s in rows}


def state_of(store: Store, call_id: str, reviewed: bool) -> ReviewState:
    changes = history(store, call_id)
    if changes:
        return changes[-1].state
    return ReviewState.DRAFT if reviewed else ReviewState.NONE


def _check(call_id: str, current: ReviewState, to: ReviewState, role: Actor, comment: str, actor: str) -> None:
    rule = TRANSITIONS.get((current, to))
    if rule is None:
        moves = [f"{b} ({who})" for (a, b), who in TRANSITIONS.items() if a == current]
        raise StateError(f"{call_id}: the review is {current}; it cannot become {to} "
                         f"(it can become: {', '.join(moves) or 'nothing'})")
    if rule != role:
        who = "QA" if rule is Actor.QA else "the call's own trainee"
        raise NotYours(f"{call_id}: only {who} can make a {current} review {to}")
    if to is ReviewState.DISPUTED and not comment.strip():
        raise StateError(f"{call_id}: a dispute needs a comment saying what is wrong")
    if not actor.strip():
        raise StateError(f"{call_id}: a change of state needs the name of who makes it")


def change_state(store: Store, call_id: str, wanted: str, actor: str, role: Actor, comment: str = "",
                 reviewed: bool = True, at: datetime | None = None) -> StateChange:
    """Move the call's review to `wanted` if `role` may; a dispute needs a comment. The state
    is read inside the write transaction: two stations moving it at once cannot both do so."""
    try:
        to = ReviewState(wanted)
    except ValueError:
        raise StateError(f"{call_id}: state {wanted!r}: use one of shared, disputed, final") from None
    ensure(store)
    created = _utc(at or datetime.now(UTC))
    with store.write() as conn:
        # The call's row locked (PostgreSQL; SQLite's write transaction is exclusive already).
        attempt_id = conn.execute(select(attempts.c.id).where(attempts.c.call_id == call_id).with_for_update()).scalar()
        if attempt_id is None:
            raise StateError(f"{call_id}: no such call in {store.url}; record it first")
        newest = conn.execute(select(state_changes.c.state).where(state_changes.c.attempt_id == attempt_id)
                              .order_by(state_changes.c.id.desc()).limit(1)).scalar()
        current = ReviewState(newest) if newest else ReviewState.DRAFT if reviewed else ReviewState.NONE
        _check(call_id, current, to, role, comment, actor)
        conn.execute(state_changes.insert().values(attempt_id=attempt_id, state=str(to), actor=actor.strip(),
                                                   role=str(role), comment=comment, created_at=created))
    return StateChange(call_id, to, actor.strip(), role, comment, created)
