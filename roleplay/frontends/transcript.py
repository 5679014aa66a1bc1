"""What the terminal shows of a call: the trainee's answers as it goes (what was said, its
latency, phrases), and the result at the end."""

from __future__ import annotations

import io
import json
from typing import TextIO

from roleplay.engine.call import TurnObserver
from roleplay.engine.turn import TurnAnalysis
from roleplay.frontends.session import SessionResult
from roleplay.frontends.typed import mood_label
from roleplay.model.ports import Answer
from roleplay.model.scenario import Node


def transcript_printer(out: TextIO) -> TurnObserver:
    def show(node: Node, answer: Answer, turn: TurnAnalysis, mood: float) -> None:
        said = answer.text or "(silence)"
        latency = "" if turn.latency_ms is None else f"  +{turn.latency_ms / 1000:.1f}s"
        found = ", ".join(sorted(turn.phrases)) or "-"
        print(f"trainee{latency}\n  {said}\n  phrases: {found}", file=out, flush=True)

    return show


class NullStream(io.StringIO):
    """A view nobody reads (a quiet simulation): writes are dropped, not kept."""

    def write(self, text: str) -> int:
        return len(text)


def print_call_result(result: SessionResult, as_json: bool) -> int:
    """The scorecard as JSON, or the outcome, the scorecard and where the call is kept."""
    from scoring.view import render_scorecard

    if as_json:
        print(json.dumps(result.scorecard.to_json(), ensure_ascii=False))
        return 0
    call = result.call
    print(f"\ncall ended: {call.outcome} at {call.end_node}, mood {mood_label(call.mood)}")
    print(render_scorecard(result.scorecard))
    if result.call_dir:
        print(f"archived in {result.call_dir}")
    return 0
