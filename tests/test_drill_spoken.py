"""Spoken drills: the customer's line, the trainee's speech on the virtual clock, real VAD and
real recognisers (Vosk for timing mechanics, Whisper tiny.en for English words)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from alsa.fifo_mic import FifoMicrophone
from alsa.headset_run import VirtualHeadset

from audio.asr import AsrUpdate, Recognizer, Transcript
from audio.listener import Listener
from audio.playback import NullSink
from audio.recognizers import open_recognizer
from audio.tts import DEFAULT_PITCH, DEFAULT_RATE_WPM, EspeakSynth, SilentSynth, Synth
from audio.vad import Vad
from roleplay.authoring.answers import AnswerStep
from roleplay.model.clock import VirtualClock
from roleplay.model.errors import AudioError
from roleplay.model.events import AsrFinal, AsrPartial, Event, EventKind, Timeline
from roleplay.training.drill import DrillOptions, DrillResult, run_drill
from roleplay.training.drill_voice import (
    DrillVoice,
    PartialPrinter,
    simulated_spoken_source,
    spoken_text,
    typed_hint,
)

LIMIT_S = 3.0
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory, espeak: str) -> EspeakSynth:
    return EspeakSynth(tmp_path_factory.mktemp("tts"))


class Rig:
    """A spoken drill with a simulated trainee: known onsets on a virtual clock."""

    def __init__(self, steps: list[AnswerStep], recognizer: Recognizer, synth: Synth, seed: int = 1) -> None:
        self.view = io.StringIO()
        self.source, self.trainee = simulated_spoken_source(steps, recognizer, synth, "en",
                                                            round(LIMIT_S * 1000), self.view, seed)
        self.listener = self.source.listener
        self.mic = self.trainee.source
        self.clock = self.source.clock

    def drill(self, category: str = "hold_request", rounds: int = 10, fluent: int = 10) -> DrillResult:
        return run_drill(DrillOptions(category, "en", rounds, LIMIT_S, fluent, seed=2), self.source)

    def true_delays_ms(self) -> list[int]:
        """When each scheduled answer really starts, from the end of its customer line."""
        ends = {r.line_end_ms for r in self.source.replies}
        return [min(on - e for e in ends if e <= on) for on in self.trainee.scheduled_onsets]


def test_vosk_timing_late_and_silent_rounds(vosk_model_path: Path, synth: EspeakSynth) -> None:
    steps = [AnswerStep(0.4, "Please hold."), AnswerStep(1.7, "One moment please."),
             AnswerStep(LIMIT_S + 0.8, "Let me check that."), AnswerStep(silence_s=5)]
    rig = Rig(steps, open_recognizer("vosk", "en", vosk_model_path), synth)
    result = rig.drill(rounds=4)
    assert len(result.rounds) == 4 and result.mode == "spoken"
    on_time, later, late, silent = result.rounds
    # The answer time is the VAD onset minus the end of the customer's line, as in calls.
    measured = [r.elapsed_ms for r in (on_time, later, late)]
    for got, want in zip(measured, rig.true_delays_ms(), strict=True):
        assert abs(got - want) <= 60, (measured, rig.true_delays_ms())
    assert on_time.in_time and later.in_time
    assert late.answer and not late.in_time and not late.correct      # heard within the grace period
    assert "too slow" in late.verdict()
    assert silent.answer == "" and not silent.correct and silent.verdict() == "wrong: no answer"
    assert rig.source.replies[3].onset_ms is None
    lines = rig.view.getvalue()
    assert lines.count("customer: ") == 4 and "you: (nothing heard)" in lines
    # Every round's customer line ends in the timeline before its answer starts.
    ends = rig.listener.timeline.of_kind(EventKind.CUSTOMER_LINE_ENDED)
    onsets = rig.listener.timeline.of_kind(EventKind.TRAINEE_SPEECH_STARTED)
    assert len(ends) == 4 and len(onsets) == 3
    assert all(e.t_ms < o.t_ms for e, o in zip(ends, onsets, strict=False))
    data = result.to_json()
    assert data["mode"] == "spoken" and data["items"][3]["answer"] == ""
    assert data["mean_answer_s"] == round(sum(measured) / 3000, 2)      # no-answer rounds left out


def test_whisper_english_right_and_forbidden(whisper_model_path: Path, synth: EspeakSynth) -> None:
    steps = [AnswerStep(0.6, "Please hold while I check that for you."),
             AnswerStep(0.9, "One moment. That is not my problem.")]
    rig = Rig(steps, open_recognizer("whisper", "en", whisper_model_path), synth)
    result = rig.drill(rounds=2)
    right, rude = result.rounds
    assert right.correct, (right.answer, right.verdict())
    assert right.phrase is not None and right.phrase.lower() in right.answer.lower()
    assert rude.forbidden and not rude.correct, (rude.answer, rude.verdict())
    assert "forbidden" in rude.verdict()
    for got, want in zip([right.elapsed_ms, rude.elapsed_ms], rig.true_delays_ms(), strict=True):
        assert abs(got - want) <= 60


class VadOnly:
    """A recogniser with no words: the real VAD's events and endpoint, for timing checks."""

    sample_rate_hz = 16000

    def __init__(self) -> None:
        self.vad = Vad()

    def reset(self) -> None:
        self.vad.reset()

    def accept(self, pcm16: bytes) -> AsrUpdate:
        events = tuple(self.vad.feed(pcm16))
        return AsrUpdate("", any(e.kind == "offset" for e in events), events)

    def final(self) -> Transcript:
        return Transcript("(speech)")


