"""`roleplay simulate`: a whole call with a simulated trainee on the virtual clock."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from roleplay.authoring.answers import load_answers
from roleplay.authoring.library import open_scenario
from roleplay.engine.turn import TurnAnalysis
from roleplay.frontends.session import SessionResult, run_session
from roleplay.frontends.typed import PrintedVoice, mood_label
from roleplay.model.clock import VirtualClock
from roleplay.model.events import Timeline
from roleplay.model.ports import Answer
from roleplay.model.scenario import Node


class NullStream:
    def write(self, _: str) -> int:
        return 0

    def flush(self) -> None:
        pass


def transcript_printer(out: TextIO) -> object:
    def show(node: Node, answer: Answer, turn: TurnAnalysis, mood: float) -> None:
        said = answer.text or "(silence)"
        latency = "" if turn.latency_ms is None else f"  +{turn.latency_ms / 1000:.1f}s"
        found = ", ".join(sorted(turn.phrases)) or "-"
        print(f"trainee{latency}\n  {said}\n  phrases: {found}", file=out, flush=True)

    return show


def simulate(
    scenario_ref: str, answers: Path, asr: str = "text", model: Path | None = None,
    out_dir: Path | None = None, live: TextIO | None = None, seed: int = 0,
) -> SessionResult:
    scenario = open_scenario(scenario_ref)
    steps = load_answers(answers)
    clock = VirtualClock()
    timeline = Timeline()
    view: TextIO = live if live is not None else NullStream()  # type: ignore[assignment]
    voice = PrintedVoice(view, str(scenario.language), scenario.persona.rate_wpm)
    if asr == "text":
        from roleplay.frontends.text_trainee import TextTrainee

        trainee = TextTrainee(steps, clock, timeline, str(scenario.language))
        return run_session(scenario, voice, trainee, clock, timeline, out_dir, "simulated", seed,
                           transcript_printer(view))  # type: ignore[arg-type]
    from roleplay.frontends.spoken import simulate_speech_call

    return simulate_speech_call(scenario, steps, asr, model, clock, timeline, out_dir, view, seed)


def simulate_call(
    scenario_ref: str, answers: Path, asr: str, model: Path | None, out_dir: Path | None,
    as_json: bool, quiet: bool,
) -> int:
    from scoring.view import render_scorecard

    live = None if quiet else sys.stderr if as_json else sys.stdout
    result = simulate(scenario_ref, answers, asr, model, out_dir, live)
    if as_json:
        print(json.dumps(result.scorecard.to_json(), ensure_ascii=False))
        return 0
    print(f"\ncall ended: {result.call.outcome} at {result.call.end_node}, mood {mood_label(result.call.mood)}")
    print(render_scorecard(result.scorecard))
    if result.call_dir:
        print(f"archived in {result.call_dir}")
    return 0
