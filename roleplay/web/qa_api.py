"""The QA console's JSON API: review states, calibration, exports and re-scoring of the
calls a search finds (the call page and the search page call it)."""

from __future__ import annotations

import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from roleplay.model.errors import RoleplayError
from roleplay.model.i18n import N_
from roleplay.records.review_states import (
    Actor,
    NotYours,
    StateChange,
    StateError,
    change_state,
    history,
)
from roleplay.records.store import Attempt
from roleplay.web.context import body_json, field_of, server
from roleplay.web.qa_access import (
    ReviewView,
    check_call_access,
    require_reviewer,
    review_view,
    viewer,
)
from roleplay.web.qa_jobs import RescoreJobs
from roleplay.web.said import ApiError
from roleplay.web.ui_lang import page_language


def recorded(request: Request) -> Attempt:
    """The call of the path, as recorded, if this viewer may see it (404 / 403 otherwise)."""
    call_id = request.path_params["call_id"]
    try:
        attempt = server(request).store.attempt(call_id)
    except RoleplayError:
        raise ApiError(404, N_("no recorded call '{call_id}'"), call_id=call_id[:80]) from None
    check_call_access(request, attempt)
    return attempt


def change_json(c: StateChange) -> dict[str, Any]:
    return {"state": str(c.state), "by": c.actor, "role": str(c.role), "comment": c.comment,
            "at": c.created_at.isoformat()}


def view_json(view: ReviewView, changes: list[StateChange]) -> dict[str, Any]:
    s = view.standing
    return {
        "call_id": s.call_id, "state": str(view.state), "blind": view.blind, "hidden": view.hidden,
        "automatic": s.automatic, "score": s.score, "passed": s.passed,
        "items": [{"id": i.item_id, "kind": i.kind, "max_points": i.max_points, "automatic": i.automatic,
                   "points": i.points, "reviewer": i.reviewer, "comment": i.comment, "turn": i.turn}
                  for i in s.items],
        "reviews": [{"item": r.item_id, "reviewer": r.reviewer, "points": r.points, "comment": r.comment,
                     "turn": r.turn, "at": r.created_at.isoformat()} for r in s.history],
        "history": [change_json(c) for c in changes],
    }


async def review_state(request: Request) -> JSONResponse:
    """GET /api/archive/ID/review: the review as this viewer may see it (the call page's twin)."""
    attempt = recorded(request)
    store = server(request).store
    view = await run_in_threadpool(review_view, store, attempt, viewer(request))
    return JSONResponse(view_json(view, history(store, attempt.call_id)))


async def set_state(request: Request) -> JSONResponse:
    """POST /api/archive/ID/state {"state", "comment"}: share, dispute or finalise the review."""
    attempt = recorded(request)
    data = await body_json(request)
    me = viewer(request, data)
    name = me.name or (attempt.trainee if me.role is Actor.TRAINEE else "")
    store = server(request).store
    reviewed = bool(store.reviews(attempt.call_id) or store.verdicts(attempt.call_id))
    try:
        done = await run_in_threadpool(change_state, store, attempt.call_id, field_of(data, "state", str, limit=20),
                                       name, me.role, field_of(data, "comment", str, ""), reviewed)
    except NotYours as error:
        raise HTTPException(403, str(error)) from None
    except StateError as error:
        raise HTTPException(409, str(error)) from None
    return JSONResponse({**change_json(done), "history": [change_json(c) for c in history(store, attempt.call_id)]})


async def mark_calibration(request: Request) -> JSONResponse:
    """POST /api/archive/ID/calibration: put the call in the calibration set (reviewers go blind)."""
    from roleplay.records.calibration import mark_call

    me = require_reviewer(request)
    attempt = recorded(request)
    await run_in_threadpool(mark_call, server(request).store, attempt.call_id, me.name or "qa")
    return JSONResponse({"call_id": attempt.call_id, "calibration": True})


