"""Energy-based voice activity detection for 16 kHz mono int16 audio.

Why energy and not a model: it costs nothing per 10 ms frame, has no dependency, and on
telephone-band speech at 20 dB SNR it places onsets within a frame or two. Robustness comes
from an adaptive noise floor (follows the line noise, frozen during speech), hysteresis (a
higher level to start than to continue), a minimum speech duration (clicks are not speech)
and a hangover (short pauses inside a sentence are not an offset).

Onsets are backdated to the first frame of the run that crossed the threshold, and then a
little further back to where the level first rose clearly above the floor, because the
trainee's answer latency is measured from this time.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Literal

import numpy as np

SILENCE_DB = -100.0  # level of digital silence; keeps log10 finite


@dataclass(frozen=True)
class VadConfig:
    frame_ms: int = 10
    onset_db: float = 9.0  # above the noise floor to start speech
    continue_db: float = 5.0  # above the floor to stay in speech (hysteresis)
    rise_db: float = 3.0  # backdating: the level counts as "risen" from here
    min_level_dbfs: float = -55.0  # absolute floor: very quiet input is never speech
    min_speech_ms: int = 40  # shorter bursts are clicks, not speech
    max_gap_ms: int = 60  # a dip this short does not end a starting run ("the ... refund")
    hangover_ms: int = 300  # silence needed to call an offset
    max_backdate_ms: int = 100  # how far before the crossing the onset may be moved
    floor_rise_db_per_s: float = 3.0  # how fast the floor follows rising noise
    stuck_ms: int = 3000  # "speech" with no dip to the floor this long is new noise


@dataclass(frozen=True)
class VadEvent:
    kind: Literal["onset", "offset"]
    t_ms: int  # when it happened, from the stream start (backdated)
    decided_ms: int  # stream time at which the VAD could say so (t_ms + latency)


def frame_levels_db(samples: np.ndarray, frame_len: int) -> np.ndarray:
    """RMS level of each whole frame in dBFS."""
    n = len(samples) // frame_len
    x = np.asarray(samples[: n * frame_len], dtype=np.float64).reshape(n, frame_len) / 32768.0
    power = np.mean(x * x, axis=1)
    return 10.0 * np.log10(np.maximum(power, 10 ** (SILENCE_DB / 10)))


class Vad:
    """Streaming VAD: feed bytes of any length, get events with stream times."""

    def __init__(
        self, sample_rate_hz: int = 16000, frame_ms: int = 10, config: VadConfig | None = None
    ):
        self.config = config or VadConfig(frame_ms=frame_ms)
        self.sample_rate_hz = sample_rate_hz
        self.frame_len = sample_rate_hz * self.config.frame_ms // 1000
        self.reset()

    def reset(self) -> None:
        self._pending = b""
        self._frame_index = 0
        self._floor_db: float | None = None
        self._in_speech = False
        self._candidate_start: int | None = None  # first frame of a run above the onset level
        self._loud_frames = 0
        self._gap_frames = 0
        self._quiet_frames = 0
        self._speech_end = 0  # first quiet frame after the last speech frame
        self._history: deque[float] = deque(maxlen=self.config.stuck_ms // self.config.frame_ms)

    @property
    def in_speech(self) -> bool:
        return self._in_speech

    @property
    def stream_ms(self) -> int:
        return self._frame_index * self.config.frame_ms

    def feed(self, pcm16: bytes) -> list[VadEvent]:
        data = self._pending + pcm16
        usable = len(data) - len(data) % (2 * self.frame_len)
        self._pending = data[usable:]
        samples = np.frombuffer(data[:usable], dtype="<i2")
        events: list[VadEvent] = []
        for level in frame_levels_db(samples, self.frame_len):
            event = self._step(float(level))
            if event:
                events.append(event)
        return events

    def _step(self, level: float) -> VadEvent | None:
        cfg = self.config
        index = self._frame_index
        self._frame_index += 1
        self._history.append(level)
        floor = self._update_floor(level)
        onset_level = max(floor + cfg.onset_db, cfg.min_level_dbfs)
        continue_level = max(
            floor + cfg.continue_db, cfg.min_level_dbfs - (cfg.onset_db - cfg.continue_db)
        )
        if not self._in_speech:
            return self._step_silence(index, level, onset_level, continue_level, floor)
        if level >= continue_level:
            self._quiet_frames = 0
            self._speech_end = index + 1
            return None
        self._quiet_frames += 1
        if self._quiet_frames * cfg.frame_ms >= cfg.hangover_ms:
            self._in_speech = False
            self._candidate_start = None
            return VadEvent(
                "offset", self._speech_end * cfg.frame_ms, self._frame_index * cfg.frame_ms
            )
        return None

    def _step_silence(
        self, index: int, level: float, onset_level: float, continue_level: float, floor: float
    ) -> VadEvent | None:
        cfg = self.config
        if self._candidate_start is None:
            if level >= onset_level:
                self._candidate_start, self._loud_frames, self._gap_frames = index, 1, 0
            return None
        if level < continue_level:
            self._gap_frames += 1
            if self._gap_frames * cfg.frame_ms > cfg.max_gap_ms:  # it died young: a click
                self._candidate_start = None
            return None
        self._gap_frames = 0
        self._loud_frames += level >= onset_level
        if self._loud_frames * cfg.frame_ms < cfg.min_speech_ms:
            return None
        self._in_speech = True
        self._quiet_frames = 0
        self._speech_end = index + 1
        start = self._backdate(self._candidate_start, floor)
        return VadEvent("onset", start * cfg.frame_ms, self._frame_index * cfg.frame_ms)

    def _backdate(self, start: int, floor: float) -> int:
        """Walk back from the crossing frame while the level is still clearly above the floor.
        Levels are averaged over 3 frames: a weak "th" or "h" sits only 2-4 dB above the line
        noise, and single 10 ms frames of noise reach that often, three in a row rarely."""
        cfg = self.config
        offset = self._frame_index - len(self._history)  # frame index of history[0]
        earliest = max(start - cfg.max_backdate_ms // cfg.frame_ms, offset + 1)
        history = self._history
        while start - 1 >= earliest:
            i = start - 1 - offset
            if (history[i - 1] + history[i] + history[i + 1]) / 3 < floor + cfg.rise_db:
                break
            start -= 1
        return start

    def _update_floor(self, level: float) -> float:
        """Fast down, slow up, frozen during speech: a minimum tracker of the line noise."""
        cfg = self.config
        if self._floor_db is None or level < self._floor_db:
            self._floor_db = level
        elif not self._in_speech and self._candidate_start is None:
            rise = cfg.floor_rise_db_per_s * cfg.frame_ms / 1000
            self._floor_db = min(level, self._floor_db + rise)
        elif self._in_speech and len(self._history) == self._history.maxlen:
            # Speech always has gaps near the floor within a few seconds; a level that never
            # comes down is a louder line, so re-learn the floor instead of staying "in speech".
            lowest = min(self._history)
            if lowest > self._floor_db + cfg.continue_db:
                self._floor_db = lowest
        return self._floor_db


def speech_segments(
    samples: np.ndarray, rate_hz: int = 16000, config: VadConfig | None = None
) -> list[tuple[int, int]]:
    """Whole signal: [(onset_ms, offset_ms)]; a segment still open at the end is closed there."""
    vad = Vad(rate_hz, config=config)
    segments: list[tuple[int, int]] = []
    onset: int | None = None
    for event in vad.feed(np.asarray(samples, dtype="<i2").tobytes()):
        if event.kind == "onset":
            onset = event.t_ms
        elif onset is not None:
            segments.append((onset, event.t_ms))
            onset = None
    if onset is not None:
        segments.append((onset, max(vad._speech_end * vad.config.frame_ms, onset)))
    return segments


def db_to_amplitude(db: float) -> float:
    return 32768.0 * math.pow(10.0, db / 20.0)
