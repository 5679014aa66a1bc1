"""The trainer console: the scenario library with how each scenario is played, the editor
(live validation, versioned saves, the graph as a picture, "Try it") and their JSON API.

Trainers only: a signed-in trainee or QA account gets 403; on the loopback without accounts
everything is allowed, as on the rest of the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from roleplay.authoring.graphview import graph_view
from roleplay.model.i18n import N_, translator
from roleplay.records.scenario_stats import Played, played_by_scenario
from roleplay.training.validate import problem_text
from roleplay.web import scenario_edit
from roleplay.web.accounts import Role
from roleplay.web.context import account, server
from roleplay.web.graph_svg import GraphvizMissing, render_svg, to_dot
from roleplay.web.pages import render
from roleplay.web.said import ApiError
from roleplay.web.scenario_edit import BadScenario, Entry
from roleplay.web.ui_lang import page_language


@dataclass(frozen=True)
class LibraryRow:
    entry: Entry
    changed_at: datetime
    versions: int
    played: Played


def require_trainer(request: Request) -> None:
    who = account(request)
    if who is not None and who.role != Role.TRAINER:
        raise ApiError(403, N_("only trainers edit scenarios"))


def _entry(request: Request) -> Entry:
    require_trainer(request)
    return scenario_edit.entry(server(request).library, request.path_params["scenario_id"])


async def library_page(request: Request) -> HTMLResponse:
    require_trainer(request)
    srv = server(request)
    played = await run_in_threadpool(played_by_scenario, srv.store)
    rows = [LibraryRow(e, datetime.fromtimestamp(e.path.stat().st_mtime, UTC),
                       len(scenario_edit.versions(srv.library, e.path)), played.get(e.id, Played(0, None)))
            for e in scenario_edit.entries(srv.library).values()]
    return render(request, "trainer_library.html", rows=rows, folder=srv.library.folder,
                  editable=scenario_edit.editable(srv.library))


async def editor_page(request: Request) -> HTMLResponse:
    found = _entry(request)
    lib = server(request).library
    return render(request, "trainer_editor.html", entry=found, source=found.path.read_text(encoding="utf-8"),
                  versions=scenario_edit.versions(lib, found.path), editable=scenario_edit.editable(lib))


async def scenario_source(request: Request) -> JSONResponse:
    """GET /api/scenarios/ID: the editor page's JSON twin."""
    found = _entry(request)
    lib = server(request).library
    return JSONResponse({
        "id": found.id, "file": found.path.name, "yaml": found.path.read_text(encoding="utf-8"),
        "version": found.scenario.version if found.scenario else None, "errors": list(found.errors(page_language(request))),
        "editable": scenario_edit.editable(lib),
        "versions": [{"name": v.name, "saved_at": v.saved_at.isoformat(), "content": v.content}
                     for v in scenario_edit.versions(lib, found.path)]})


async def save_scenario(request: Request) -> JSONResponse:
    """PUT /api/scenarios/ID (body: the YAML text): saved as a new version, or 422 with every
    problem when it does not validate."""
    require_trainer(request)
    data = await request.body()
    lib = server(request).library
    try:
        saved = await run_in_threadpool(scenario_edit.save, lib, request.path_params["scenario_id"], data)
    except BadScenario as bad:
        return JSONResponse({"error": bad.detail, "errors": [
            {"line": e.line, "col": e.col, "message": problem_text(e, page_language(request))} for e in bad.errors]}, bad.status_code)
    path = scenario_edit.entry(lib, saved.id).path
    return JSONResponse({"id": saved.id, "version": saved.version, "changed": saved.changed,
                         "versions": [v.name for v in scenario_edit.versions(lib, path)]})


async def old_version(request: Request) -> Response:
    found = _entry(request)
    data = scenario_edit.read_version(server(request).library, found.path, request.path_params["name"])
    return Response(data, media_type="text/plain; charset=utf-8")


async def graph_svg(request: Request) -> Response:
    """GET: the saved scenario's graph; POST (body: YAML text): the graph of a draft."""
    found = _entry(request)
    data = await request.body() if request.method == "POST" else found.path.read_bytes()
    if len(data) > scenario_edit.MAX_SCENARIO_BYTES:
        raise ApiError(413, N_("a scenario is at most {size}"), size="2 MB")
    view = graph_view(data, found.path.name)
    if not view.nodes:
        raise ApiError(422, N_("no graph to draw: the YAML has no readable 'nodes:'"))
    dot = to_dot(view, translator(page_language(request)).gettext)
    try:
        svg = await run_in_threadpool(render_svg, dot)
    except GraphvizMissing as missing:
        raise HTTPException(503, str(missing)) from None
    return Response(svg, media_type="image/svg+xml")


def routes() -> list[Route]:
    one = "/api/scenarios/{scenario_id}"
    return [
        Route("/trainer", library_page), Route("/trainer/scenarios/{scenario_id}", editor_page),
        Route(one, scenario_source), Route(one, save_scenario, methods=["PUT"]),
        Route(one + "/graph.svg", graph_svg, methods=["GET", "POST"]),
        Route(one + "/versions/{name}", old_version),
    ]
