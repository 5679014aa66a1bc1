"""A real-time microphone for the virtual ALSA headset (asoundrc.template).

ALSA's null slave paces nothing: a capture stream on it returns the `infile` as fast as it is
read (about a thousand times real time here) and, once the file ends, repeats its last period
forever. A live call counts time in samples read, so a plain file would race through the
trainee's answers before the customer has finished a line. Here the `infile` is a FIFO that
this class fills at 16 kHz on the monotonic clock, 20 ms at a time, the same size the
microphone reads (a shorter read would leave stale samples in the period). It keeps at most
`lead_ms` in the pipe, so what is fed while nobody listens is lost, as on a real microphone.

`say()` schedules speech relative to now; `stall()` stops the audio with the FIFO still open,
so the capture thread blocks: what an unplugged USB headset looks like to PortAudio.
"""

from __future__ import annotations

import array
import fcntl
import os
import termios
import threading
import time
from pathlib import Path

import numpy as np

RATE_HZ = 16000
CHUNK = RATE_HZ // 50  # samples in 20 ms: MicrophoneSource's block at 16 kHz


class FifoMicrophone:
    def __init__(self, path: Path, lead_ms: int = 60, noise_rms: float = 10.0, seed: int = 0) -> None:
        self.path = Path(path)
        if self.path.exists():
            self.path.unlink()
        os.mkfifo(self.path)
        # Read-write: the device's opens never wait for a writer, and there is always one,
        # so the capture thread blocks on an empty pipe instead of seeing end of file.
        self._fd = os.open(self.path, os.O_RDWR | os.O_NONBLOCK)
        self._lead_bytes = lead_ms * RATE_HZ // 1000 * 2
        self._noise_rms = noise_rms  # a quiet line, so the recording shows where audio was read
        self._rng = np.random.default_rng(seed)
        self._speech: list[tuple[int, np.ndarray]] = []  # (feeder sample, audio)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._stalled = threading.Event()
        self.fed = bytearray()  # every byte written, in order: what the microphone will deliver
        self.fed_at: list[int] = []  # feeder sample index of each written chunk
        self.said_at: list[int] = []  # feeder sample where each say() starts
        self._t0 = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="fifo-mic", daemon=True)
        self._thread.start()

    def now_sample(self) -> int:
        return int((time.monotonic() - self._t0) * RATE_HZ)

    def say(self, samples: np.ndarray, delay_ms: int) -> int:
        """Speak `samples` starting `delay_ms` from now; returns the feeder sample it starts at."""
        start = self.now_sample() + delay_ms * RATE_HZ // 1000
        with self._lock:
            self._speech.append((start, samples.astype(np.float64)))
            self.said_at.append(start)
        return start

    def stall(self) -> None:
        self._stalled.set()

    def _queued_bytes(self) -> int:
        buf = array.array("i", [0])
        fcntl.ioctl(self._fd, termios.FIONREAD, buf)
        return int(buf[0])

    def _chunk(self, k: int) -> bytes:
        start, end = k * CHUNK, (k + 1) * CHUNK
        frame = self._rng.standard_normal(CHUNK) * self._noise_rms
        with self._lock:
            for at, audio in self._speech:
                lo, hi = max(start, at), min(end, at + len(audio))
                if lo < hi:
                    frame[lo - start : hi - start] += audio[lo - at : hi - at]
        return np.clip(np.round(frame), -32768, 32767).astype("<i2").tobytes()

    def _run(self) -> None:
        k = 0
        while not self._stop.is_set():
            due = self.now_sample() // CHUNK
            while k < due and not self._stalled.is_set():
                chunk = self._chunk(k)
                if self._queued_bytes() + len(chunk) <= self._lead_bytes:
                    os.write(self._fd, chunk)  # 640 bytes: under PIPE_BUF, so written whole
                    self.fed += chunk
                    self.fed_at.append(k * CHUNK)
                k += 1
            self._stop.wait(0.005)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        os.close(self._fd)
