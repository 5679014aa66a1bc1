"""Typed calls: the customer's lines printed (and spoken when a voice is given), the trainee
typing. At a terminal each answer is read key by key and timed from its first keystroke to
Enter; piped input is read line by line, so a call can be scripted (`run_typed` gives it a
virtual clock: a script has no typing time, each answer starts as the customer stops and
takes as long as saying it would)."""

from __future__ import annotations

from typing import TextIO

from roleplay.engine.keys import TypedLine, read_typed_line
from roleplay.model.clock import Clock, VirtualClock
from roleplay.model.events import Timeline
from roleplay.model.i18n import translator
from roleplay.model.ports import (
    Answer,
    CustomerVoice,
    Line,
    estimated_speech_ms,
    record_silence,
    record_text_answer,
)
from roleplay.model.scenario import Node


def mood_label(mood: float, lang: str = "en") -> str:
    _ = translator(lang).gettext
    bar = "#" * round(mood) + "." * (10 - round(mood))
    name = _("calm") if mood < 4 else _("annoyed") if mood < 7 else _("angry")
    return f"[{bar}] {name} {mood:.1f}"


class PrintedVoice:
    """Shows each customer line; wraps a speaking voice when espeak-ng is there."""

    def __init__(self, out: TextIO, language: str, rate_wpm: int, speaker: CustomerVoice | None = None,
                 ui_lang: str | None = None) -> None:
        self.out = out
        self.language = language
        self.ui_lang = ui_lang or language   # the labels' language: the call's unless told
        self.rate_wpm = rate_wpm
        self.speaker = speaker

    def prepare(self, lines: list[tuple[str, float]]) -> None:
        if self.speaker:
            self.speaker.prepare(lines)

    def start(self, text: str, mood: float) -> int:
        who = translator(self.ui_lang).gettext("customer")
        print(f"\n{who} {mood_label(mood, self.ui_lang)}\n  {text}", file=self.out, flush=True)
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

    def __init__(self, stream: TextIO, out: TextIO, clock: Clock, timeline: Timeline, language: str,
                 ui_lang: str | None = None) -> None:
        self.prompt = translator(ui_lang or language).gettext("you> ")
        self.stream = stream
        self.out = out
        self.clock = clock
        self.timeline = timeline
        self.language = language
        self.interactive = stream.isatty()
        self.ended = False

    def answer(self, node: Node, line: Line | None, after_ms: int, timeout_ms: int) -> Answer:
        if not self.interactive:
            return self._scripted(node, line, after_ms, timeout_ms)
        if self.ended:
            typed = TypedLine("", None, self.clock.now_ms(), ended=True)
        else:
            typed = read_typed_line(self.stream.fileno(), self.out, self.clock, self.prompt)
        self.ended = typed.ended   # Ctrl-D: the trainee is silent from here on, as at the end of a script
        text = typed.text.strip()
        if line:  # typing while the line is still shown ends it there, as speaking over it would
            typing = typed.onset_ms if text and typed.onset_ms is not None else line.end_ms
            line.finish(max(line.start_ms, min(line.end_ms, typing)))
        start = after_ms if line is None else line.end_ms
        if not text:
            return record_silence(self.timeline, node.id, max(start, typed.offset_ms), timeout_ms)
        onset = max(start, typed.onset_ms if typed.onset_ms is not None else typed.offset_ms)
        return record_text_answer(self.timeline, node.id, text, onset, max(onset, typed.offset_ms), self.language)

    def _scripted(self, node: Node, line: Line | None, after_ms: int, timeout_ms: int) -> Answer:
        text = self.stream.readline().strip()
        self._wait_until(after_ms)
        now = self.clock.now_ms()
        if line:
            line.finish(min(line.end_ms, now))
        if not text:
            return record_silence(self.timeline, node.id, now, timeout_ms)
        print(f"{self.prompt}{text}", file=self.out, flush=True)
        offset = now + estimated_speech_ms(text, self.language)
        self._wait_until(offset)   # later events (mood, the next line) come after the answer
        return record_text_answer(self.timeline, node.id, text, now, offset, self.language)

    def _wait_until(self, t_ms: int) -> None:
        if isinstance(self.clock, VirtualClock):
            self.clock.advance_to(t_ms)
        else:
            self.clock.sleep_ms(t_ms - self.clock.now_ms())

    def close(self) -> None:
        pass
