"""`roleplay simulate`: a whole call with a simulated trainee on the virtual clock."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from roleplay.authoring.answers import load_answers
from roleplay.authoring.library import open_scenario
from roleplay.frontends.session import (
    SIMULATED_TRAINEE,
    CallParts,
    OnArchived,
    SessionOptions,
    SessionResult,
    run_session,
)
from roleplay.frontends.transcript import NullStream, print_call_result, transcript_printer
from roleplay.frontends.typed import PrintedVoice
from roleplay.model.clock import VirtualClock
from roleplay.model.events import Timeline


def simulate(
    scenario_ref: str, answers: Path, asr: str = "text", model: Path | None = None,
    out_dir: Path | None = None, live: TextIO | None = None, seed: int = 0,
    trainee_id: str = SIMULATED_TRAINEE, ui_lang: str | None = None,
) -> SessionResult:
    """`ui_lang`: the transcript's and the card's language; None: the call's."""
    scenario = open_scenario(scenario_ref)
    steps = load_answers(answers)
    clock = VirtualClock()
    timeline = Timeline()
    view: TextIO = live if live is not None else NullStream()
    lang = ui_lang or str(scenario.language)
    if asr == "text":
        from roleplay.frontends.text_trainee import TextTrainee

        voice = PrintedVoice(view, str(scenario.language), scenario.persona.rate_wpm, ui_lang=lang)
        trainee = TextTrainee(steps, clock, timeline, str(scenario.language))
        return run_session(CallParts(scenario, voice, trainee, clock, timeline),
                           SessionOptions(out_dir, trainee_id, seed, transcript_printer(view, lang), ui_lang=lang))
    from roleplay.frontends.spoken import SpeechSimulation, simulate_speech_call

    return simulate_speech_call(scenario, steps, SpeechSimulation(asr, model, out_dir, seed, trainee_id=trainee_id,
                                                                 ui_lang=lang),
                                view, clock)


def simulate_call(
    scenario_ref: str, answers: Path, asr: str, model: Path | None, out_dir: Path | None,
    as_json: bool, quiet: bool, trainee: str = SIMULATED_TRAINEE,
    on_archived: OnArchived | None = None, ui_lang: str | None = None,
) -> int:
    """The `simulate` command: a call archived (--out) is handed to `on_archived` (the
    records database) like any other call; without --out it is only printed."""
    live = None if quiet else sys.stderr if as_json else sys.stdout
    result = simulate(scenario_ref, answers, asr, model, out_dir, live, trainee_id=trainee, ui_lang=ui_lang)
    if result.call_dir and on_archived is not None:
        on_archived(result.call_dir)
    return print_call_result(result, as_json)
