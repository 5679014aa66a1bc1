"""Turn-taking on real audio: Silero VAD + Smart Turn v3.2 against the VAD-only fallback,
and the listener joining what the recogniser closed at a pause into one answer."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from speechgen import render

from audio.asr import ScriptedRecognizer
from audio.endpoint import (
    ContentAwareEndpointer,
    EndpointUpdate,
    SmartTurnConfig,
    SmartTurnEndpointer,
    VadEndpointer,
    open_endpointer,
)
from audio.listener import Listener
from audio.turn_model import download_turn_model
from audio.vad import VadEvent
from audio.wavio import read_wav, write_wav
from cli import main
from roleplay.frontends.spoken import trim_silence
from roleplay.model.clock import VirtualClock
from roleplay.model.errors import ModelError
from roleplay.model.events import Timeline
from roleplay.model.scenario import Node

RATE = 16000
FRAME = RATE * 20 // 1000
FIRST, SECOND = "I can see your account here.", "The payment went through on Monday."


@pytest.fixture(scope="session")
def turn_model() -> Path:
    return download_turn_model()  # the product's own download; cached after the first run


@pytest.fixture(scope="session")
def sentences(pytestconfig: pytest.Config) -> list[np.ndarray]:
    """The two sentences rendered apart by espeak-ng (kept in pytest's cache folder)."""
    cache = pytestconfig.cache.mkdir("turn-audio") if pytestconfig.cache else None
    out = []
    for i, text in enumerate((FIRST, SECOND)):
        path = cache / f"sentence-{i}.wav" if cache else None
        if path is None or not path.exists():
            samples = trim_silence(render(text))
            if path:
                write_wav(path, samples)
        out.append(read_wav(path)[0] if path else samples)
    return out


def answer(parts: list[np.ndarray], pause_s: float) -> tuple[np.ndarray, int]:
    """Half a second of line, the sentences with a pause between, 4 s of line after a
    faint hiss throughout; and where the last sentence ends (ms)."""
    lead, gap, tail = (np.zeros(round(s * RATE), np.int16) for s in (0.5, pause_s, 4.0))
    x = np.concatenate([lead, parts[0], gap, parts[1], tail]).astype(np.float64)
    x += np.random.default_rng(0).standard_normal(len(x)) * 10
    end = (len(lead) + len(parts[0]) + len(gap) + len(parts[1])) * 1000 // RATE
    return np.round(x).astype(np.int16), end


def turn_end_ms(endpointer: VadEndpointer | SmartTurnEndpointer, signal: np.ndarray) -> int:
    endpointer.reset()
    for start in range(0, len(signal) - FRAME + 1, FRAME):
        if endpointer.feed(signal[start : start + FRAME].tobytes()).turn_end:
            return (start + FRAME) * 1000 // RATE
    raise AssertionError("the turn never ended")


@pytest.mark.slow
def test_a_pause_between_sentences_keeps_the_turn_and_the_end_is_heard_quickly(
    turn_model: Path, sentences: list[np.ndarray]
) -> None:
    signal, end_ms = answer(sentences, 0.8)
    smart = SmartTurnEndpointer(turn_model)
    ended = turn_end_ms(smart, signal)
    assert end_ms <= ended <= end_ms + 1000, (ended, end_ms, smart.asked)
    # The pause was heard and Smart Turn asked there: Silero did not just bridge it.
    assert any(t < end_ms - 800 for t, _ in smart.asked)
    # The fallback hands the turn over in the pause: this answer would be cut in two.
    assert turn_end_ms(VadEndpointer(), signal) < end_ms - 800


@pytest.mark.slow
def test_patience_ends_a_turn_that_never_sounds_finished(
    turn_model: Path, sentences: list[np.ndarray]
) -> None:
    never = SmartTurnConfig(patience_ms=1200, complete_prob=1.0)  # Smart Turn never says done
    signal, end_ms = answer(sentences, 0.8)
    ended = turn_end_ms(SmartTurnEndpointer(turn_model, never), signal)
    assert end_ms + 1200 <= ended <= end_ms + 1200 + 200


def test_a_missing_model_falls_back_to_the_vad_with_one_line(tmp_path: Path) -> None:
    said: list[str] = []
    endpointer = open_endpointer(2000, tmp_path / "gone.onnx", warn=said.append)
    assert isinstance(endpointer, ContentAwareEndpointer) and isinstance(endpointer.inner, VadEndpointer)
    assert len(said) == 1 and "\n" not in said[0]
    assert str(tmp_path / "gone.onnx") in said[0] and "roleplay models download turn" in said[0]


class Silence:
    sample_rate_hz = RATE

    def read(self, timeout_s: float) -> bytes:
        return bytes(2 * FRAME)


class ScriptedEndpointer:
    """Speech from 0 ms, the turn over at `end_ms` (the listener's side is under test)."""

    name = "scripted"

    def __init__(self, end_ms: int) -> None:
        self.end_ms = end_ms

    def reset(self) -> None:
        self.ms = 0

    def hear_content(self, complete: bool | None) -> None:
        pass

    def feed(self, pcm16: bytes) -> EndpointUpdate:
        self.ms += len(pcm16) // 2 * 1000 // RATE
        if self.ms == 20:
            return EndpointUpdate((VadEvent("onset", 0, 20),))
        if self.ms >= self.end_ms:
            return EndpointUpdate((VadEvent("offset", self.end_ms - 100, self.ms),), True)
        return EndpointUpdate()


def test_the_listener_joins_what_the_recogniser_closed_at_a_pause() -> None:
    # The recogniser closes an utterance every 500 ms; the endpointer keeps the turn to 1.2 s.
    recognizer = ScriptedRecognizer(["the payment", "went through"], RATE, utterance_ms=500)
    clock = VirtualClock()
    listener = Listener(Silence(), recognizer, Timeline(), clock, endpointer=ScriptedEndpointer(1200))
    got = listener.answer(Node("n", ("hello",)), None, 0, 5000)
    assert got.text == "the payment went through"
    assert (got.onset_ms, got.offset_ms) == (0, 1100)


def test_the_model_download_says_what_to_do_when_the_index_is_unreachable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, turn_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ROLEPLAY_MODELS", str(tmp_path))
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # pip as if offline
    monkeypatch.setenv("PIP_FIND_LINKS", "")
    with pytest.raises(ModelError, match=r"offline\?.*copy smart-turn-v3.2-cpu.onnx") as caught:
        download_turn_model()
    assert "\n" not in str(caught.value)
    assert main(["models", "path", "turn"]) == 2
    assert "roleplay models download turn" in capsys.readouterr().err
    # A good copy already in the folder is used as it is: no index needed.
    shutil.copy(turn_model, tmp_path / turn_model.name)
    assert download_turn_model() == tmp_path / turn_model.name
