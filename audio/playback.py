"""The customer's voice into the trainee's headphones: non-blocking, stoppable (barge-in).

`SpeakerSink` plays through PortAudio; `NullSink` is the fake for tests and typed mode.
`play()` returns the line's length in ms so the engine can schedule the recorder and its
clock without waiting on the device.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from audio.devices import DeviceInfo, native_stderr_silenced, sounddevice_module
from audio.wavio import read_wav, resample
from roleplay.model.errors import AudioError
from roleplay.model.message import Msg


class Sink(Protocol):
    def play(self, wav: Path) -> int:
        """Start playing; returns at once with the audio's duration in ms."""
        ...

    def stop(self) -> int:
        """Cut the current line short (barge-in); returns the ms actually played."""
        ...

    def wait(self, timeout_s: float | None = None) -> bool:
        """True once playback is over (or was never started)."""
        ...

    def close(self) -> None: ...


def duration_ms(samples: np.ndarray, rate_hz: int) -> int:
    return round(len(samples) * 1000 / rate_hz)


class NullSink:
    """Plays nothing; remembers what it was asked to play."""

    def __init__(self) -> None:
        self.played: list[Path] = []

    def play(self, wav: Path) -> int:
        samples, rate = read_wav(wav, rate_hz=None)
        self.played.append(wav)
        return duration_ms(samples, rate)

    def stop(self) -> int:
        return 0

    def wait(self, timeout_s: float | None = None) -> bool:
        return True

    def close(self) -> None:
        pass


class SpeakerSink:
    """One PortAudio output stream per line; the callback copies from a prepared buffer."""

    def __init__(self, device: DeviceInfo, device_rate_hz: int | None = None) -> None:
        self.device = device
        self.device_rate_hz = device_rate_hz
        self._sd = sounddevice_module()
        self._stream: Any = None
        self._data = b""
        self._pos = 0  # bytes handed to PortAudio so far
        self._channels = 1
        self._rate = 0
        self._done = threading.Event()
        self._done.set()

    def _choose(self, wav_rate_hz: int) -> tuple[int, int]:
        """(rate, channels): the WAV's own rate when the device takes it, mono if possible."""
        rates = [self.device_rate_hz] if self.device_rate_hz else [wav_rate_hz, self.device.default_samplerate_hz]
        for channels in (1, 2):
            for rate in rates:
                try:
                    self._sd.check_output_settings(device=self.device.index, samplerate=rate,
                                                   channels=channels, dtype="int16")
                    return rate, channels
                except (self._sd.PortAudioError, ValueError):
                    continue
        raise self._error(f"takes neither {wav_rate_hz} Hz nor {self.device.default_samplerate_hz} Hz")

    def _error(self, what: str) -> AudioError:
        return AudioError(Msg("headphones {index} '{name}' failed: {what}; check the headset, pick another with --output, or use --no-tts", index=self.device.index, name=self.device.name, what=what))

    def play(self, wav: Path) -> int:
        self.stop()
        samples, wav_rate = read_wav(wav, rate_hz=None)
        with native_stderr_silenced():
            self._rate, self._channels = self._choose(wav_rate)
        if self._rate != wav_rate:
            samples = resample(samples, wav_rate, self._rate)
        frames = np.repeat(samples.astype("<i2")[:, None], self._channels, axis=1)
        self._data, self._pos = frames.tobytes(), 0
        self._done.clear()
        try:
            with native_stderr_silenced():
                self._stream = self._sd.RawOutputStream(
                    samplerate=self._rate, device=self.device.index, channels=self._channels,
                    dtype="int16", callback=self._callback, finished_callback=self._done.set,
                )
                self._stream.start()
        except self._sd.PortAudioError as error:
            self._done.set()
            raise self._error(str(error)) from None
        return duration_ms(samples, self._rate)

    # PortAudio's thread: copy the next block, stop at the end.
    def _callback(self, outdata: Any, frames: int, time_info: Any, status: Any) -> None:
        size = len(outdata)
        chunk = self._data[self._pos : self._pos + size]
        self._pos += len(chunk)
        outdata[: len(chunk)] = chunk
        if len(chunk) < size:
            outdata[len(chunk) :] = b"\x00" * (size - len(chunk))
            raise self._sd.CallbackStop

    @property
    def playing(self) -> bool:
        return not self._done.is_set()

    def played_ms(self) -> int:
        return round(self._pos / (2 * self._channels) * 1000 / self._rate) if self._rate else 0

    def stop(self) -> int:
        if self._stream is None:
            return 0
        stream, self._stream = self._stream, None
        try:
            stream.abort()
            stream.close()
        except self._sd.PortAudioError:
            pass  # the device went away; nothing left to stop
        self._done.set()
        return self.played_ms()

    def wait(self, timeout_s: float | None = None) -> bool:
        finished = self._done.wait(timeout_s)
        if finished and self._stream is not None:
            self._stream.close()
            self._stream = None
        return finished

    def close(self) -> None:
        self.stop()
