"""Assignments over HTTP: POST /api/assignments (trainers and QA) gives a trainee or a group
scenarios with a due date and a number of attempts; GET /api/assignments?trainee=X lists them
with the attempts left (a trainee account sees only its own)."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from roleplay.authoring.yamlmarks import did_you_mean
from roleplay.model.errors import RoleplayError
from roleplay.model.i18n import N_
from roleplay.records.assignments import (
    AssignmentRequest,
    AssignmentStatus,
    assign,
    assignment_status,
)
from roleplay.web.accounts import Role
from roleplay.web.context import account, body_json, field_of, server
from roleplay.web.said import ApiError


def staff_only(request: Request, what: str) -> None:
    """403 for a trainee account; trainers, QA and the loopback station (no sign-in) pass.
    `what` is the whole message (marked N_ by the caller), so it translates as one sentence."""
    who = account(request)
    if who is not None and who.role == Role.TRAINEE:
        raise ApiError(403, what)


def parse_due(value: str, today: date) -> date:
    try:
        due = date.fromisoformat(value.strip())
    except ValueError:
        raise ApiError(400, N_("'due' must be a date like {today}, not '{value}'"), today=today.isoformat(),
                       value=value[:40]) from None
    if due < today:
        raise ApiError(400, N_("'due' {due} is already past; give today or a later day"), due=due.isoformat())
    return due


def _texts(data: dict[str, Any], name: str) -> tuple[str, ...]:
    """A list of ids; `trainee` (one) may be given as plain text."""
    value = data.get(name)
    if isinstance(value, str) and name == "trainee":
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ApiError(400, N_("'{name}' must be a list of ids"), name=name)
    return tuple(v.strip() for v in value if v.strip())


def status_json(s: AssignmentStatus, titles: dict[str, str]) -> dict[str, Any]:
    a = s.assignment
    return {"id": a.id, "batch": a.batch, "trainee": a.trainee, "scenario": a.scenario_id,
            "title": titles.get(a.scenario_id, a.scenario_id), "due": a.due_on.isoformat(),
            "attempts": a.attempts, "used": s.used, "attempts_left": s.attempts_left, "open": s.open,
            "overdue": s.overdue, "assigned_by": a.assigned_by, "assigned_at": a.assigned_at.isoformat()}


def scenario_titles(request: Request) -> dict[str, str]:
    return {sid: s.title for sid, s in server(request).library.scenarios.items()}


async def create(request: Request) -> JSONResponse:
    staff_only(request, N_("only trainers and QA give assignments"))
    srv = server(request)
    data = await body_json(request)
    trainees = _texts(data, "trainees" if "trainees" in data else "trainee")
    scenarios = _texts(data, "scenarios")
    for sid in scenarios:
        if sid not in srv.library.scenarios:
            hint = did_you_mean(sid, srv.library.scenarios) or "; GET /api/scenarios lists them"
            raise HTTPException(400, f"'scenarios': no scenario '{sid[:80]}'{hint}")
    today = date.today()
    due = parse_due(field_of(data, "due", str, limit=40), today)
    who = account(request)
    by = who.username if who else field_of(data, "assigned_by", str, "", limit=80)
    wanted = AssignmentRequest(trainees, scenarios, due, field_of(data, "attempts", int, 1), by)
    try:
        made = await run_in_threadpool(assign, srv.store, wanted)
    except RoleplayError as error:
        raise HTTPException(400, str(error)) from None
    titles = scenario_titles(request)
    return JSONResponse({"assignments": [status_json(AssignmentStatus(a, 0, today), titles) for a in made]}, 201)


async def listing(request: Request) -> JSONResponse:
    who = account(request)
    mine = who is not None and who.role == Role.TRAINEE
    trainee = who.username if who is not None and mine else (request.query_params.get("trainee") or None)
    found = await run_in_threadpool(assignment_status, server(request).store, trainee)
    titles = scenario_titles(request)
    return JSONResponse({"assignments": [status_json(s, titles) for s in found]})


async def open_assignments(request: Request) -> dict[str, Any]:
    """For the start page: the signed-in trainee's open assignments (on the loopback station,
    those of the trainee named in ?trainee=)."""
    who = account(request)
    trainee = who.username if who else request.query_params.get("trainee", "").strip()[:200]
    found = await run_in_threadpool(assignment_status, server(request).store, trainee) if trainee else []
    return {"assignee": trainee, "assignments": [s for s in found if s.open], "titles": scenario_titles(request)}


def routes() -> list[Route]:
    return [Route("/api/assignments", create, methods=["POST"]), Route("/api/assignments", listing)]
