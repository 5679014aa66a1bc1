"""Calls a stopped server left in progress. A desk call is written to the archive as it
happens (events.jsonl); call.json comes only at its end. When `roleplay serve` starts
again, every call folder without call.json is ended as hung up at its last event, scored
and recorded, so nothing a trainee did is lost and the archive holds no half calls."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from roleplay.archive.calls import (
    CALL_JSON,
    is_call_dir,
    read_call,
    sub_folders,
    utc_iso,
    write_finished_call,
)
from roleplay.model.errors import RoleplayError
from roleplay.model.events import CallEnded, CallStarted, NodeEntered
from roleplay.model.scenario import Outcome
from roleplay.records.progress import record_attempt
from roleplay.web.desk_call import shared_phrasebank

REASON = "the server stopped during the call"


def end_interrupted_calls(calls_dir: Path, db_url: str | None) -> list[str]:
    """End, score, archive and record every call left in progress; returns their ids."""
    ended = []
    for folder in sub_folders(calls_dir) if calls_dir.is_dir() else []:
        if not is_call_dir(folder) or (folder / CALL_JSON).exists():
            continue
        try:
            ended.append(_end(folder))
        except RoleplayError as error:   # a damaged folder is left as it is, and said so
            print(f"roleplay: {folder}: an interrupted call could not be closed: {error}", file=sys.stderr)
            continue
        record_attempt(folder, db_url)
    return ended


def _end(folder: Path) -> str:
    from scoring.scorecard import score

    call = read_call(folder)
    timeline = call.timeline
    if not timeline.payloads(CallStarted):
        raise RoleplayError("no call_started event: nothing was played")
    if not timeline.payloads(CallEnded):
        nodes = timeline.payloads(NodeEntered)
        last_ms = max((e.t_ms for e in timeline), default=0)
        timeline.append(last_ms, CallEnded(node=nodes[-1].node if nodes else "", outcome=str(Outcome.HUNG_UP),
                                           reason=REASON))
    card = score(timeline, call.scenario, shared_phrasebank(str(call.scenario.language)),
                 call_id=call.call_id).to_json()
    header = {k: v for k, v in call.raw.items() if k not in ("timeline", "recovered", "scorecard", "scorecards")}
    write_finished_call(folder, header, timeline, card, utc_iso(datetime.now(UTC)),
                        {"outcome": str(Outcome.HUNG_UP), "mode": "desk", "interrupted": REASON})
    return call.call_id
