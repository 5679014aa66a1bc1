"""Synthetic speech for tests and bench/asr_bench.py: espeak-ng renders, a telephone line
(300-3400 Hz band, 8 kHz codec rate) and noise at a chosen SNR, with known onsets."""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audio.vad import frame_levels_db
from audio.wavio import fir, lowpass_taps, read_wav, resample

RATE_HZ = 16000


def render(
    text: str, espeak: str = "espeak-ng", voice: str = "en-us", speed_wpm: int = 160
) -> np.ndarray:
    """espeak-ng speech as int16 at 16 kHz."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "say.wav"
        subprocess.run(
            [espeak, "-v", voice, "-s", str(speed_wpm), "-w", str(out), text],
            check=True,
            capture_output=True,
        )
        samples, _ = read_wav(out, RATE_HZ)
    return samples


def telephone_band(samples: np.ndarray, rate_hz: int = RATE_HZ) -> np.ndarray:
    """300-3400 Hz band-pass, through 8 kHz and back, like a narrow-band phone call."""
    x = fir(samples, lowpass_taps(3400, rate_hz)) - fir(samples, lowpass_taps(300, rate_hz, 401))
    narrow = resample(np.clip(x, -32768, 32767), rate_hz, 8000)
    return resample(narrow, 8000, rate_hz)


def add_noise(samples: np.ndarray, snr_db: float, seed: int = 0) -> np.ndarray:
    """White-ish line noise, band-limited like the call, at `snr_db` below the speech power."""
    x = np.asarray(samples, dtype=np.float64)
    active = x[np.abs(x) > 0.05 * np.max(np.abs(x))] if np.any(x) else x
    speech_power = float(np.mean(active**2)) if len(active) else 1.0
    rng = np.random.default_rng(seed)
    noise = fir(rng.standard_normal(len(x)), lowpass_taps(3400, RATE_HZ))
    noise *= np.sqrt(speech_power / 10 ** (snr_db / 10) / np.mean(noise**2))
    return np.clip(np.round(x + noise), -32768, 32767).astype(np.int16)


AUDIBLE_DB = 30.0  # ground truth: within this of the loudest 10 ms frame of the clean signal


@dataclass(frozen=True)
class SimCall:
    """A simulated answer: `delay_ms` of line silence, the speech, a tail; known timings."""

    signal: np.ndarray
    onset_ms: int  # first clean frame within AUDIBLE_DB of the loudest (what noise leaves)
    first_sound_ms: int  # first clean sample above 1% of the peak (even if under the noise)
    end_ms: int  # last clean frame within AUDIBLE_DB of the loudest


def call(
    speech: np.ndarray,
    delay_ms: int,
    tail_ms: int = 1000,
    telephone: bool = True,
    snr_db: float | None = 22.0,
    seed: int = 0,
) -> SimCall:
    pad = np.zeros(delay_ms * RATE_HZ // 1000, dtype=np.int16)
    tail = np.zeros(tail_ms * RATE_HZ // 1000, dtype=np.int16)
    clean = np.concatenate([pad, speech, tail])
    if telephone:
        clean = telephone_band(clean)
    signal = add_noise(clean, snr_db, seed) if snr_db is not None else clean
    levels = frame_levels_db(clean, RATE_HZ // 100)
    audible = np.flatnonzero(levels >= levels.max() - AUDIBLE_DB)
    x = np.abs(speech.astype(np.float64))
    first = delay_ms + int(np.argmax(x > 0.01 * x.max())) * 1000 // RATE_HZ
    return SimCall(signal, int(audible[0]) * 10, first, int(audible[-1] + 1) * 10)


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate: word-level edit distance over the reference length."""
    from rapidfuzz.distance import Levenshtein

    ref, hyp = normalise(reference).split(), normalise(hypothesis).split()
    return Levenshtein.distance(ref, hyp) / max(len(ref), 1)


def normalise(text: str) -> str:
    kept = "".join(c.lower() if c.isalnum() or c == "'" else " " for c in text)
    return " ".join(kept.split())