def test_audio_queued_before_the_line_is_not_an_answer(synth: EspeakSynth) -> None:
    """A live microphone keeps queueing between rounds; words said then (the trainee still
    talking to the last line) must not start the next answer."""
    rig = Rig([AnswerStep(1.0, "Please hold.")], VadOnly(), synth)
    rig.mic.schedule(300, rig.trainee.spoken("One moment."))  # said while nobody read the mic
    rig.clock.sleep_ms(1500)           # the backlog: the clock runs ahead of the audio read
    reply = rig.source.ask("What plan am I on at the moment?")
    assert reply is not None and reply[0] == "(speech)"
    assert abs(reply[1] - rig.true_delays_ms()[0]) <= 60
    assert rig.source.replies[0].onset_ms is not None and rig.source.replies[0].onset_ms > 1500


def test_partials_show_on_a_terminal_only() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty, pipe = Tty(), io.StringIO()
    for view in (tty, pipe):
        printer = PartialPrinter(view)
        printer(Event(10, AsrPartial(node="d", text="please")))
        printer(Event(20, AsrPartial(node="d", text="please hold")))
        printer(Event(30, AsrFinal(node="d", text="please hold")))
    assert tty.getvalue().count("\r  … please") == 2 and tty.getvalue().endswith("\r")
    assert pipe.getvalue() == ""


def test_stage_directions_are_not_spoken_and_errors_suggest_typed(tmp_path: Path) -> None:
    assert spoken_text("(the line connects) Hello?") == "Hello?"
    assert spoken_text("（等了两分钟）喂？你还在吗？") == "喂？你还在吗？"
    sink = NullSink()
    voice = DrillVoice(SilentSynth(tmp_path), sink, "zh")
    assert voice.start("（等了两分钟）喂？") > 0
    assert sink.played == [SilentSynth(tmp_path).render("喂？", "cmn", DEFAULT_RATE_WPM, DEFAULT_PITCH)]
    line = typed_hint(AudioError("no microphone (input) device found; plug in a headset, or use --typed "
                                 "to answer by keyboard"))
    assert line.count("--typed") == 1 and "\n" not in line and "plug in a headset" in line


# --- end to end: `python -m roleplay drill` on the virtual ALSA headset (tests/alsa) ---------
@pytest.mark.slow
def test_cli_spoken_drill_on_the_virtual_headset(tmp_path: Path, vosk_model_path: Path, synth: EspeakSynth) -> None:
    """The microphone is a FIFO fed in real time (tests/alsa/fifo_mic.py); the trainee reads
    the drill's screen (stderr, with --json) and answers `delay_ms` after the line it saw
    printed has been said, then stays silent for the second line."""
    delay_ms = 900
    answer = Rig([], VadOnly(), synth).trainee.spoken("One moment please.")
    headset = VirtualHeadset.make(tmp_path, in_raw=tmp_path / "mic.fifo")
    mic = FifoMicrophone(headset.in_raw)
    cache = tmp_path / "cache"
    env = {**headset.env(), "ROLEPLAY_CACHE": str(cache), "ROLEPLAY_CONFIG": str(tmp_path / "config")}
    drill = subprocess.Popen(
        [sys.executable, "-m", "roleplay", "drill", "--input", "roleplay_test", "--output", "roleplay_test",
         "--category", "hold_request", "--model", str(vosk_model_path), "--rounds", "2", "--limit-s", "2",
         "--seed", "1", "--json"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    screen: list[str] = []
    try:
        assert drill.stderr is not None
        for text in drill.stderr:
            screen.append(text)
            if text.startswith("customer: ") and len([s for s in screen if s.startswith("customer: ")]) == 1:
                # The drill rendered its lines into the cache before opening the microphone.
                line_ms = DrillVoice(EspeakSynth(cache / "tts"), NullSink(), "en").start(text[10:].strip())
                mic.say(answer, line_ms + delay_ms)
        out, _ = drill.communicate(timeout=60)
    finally:
        if drill.poll() is None:
            drill.kill()
        mic.close()
    assert drill.returncode == 1, "".join(screen)
    first, second = json.loads(out)["items"]
    assert first["answer"] and second["answer"] == "" and first["in_time"], "".join(screen)
    # Pipe, PortAudio period and the FIFO's lead all sit between the screen and the microphone.
    assert abs(first["elapsed_s"] * 1000 - delay_ms) <= 150, first
    assert "you: (nothing heard)" in "".join(screen) and "wrong: no answer" in "".join(screen)
    assert any(np.frombuffer(data, "<i2").any() for data in headset.played())  # the customer was heard


def test_listener_drain_reads_what_a_live_microphone_queued() -> None:
    class Queued:
        sample_rate_hz = 16000

        def __init__(self, frames: int) -> None:
            self.frames = frames
            self.timeouts: list[float] = []

        def read(self, timeout_s: float) -> bytes:
            self.timeouts.append(timeout_s)
            if not self.frames:
                return b""
            self.frames -= 1
            return bytes(640)

    mic = Queued(7)
    listener = Listener(mic, VadOnly(), Timeline(), VirtualClock(), origin_ms=1000)
    listener.drain()
    assert listener.stream_ms == 1000 + 7 * 20 and mic.timeouts == [0.0] * 8  # never waits
