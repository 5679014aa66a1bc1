"""Vosk (Kaldi) streaming recognition, hidden behind our Recognizer Protocol.

Rough edges handled here: results arrive as JSON strings (parsed into Word/Transcript),
models load by explicit folder only (`Model(lang=...)` goes online and can exit the process),
Kaldi logs are silenced, and endpointing is made quick. The model's own endpoint rules wait
0.5-2 s of trailing silence; a trainee's answer should be final ~300 ms after they stop, so
our VAD's offset (hangover = trailing silence) calls FinalResult(). Vosk builds that expose
SetEndpointerDelays (newer than 0.3.45) get the same delay set natively as well.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from audio.asr import AsrUpdate, Transcript, Word
from audio.vad import Vad, VadConfig
from roleplay.model.errors import ModelError
from roleplay.model.message import Msg

_MODELS: dict[Path, Any] = {}
_LOCK = threading.Lock()
MAX_UTTERANCE_S = 30.0


def _import_vosk() -> Any:
    try:
        import vosk
    except ImportError:
        raise ModelError(Msg("vosk is not installed: pip install vosk")) from None
    vosk.SetLogLevel(-1)
    return vosk


def load_model(path: Path) -> Any:
    """A vosk.Model, loaded once per folder (loading takes seconds)."""
    path = Path(path).expanduser().resolve()
    with _LOCK:
        if path in _MODELS:
            return _MODELS[path]
        hint = Msg("run `roleplay models download en` (or zh), or pass --model FOLDER")
        if not path.is_dir():
            raise ModelError(Msg("{path}: no Vosk model folder there; {hint}", path=path, hint=hint))
        if not (path / "am").is_dir() and not (path / "final.mdl").exists():
            raise ModelError(Msg("{path}: not a Vosk model folder (no am/ inside); {hint}", path=path, hint=hint))
        vosk = _import_vosk()
        try:
            model = vosk.Model(str(path))
        except Exception as error:  # noqa: BLE001 - vosk raises a bare Exception on a broken model
            raise ModelError(Msg("{path}: the Vosk model failed to load ({error}); {hint}", path=path, error=error, hint=hint)) from None
        _MODELS[path] = model
        return model


def parse_words(items: list[dict[str, Any]]) -> tuple[Word, ...]:
    return tuple(
        Word(str(w["word"]), float(w["start"]), float(w["end"]), float(w.get("conf", 1.0)))
        for w in items
    )


def clamp_end(word: Word, end_s: float) -> Word:
    end = max(min(word.end_s, end_s), word.start_s)
    return word if end == word.end_s else Word(word.word, word.start_s, end, word.conf)


class VoskRecognizer:
    def __init__(
        self, model_path: Path, trailing_silence_ms: int = 300, sample_rate_hz: int = 16000
    ) -> None:
        self.sample_rate_hz = sample_rate_hz
        self.trailing_silence_ms = trailing_silence_ms
        self._model = load_model(model_path)
        self._vad = Vad(sample_rate_hz, config=VadConfig(hangover_ms=trailing_silence_ms))
        self.reset()

    def reset(self) -> None:
        # A fresh KaldiRecognizer is cheap (the model is shared) and restarts Vosk's word clock.
        rec = _import_vosk().KaldiRecognizer(self._model, self.sample_rate_hz)
        rec.SetWords(True)
        # Partial words off on purpose: with them on, vosk 0.3.45 holds partials back until the
        # words are stable (measured ~1.4 s later), which is too late to show live.
        rec.SetPartialWords(False)
        if hasattr(rec, "SetEndpointerDelays"):  # vosk newer than 0.3.45
            rec.SetEndpointerDelays(
                MAX_UTTERANCE_S, self.trailing_silence_ms / 1000, MAX_UTTERANCE_S
            )
        self._rec = rec
        self._vad.reset()
        self._samples = 0
        self._ready: Transcript | None = None
        self._last_partial = ""

    @property
    def stream_s(self) -> float:
        return self._samples / self.sample_rate_hz

    def accept(self, pcm16: bytes) -> AsrUpdate:
        self._samples += len(pcm16) // 2
        events = tuple(self._vad.feed(pcm16))
        if self._rec.AcceptWaveform(pcm16):
            self._last_partial = ""
            # Vosk's own endpoint; an empty result is just silence it chose to close.
            transcript = self._parse(self._rec.Result())
            if transcript.text:
                self._ready = transcript
                return AsrUpdate(transcript.text, True, events)
        elif offsets := [e for e in events if e.kind == "offset"]:
            self._last_partial = ""
            # FinalResult() stretches the last word to "now"; the VAD knows when speech ended.
            transcript = self._parse(self._rec.FinalResult(), offsets[-1].t_ms / 1000)
            if transcript.text:
                self._ready = transcript
                return AsrUpdate(transcript.text, True, events)
        if not self._vad.in_speech:  # PartialResult() walks the lattice: skip it in silence
            return AsrUpdate(self._last_partial, False, events)
        self._last_partial = json.loads(self._rec.PartialResult()).get("partial", "")
        return AsrUpdate(self._last_partial, False, events)

    def final(self) -> Transcript:
        ready, self._ready = self._ready, None
        self._last_partial = ""
        return ready if ready is not None else self._parse(self._rec.FinalResult())

    def _parse(self, result_json: str, speech_end_s: float | None = None) -> Transcript:
        result = json.loads(result_json)
        words = parse_words(result.get("result", []))
        if speech_end_s is not None:
            words = tuple(clamp_end(w, speech_end_s) for w in words)
        text = result.get("text", "") or " ".join(w.word for w in words)
        return Transcript(text.strip(), words, self.stream_s)