async def submit_calibration(request: Request) -> JSONResponse:
    """POST /api/archive/ID/calibration/submit: this reviewer is done; others' reviews show."""
    from roleplay.records.calibration import submit_review

    data = await body_json(request)
    me = viewer(request, data)
    if me.role is not Actor.QA or not me.name:
        raise ApiError(403 if me.role is not Actor.QA else 400, N_("a reviewer (with a name) submits a review"))
    attempt = recorded(request)
    await run_in_threadpool(submit_review, server(request).store, attempt.call_id, me.name)
    return JSONResponse({"call_id": attempt.call_id, "submitted": me.name})


async def calibration(request: Request) -> JSONResponse:
    """GET /api/calibration: the calibration set's figures (the calibration page's twin)."""
    from roleplay.records.calibration import calibration_figures

    require_reviewer(request)
    f = await run_in_threadpool(calibration_figures, server(request).store)
    r = f.report
    return JSONResponse({
        "calls": list(f.calls), "tolerance": r.tolerance, "calls_multi_reviewed": r.calls_multi_reviewed,
        "reviewers_agree": r.reviewers_agree, "automatic_agree": r.automatic_agree,
        "items": [{"id": d.item_id, "between_reviewers": d.between_reviewers, "pairs": d.pairs,
                   "vs_automatic": d.vs_automatic, "reviews": d.reviews} for d in r.items],
        "drift": [{"reviewer": d.reviewer, "calls": d.calls, "drift": d.drift, "abs_drift": d.abs_drift}
                  for d in f.drift],
    })


def _found(request: Request) -> list[str]:
    from roleplay.records.archive_search import matching_call_ids
    from roleplay.web.archive_query import archive_query

    require_reviewer(request)
    return matching_call_ids(server(request).store, archive_query(request))


async def export_csv(request: Request) -> Response:
    """GET /api/archive/export.csv?FILTERS: the calls the search finds, one row each."""
    from roleplay.records.exports import ATTEMPT_COLUMNS, attempt_rows, csv_text

    def build() -> str:
        return csv_text(ATTEMPT_COLUMNS, attempt_rows(server(request).store, calls=_found(request)),
                        page_language(request))[0]

    text = await run_in_threadpool(build)
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="calls.csv"'})


async def export_xapi(request: Request) -> Response:
    """GET /api/archive/export.json?FILTERS: xAPI statements of the calls the search finds."""
    from roleplay.records.exports import xapi_statements

    def build() -> str:
        return json.dumps(xapi_statements(server(request).store, calls=_found(request)), ensure_ascii=False, indent=1)

    text = await run_in_threadpool(build)
    return Response(text + "\n", media_type="application/json",
                    headers={"content-disposition": 'attachment; filename="calls-xapi.json"'})


def _jobs(request: Request) -> RescoreJobs:
    state = request.app.state
    if not hasattr(state, "rescore_jobs"):
        state.rescore_jobs = RescoreJobs()
    return state.rescore_jobs  # type: ignore[no-any-return]


async def rescore_start(request: Request) -> JSONResponse:
    """POST /api/archive/rescore?FILTERS: re-score the calls the search finds, in the background."""
    ids = await run_in_threadpool(_found, request)
    config = server(request).config
    job = _jobs(request).start(config.calls_dir, config.db_url, ids)
    return JSONResponse(job.to_json(), 202)


async def rescore_status(request: Request) -> JSONResponse:
    """GET /api/archive/rescore/JOB: how far the batch is."""
    require_reviewer(request)
    job = _jobs(request).get(request.path_params["job"])
    if job is None:
        raise ApiError(404, N_("no such re-scoring batch (the server may have restarted)"))
    return JSONResponse(job.to_json())


def routes() -> list[Route]:
    a = "/api/archive"
    return [
        Route(f"{a}/export.csv", export_csv), Route(f"{a}/export.json", export_xapi),
        Route(f"{a}/rescore", rescore_start, methods=["POST"]), Route(a + "/rescore/{job}", rescore_status),
        Route(a + "/{call_id}/review", review_state), Route(a + "/{call_id}/state", set_state, methods=["POST"]),
        Route(a + "/{call_id}/calibration", mark_calibration, methods=["POST"]),
        Route(a + "/{call_id}/calibration/submit", submit_calibration, methods=["POST"]),
        Route("/api/calibration", calibration),
    ]
