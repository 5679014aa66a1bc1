"""The JSON API of `roleplay serve` (DESIGN.md section 4); the pages call it too."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from roleplay.authoring.loader import load_scenario
from roleplay.model.errors import ScenarioErrors
from roleplay.model.i18n import N_
from roleplay.training.validate import problem_text
from roleplay.web.context import account, body_json, field_of, server
from roleplay.web.desk_call import DeskCall
from roleplay.web.desk_headset import HeadsetParts
from roleplay.web.said import ApiError
from roleplay.web.ui_lang import page_language

MAX_LIVE_CALLS = 200
_HEADSET_BUSY = N_("the station's headset is in another call: end that call first")


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


async def scenarios(request: Request) -> JSONResponse:
    lib = server(request).library
    return JSONResponse([{"id": s.id, "title": s.title, "language": str(s.language), "level": s.level,
                          "stage": str(s.stage), "crm": bool(s.crm), "kb": bool(s.kb)}
                         for s in lib.scenarios.values()])


async def start_call(request: Request) -> JSONResponse:
    srv = server(request)
    data = await body_json(request)
    scenario_id = field_of(data, "scenario", str, limit=100)
    mode = field_of(data, "mode", str, "typed", limit=20)
    if mode not in ("typed", "headset"):
        raise ApiError(400, N_("mode must be 'typed' or 'headset'"))
    station_headset = srv.config.headset
    if mode == "headset" and station_headset is None:
        raise ApiError(400, N_("this server has no headset: start it at the station with "
                                 "`{command}`, or practise typed"), command="roleplay serve --headset")
    who = account(request)
    trainee = who.username if who else field_of(data, "trainee", str, "trainee", limit=80).strip() or "trainee"
    scenario = srv.library.scenarios.get(scenario_id)
    if scenario is None:
        broken = next((b for b in srv.library.broken if b.path.stem == scenario_id), None)
        if broken:
            raise ApiError(422, N_("scenario '{scenario}' does not validate: {problem}"), scenario=scenario_id,
                               problem=broken.errors(page_language(request))[0])
        raise ApiError(404, N_("no scenario '{scenario}'; {listing} lists them"), scenario=scenario_id,
                           listing="GET /api/scenarios")
    headset = None
    if mode == "headset" and station_headset is not None:
        if _headset_taken(list(srv.calls.values())):
            raise HTTPException(409, _HEADSET_BUSY)
        # The model and the devices before the call folder: a missing one leaves nothing behind.
        headset = await run_in_threadpool(HeadsetParts, station_headset, scenario)
    with srv.lock:
        live = [c for c in srv.calls.values() if not c.state.ended]
        if len(live) >= MAX_LIVE_CALLS:
            if headset is not None:
                headset.close()
            raise HTTPException(429, N_("too many calls at once on this server"))
        if headset is not None and _headset_taken(live):    # taken while the devices opened
            headset.close()
            raise HTTPException(409, _HEADSET_BUSY)
        call = DeskCall(scenario, trainee, srv.config.calls_dir, srv.config.db_url, srv.config.abandon_s,
                        headset)
        srv.calls[call.call_id] = call
    call.seen()
    call.start()
    await run_in_threadpool(call.wait_started)
    return JSONResponse(call.to_json(), 201)


def _headset_taken(calls: list[DeskCall]) -> bool:
    return any(c.headset is not None and not c.state.ended for c in calls)


def _live(request: Request) -> DeskCall:
    call = server(request).call(request.path_params["call_id"])
    who = account(request)
    if who is not None and who.role == "trainee" and who.username != call.trainee:
        raise HTTPException(403, N_("this call belongs to another trainee"))
    call.seen()
    return call


async def get_call(request: Request) -> JSONResponse:
    return JSONResponse(_live(request).to_json())


async def answer(request: Request) -> JSONResponse:
    call = _live(request)
    data = await body_json(request)
    text = field_of(data, "text", str).strip()
    typing_ms = field_of(data, "typing_ms", int, 0)
    if not text:
        raise HTTPException(400, N_("'text' is empty: type an answer"))
    if not 0 <= typing_ms <= 600_000:
        raise ApiError(400, N_("'{name}' must be between {low} and {high}"), name="typing_ms", low=0, high=600_000)
    await run_in_threadpool(call.answer, text, typing_ms)
    return JSONResponse(call.to_json())


async def hold(request: Request) -> JSONResponse:
    call = _live(request)
    call.hold()
    return JSONResponse(call.to_json())


async def resume(request: Request) -> JSONResponse:
    call = _live(request)
    call.resume()
    return JSONResponse(call.to_json())


async def hangup(request: Request) -> JSONResponse:
    call = _live(request)
    await run_in_threadpool(call.hangup)
    return JSONResponse(call.to_json())


async def crm_search(request: Request) -> JSONResponse:
    call = _live(request)
    q = request.query_params.get("q", "")[:200]
    return JSONResponse({"records": [dataclasses.asdict(h) for h in call.search_crm(q)]})


async def crm_open(request: Request) -> JSONResponse:
    call = _live(request)
    data = await body_json(request)
    hit = call.open_record(field_of(data, "table", str, limit=80), field_of(data, "key", str, limit=80))
    if hit is None:
        raise HTTPException(404, N_("no such record"))
    return JSONResponse(dataclasses.asdict(hit))


async def kb_search(request: Request) -> JSONResponse:
    call = _live(request)
    q = request.query_params.get("q", "")[:200]
    return JSONResponse({"articles": [dataclasses.asdict(h) for h in call.search_kb(q)]})


async def kb_article(request: Request) -> JSONResponse:
    call = _live(request)
    article = call.open_article(request.path_params["article"])
    if article is None:
        raise HTTPException(404, N_("no such article"))
    return JSONResponse(dataclasses.asdict(article))


async def wrapup(request: Request) -> JSONResponse:
    call = _live(request)
    data = await body_json(request)
    disposition = field_of(data, "disposition", str, limit=80)
    notes = field_of(data, "notes", str, "")
    await run_in_threadpool(call.submit_wrapup, disposition, notes)
    return JSONResponse(call.to_json())


async def archive(request: Request) -> JSONResponse:
    """GET /api/archive: the QA call search (roleplay/records/archive_search.py)."""
    from roleplay.records.archive_search import search_archive
    from roleplay.records.reviews import apply_overrides
    from roleplay.web.archive_query import archive_query
    from roleplay.web.qa_access import trainee_hides

    srv = server(request)
    query = archive_query(request)
    page = await run_in_threadpool(search_archive, srv.store, query)
    hidden = trainee_hides(account(request))
    out: list[dict[str, Any]] = [
        {"call_id": a.call_id, "trainee": a.trainee, "scenario": a.scenario_id, "score": a.score,
         "passed": a.passed, "effective_score": shown.score, "effective_passed": shown.passed,
         "auto_failed": list(a.auto_failed), "reviewed": shown.reviewed, "state": str(f.state),
         "started_at": a.started_at.isoformat(), "report": f"/calls/{a.call_id}/report",
         "page": f"/qa/calls/{a.call_id}"}
        for f in page.calls for a in (f.attempt,)
        for shown in (apply_overrides(a, [], []) if f.state in hidden else f.standing,)]
    return JSONResponse({"calls": out, "total": page.total, "page": query.page, "per_page": query.per_page})


async def review(request: Request) -> JSONResponse:
    from roleplay.records.reviews import override_item

    srv = server(request)
    who = account(request)
    if who is not None and who.role == "trainee":
        raise ApiError(403, N_("only trainers and QA review calls"))
    data = await body_json(request)
    points = data.get("points")
    if isinstance(points, bool) or not isinstance(points, int | float):
        raise ApiError(400, N_("'{name}' must be a number"), name="points")
    reviewer = who.username if who else field_of(data, "reviewer", str, limit=80)
    turn = data.get("turn")
    if turn is not None and (isinstance(turn, bool) or not isinstance(turn, int)):
        raise ApiError(400, N_("'turn' must be a whole number (the turn's # in the transcript)"))
    call_id = request.path_params["call_id"]
    from roleplay.web.qa_access import check_open

    await run_in_threadpool(check_open, srv.store, call_id)    # a Final review is settled
    done = await run_in_threadpool(override_item, srv.store, call_id, field_of(data, "item", str, limit=80),
                                   reviewer, float(points), field_of(data, "comment", str, ""), None, turn)
    return JSONResponse({"id": done.id, "call_id": done.call_id, "item": done.item_id}, 201)


async def validate(request: Request) -> JSONResponse:
    raw = await request.body()
    if len(raw) > 2_000_000:
        raise ApiError(413, N_("a scenario is at most {size}"), size="2 MB")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scenario.yaml"
        path.write_bytes(raw)
        try:
            load_scenario(path)
            errors: list[dict[str, Any]] = []
        except ScenarioErrors as e:
            lang = page_language(request)
            errors = [{"line": x.line, "col": x.col, "message": problem_text(x, lang)} for x in e.errors]
    return JSONResponse({"errors": errors})


def routes() -> list[Route]:
    c = "/api/calls/{call_id}"
    return [
        Route("/api/health", health), Route("/api/scenarios", scenarios),
        Route("/api/scenarios/validate", validate, methods=["POST"]),
        Route("/api/calls", start_call, methods=["POST"]), Route(c, get_call),
        Route(f"{c}/answer", answer, methods=["POST"]), Route(f"{c}/hold", hold, methods=["POST"]),
        Route(f"{c}/resume", resume, methods=["POST"]), Route(f"{c}/hangup", hangup, methods=["POST"]),
        Route(f"{c}/crm", crm_search), Route(f"{c}/crm/open", crm_open, methods=["POST"]),
        Route(f"{c}/kb", kb_search), Route(c + "/kb/{article}", kb_article),
        Route(f"{c}/wrapup", wrapup, methods=["POST"]), Route("/api/archive", archive),
        Route("/api/archive/{call_id}/reviews", review, methods=["POST"]),
    ]
