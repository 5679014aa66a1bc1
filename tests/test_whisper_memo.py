"""The test-side memo of Whisper's output: the same audio and options are recognised once, any
change in them (or in the model file) asks the model again, and the words come back whole."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from whisper_memo import MemoWhisper


@dataclass
class _Word:
    word: str
    start: float
    end: float
    probability: float


@dataclass
class _Segment:
    text: str
    words: list[_Word]


class _CountingModel:
    model = object()

    def __init__(self) -> None:
        self.calls = 0

    def transcribe(self, audio: np.ndarray, **options: Any) -> tuple[Any, None]:
        self.calls += 1
        return iter([_Segment(f"您好{len(audio)}", [_Word("您好", 0.1, 0.5, 0.9)])]), None


def test_same_input_is_recognised_once(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.bin").write_bytes(b"x")
    real = _CountingModel()
    memo = MemoWhisper(real, folder, tmp_path / "memo")
    audio = np.linspace(-0.5, 0.5, 1600, dtype=np.float32)
    first, _ = memo.transcribe(audio, language="zh", beam_size=1)
    again, _ = memo.transcribe(audio.copy(), language="zh", beam_size=1)
    assert real.calls == 1 and again == first
    assert first[0].text == "您好1600" and first[0].words[0].word == "您好" and first[0].words[0].end == 0.5
    memo.transcribe(audio, language="zh", beam_size=5)
    memo.transcribe(audio[:800], language="zh", beam_size=1)
    assert real.calls == 3
    (folder / "model.bin").write_bytes(b"another model")
    MemoWhisper(real, folder, tmp_path / "memo").transcribe(audio, language="zh", beam_size=1)
    assert real.calls == 4
