"""Spoken drills: the TTS customer says each drill line, the trainee answers out loud.

The answer's time runs from the END of the customer's line to the VAD onset, as in calls,
and on the same sample-counted stream time (audio/listener.py), so it does not depend on
when the recogniser finishes. The listening loop is the call path's Listener; this module
only adds the customer's voice for single lines and the drill's round bookkeeping.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from audio.asr import Recognizer
from audio.listener import Listener, PartialPrinter
from audio.playback import NullSink, Sink
from audio.tts import DEFAULT_PITCH, DEFAULT_RATE_WPM, Line, Synth, default_voice
from roleplay.authoring.answers import AnswerStep
from roleplay.frontends.spoken import SimulatedSource, SimulatedTrainee, Transform
from roleplay.model.clock import Clock, VirtualClock
from roleplay.model.events import CustomerLineStarted, Timeline
from roleplay.model.i18n import translator
from roleplay.model.message import Msg
from roleplay.model.ports import Line as CallLine
from roleplay.model.ports import TraineeInput
from roleplay.model.scenario import Node

GRACE_MS = 1500  # listening goes on this long past the limit, so a late answer is judged "too slow"
STAGE_DIRECTION = re.compile(r"[(（][^)）]*[)）]\s*")  # "(the line connects) Hello?": not said aloud


def spoken_text(prompt: str) -> str:
    return STAGE_DIRECTION.sub("", prompt).strip() or prompt


class DrillVoice:
    """The customer's drill lines: one voice per language (as in calls), rendered up front so a
    round starts without waiting on the synthesiser."""

    def __init__(self, synth: Synth, sink: Sink, language: str) -> None:
        self.synth = synth
        self.sink = sink
        self.voice = default_voice(language)
        self.rendered: dict[str, Path] = {}

    def _line(self, text: str) -> Line:
        return Line(spoken_text(text), self.voice, DEFAULT_RATE_WPM, DEFAULT_PITCH)

    def prepare(self, prompts: Iterable[str]) -> None:
        wanted = {p: self._line(p) for p in prompts}
        paths = self.synth.prerender(wanted.values())
        self.rendered.update({p: paths[line] for p, line in wanted.items()})

    def start(self, prompt: str) -> int:
        """Start saying `prompt`; its duration in ms."""
        if prompt not in self.rendered:
            self.prepare([prompt])
        return self.sink.play(self.rendered[prompt])

    def close(self) -> None:
        self.sink.wait(timeout_s=30)
        self.sink.close()


@dataclass(frozen=True)
class SpokenReply:
    """One round as heard: what the drill judges, plus what the screen explains."""

    text: str
    elapsed_ms: int           # onset - end of the customer's line; the wait when nothing was said
    onset_ms: int | None      # stream time of the speech onset (None: no answer)
    line_end_ms: int
    error: str = ""           # the recogniser failed on this answer


class SpokenSource:
    """drill.AnswerSource for speech: says the line, listens, returns (text, elapsed_ms).

    `trainee` is what answers: the Listener itself on a headset; in tests a SimulatedTrainee
    wrapping the same Listener, which schedules its speech after the line like a person."""

    mode = "spoken"

    def __init__(
        self, voice: DrillVoice, listener: Listener, clock: Clock, view: TextIO, limit_ms: int,
        grace_ms: int = GRACE_MS, trainee: TraineeInput | None = None, live: bool = False,
        lang: str = "en",
    ) -> None:
        self.voice = voice
        self.listener = listener
        self.timeline: Timeline = listener.timeline
        self.clock = clock
        self.view = view
        self.limit_ms = limit_ms
        self.grace_ms = grace_ms
        self.trainee: TraineeInput = trainee or listener
        self.live = live  # a real microphone: its queue is drained, not read up to the clock
        self.replies: list[SpokenReply] = []
        self.closers: list[Callable[[], None]] = []  # what the source was opened with (the microphone)
        self.timeline.add_sink(PartialPrinter(view))
        self._ = translator(lang).gettext  # the words around the lines

    def ask(self, prompt: str) -> tuple[str, int] | None:
        node = Node(f"drill-{len(self.replies) + 1}", (prompt,))
        print("\n" + self._("customer: ") + prompt, file=self.view, flush=True)
        try:
            reply = self._round(node, prompt)
        except KeyboardInterrupt:  # Ctrl-C ends the drill with its summary, not a traceback
            print(file=self.view, flush=True)
            return None
        self.replies.append(reply)
        self._show(reply)
        return reply.text, reply.elapsed_ms

    def _round(self, node: Node, prompt: str) -> SpokenReply:
        # The line starts at the stream's "now", the time base of the onsets: a microphone's
        # sample count drifts from the system clock (late start, dropped blocks), so the clock
        # is only used to catch a simulated stream up.
        if self.live:
            self.listener.drain()
        else:
            self.listener.skip_until(self.clock.now_ms())
        start = self.listener.stream_ms
        self.timeline.append(start, CustomerLineStarted(node=node.id, text=prompt, mood=0.0))
        line = CallLine(self.timeline, node.id, start, self.voice.start(prompt))
        answer = self.trainee.answer(node, line, line.end_ms, self.limit_ms + self.grace_ms)
        if answer.onset_ms is None:
            waited = self.limit_ms + self.grace_ms
            return SpokenReply("", waited, None, line.end_ms, answer.error)
        # Talking over the customer's last words is timed as an instant answer.
        elapsed = max(0, answer.onset_ms - line.end_ms)
        return SpokenReply(answer.text, elapsed, answer.onset_ms, line.end_ms, answer.error)

    def _show(self, reply: SpokenReply) -> None:
        _ = self._
        if reply.error:
            shown = _("you: (not recognised: {error})").format(error=reply.error)
        elif reply.onset_ms is None:
            shown = _("you: (nothing heard)")
        else:
            early = _(" (started before the customer finished)") if reply.onset_ms < reply.line_end_ms else ""
            shown = _("you: {text}").format(text=reply.text or _("(no words recognised)")) + early
        print(shown, file=self.view, flush=True)

    def close(self) -> None:
        self.trainee.close()
        self.voice.close()
        for close in self.closers:
            close()


def typed_hint(error: Exception) -> str:
    """An audio or model error as one line that ends by suggesting --typed (once)."""
    from audio.devices import TYPED_HINT

    reason = str(error)
    for tail in (f", or {TYPED_HINT}", f"; {TYPED_HINT}", f" or {TYPED_HINT}"):
        reason = reason.replace(tail, "")
    return f"drill: cannot listen ({reason}); add --typed to type the answers"


@dataclass(frozen=True)
class HeadsetSetup:
    input_device: str | None = None
    output_device: str | None = None
    asr: str = "vosk"
    model: Path | None = None


def open_headset_source(
    language: str, prompts: Iterable[str], limit_ms: int, setup: HeadsetSetup, view: TextIO | None = None,
    lang: str | None = None,
) -> SpokenSource:
    """Everything a spoken drill needs, checked before the first round: the microphone, the
    headphones, the speech model and the customer's rendered lines. Any failure is one
    RoleplayError line that suggests --typed."""
    import shutil

    from audio.devices import MicrophoneSource, pick_device
    from audio.playback import SpeakerSink
    from audio.recognizers import open_recognizer
    from audio.tts import EspeakSynth
    from roleplay.model.clock import SystemClock
    from roleplay.model.errors import AudioError, ModelError, RoleplayError

    view = view or sys.stdout
    try:
        microphone = pick_device(setup.input_device, "input")
        headphones = pick_device(setup.output_device, "output")
        if not shutil.which("espeak-ng"):
            raise AudioError(Msg("espeak-ng is not installed for the customer's voice (apt-get install espeak-ng)"))
        recognizer = open_recognizer(setup.asr, language, setup.model)
        voice = DrillVoice(EspeakSynth(), SpeakerSink(headphones), language)
        voice.prepare(prompts)
    except (AudioError, ModelError) as error:
        raise RoleplayError(typed_hint(error)) from None
    clock = SystemClock()
    try:
        mic = MicrophoneSource(microphone)  # last: the stream's sample count is the drill's clock
    except AudioError as error:
        voice.close()
        raise RoleplayError(typed_hint(error)) from None
    listener = Listener(mic, recognizer, Timeline(), clock, origin_ms=clock.now_ms())
    source = SpokenSource(voice, listener, clock, view, limit_ms, live=True, lang=lang or language)
    source.closers.append(mic.close)
    return source


def simulated_spoken_source(
    steps: list[AnswerStep], recognizer: Recognizer, synth: Synth, language: str, limit_ms: int,
    view: TextIO, seed: int = 0, noise_dbfs: float = -65.0, transform: Transform | None = None,
) -> tuple[SpokenSource, SimulatedTrainee]:
    """A spoken drill on the virtual clock: the trainee's answers (ANSWERS.yaml steps) arrive
    at known times after each customer line, through the real VAD and recogniser. For tests
    and benchmarks; `trainee.scheduled_onsets` holds the true onsets."""
    clock = VirtualClock()
    mic = SimulatedSource(clock, noise_dbfs, seed)
    listener = Listener(mic, recognizer, Timeline(), clock)
    trainee = SimulatedTrainee(steps, synth, mic, listener, language, transform)
    voice = DrillVoice(synth, NullSink(), language)
    return SpokenSource(voice, listener, clock, view, limit_ms, trainee=trainee), trainee
