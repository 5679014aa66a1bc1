"""One call from start to scorecard: archive as it goes, run the engine, score, save."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from phrasebank import load_phrasebank
from roleplay.archive.calls import CallWriter
from roleplay.engine.call import Call, CallResult, TurnObserver
from roleplay.model.clock import Clock
from roleplay.model.events import Timeline
from roleplay.model.ports import CustomerVoice, TraineeInput
from roleplay.model.scenario import Scenario
from scoring.scorecard import Scorecard


@dataclass(frozen=True)
class SessionResult:
    call: CallResult
    scorecard: Scorecard
    call_dir: Path | None


SIMULATED_TRAINEE = "simulated"   # the trainee id of simulated calls


def default_archive_root() -> Path:
    return Path.cwd() / "calls"


@dataclass(frozen=True)
class CallParts:
    """What a front-end assembles for one call: the scenario and the two ends of the line."""

    scenario: Scenario
    voice: CustomerVoice
    trainee: TraineeInput
    clock: Clock
    timeline: Timeline


# Called with the archived call's folder once the call is finished (the CLI records the
# attempt in the records database this way; front-ends do not know the database).
OnArchived = Callable[[Path], None]


@dataclass(frozen=True)
class SessionOptions:
    archive_root: Path | None = None      # where the call folder goes; None: not archived
    trainee_id: str = "trainee"
    seed: int | None = 0                  # line variants; None: a different call each time
    on_turn: TurnObserver | None = None
    writer: CallWriter | None = None      # given when the caller needs the folder first (recorder)
    on_archived: OnArchived | None = None  # e.g. record the attempt; None: nothing more
    ui_lang: str | None = None            # the card's human text; None: the call's language


@dataclass(frozen=True)
class RunOptions:
    """`roleplay run`: one live call, typed or on the headset."""

    scenario: str                      # a file, or an id in the library
    typed: bool = False
    trainee_id: str = "trainee"
    out_dir: Path | None = None        # the archive root; None: ./calls
    speak: bool = True                 # typed calls: the customer also speaks on the headphones
    input_device: str | None = None
    output_device: str | None = None
    model: Path | None = None          # the Vosk model; None: the installed one for the language
    as_json: bool = False
    ui_lang: str | None = None         # the terminal's and the card's language; None: the call's
    on_archived: OnArchived | None = None


def run_session(parts: CallParts, options: SessionOptions) -> SessionResult:
    from scoring.scorecard import score

    scenario, timeline = parts.scenario, parts.timeline
    bank = load_phrasebank(str(scenario.language))
    writer = options.writer
    if writer is None and options.archive_root is not None:
        writer = CallWriter(options.archive_root, scenario, options.trainee_id)
    if writer is not None:
        timeline.add_sink(writer.event)
    call = Call(scenario, bank, parts.voice, parts.trainee, parts.clock, timeline, options.seed,
                options.trainee_id, options.on_turn)
    call.prepare()
    result = call.run()
    card = score(timeline, scenario, bank, call_id=writer.call_id if writer else "", ui_lang=options.ui_lang)
    if writer is None:
        return SessionResult(result, card, None)
    writer.finish(timeline, card.to_json(), {"outcome": str(result.outcome)})
    if options.on_archived is not None:
        options.on_archived(writer.dir)
    return SessionResult(result, card, writer.dir)
