"""QA re-transcription: the trainee's answers in an archived call, heard again by Whisper.

The trainee channel (right) of the stereo call.wav is cut turn by turn at the VAD onset and
offset the live call logged, each cut is transcribed by faster-whisper, and the call's
timeline is rebuilt in memory with the new text in its ASR_FINAL events so the ordinary
scorer can score it. The recorded timeline is never changed: the new transcript goes into
a sidecar file beside call.json (retranscript.json), and the new scorecard says where its
text came from.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import wave
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from audio.asr import Transcript
from audio.wavio import ASR_RATE_HZ, resample
from roleplay.archive.calls import ArchivedCall, utc_iso, write_json_atomic
from roleplay.model.errors import ArchiveError, AudioError, ModelError, RoleplayError
from roleplay.model.events import (
    AsrFinal,
    Event,
    SpokenWord,
    Timeline,
    TraineeSpeechEnded,
    TraineeSpeechStarted,
)
from roleplay.model.message import Msg

BACKENDS = ("whisper",)
SIDECAR = "retranscript.json"
PRE_ROLL_MS = 300      # the live VAD onset can be late by a syllable (Whisper's own pre-roll)
TAIL_MS = 100          # the offset is logged at the end of speech; keep the last phoneme
SILENT_PEAK = 64       # int16 peak below which the trainee channel holds no speech at all
WAV_SLACK_MS = 200     # a recording may stop a little before the last logged offset

# (mono int16 samples at 16 kHz, offset of the first sample in seconds) -> Transcript
Transcribe = Callable[[np.ndarray, float], Transcript]


@dataclass(frozen=True)
class TurnCut:
    """One trainee answer: where its ASR_FINAL sits in the timeline and the audio span."""

    event_index: int
    node: str
    start_ms: int
    end_ms: int
    live_text: str


@dataclass(frozen=True)
class RetranscribedTurn:
    cut: TurnCut
    text: str
    words: tuple[SpokenWord, ...]

    @property
    def changed(self) -> bool:
        return _plain(self.text) != _plain(self.cut.live_text)

    def to_json(self) -> dict[str, Any]:
        c = self.cut
        return {"event": c.event_index, "node": c.node, "start_ms": c.start_ms, "end_ms": c.end_ms,
                "live_text": c.live_text, "text": self.text,
                "words": [dataclasses.asdict(w) for w in self.words],
                "changed": self.changed}


@dataclass(frozen=True)
class Retranscription:
    timeline: Timeline                 # the call's events with the new text; only in memory
    turns: tuple[RetranscribedTurn, ...]

    @property
    def changed(self) -> int:
        return sum(t.changed for t in self.turns)


def _plain(text: str) -> str:
    # Case, punctuation and spacing are not a change a QA lead cares about.
    return re.sub(r"[\W_]+", "", text.lower())


def check_model(model_path: Path | None) -> Path:
    """A cheap look before a batch starts: the folder and faster-whisper are there. The model
    itself is loaded in each worker (loading it here too would cost time and memory)."""
    if model_path is None:
        raise ModelError(Msg("--retranscribe whisper needs --model PATH (a faster-whisper model folder)"))
    path = Path(model_path).expanduser()
    if not (path / "model.bin").is_file():
        raise ModelError(Msg("{path}: not a faster-whisper model folder (no model.bin); pass --model FOLDER", path=path))
    if importlib.util.find_spec("faster_whisper") is None:
        raise ModelError(Msg("faster-whisper is not installed: pip install 'roleplay[whisper]'"))
    return path


def load_whisper(model_path: Path) -> Any:
    """The model, once per process (audio.asr_whisper caches it per folder)."""
    from audio.asr_whisper import load_model

    return load_model(model_path)


def whisper_transcriber(model_path: Path, language: str, where: Path) -> Transcribe:
    from audio.asr_whisper import transcribe_samples

    model = load_whisper(model_path)
    if language != "en" and not model.model.is_multilingual:
        raise ModelError(Msg("{where}: a {language} call, but {name} is an English-only Whisper model; pass --model with a multilingual Whisper model folder", where=where, language=language, name=Path(model_path).name))
    return lambda samples, offset_s: transcribe_samples(model_path, language, samples, ASR_RATE_HZ, offset_s)


def trainee_cuts(timeline: Timeline) -> list[TurnCut]:
    """One cut per trainee ASR_FINAL, from its onset (less a pre-roll, never into the previous
    cut) to its offset; an answer cut at the 60 s limit has no offset, so it ends at the final."""
    cuts: list[TurnCut] = []
    onset: int | None = None
    offset: int | None = None
    for index, event in enumerate(timeline.events):
        p = event.payload
        if isinstance(p, TraineeSpeechStarted):
            onset, offset = event.t_ms, None
        elif isinstance(p, TraineeSpeechEnded):
            offset = event.t_ms
        elif isinstance(p, AsrFinal):
            begin = onset if onset is not None else (p.words[0].start_ms if p.words else event.t_ms)
            floor = cuts[-1].end_ms if cuts else 0
            start = max(floor, begin - PRE_ROLL_MS)
            end = (offset if offset is not None and offset > begin else event.t_ms) + TAIL_MS
            cuts.append(TurnCut(index, p.node, start, max(end, start), p.text))
            onset = offset = None
    return cuts


def read_trainee_channel(path: Path) -> np.ndarray:
    """The right channel of the stereo call recording, int16 at 16 kHz."""
    fix = Msg("restore the recording from a backup, or rescore without --retranscribe")
    try:
        with wave.open(str(path), "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            promised = wav.getnframes()
            raw = wav.readframes(promised)
    except FileNotFoundError:
        raise AudioError(Msg("{path}: no recording (a typed or text call); rescore it without --retranscribe", path=path)) from None
    except (wave.Error, EOFError, OSError) as error:
        raise AudioError(Msg("{path}: not a readable WAV file ({error}); {fix}", path=path, error=error, fix=fix)) from None
    if channels != 2 or width != 2:
        raise AudioError(Msg("{path}: {channels} channel(s) of {width}-bit audio, not the stereo 16-bit call recording (trainee on the right); rescore without --retranscribe", path=path, channels=channels, width=8 * width))
    frames = len(raw) // (2 * channels)
    if frames < promised:
        raise AudioError(Msg("{path}: truncated (the header promises {promised:.1f} s, the file holds {held:.1f} s); {fix}", path=path, promised=promised / rate, held=frames / rate, fix=fix))
    right = np.frombuffer(raw[: frames * 4], dtype="<i2").reshape(-1, 2)[:, 1]
    return resample(right, rate, ASR_RATE_HZ) if rate != ASR_RATE_HZ else right.copy()


def retranscribe_call(call: ArchivedCall, transcribe: Transcribe) -> Retranscription:
    """Every trainee answer of `call` heard again; raises a RoleplayError naming the file when
    the call cannot be (no trainee speech, no or a short recording, a silent trainee channel)."""
    cuts = trainee_cuts(call.timeline)
    if not cuts:
        raise ArchiveError(Msg("{dir}: no trainee speech in the timeline, nothing to re-transcribe; rescore it without --retranscribe", dir=call.dir))
    wav = call.dir / "call.wav"
    audio = read_trainee_channel(wav)
    audio_ms = len(audio) * 1000 // ASR_RATE_HZ
    needed_ms = cuts[-1].end_ms - TAIL_MS
    if audio_ms + WAV_SLACK_MS < needed_ms:
        raise AudioError(Msg("{wav}: truncated (the recording ends at {audio_ms:.1f} s, the trainee speaks until {needed_ms:.1f} s); restore it, or rescore without --retranscribe", wav=wav, audio_ms=audio_ms / 1000, needed_ms=needed_ms / 1000))
    if not len(audio) or int(np.abs(audio.astype(np.int32)).max()) < SILENT_PEAK:
        raise AudioError(Msg("{wav}: the trainee channel (right) is silent, nothing to re-transcribe; rescore without --retranscribe", wav=wav))
    turns = tuple(_hear(cut, audio, transcribe) for cut in cuts)
    events = list(call.timeline.events)
    for turn in turns:
        old = events[turn.cut.event_index]
        if isinstance(old.payload, AsrFinal):
            heard = dataclasses.replace(old.payload, text=turn.text, words=turn.words)
            events[turn.cut.event_index] = Event(old.t_ms, heard)
    return Retranscription(Timeline(events), turns)


def _hear(cut: TurnCut, audio: np.ndarray, transcribe: Transcribe) -> RetranscribedTurn:
    lo, hi = (ms * ASR_RATE_HZ // 1000 for ms in (cut.start_ms, cut.end_ms))
    transcript = transcribe(audio[lo:hi], cut.start_ms / 1000)
    words = tuple(SpokenWord(w.word, round(w.start_s * 1000), round(w.end_s * 1000), round(w.conf, 3))
                  for w in transcript.words)
    return RetranscribedTurn(cut, transcript.text.strip(), words)


def save_sidecar(call_dir: Path, result: Retranscription, backend: str, model_path: Path,
                 language: str, at: datetime | None = None) -> Path:
    """retranscript.json beside call.json, replaced atomically (the latest re-transcription)."""
    path = Path(call_dir) / SIDECAR
    payload = {"schema": 1, "backend": backend, "model": str(model_path), "language": language,
               "at": utc_iso(at or datetime.now(UTC)), "turns_changed": result.changed,
               "turns": [t.to_json() for t in result.turns]}
    try:
        write_json_atomic(path, payload)
    except OSError as error:
        raise RoleplayError(Msg("{path}: cannot write the re-transcription ({strerror})", path=path, strerror=error.strerror)) from None
    return path


def provenance(result: Retranscription, backend: str, model_path: Path) -> dict[str, Any]:
    """What the new scorecard carries so a QA lead sees its text is not the live transcript."""
    return {"source": backend, "model": Path(model_path).name, "sidecar": SIDECAR,
            "turns": len(result.turns), "turns_changed": result.changed}
