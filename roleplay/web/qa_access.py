"""Who sees what of a call's review in the QA console, and who may move it.

A signed-in trainee sees only their own calls, and their reviews only once QA has shared
them; trainers and QA staff act as reviewers. On the loopback nobody signs in (one station,
one person): the request says who it is (`by`, `role`), as the review API takes `reviewer`.
A reviewer of a call marked for calibration sees only their own reviews until they submit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from roleplay.model.i18n import N_
from roleplay.records.calibration import is_blind
from roleplay.records.review_states import VISIBLE_TO_TRAINEE, Actor, ReviewState, state_of
from roleplay.records.reviews import EffectiveScore, apply_overrides
from roleplay.records.store import Attempt, Store
from roleplay.web.accounts import Account, Role
from roleplay.web.context import account
from roleplay.web.said import ApiError


@dataclass(frozen=True)
class Viewer:
    name: str
    role: Actor


def trainee_hides(who: Account | None) -> set[ReviewState]:
    """The review states whose reviews a viewer does not see (a trainee: QA's drafts)."""
    return {ReviewState.NONE, ReviewState.DRAFT} if who is not None and who.role == Role.TRAINEE else set()


def viewer(request: Request, data: dict[str, Any] | None = None) -> Viewer:
    """The signed-in account, else who the loopback station says it is."""
    who = account(request)
    if who is not None:
        return Viewer(who.username, Actor.TRAINEE if who.role == Role.TRAINEE else Actor.QA)
    given = data if data is not None else dict(request.query_params)
    name, role = given.get("by") or given.get("reviewer") or "", given.get("role") or "qa"
    if not isinstance(name, str) or not isinstance(role, str) or role not in Actor.__members__.values():
        raise ApiError(400, N_("'by' must be text and 'role' one of: qa, trainee"))
    return Viewer(name.strip()[:80], Actor(role))


def require_reviewer(request: Request) -> Viewer:
    me = viewer(request)
    if me.role is not Actor.QA:
        raise ApiError(403, N_("only trainers and QA see this page"))
    return me


def check_call_access(request: Request, attempt: Attempt) -> None:
    who = account(request)
    if who is not None and who.role == Role.TRAINEE and who.username != attempt.trainee:
        raise ApiError(403, N_("this call belongs to another trainee"))


@dataclass(frozen=True)
class ReviewView:
    """A call's review as this viewer may see it."""
    standing: EffectiveScore
    state: ReviewState
    blind: bool              # calibration: others' reviews are hidden until this reviewer submits
    hidden: bool             # a trainee before QA shares the review: the automatic score only


def review_view(store: Store, attempt: Attempt, me: Viewer) -> ReviewView:
    reviews, verdicts = store.reviews(attempt.call_id), store.verdicts(attempt.call_id)
    state = state_of(store, attempt.call_id, bool(reviews or verdicts))
    blind = me.role is Actor.QA and is_blind(store, attempt.call_id, me.name)
    hidden = me.role is Actor.TRAINEE and state not in VISIBLE_TO_TRAINEE
    if hidden:
        reviews, verdicts = [], []
    elif blind:
        reviews = [r for r in reviews if r.reviewer == me.name]
        verdicts = [v for v in verdicts if v.reviewer == me.name]
    standing = apply_overrides(attempt, store.item_scores(attempt.call_id), reviews, verdicts)
    return ReviewView(standing, state, blind, hidden)


def check_open(store: Store, call_id: str) -> None:
    """A Final review is settled: no more overrides (409)."""
    reviewed = bool(store.reviews(call_id) or store.verdicts(call_id))
    if state_of(store, call_id, reviewed) is ReviewState.FINAL:
        raise ApiError(409, N_("{call_id}: the review is final; it cannot be changed"), call_id=call_id)
