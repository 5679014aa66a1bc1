"""The Vosk backend on a real model (Korean: its words for English speech mean nothing, so
these tests check timing and mechanics, never words), the fake, and `roleplay transcribe`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import speechgen

from audio import asr_vosk
from audio.asr import Recognizer, ScriptedRecognizer, Transcript
from audio.recognizers import open_recognizer, transcribe_file
from audio.wavio import write_wav
from cli import main
from roleplay.model.errors import ModelError

RATE = 16000
CHUNK = RATE // 50  # 20 ms, like a sound card callback


@pytest.fixture(scope="module")
def answer(espeak: str) -> speechgen.SimCall:
    speech = speechgen.render("Let me check your account for you.", espeak)
    return speechgen.call(speech, delay_ms=900, tail_ms=600, snr_db=25, seed=3)


@dataclass(frozen=True)
class Streamed:
    partials_s: list[float]  # stream times of each new partial
    finals: list[tuple[float, Transcript]]  # (stream time of the endpoint, transcript)
    onsets_ms: list[int]


def stream(recognizer: Recognizer, samples: np.ndarray) -> Streamed:
    out = Streamed([], [], [])
    last = ""
    for start in range(0, len(samples), CHUNK):
        update = recognizer.accept(samples[start : start + CHUNK].tobytes())
        now = (start + CHUNK) / RATE
        out.onsets_ms.extend(e.t_ms for e in update.vad_events if e.kind == "onset")
        if update.endpoint:
            out.finals.append((now, recognizer.final()))
            last = ""
        elif update.partial and update.partial != last:
            out.partials_s.append(now)
            last = update.partial
    return out


@pytest.fixture(scope="module")
def recognizer(vosk_model_path: Path) -> Recognizer:
    return open_recognizer("vosk", "ko", vosk_model_path, trailing_silence_ms=300)


@pytest.fixture(scope="module")
def streamed(recognizer: Recognizer, answer: speechgen.SimCall) -> Streamed:
    """The answer twice: two utterances on one stream."""
    return stream(recognizer, np.concatenate([answer.signal, answer.signal]))


def test_partials_come_before_the_final(streamed: Streamed) -> None:
    assert streamed.finals and streamed.partials_s
    assert streamed.partials_s[0] < streamed.finals[0][0]


def test_final_comes_quickly_with_words_inside_the_speech(
    streamed: Streamed, answer: speechgen.SimCall
) -> None:
    second_s = len(answer.signal) / RATE
    for offset_s in (0, second_s):
        end_s, onset_s = offset_s + answer.end_ms / 1000, offset_s + answer.onset_ms / 1000
        finals = [(t, tr) for t, tr in streamed.finals if onset_s <= t < offset_s + second_s]
        assert finals, streamed.finals
        last_final_s, last = finals[-1]
        assert 0 < last_final_s - end_s <= 0.5
        assert last.duration_s == pytest.approx(last_final_s, abs=0.001)  # stream time
        words = [w for _, transcript in finals for w in transcript.words]
        assert words and all(onset_s - 0.1 <= w.start_s <= w.end_s <= end_s + 0.1 for w in words)


def test_vad_onset_matches_the_inserted_silence(
    streamed: Streamed, answer: speechgen.SimCall
) -> None:
    second_ms = len(answer.signal) * 1000 // RATE
    assert len(streamed.onsets_ms) >= 2 and abs(streamed.onsets_ms[0] - answer.onset_ms) <= 20
    assert min(abs(t - second_ms - answer.onset_ms) for t in streamed.onsets_ms[1:]) <= 20


def test_reset_restarts_stream_time(
    recognizer: Recognizer, streamed: Streamed, answer: speechgen.SimCall
) -> None:
    recognizer.reset()
    again = stream(recognizer, answer.signal)
    assert again.finals and again.finals[0][1].words[0].start_s < len(answer.signal) / RATE
    assert again.onsets_ms[0] == streamed.onsets_ms[0]


def test_transcribe_file_resamples_and_times_from_file_start(
    vosk_model_path: Path, tmp_path: Path, answer: speechgen.SimCall
) -> None:
    from audio.wavio import resample

    path = tmp_path / "answer.wav"
    write_wav(path, resample(answer.signal, RATE, 22050), 22050)
    transcript = transcribe_file(path, "ko", "vosk", vosk_model_path)
    assert transcript.duration_s == pytest.approx(len(answer.signal) / RATE, abs=0.01)
    assert transcript.text and transcript.words
    assert transcript.words[0].start_s >= answer.onset_ms / 1000 - 0.1


def test_missing_or_broken_model_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="roleplay models download en") as error:
        open_recognizer("vosk", "en", tmp_path / "nowhere")
    assert str(tmp_path / "nowhere") in str(error.value)
    (tmp_path / "broken" / "am").mkdir(parents=True)
    with pytest.raises(ModelError, match="failed to load"):
        open_recognizer("vosk", "en", tmp_path / "broken")
    with pytest.raises(ModelError, match="vosk, whisper"):
        open_recognizer("kaldi", "en", tmp_path)


def test_cli_batch_loads_the_model_once_and_goes_on_after_a_bad_file(
    vosk_model_path: Path,
    tmp_path: Path,
    answer: speechgen.SimCall,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    good = tmp_path / "good.wav"
    write_wav(good, answer.signal)
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(b"RIFF....WAVEjunk")
    loads = []
    real_model = asr_vosk._import_vosk().Model
    monkeypatch.setattr(asr_vosk, "_MODELS", {})
    monkeypatch.setattr(
        asr_vosk._import_vosk(), "Model", lambda p: loads.append(p) or real_model(p)
    )
    files = [good, tmp_path / "missing.wav", corrupt, good]
    code = main(["transcribe", *map(str, files), "--model", str(vosk_model_path), "--json"])
    out, err = capsys.readouterr()
    assert code == 2 and len(loads) == 1
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["file"] for r in rows] == [str(good), str(good)]
    assert rows[0]["duration"] == pytest.approx(len(answer.signal) / RATE, abs=0.01)
    assert rows[0]["words"] and set(rows[0]["words"][0]) == {"word", "start", "end", "conf"}
    assert "missing.wav: no such file" in err and "corrupt.wav: not a readable WAV" in err
    assert len(err.strip().splitlines()) == 2


def test_cli_without_a_model_says_how_to_get_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ROLEPLAY_MODELS", str(tmp_path))
    assert main(["transcribe", str(tmp_path / "a.wav"), "--lang", "zh"]) == 2
    assert "roleplay models download zh" in capsys.readouterr().err


def test_scripted_recognizer_gives_partials_endpoints_and_timed_words() -> None:
    fake = ScriptedRecognizer(["hello there", "let me check"], utterance_ms=600, words_after_ms=200)
    chunk = bytes(2 * RATE // 10)  # 100 ms
    updates = [fake.accept(chunk) for _ in range(6)]
    assert [u.partial for u in updates[:3]] == ["", "hello", "hello"]  # after 200 ms of audio
    assert [u.endpoint for u in updates] == [False] * 5 + [True]
    first = fake.final()
    assert first.text == "hello there" and first.words[1].end_s == pytest.approx(0.6)
    for _ in range(6):
        fake.accept(chunk)
    second = fake.final()
    assert second.text == "let me check" and second.words[0].start_s == pytest.approx(0.6)
    assert fake.final().text == "" and not fake.accept(chunk).endpoint
    fake.reset()
    assert fake.final().text == "hello there"
