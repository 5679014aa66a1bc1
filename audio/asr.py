"""Speech recognition behind one small Protocol.

The real backends (audio/asr_vosk.py, audio/asr_whisper.py) are opened by name in
audio/recognizers.py; `ScriptedRecognizer` is the fake other modules test against.

Times: word times are seconds from the start of the stream (or file) the recognizer was fed
since it was made or last `reset()`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from audio.vad import VadEvent


@dataclass(frozen=True)
class Word:
    word: str
    start_s: float
    end_s: float
    conf: float

    def as_json(self) -> dict[str, object]:
        return {
            "word": self.word,
            "start": round(self.start_s, 3),
            "end": round(self.end_s, 3),
            "conf": round(self.conf, 3),
        }


@dataclass(frozen=True)
class Transcript:
    text: str
    words: tuple[Word, ...] = ()
    duration_s: float = 0.0  # audio seen by the recognizer so far (stream time)

    def as_json(self) -> dict[str, object]:
        return {
            "text": self.text,
            "duration": round(self.duration_s, 3),
            "words": [w.as_json() for w in self.words],
        }


@dataclass(frozen=True)
class AsrUpdate:
    """What one accept() learned: the partial text of the current utterance, whether the
    utterance just ended (call final() to get it), and the VAD onsets/offsets on the way."""

    partial: str = ""
    endpoint: bool = False
    vad_events: tuple[VadEvent, ...] = field(default_factory=tuple)


class Recognizer(Protocol):
    sample_rate_hz: int

    def accept(self, pcm16: bytes) -> AsrUpdate:
        """Feed mono int16 little-endian audio at sample_rate_hz, any length."""
        ...

    def final(self) -> Transcript:
        """The current utterance (flushing what is buffered); the next one starts empty."""
        ...

    def reset(self) -> None:
        """Forget everything, stream time back to 0."""
        ...


def join_transcripts(parts: Sequence[Transcript], duration_s: float) -> Transcript:
    words = tuple(w for part in parts for w in part.words)
    text = " ".join(part.text for part in parts if part.text)
    return Transcript(text, words, duration_s)


class ScriptedRecognizer:
    """The fake: utterances are given as text and come out one per VAD-less "turn".

    Each accept() adds its audio to stream time; once `words_after_ms` of audio has arrived
    the partial shows the first word, and after `utterance_ms` the utterance ends with an
    endpoint. Words are spread evenly over the utterance so timing code has real numbers.
    """

    def __init__(
        self,
        utterances: Sequence[str],
        sample_rate_hz: int = 16000,
        utterance_ms: int = 1000,
        words_after_ms: int = 200,
    ) -> None:
        self.sample_rate_hz = sample_rate_hz
        self._script = list(utterances)
        self.utterance_ms = utterance_ms
        self.words_after_ms = words_after_ms
        self.reset()

    def reset(self) -> None:
        self._queue = list(self._script)
        self._stream_samples = 0
        self._utterance_start = 0
        self._done: Transcript | None = None

    def _elapsed_ms(self) -> int:
        return (self._stream_samples - self._utterance_start) * 1000 // self.sample_rate_hz

    def accept(self, pcm16: bytes) -> AsrUpdate:
        self._stream_samples += len(pcm16) // 2
        if not self._queue or self._done is not None:
            return AsrUpdate()
        text = self._queue[0]
        if self._elapsed_ms() >= self.utterance_ms:
            self._done = self._transcript(self._queue.pop(0))
            return AsrUpdate(text, endpoint=True)
        shown = text.split()[:1] if self._elapsed_ms() >= self.words_after_ms else []
        return AsrUpdate(" ".join(shown))

    def final(self) -> Transcript:
        done = self._done or (self._transcript(self._queue.pop(0)) if self._queue else None)
        self._done = None
        self._utterance_start = self._stream_samples
        return done or Transcript("", (), self._stream_samples / self.sample_rate_hz)

    def _transcript(self, text: str) -> Transcript:
        tokens = text.split()
        start_s = self._utterance_start / self.sample_rate_hz
        step = self.utterance_ms / 1000 / max(len(tokens), 1)
        words = tuple(
            Word(t, start_s + i * step, start_s + (i + 1) * step, 1.0) for i, t in enumerate(tokens)
        )
        return Transcript(text, words, self._stream_samples / self.sample_rate_hz)
