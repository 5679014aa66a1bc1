"""The trainer console's curriculum page: the levels (pass marks, tiers) and badges of a
curriculum, the roster of its trainees (level, badges, tier, a sparkline per scorecard item,
weakest skills, re-training due: what `roleplay progress` computes) and the assignments."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from roleplay.authoring.library import scenario_files
from roleplay.model.errors import ScenarioErrors
from roleplay.model.i18n import N_
from roleplay.records.assignments import AssignmentStatus, assignment_status
from roleplay.records.progress import shipped_curricula
from roleplay.records.roster import RosterRow, curriculum_roster, roster_json
from roleplay.training.curriculum import Curriculum
from roleplay.training.validate import format_error
from roleplay.web.assignments_api import scenario_titles, staff_only
from roleplay.web.context import Server, server
from roleplay.web.pages import render
from roleplay.web.sparkline import sparkline

# Curriculum words the page shows, for the catalogue (the YAML's own titles are shown as written).
TIER_LABELS = {"beginner": N_("beginner"), "intermediate": N_("intermediate"), "advanced": N_("advanced")}


@dataclass(frozen=True)
class CurriculumView:
    curricula: list[Curriculum]
    chosen: Curriculum | None
    roster: list[RosterRow] = field(default_factory=list)
    assignments: dict[str, list[AssignmentStatus]] = field(default_factory=dict)   # by trainee
    problem: str = ""          # a curriculum that does not load: its first error


_loaded: dict[Path, tuple[tuple[tuple[str, int], ...], list[Curriculum]]] = {}


def curricula_of(folder: Path) -> list[Curriculum]:
    """The library's curricula, read again only when a file of the library changed: reading
    one checks every scenario it names, a second or so on the whole library."""
    files = sorted(scenario_files(folder))
    stamp = tuple((str(p), p.stat().st_mtime_ns) for p in files)
    cached = _loaded.get(folder)
    if cached is None or cached[0] != stamp:
        cached = (stamp, shipped_curricula(folder))
        _loaded[folder] = cached
    return cached[1]


def curriculum_view(srv: Server, wanted: str | None) -> CurriculumView:
    try:
        curricula = curricula_of(srv.library.folder)
    except ScenarioErrors as e:
        return CurriculumView([], None, problem=format_error(e.errors[0]).splitlines()[0])
    rosters = {c.id: curriculum_roster(srv.store, c) for c in curricula}
    # The one asked for, else the first that has trainees, else the first.
    chosen = (next((c for c in curricula if c.id == wanted), None)
              or next((c for c in curricula if rosters[c.id]), None)
              or (curricula[0] if curricula else None))
    by_trainee: dict[str, list[AssignmentStatus]] = {}
    for s in assignment_status(srv.store):
        by_trainee.setdefault(s.assignment.trainee, []).append(s)
    return CurriculumView(curricula, chosen, rosters[chosen.id] if chosen else [], by_trainee)


async def curriculum_page(request: Request) -> HTMLResponse:
    staff_only(request, N_("only trainers and QA see the curriculum and the trainees' records"))
    view = await run_in_threadpool(curriculum_view, server(request), request.query_params.get("c"))
    return render(request, "curriculum.html", view=view, sparkline=sparkline, tiers=TIER_LABELS, titles=scenario_titles(request))


async def curriculum_json(request: Request) -> JSONResponse:
    """The page's JSON twin: GET /api/curriculum?c=ID."""
    staff_only(request, N_("only trainers and QA see the curriculum and the trainees' records"))
    view = await run_in_threadpool(curriculum_view, server(request), request.query_params.get("c"))
    if view.chosen is None:
        raise HTTPException(404, view.problem or N_("no curriculum in the scenario library"))
    cur = view.chosen
    return JSONResponse({
        "id": cur.id, "title": cur.title, "language": cur.language, "certification": cur.certification,
        "curricula": [c.id for c in view.curricula],
        "levels": [{"id": lv.id, "title": lv.title, "tier": lv.tier, "pass_mark": lv.pass_mark,
                    "scenarios": list(lv.scenarios)} for lv in cur.levels],
        "badges": [{"id": b.id, "title": b.title, "description": b.description} for b in cur.badges],
        "trainees": [roster_json(row) for row in view.roster]})


def routes() -> list[Route]:
    return [Route("/trainer/curriculum", curriculum_page), Route("/api/curriculum", curriculum_json)]
