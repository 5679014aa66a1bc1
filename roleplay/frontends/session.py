"""One call from start to scorecard: archive as it goes, run the engine, score, save."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from phrasebank import load_phrasebank
from roleplay.archive.calls import CallWriter
from roleplay.engine.call import Call, CallResult, TurnObserver
from roleplay.model.clock import Clock
from roleplay.model.errors import RoleplayError
from roleplay.model.events import Timeline
from roleplay.model.ports import CustomerVoice, TraineeInput
from roleplay.model.scenario import Scenario


@dataclass(frozen=True)
class SessionResult:
    call: CallResult
    scorecard: Any            # scoring.scorecard.Scorecard
    call_dir: Path | None


def default_archive_root() -> Path:
    return Path.cwd() / "calls"


def run_session(
    scenario: Scenario,
    voice: CustomerVoice,
    trainee: TraineeInput,
    clock: Clock,
    timeline: Timeline,
    archive_root: Path | None,
    trainee_id: str = "trainee",
    seed: int | None = 0,
    on_turn: TurnObserver | None = None,
    writer: CallWriter | None = None,
    record_db: str | None | bool = False,
) -> SessionResult:
    """`writer` is given when the caller needs the call folder before the call (the recorder).
    `record_db`: put the attempt in the records database (a URL, or True for the default);
    live calls do, simulations do not, so a simulated trainee never fills the records."""
    from scoring.scorecard import score

    bank = load_phrasebank(str(scenario.language))
    if writer is None and archive_root is not None:
        writer = CallWriter(archive_root, scenario, trainee_id)
    if writer is not None:
        timeline.add_sink(writer.event)
    call = Call(scenario, bank, voice, trainee, clock, timeline, seed, trainee_id, on_turn)
    call.prepare()
    result = call.run()
    card = score(timeline, scenario, bank, call_id=writer.call_id if writer else "")
    if writer is None:
        return SessionResult(result, card, None)
    writer.finish(timeline, card.to_json(), {"outcome": str(result.outcome)})
    if record_db is not False:
        record_attempt(writer.dir, record_db if isinstance(record_db, str) else None)
    return SessionResult(result, card, writer.dir)


def record_attempt(call_dir: Path, db_url: str | None) -> None:
    """A database that cannot be reached costs the record, never the archived call."""
    from roleplay.records.progress import record_call

    try:
        record_call(call_dir, db_url)
    except RoleplayError as error:
        print(f"roleplay: the call is archived in {call_dir} but not recorded: {error}", file=sys.stderr)
