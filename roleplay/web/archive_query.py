"""The call search's filters read from a request's query string: one parser for the list
(GET /api/archive), its exports and the re-scoring of what it shows."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request

from roleplay.model.errors import RoleplayError
from roleplay.model.i18n import N_
from roleplay.records.archive_search import ArchiveQuery
from roleplay.records.review_states import ReviewState
from roleplay.web.context import account
from roleplay.web.said import ApiError, Listed

STATES = {s.value: s for s in ReviewState}


def archive_query(request: Request) -> ArchiveQuery:
    """The filters of the request; a trainee's search is always of their own calls."""
    q = request.query_params
    who = account(request)
    trainee = who.username if who is not None and who.role == "trainee" else (q.get("trainee") or None)

    def number(name: str) -> float | None:
        try:
            value = float(q[name]) if q.get(name) else None
        except ValueError:
            raise ApiError(400, N_("'{name}' must be a number"), name=name) from None
        if value is not None and not math.isfinite(value):
            raise ApiError(400, N_("'{name}' must be a number"), name=name)
        return value

    def moment(name: str) -> datetime | None:
        try:
            value = datetime.fromisoformat(q[name]) if q.get(name) else None
        except ValueError:
            raise ApiError(400, N_("'{name}' must be a date or time like {day} or {moment}"), name=name,
                           day="2026-12-03", moment="2026-12-03T14:00") from None
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value

    def choice(name: str, values: dict[str, Any]) -> Any:
        if not q.get(name):
            return None
        if q[name] not in values:
            raise ApiError(400, N_("'{name}' must be one of: {values}"), name=name, values=Listed(values))
        return values[q[name]]

    try:
        return ArchiveQuery(
            trainee=trainee, scenario=q.get("scenario") or None, since=moment("from"), until=moment("to"),
            min_score=number("min_score"), max_score=number("max_score"),
            auto_fail=choice("auto_fail", {"yes": True, "no": False, "true": True, "false": False}),
            reviewed=choice("reviewed", {"yes": "yes", "no": "no"}), state=choice("state", STATES),
            sort=q.get("sort") or "newest", page=int(number("page") or 1), per_page=int(number("per_page") or 50))
    except RoleplayError as error:
        raise HTTPException(400, str(error)) from None
