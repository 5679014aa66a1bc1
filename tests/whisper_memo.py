"""Whisper's output for the exact same audio, kept on disk between test runs.

A spoken library call costs one 30-s encoder pass (~1.5 s on two cores) per answer, whatever
its length, so the Mandarin library calls take minutes when the recogniser runs for each one.
Whisper's result is a function of the model file, the audio, the options and the library
versions (but for a rare close call that CTranslate2's threaded sums may tip: two full bench
runs differed by 0.1 and 0.8 points of CER), so its raw result (segments and words, before our
simplified-character and decimal fixes) is stored under a key of all of them; a changed line,
option, model or faster-whisper re-runs it. Like the TTS cache, a fresh machine fills it on
its first run, when every call is recognised live.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class MemoWord:
    word: str
    start: float
    end: float
    probability: float


@dataclass(frozen=True)
class MemoSegment:
    text: str
    words: tuple[MemoWord, ...]


def memo_dir() -> Path:
    root = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return root / "roleplay" / "whisper-memo"


class MemoWhisper:
    """A faster_whisper.WhisperModel stand-in that asks the real one once per distinct input."""

    def __init__(self, model: Any, model_dir: Path, folder: Path | None = None) -> None:
        self.model_obj = model
        self.model = model.model  # check_language reads model.model.is_multilingual
        self.folder = folder or memo_dir()
        stat = (Path(model_dir) / "model.bin").stat()
        versions = [metadata.version(name) for name in ("faster-whisper", "ctranslate2")]
        self.identity = json.dumps([str(Path(model_dir).resolve()), stat.st_size, stat.st_mtime_ns, versions])
        self.hits = self.misses = 0

    def transcribe(self, audio: np.ndarray, **options: Any) -> tuple[list[MemoSegment], None]:
        key = hashlib.sha256(self.identity.encode() + json.dumps(options, sort_keys=True).encode()
                             + np.ascontiguousarray(audio, dtype=np.float32).tobytes()).hexdigest()
        path = self.folder / f"{key}.json"
        if path.is_file():
            self.hits += 1
            return _segments(json.loads(path.read_text(encoding="utf-8"))), None
        self.misses += 1
        segments, _ = self.model_obj.transcribe(audio, **options)
        raw = [{"text": s.text, "words": [[w.word, w.start, w.end, w.probability] for w in s.words or []]}
               for s in segments]
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)  # another worker writing the same key writes the same text
        return _segments(raw), None


def _segments(raw: list[dict[str, Any]]) -> list[MemoSegment]:
    return [MemoSegment(s["text"], tuple(MemoWord(*w) for w in s["words"])) for s in raw]
