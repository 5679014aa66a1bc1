"""The Whisper backend on tiny.en: accuracy on espeak-ng speech, utterance endpointing, and
the errors a user can cause (wrong language for an English-only model, missing package)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import speechgen

from audio import asr_whisper
from audio.recognizers import open_recognizer, transcribe_file
from audio.wavio import write_wav
from cli import main
from roleplay.model.errors import ModelError

RATE = 16000
SENTENCES = [
    "Thank you for calling, how can I help you today?",
    "Could you please confirm your date of birth?",
    "I am sorry to hear that your parcel was late.",
    "Let me check that for you, please hold on.",
    "Is there anything else I can help you with?",
]


def test_wer_on_noisy_speech(whisper_model_path: Path, espeak: str) -> None:
    """Wide-band speech at 25 dB SNR; tiny.en on the narrow telephone band is in the bench."""
    errors, words = 0.0, 0
    for i, text in enumerate(SENTENCES):
        speech = speechgen.render(text, espeak)
        call = speechgen.call(speech, 300, tail_ms=300, telephone=False, snr_db=25, seed=i)
        transcript = asr_whisper.transcribe_samples(whisper_model_path, "en", call.signal)
        n = len(text.split())
        errors, words = errors + speechgen.wer(text, transcript.text) * n, words + n
        assert all(
            0 <= w.start_s <= w.end_s <= transcript.duration_s + 0.05 for w in transcript.words
        )
    assert errors / words < 0.35


def test_streaming_endpoint_then_final_with_stream_times(
    whisper_model_path: Path, espeak: str
) -> None:
    text = SENTENCES[3]
    speech = speechgen.render(text, espeak)
    call = speechgen.call(speech, 1500, tail_ms=800, telephone=False, snr_db=25, seed=9)
    recognizer = open_recognizer("whisper", "en", whisper_model_path)
    signal = np.concatenate([call.signal, call.signal])
    finals = []
    for start in range(0, len(signal), RATE // 50):
        if recognizer.accept(signal[start : start + RATE // 50].tobytes()).endpoint:
            finals.append(((start + RATE // 50) / RATE, recognizer.final()))
    assert len(finals) == 2
    second_s = len(call.signal) / RATE
    for (t, transcript), offset_s in zip(finals, (0.0, second_s), strict=True):
        assert 0 < t - (offset_s + call.end_ms / 1000) <= 0.5
        assert speechgen.wer(text, transcript.text) < 0.5
        assert transcript.words[0].start_s >= offset_s + call.onset_ms / 1000 - 0.35  # pre-roll
        assert transcript.words[-1].end_s <= offset_s + call.end_ms / 1000 + 0.2


def test_transcribe_file_and_cli_json(
    whisper_model_path: Path, espeak: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "hello.wav"
    write_wav(path, speechgen.render(SENTENCES[0], espeak))
    transcript = transcribe_file(path, "en", "whisper", whisper_model_path)
    assert speechgen.wer(SENTENCES[0], transcript.text) < 0.35
    assert (
        main(["transcribe", str(path), "--asr", "whisper", "--model", str(whisper_model_path)]) == 0
    )
    assert capsys.readouterr().out.strip() == transcript.text


def test_chinese_with_an_english_only_model_is_refused(whisper_model_path: Path) -> None:
    with pytest.raises(ModelError, match=r"English-only.*--lang zh"):
        open_recognizer("whisper", "zh", whisper_model_path)


def test_whisper_needs_a_model_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["transcribe", str(tmp_path / "a.wav"), "--asr", "whisper"]) == 2
    assert "--model" in capsys.readouterr().err
    with pytest.raises(ModelError, match="no model.bin"):
        open_recognizer("whisper", "en", tmp_path)


def test_missing_faster_whisper_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "faster_whisper", None)  # import now fails
    monkeypatch.setattr(asr_whisper, "_MODELS", {})
    with pytest.raises(ModelError, match=r"pip install 'roleplay\[whisper\]'"):
        open_recognizer("whisper", "en", tmp_path)
