"""One call from start to scorecard: archive as it goes, run the engine, score, save."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from phrasebank import load_phrasebank
from roleplay.archive import CallWriter
from roleplay.clock import Clock
from roleplay.engine import Call, CallResult, TurnObserver
from roleplay.events import Timeline
from roleplay.ports import CustomerVoice, TraineeInput
from roleplay.scenario import Scenario


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
) -> SessionResult:
    """`writer` is given when the caller needs the call folder before the call (the recorder)."""
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
    return SessionResult(result, card, writer.dir)
