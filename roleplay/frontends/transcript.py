"""The trainee's side of the transcript as the call goes: what was said, its latency, phrases."""

from __future__ import annotations

import io
from typing import TextIO

from roleplay.engine.call import TurnObserver
from roleplay.engine.turn import TurnAnalysis
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
