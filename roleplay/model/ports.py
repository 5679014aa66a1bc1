"""The two ends of a call the engine talks to: the customer's voice and the trainee's input.

Typed, text-simulated and speech implementations all sit behind these, so the engine's
graph walk is the same for a live headset call, a scripted typed call and a simulation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from roleplay.model.events import (
    AsrFinal,
    CustomerLineEnded,
    SpokenWord,
    Timeline,
    TraineeSilent,
    TraineeSpeechEnded,
    TraineeSpeechStarted,
)
from roleplay.model.scenario import Node


class Line:
    """A customer line being played: its end is logged once, early if the trainee cut in."""

    def __init__(self, timeline: Timeline, node: str, start_ms: int, duration_ms: int) -> None:
        self.timeline = timeline
        self.node = node
        self.start_ms = start_ms
        self.end_ms = start_ms + duration_ms
        self.ended = False

    def finish(self, t_ms: int | None = None, cut: bool = False) -> None:
        if self.ended:
            return
        self.ended = True
        if t_ms is not None:
            self.end_ms = t_ms
        self.timeline.append(self.end_ms, CustomerLineEnded(node=self.node, cut=cut))


@dataclass(frozen=True)
class Answer:
    text: str                       # "" when the trainee said nothing
    onset_ms: int | None = None     # speech onset (VAD), None when silent
    offset_ms: int | None = None
    words: tuple[SpokenWord, ...] = ()
    error: str = ""                 # the recogniser failed: this turn cannot be scored

    @property
    def silent(self) -> bool:
        return self.onset_ms is None and not self.error


class CustomerVoice(Protocol):
    def prepare(self, lines: list[tuple[str, float]]) -> None:
        """Render every (text, mood) the call may say before it starts."""
        ...

    def start(self, text: str, mood: float) -> int:
        """Start saying `text`; returns its duration in ms (playback may go on)."""
        ...

    def stop(self) -> None:
        """Cut the line short (barge-in)."""
        ...

    def close(self) -> None: ...


class TraineeInput(Protocol):
    def answer(self, node: Node, line: Line | None, after_ms: int, timeout_ms: int) -> Answer:
        """Wait for the trainee's answer, appending its events (onset, ASR, offset or silence).

        `after_ms` is when the trainee may start (the customer's line end, or a hold's start);
        `line` is the customer line still playing, which the implementation finishes.
        """
        ...

    def close(self) -> None: ...


def estimated_speech_ms(text: str, language: str, rate_wpm: int = 160) -> int:
    """How long `text` takes to say: words for English, characters for Chinese."""
    units = len([c for c in text if "\u4e00" <= c <= "\u9fff"]) if language == "zh" else len(text.split())
    # Mandarin at a comfortable pace is about 240 characters a minute: 1.5 per English word.
    per_minute = rate_wpm * (1.5 if language == "zh" else 1.0)
    return max(400, int(units * 60_000 / per_minute))


def spread_words(text: str, onset_ms: int, offset_ms: int, language: str) -> tuple[SpokenWord, ...]:
    """Word times for typed or text answers: evenly spread between onset and offset."""
    tokens = list(text.replace(" ", "")) if language == "zh" else text.split()
    if not tokens:
        return ()
    step = (offset_ms - onset_ms) / len(tokens)
    return tuple(
        SpokenWord(w, int(onset_ms + i * step), int(onset_ms + (i + 1) * step))
        for i, w in enumerate(tokens)
    )


def record_text_answer(timeline: Timeline, node: str, text: str, onset_ms: int, offset_ms: int, language: str) -> Answer:
    """Log a typed or text answer with the same events a spoken one produces."""
    words = spread_words(text, onset_ms, offset_ms, language)
    timeline.append(onset_ms, TraineeSpeechStarted(node=node))
    timeline.append(offset_ms, AsrFinal(node=node, text=text, words=words))
    timeline.append(offset_ms, TraineeSpeechEnded(node=node))
    return Answer(text, onset_ms, offset_ms, words)


def record_silence(timeline: Timeline, node: str, t_ms: int, waited_ms: int) -> Answer:
    timeline.append(t_ms, TraineeSilent(node=node, waited_ms=waited_ms))
    return Answer("")
