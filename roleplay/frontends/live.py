"""`roleplay run`: a live call, typed (--typed) or spoken on the headset."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from roleplay.authoring.library import open_scenario
from roleplay.frontends.session import SessionResult, default_archive_root, run_session
from roleplay.frontends.simulate import transcript_printer
from roleplay.frontends.typed import PrintedVoice, TypedTrainee, mood_label
from roleplay.model.clock import Clock, SystemClock
from roleplay.model.errors import AudioError
from roleplay.model.events import Timeline
from roleplay.model.ports import CustomerVoice
from roleplay.model.scenario import Scenario


def speaking_voice(scenario: Scenario, output_device: str | None, clock: Clock) -> CustomerVoice | None:
    """The TTS customer on the headphones, or None (printed only) when that cannot be had."""
    if not shutil.which("espeak-ng"):
        print("espeak-ng is not installed: the customer's lines are printed only", file=sys.stderr)
        return None
    from audio.customer import SpeakingVoice
    from audio.devices import pick_device
    from audio.playback import SpeakerSink
    from audio.tts import EspeakSynth

    try:
        sink = SpeakerSink(pick_device(output_device, "output"))
    except AudioError as error:
        print(f"{error}\nthe customer's lines are printed only", file=sys.stderr)
        return None
    return SpeakingVoice(scenario, EspeakSynth(), sink, clock)


def run_typed(
    scenario_ref: str, trainee_id: str, out_dir: Path | None, speak: bool, output_device: str | None,
    db_url: str | None = None,
) -> SessionResult:
    scenario = open_scenario(scenario_ref)
    clock = SystemClock()
    timeline = Timeline()
    speaker = speaking_voice(scenario, output_device, clock) if speak else None
    voice = PrintedVoice(sys.stdout, str(scenario.language), scenario.persona.rate_wpm, speaker)
    trainee = TypedTrainee(sys.stdin, sys.stdout, clock, timeline, str(scenario.language))
    print(f"{scenario.title}  ({scenario.language}, level {scenario.level}, {scenario.stage})")
    print("Type each answer and press Enter; an empty line is silence." if sys.stdin.isatty() else "")
    return run_session(scenario, voice, trainee, clock, timeline, out_dir or default_archive_root(),
                       trainee_id, None, transcript_printer(sys.stdout),  # type: ignore[arg-type]
                       record_db=db_url or True)


def run_call(
    scenario_ref: str, typed: bool, trainee_id: str, out_dir: Path | None, speak: bool,
    input_device: str | None, output_device: str | None, model: Path | None, as_json: bool,
    db_url: str | None = None,
) -> int:
    from scoring.view import render_scorecard

    if typed:
        result = run_typed(scenario_ref, trainee_id, out_dir, speak, output_device, db_url)
    else:
        from roleplay.frontends.headset import run_headset_call

        result = run_headset_call(scenario_ref, trainee_id, out_dir, input_device, output_device, model, db_url)
    if as_json:
        print(json.dumps(result.scorecard.to_json(), ensure_ascii=False))
        return 0
    print(f"\ncall ended: {result.call.outcome}, mood {mood_label(result.call.mood)}")
    print(render_scorecard(result.scorecard))
    if result.call_dir:
        print(f"archived in {result.call_dir}")
    return 0
