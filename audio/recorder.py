"""The call recording: a stereo 16-bit WAV, customer left, trainee right, written as it goes.

Audio is placed at absolute call times (silence fills the gaps). Customer lines are scheduled
ahead, when they start playing; the trainee's audio arrives as it is spoken and so marks the
present. Frames up to a short hold-back before the present are complete and are flushed (the
hold-back because a customer line is stamped by the call clock, which under load can trail the
microphone's stream by a few ms), and the RIFF and data sizes in the header are rewritten after
every flush: a process killed mid-call leaves a playable WAV holding everything up to (at most
the hold-back and one flush before) that moment.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO, Self

import numpy as np

from roleplay.model.errors import AudioError
from roleplay.model.message import Msg

LEFT, RIGHT = 0, 1  # customer, trainee
HEADER_BYTES = 44


def wav_header(n_frames: int, rate_hz: int, channels: int = 2) -> bytes:
    data_bytes = n_frames * channels * 2
    return (b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVE"
            + b"fmt " + struct.pack("<IHHIIHH", 16, 1, channels, rate_hz, rate_hz * channels * 2,
                                    channels * 2, 16)
            + b"data" + struct.pack("<I", data_bytes))


class StereoRecorder:
    def __init__(self, path: Path, sample_rate_hz: int = 16000, flush_ms: int = 100,
                 holdback_ms: int = 250) -> None:
        self.path = Path(path)
        self.sample_rate_hz = sample_rate_hz
        self._flush_frames = max(1, sample_rate_hz * flush_ms // 1000)
        self._holdback_frames = sample_rate_hz * holdback_ms // 1000
        self._written = 0  # frames already in the file
        self._now = 0  # frames known to be complete (the present)
        self._pending = np.zeros((0, 2), dtype=np.int32)  # frames from _written on
        self.late_frames = 0  # audio that arrived for a time already flushed (dropped)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file: BinaryIO | None = open(self.path, "wb")  # noqa: SIM115 - open for the call
            self._file.write(wav_header(0, sample_rate_hz))
            self._file.flush()
        except OSError as error:
            raise AudioError(Msg("{path}: cannot write the call recording ({error})", path=self.path, error=error)) from None

    def _frame(self, t_ms: int) -> int:
        return max(0, int(t_ms) * self.sample_rate_hz // 1000)

    def _place(self, channel: int, t_ms: int, pcm16_mono: bytes) -> int:
        """Mix samples into the pending buffer; returns the frame just after them."""
        samples = np.frombuffer(pcm16_mono[: len(pcm16_mono) - len(pcm16_mono) % 2], dtype="<i2")
        start = self._frame(t_ms)
        end = start + len(samples)
        if start < self._written:
            skip = min(len(samples), self._written - start)
            self.late_frames += skip
            samples, start = samples[skip:], self._written
        needed = end - self._written - len(self._pending)
        if needed > 0:
            self._pending = np.concatenate([self._pending, np.zeros((needed, 2), np.int32)])
        offset = start - self._written
        self._pending[offset : offset + len(samples), channel] += samples
        return end

    def customer(self, t_ms: int, pcm16_mono: bytes) -> None:
        """A customer line starting at `t_ms` (may lie ahead of the present)."""
        self._place(LEFT, t_ms, pcm16_mono)

    def trainee(self, t_ms: int, pcm16_mono: bytes) -> None:
        """Microphone audio starting at `t_ms`; its end is the present."""
        end = self._place(RIGHT, t_ms, pcm16_mono)
        self._advance_frames(end)

    def cut_customer(self, t_ms: int) -> None:
        """Barge-in: the customer stopped at `t_ms`, so drop what was scheduled after it."""
        offset = max(0, self._frame(t_ms) - self._written)
        self._pending[offset:, LEFT] = 0
        # The silence the cut line leaves past the present is not part of the call.
        keep = max(offset, self._now - self._written)
        busy = np.flatnonzero(self._pending[keep:].any(axis=1))
        self._pending = self._pending[: keep + (int(busy[-1]) + 1 if len(busy) else 0)]

    def advance(self, t_ms: int) -> None:
        """The call reached `t_ms` (e.g. typed mode, where no microphone marks the time)."""
        self._advance_frames(self._frame(t_ms))

    def _advance_frames(self, frame: int) -> None:
        self._now = max(self._now, frame)
        complete = self._now - self._holdback_frames
        if complete - self._written >= self._flush_frames:
            self._flush(complete)

    def _flush(self, upto: int) -> None:
        if self._file is None or upto <= self._written:
            return
        count = upto - self._written
        if len(self._pending) < count:
            self._pending = np.concatenate(
                [self._pending, np.zeros((count - len(self._pending), 2), np.int32)])
        block = np.clip(self._pending[:count], -32768, 32767).astype("<i2")
        self._pending = self._pending[count:]
        try:
            self._file.write(block.tobytes())
            self._written = upto
            # Data first, then the sizes: a kill between the two leaves a header that
            # under-counts, which every reader accepts.
            self._file.seek(0)
            self._file.write(wav_header(self._written, self.sample_rate_hz))
            self._file.seek(0, 2)
            self._file.flush()
        except OSError as error:
            raise AudioError(Msg("{path}: cannot write the call recording ({error})", path=self.path, error=error)) from None

    @property
    def duration_ms(self) -> int:
        return max(self._now, self._written + len(self._pending)) * 1000 // self.sample_rate_hz

    def close(self) -> None:
        """Writes everything scheduled, including the rest of a customer line."""
        if self._file is None:
            return
        self._flush(max(self._now, self._written + len(self._pending)))
        self._file.close()
        self._file = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
