"""Headsets through sounddevice (PortAudio): listing, picking, remembering, and the microphone.

The PortAudio callback only queues bytes (vosk-api habit); resampling, stall detection and
framing all run on the engine side, so a WAV file can stand in for the microphone.
A device choice is remembered per station in station.json, so the next `roleplay run`
uses the same headset without flags.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Literal, Self

import numpy as np

from audio.wavio import ASR_RATE_HZ, lowpass_taps
from roleplay.model.errors import AudioError
from roleplay.model.message import Msg

Kind = Literal["input", "output"]
TYPED_HINT = Msg("use --typed to answer by keyboard")
CLOSE_WAIT_S = 2.0  # a stream that takes longer to stop is stuck in its driver


def sounddevice_module() -> ModuleType:
    """sounddevice raises OSError at import when the PortAudio library is missing."""
    try:
        import sounddevice
    except OSError:
        raise AudioError(Msg("PortAudio is not installed (apt-get install libportaudio2); {TYPED_HINT}", TYPED_HINT=TYPED_HINT)) from None
    return sounddevice


@contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """ALSA and PortAudio print their own diagnostics on fd 2 when a device fails to open; our
    AudioError says it in one line, so theirs are held back (as sounddevice does at start-up)."""
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


@dataclass(frozen=True)
class DeviceInfo:
    index: int
    name: str
    inputs: int
    outputs: int
    default_samplerate_hz: int
    is_default_in: bool = False
    is_default_out: bool = False

    def channels(self, kind: Kind) -> int:
        return self.inputs if kind == "input" else self.outputs


def list_devices() -> list[DeviceInfo]:
    sd = sounddevice_module()
    try:
        raw = sd.query_devices()
        default_in, default_out = sd.default.device
    except sd.PortAudioError as error:
        raise AudioError(Msg("cannot list audio devices ({error}); {TYPED_HINT}", error=error, TYPED_HINT=TYPED_HINT)) from None
    return [
        DeviceInfo(
            index=int(d["index"]), name=str(d["name"]),
            inputs=int(d["max_input_channels"]), outputs=int(d["max_output_channels"]),
            default_samplerate_hz=int(d["default_samplerate"]),
            is_default_in=int(d["index"]) == default_in, is_default_out=int(d["index"]) == default_out,
        )
        for d in raw
    ]


# --- station memory -------------------------------------------------------------------------
def station_path() -> Path:
    root = os.environ.get("ROLEPLAY_CONFIG")
    return (Path(root) if root else Path.home() / ".config" / "roleplay") / "station.json"


def load_station() -> dict[str, Any]:
    """The remembered choices; an unreadable file is ignored (it only saves typing)."""
    try:
        data = json.loads(station_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def remember_device(kind: Kind, device: DeviceInfo) -> None:
    """Names, not indexes: PortAudio renumbers devices when a headset is plugged in."""
    path = station_path()
    data = {**load_station(), f"{kind}_device": device.name}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as error:
        raise AudioError(Msg("{path}: cannot remember the {kind} device ({error}); set $ROLEPLAY_CONFIG to a writable folder", path=path, kind=kind, error=error)) from None


def remembered_device(kind: Kind) -> str | None:
    name = load_station().get(f"{kind}_device")
    return name if isinstance(name, str) and name else None


def _describe(devices: list[DeviceInfo], kind: Kind) -> str:
    usable = [f"{d.index} '{d.name}'" for d in devices if d.channels(kind) > 0]
    return ", ".join(usable) if usable else "none"


def _match(spec: str, candidates: list[DeviceInfo]) -> DeviceInfo | None:
    if spec.strip().isdigit():
        return next((d for d in candidates if d.index == int(spec)), None)
    wanted = spec.strip().casefold()
    exact = [d for d in candidates if d.name.casefold() == wanted]
    partial = [d for d in candidates if wanted in d.name.casefold()]
    return next(iter(exact or partial), None)


def pick_device(
    spec: str | None, kind: Kind, devices: list[DeviceInfo] | None = None, remember: bool = True
) -> DeviceInfo:
    """By index or case-insensitive name substring; with no spec, the station's remembered
    device if still plugged in, else the system default. An explicit choice is remembered."""
    devices = list_devices() if devices is None else devices
    candidates = [d for d in devices if d.channels(kind) > 0]
    what = Msg("microphone (input)") if kind == "input" else Msg("headphones (output)")
    if not candidates:
        raise AudioError(Msg("no {what} device found; plug in a headset, or {TYPED_HINT}", what=what, TYPED_HINT=TYPED_HINT))
    if spec is not None and str(spec).strip():
        found = _match(str(spec), candidates)
        if found is None:
            raise AudioError(Msg("no {what} device matches {spec!r}; devices: {kind}; see `roleplay devices`, or {TYPED_HINT}", what=what, spec=spec, kind=_describe(devices, kind), TYPED_HINT=TYPED_HINT))
        if remember:
            remember_device(kind, found)
        return found
    name = remembered_device(kind)
    found = _match(name, candidates) if name else None
    default = [d for d in candidates if (d.is_default_in if kind == "input" else d.is_default_out)]
    return found or (default or candidates)[0]


# --- microphone -----------------------------------------------------------------------------
class StreamResampler:
    """Chunks at the device rate in, int16 at `dst_hz` out, continuous across chunks:
    low-pass with carried filter history, then linear interpolation with a carried phase."""

    def __init__(self, src_hz: int, dst_hz: int) -> None:
        self.step = src_hz / dst_hz
        self.taps = lowpass_taps(0.45 * dst_hz, src_hz) if dst_hz < src_hz else np.ones(1)
        self._history = np.zeros(len(self.taps) - 1)
        self._pending = np.zeros(0)  # filtered samples the interpolation has not passed yet
        self._pos = 0.0  # where the next output sample falls, in _pending's coordinates

    def process(self, samples: np.ndarray) -> np.ndarray:
        full = np.concatenate([self._history, np.asarray(samples, dtype=np.float64)])
        if len(self._history):
            self._history = full[-len(self._history):]
        buf = np.concatenate([self._pending, np.convolve(full, self.taps, mode="valid")])
        last = len(buf) - 1
        n_out = int((last - self._pos) // self.step) + 1 if last >= self._pos else 0
        positions = self._pos + np.arange(n_out) * self.step
        out = np.interp(positions, np.arange(len(buf)), buf)
        next_pos = self._pos + n_out * self.step
        drop = min(int(next_pos), len(buf))
        self._pending, self._pos = buf[drop:], next_pos - drop
        return np.clip(np.round(out), -32768, 32767).astype(np.int16)


class MicrophoneSource:
    """16 kHz mono int16 frames of `frame_ms` from a PortAudio input device.

    Opened at 16 kHz when the device takes it, else at its native rate and resampled here.
    A device that errors, ends its stream or sends nothing for `stall_s` raises AudioError:
    that is what an unplugged headset looks like from PortAudio.
    """

    def __init__(self, device: DeviceInfo, sample_rate_hz: int = ASR_RATE_HZ, frame_ms: int = 20,
                 stall_s: float = 2.0, device_rate_hz: int | None = None) -> None:
        self.device = device
        self.sample_rate_hz = sample_rate_hz
        self.frame_bytes = sample_rate_hz * frame_ms // 1000 * 2
        self.stall_s = stall_s
        self._sd = sounddevice_module()
        with native_stderr_silenced():
            self.device_rate_hz = device_rate_hz or self._choose_rate()
        self._chunks: queue.Queue[tuple[bytes, bool] | None] = queue.Queue()
        self._resampler = (StreamResampler(self.device_rate_hz, sample_rate_hz)
                           if self.device_rate_hz != sample_rate_hz else None)
        self._buffer = bytearray()
        self._last_data = time.monotonic()
        self.status_flags = 0  # callbacks that reported overflow/underflow (dropped audio)
        self._stream: Any = None
        try:
            with native_stderr_silenced():
                self._stream = self._sd.RawInputStream(
                    samplerate=self.device_rate_hz, device=device.index, channels=1, dtype="int16",
                    blocksize=self.device_rate_hz * frame_ms // 1000,
                    callback=self._callback, finished_callback=self._finished,
                )
                self._stream.start()
        except self._sd.PortAudioError as error:
            raise self._error(f"could not start ({error})") from None

    def _choose_rate(self) -> int:
        try:
            self._sd.check_input_settings(device=self.device.index, samplerate=self.sample_rate_hz,
                                          channels=1, dtype="int16")
            return self.sample_rate_hz
        except (self._sd.PortAudioError, ValueError):
            return self.device.default_samplerate_hz

    # PortAudio's thread: nothing but a queue put.
    def _callback(self, indata: Any, frames: int, time_info: Any, status: Any) -> None:
        self._chunks.put((bytes(indata), bool(status)))

    def _finished(self) -> None:
        self._chunks.put(None)

    def _error(self, what: str) -> AudioError:
        return AudioError(Msg("microphone {index} '{name}' stopped: {what}; check the headset, or {TYPED_HINT}", index=self.device.index, name=self.device.name, what=what, TYPED_HINT=TYPED_HINT))

    def read(self, timeout_s: float) -> bytes:
        """One frame, or b"" when none arrived within `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        while len(self._buffer) < self.frame_bytes:
            try:
                item = self._chunks.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                if time.monotonic() - self._last_data > self.stall_s:
                    raise self._error(f"no audio for {self.stall_s:g} s") from None
                return b""
            if item is None:
                raise self._error("the stream ended (device unplugged?)")
            data, flagged = item
            self.status_flags += flagged
            self._last_data = time.monotonic()
            if self._resampler:
                data = self._resampler.process(np.frombuffer(data, dtype="<i2")).astype("<i2").tobytes()
            self._buffer += data
        frame = bytes(self._buffer[: self.frame_bytes])
        del self._buffer[: self.frame_bytes]
        return frame

    def close(self) -> None:
        """A device that stalls can leave PortAudio's capture thread blocked in the driver, and
        abort() then waits for it forever: stop from a helper thread and give up after a while,
        so a dead headset ends the call with its message instead of hanging the program."""
        stream, self._stream = self._stream, None
        if stream is None:
            return
        closer = threading.Thread(target=self._stop_stream, args=(stream,), daemon=True)
        closer.start()
        closer.join(CLOSE_WAIT_S)
        exit_handler = getattr(self._sd, "_exit_handler", None)
        if closer.is_alive() and exit_handler is not None:
            # sounddevice's exit handler would wait on the same stream: let the process exit.
            atexit.unregister(exit_handler)

    def _stop_stream(self, stream: Any) -> None:
        try:
            stream.abort()
            stream.close()
        except self._sd.PortAudioError:
            pass  # already gone with the device

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def device_table(devices: list[DeviceInfo]) -> list[str]:
    """`roleplay devices`: one row per device, marking defaults and the station's choices."""
    mine = {kind: remembered_device(kind) for kind in ("input", "output")}
    rows = [f"{'#':>3}  {'name':40} {'in':>4} {'out':>4} {'rate':>6}  notes"]
    for d in devices:
        notes = [label for label, hit in (
            ("default in", d.is_default_in), ("default out", d.is_default_out),
            ("remembered in", d.name == mine["input"] and d.inputs > 0),
            ("remembered out", d.name == mine["output"] and d.outputs > 0)) if hit]
        rows.append(f"{d.index:>3}  {d.name[:40]:40} {d.inputs:>4} {d.outputs:>4} "
                    f"{d.default_samplerate_hz:>6}  {', '.join(notes)}")
    for kind, name in mine.items():
        if name and not any(d.name == name for d in devices):
            rows.append(f"remembered {kind} '{name}' is not plugged in")
    rows.append(f"station file: {station_path()}")
    return rows
