"""The QA console's pages: a call (its report beside the evaluation form) and calibration.

The call page is built from the report's own parts (roleplay/qa/report.py: timeline, mood
curve, transcript with click-to-seek, scorecard), so the page and `roleplay report` show the
same call the same way; the recording is served, not embedded, and the review beside it is
what this viewer may see (roleplay/web/qa_access.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from roleplay.archive.calls import ArchivedCall, read_call
from roleplay.archive.safe_io import read_bytes
from roleplay.model.errors import ArchiveError
from roleplay.model.i18n import N_
from roleplay.records.review_states import TRANSITIONS, ReviewState, StateChange, history
from roleplay.records.store import Review
from roleplay.web.context import server
from roleplay.web.pages import render
from roleplay.web.qa_access import Viewer, require_reviewer, review_view, viewer
from roleplay.web.qa_api import recorded
from roleplay.web.said import ApiError
from roleplay.web.ui_lang import page_language

STATE_LABELS = {ReviewState.NONE: N_("Not reviewed"), ReviewState.DRAFT: N_("Draft"),
                ReviewState.SHARED: N_("Shared"), ReviewState.DISPUTED: N_("Disputed"), ReviewState.FINAL: N_("Final")}


def _archived(request: Request, call_id: str) -> ArchivedCall:
    folder = server(request).config.calls_dir / call_id
    if "/" in call_id or ".." in call_id or not (folder / "call.json").is_file():
        raise ApiError(404, N_("no archived call '{call_id}'"), call_id=call_id[:80])
    return read_call(folder)


def _report_parts(call: ArchivedCall, lang: str) -> dict[str, Markup]:
    from roleplay.qa.report import (
        mood_points,
        mood_svg,
        scorecard_html,
        timeline_svg,
        transcript_html,
    )
    from scoring.turns import derive_turns

    card = call.scorecard or {}
    turns = derive_turns(call.timeline)
    end_ms = max((e.t_ms for e in call.timeline), default=0)
    call_lang = str(call.scenario.language)
    return {  # the report's HTML: every piece of call text in it is escaped there
        "timeline": Markup(timeline_svg(turns, card, end_ms, lang=lang)),
        "mood": Markup(mood_svg(mood_points(call.timeline), turns, end_ms, lang=lang)),
        "transcript": Markup(transcript_html(turns, card, lang, call_lang)),
        "scorecard": Markup(scorecard_html(card, lang)),
    }


@dataclass(frozen=True)
class HistoryLine:
    """One line of the call's review history: an override or comment, or a change of state."""
    at: datetime
    who: str
    review: Review | None = None
    change: StateChange | None = None


def _history(reviews: tuple[Review, ...], changes: list[StateChange]) -> list[HistoryLine]:
    lines = [HistoryLine(r.created_at, r.reviewer, review=r) for r in reviews]
    lines += [HistoryLine(c.created_at, c.actor, change=c) for c in changes]
    return sorted(lines, key=lambda line: line.at)


def _moves(state: ReviewState, me: Viewer) -> list[ReviewState]:
    """The states this viewer may move the review to from where it is."""
    return [to for (now, to), who in TRANSITIONS.items() if now == state and who == me.role]


async def call_page(request: Request) -> HTMLResponse:
    from roleplay.qa.report import SCRIPT
    from scoring.turns import derive_turns

    attempt = recorded(request)
    call = await run_in_threadpool(_archived, request, attempt.call_id)
    me = viewer(request)
    store = server(request).store
    view = await run_in_threadpool(review_view, store, attempt, me)
    lang = page_language(request)
    turns = [(t.index, t.speaker, t.text[:60]) for t in derive_turns(call.timeline)]
    return render(request, "qa_call.html", call=call, attempt=attempt, view=view, me=me,
                  lines=_history(view.standing.history, history(store, attempt.call_id)), moves=_moves(view.state, me), turns=turns,
                  parts=_report_parts(call, lang), state_labels=STATE_LABELS, script=Markup(SCRIPT),
                  editable=me.role == "qa" and view.state != ReviewState.FINAL)


async def call_audio(request: Request) -> Response:
    attempt = recorded(request)
    call = _archived(request, attempt.call_id)
    if call.wav_path is None:
        raise ApiError(404, N_("this call has no recording"))
    from roleplay.qa.report import MAX_WAV_BYTES

    try:   # never through a symlink (safe_io): a link to a secret file is not the call
        data = await run_in_threadpool(read_bytes, call.wav_path, MAX_WAV_BYTES)
    except (OSError, ArchiveError):
        raise ApiError(404, N_("the recording cannot be read")) from None
    return Response(data, media_type="audio/wav")


async def calibration_page(request: Request) -> HTMLResponse:
    from roleplay.records.calibration import calibration_figures

    require_reviewer(request)
    figures = await run_in_threadpool(calibration_figures, server(request).store)
    return render(request, "qa_calibration.html", figures=figures)


def routes() -> list[Route]:
    return [
        Route("/qa/calls/{call_id}", call_page), Route("/qa/calls/{call_id}/audio.wav", call_audio),
        Route("/qa/calibration", calibration_page),
    ]
