"""Mono 16-bit WAV files in and out, and resampling to the 16 kHz the recognisers expect.

Pure numpy on purpose: a windowed-sinc low-pass with polyphase steps (or linear
interpolation for odd ratios) is plenty for speech, and keeps scipy/soxr out of the
dependency list.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from roleplay.model.errors import AudioError
from roleplay.model.message import Msg

ASR_RATE_HZ = 16000


def read_wav(path: Path, rate_hz: int | None = ASR_RATE_HZ) -> tuple[np.ndarray, int]:
    """(int16 mono samples, rate). Stereo is mixed down; resampled to `rate_hz` unless None."""
    try:
        with wave.open(str(path), "rb") as wav:
            channels, width, src_rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            raw = wav.readframes(wav.getnframes())
    except FileNotFoundError:
        raise AudioError(Msg("{path}: no such file", path=path)) from None
    except (wave.Error, EOFError, OSError) as error:
        raise AudioError(
            Msg("{path}: not a readable WAV file ({error}); convert it to 16-bit PCM WAV", path=path, error=error)
        ) from None
    if width != 2:
        raise AudioError(Msg("{path}: {width}-bit samples; convert it to 16-bit PCM WAV", path=path, width=8 * width))
    samples = np.frombuffer(raw[: len(raw) - len(raw) % (2 * channels)], dtype="<i2")
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    if rate_hz is not None and rate_hz != src_rate:
        return resample(samples, src_rate, rate_hz), rate_hz
    return samples.astype(np.int16), src_rate


def write_wav(path: Path, samples: np.ndarray, rate_hz: int = ASR_RATE_HZ) -> None:
    """Write mono 16-bit PCM; float input is taken as already in int16 units and clipped."""
    data = np.clip(np.asarray(samples, dtype=np.float64), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate_hz)
        wav.writeframes(data.tobytes())


def lowpass_taps(cutoff_hz: float, rate_hz: int, n_taps: int = 101) -> np.ndarray:
    """Blackman-windowed sinc FIR with unit DC gain."""
    m = np.arange(n_taps) - (n_taps - 1) / 2
    taps = np.sinc(2 * cutoff_hz / rate_hz * m) * np.blackman(n_taps)
    return taps / taps.sum()


def fir(samples: np.ndarray, taps: np.ndarray) -> np.ndarray:
    """Zero-phase-delay FIR (same length as the input), in float64."""
    return np.convolve(np.asarray(samples, dtype=np.float64), taps, mode="same")


def resample(samples: np.ndarray, src_hz: int, dst_hz: int) -> np.ndarray:
    """int16 samples at `dst_hz`. Integer ratios (8->16, 48->16 kHz) are exact polyphase:
    zero-stuff or decimate around a low-pass. Other ratios (22.05->16 kHz) filter, then
    interpolate linearly, which droops by <0.5 dB at 3 kHz: fine for speech."""
    x = np.asarray(samples, dtype=np.float64)
    if src_hz == dst_hz or len(x) == 0:
        y = x
    elif dst_hz % src_hz == 0:
        factor = dst_hz // src_hz
        stuffed = np.zeros(len(x) * factor)
        stuffed[::factor] = x
        y = fir(stuffed, lowpass_taps(0.45 * src_hz, dst_hz) * factor)
    elif src_hz % dst_hz == 0:
        y = fir(x, lowpass_taps(0.45 * dst_hz, src_hz))[:: src_hz // dst_hz]
    else:
        if dst_hz < src_hz:
            x = fir(x, lowpass_taps(0.45 * dst_hz, src_hz))
        positions = np.arange(round(len(x) * dst_hz / src_hz)) * (src_hz / dst_hz)
        y = np.interp(positions, np.arange(len(x)), x)
        if dst_hz > src_hz:
            y = fir(y, lowpass_taps(0.45 * src_hz, dst_hz))
    return np.clip(np.round(y), -32768, 32767).astype(np.int16)


def to_pcm16(samples: np.ndarray) -> bytes:
    return np.asarray(samples, dtype="<i2").tobytes()


def from_pcm16(pcm16: bytes) -> np.ndarray:
    return np.frombuffer(pcm16[: len(pcm16) - len(pcm16) % 2], dtype="<i2")
