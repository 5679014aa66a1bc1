"""WAV in/out and resampling: what the recognisers are fed."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from audio.wavio import read_wav, resample, write_wav
from roleplay.model.errors import AudioError


def sine(hz: float, rate: int, seconds: float = 1.0, amplitude: float = 10000) -> np.ndarray:
    return amplitude * np.sin(2 * np.pi * hz * np.arange(int(rate * seconds)) / rate)


def peak_hz(x: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1 / rate)[np.argmax(spectrum)])


@pytest.mark.parametrize(
    ("src", "dst"), [(22050, 16000), (8000, 16000), (48000, 16000), (16000, 8000)]
)
def test_resample_keeps_pitch_length_and_level(src: int, dst: int) -> None:
    y = resample(sine(1000, src), src, dst)
    assert y.dtype == np.int16 and abs(len(y) - dst) <= 1
    assert peak_hz(y, dst) == pytest.approx(1000, abs=2)
    middle = y[dst // 10 : -dst // 10].astype(float)
    assert np.sqrt(np.mean(middle**2)) == pytest.approx(10000 / np.sqrt(2), rel=0.03)


def test_downsampling_removes_what_cannot_be_represented() -> None:
    y = resample(sine(7000, 22050), 22050, 8000)  # above the 4 kHz Nyquist: must not alias to 1 kHz
    assert np.sqrt(np.mean(y.astype(float) ** 2)) < 10000 / np.sqrt(2) * 0.02


def test_write_then_read_round_trip_and_stereo_mixdown(tmp_path: Path) -> None:
    x = np.round(sine(440, 16000, 0.2)).astype(np.int16)
    write_wav(tmp_path / "a.wav", x)
    y, rate = read_wav(tmp_path / "a.wav")
    assert rate == 16000 and np.array_equal(x, y)
    with wave.open(str(tmp_path / "s.wav"), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(np.column_stack([x, np.zeros_like(x)]).astype("<i2").tobytes())
    mixed, _ = read_wav(tmp_path / "s.wav")
    assert np.abs(mixed.astype(int) - x // 2).max() <= 1


def test_unreadable_files_are_audio_errors_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="missing.wav: no such file"):
        read_wav(tmp_path / "missing.wav")
    (tmp_path / "text.wav").write_text("hello")
    with pytest.raises(AudioError, match="text.wav: not a readable WAV"):
        read_wav(tmp_path / "text.wav")
    with wave.open(str(tmp_path / "8bit.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(8000)
        w.writeframes(bytes(100))
    with pytest.raises(AudioError, match="8-bit.*16-bit PCM"):
        read_wav(tmp_path / "8bit.wav")
