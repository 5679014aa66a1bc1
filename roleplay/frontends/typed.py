"""Typed calls: the customer's lines printed (and spoken when a voice is given), the trainee
typing. Reads answers line by line from standard input, so a call can be scripted."""

from __future__ import annotations

from typing import TextIO

from roleplay.model.clock import Clock
from roleplay.model.events import Timeline
from roleplay.model.ports import (
    Answer,
    CustomerVoice,
    Line,
    estimated_speech_ms,
    record_silence,
    record_text_answer,
)
from roleplay.model.scenario import Node


def mood_label(mood: float) -> str:
    bar = "#" * round(mood) + "." * (10 - round(mood))
    name = "calm" if mood < 4 else "annoyed" if mood < 7 else "angry"
    return f"[{bar}] {name} {mood:.1f}"


class PrintedVoice:
    """Shows each customer line; wraps a speaking voice when espeak-ng is there."""

    def __init__(self, out: TextIO, language: str, rate_wpm: int, speaker: CustomerVoice | None = None) -> None:
        self.out = out
        self.language = language
        self.rate_wpm = rate_wpm
        self.speaker = speaker

    def prepare(self, lines: list[tuple[str, float]]) -> None:
        if self.speaker:
            self.speaker.prepare(lines)

    def start(self, text: str, mood: float) -> int:
        print(f"\ncustomer {mood_label(mood)}\n  {text}", file=self.out, flush=True)
        if self.speaker:
            return self.speaker.start(text, mood)
        return estimated_speech_ms(text, self.language, self.rate_wpm)

    def stop(self) -> None:
        if self.speaker:
            self.speaker.stop()

    def close(self) -> None:
        if self.speaker:
            self.speaker.close()


class TypedTrainee:
    """One typed line is one answer; an empty line or the end of input is silence."""

    def __init__(self, stream: TextIO, out: TextIO, clock: Clock, timeline: Timeline, language: str) -> None:
        self.stream = stream
        self.out = out
        self.clock = clock
        self.timeline = timeline
        self.language = language
        self.interactive = stream.isatty()

    def answer(self, node: Node, line: Line | None, after_ms: int, timeout_ms: int) -> Answer:
        if self.interactive:
            print("you> ", end="", file=self.out, flush=True)
        text = self.stream.readline()
        now = max(self.clock.now_ms(), after_ms)
        text = text.strip()
        if line:
            line.finish(min(line.end_ms, now))
        if not text:
            return record_silence(self.timeline, node.id, now, timeout_ms)
        if not self.interactive:
            print(f"you> {text}", file=self.out, flush=True)
        return record_text_answer(self.timeline, node.id, text, now, now + estimated_speech_ms(text, self.language), self.language)

    def close(self) -> None:
        pass
