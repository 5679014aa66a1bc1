"""Whisper (faster-whisper on CTranslate2, int8 on CPU): utterance-level recognition.

Whisper cannot stream, so accept() only buffers audio and watches our VAD; the offset is the
endpoint, and final() transcribes the buffered utterance in one go. Its own VAD filter and
previous-text conditioning are off: we already cut utterances, and conditioning makes a
hallucination in one utterance leak into the next.

Mandarin: the multilingual models write Chinese mostly in traditional characters, while
scenarios, phrasebank and facts are simplified; audio/whisper_zh.py fixes every word first.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np

from audio.asr import AsrUpdate, Transcript, Word
from audio.vad import Vad, VadConfig
from audio.whisper_zh import script_fixer
from roleplay.model.errors import ModelError
from roleplay.model.message import Msg

_MODELS: dict[Path, Any] = {}
_LOCK = threading.Lock()
PRE_ROLL_MS = 300  # audio kept before a VAD onset: the onset may be a little late
CPU_THREADS = 2


# Initial prompts by language: none. A simplified Mandarin one (您好，请问有什么可以帮您？)
# measured worse with Whisper base (docs/benchmarks.md, "Mandarin recognition"): it starts
# repetition loops (请问有什么可以帮您 twenty times, runs of ？) and does not stop traditional
# characters, which audio/whisper_zh.py converts anyway. bench/zh_asr_bench.py --prompt tries one.
INITIAL_PROMPTS: dict[str, str] = {}


def load_model(path: Path) -> Any:
    """A faster_whisper.WhisperModel, loaded once per folder."""
    path = Path(path).expanduser().resolve()
    with _LOCK:
        if path in _MODELS:
            return _MODELS[path]
        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise ModelError(
                Msg("faster-whisper is not installed: pip install 'roleplay[whisper]'")
            ) from None
        if not (path / "model.bin").is_file():
            raise ModelError(
                Msg("{path}: not a faster-whisper model folder (no model.bin); pass --model FOLDER", path=path)
            )
        try:
            model = WhisperModel(
                str(path),
                device="cpu",
                compute_type="int8",
                cpu_threads=CPU_THREADS,
                local_files_only=True,
            )
        except Exception as error:  # noqa: BLE001 - CTranslate2 raises assorted types on bad files
            raise ModelError(Msg("{path}: the Whisper model failed to load ({error})", path=path, error=error)) from None
        _MODELS[path] = model
        return model


def check_language(model: Any, path: Path, language: str) -> None:
    if not model.model.is_multilingual and language != "en":
        raise ModelError(
            Msg("{path}: this Whisper model is English-only (.en); for --lang {language} use a multilingual model or --asr vosk", path=path, language=language)
        )


def transcribe_samples(
    model_path: Path,
    language: str,
    samples: np.ndarray,
    rate_hz: int = 16000,
    offset_s: float = 0.0,
) -> Transcript:
    """One utterance or a whole file: int16 at 16 kHz in, word times + offset_s out."""
    model = load_model(model_path)
    check_language(model, Path(model_path), language)
    audio = np.asarray(samples, dtype=np.float32) / 32768.0
    if len(audio) < rate_hz // 10:  # under 100 ms: nothing Whisper could say honestly
        return Transcript("", (), offset_s + len(audio) / rate_hz)
    segments, _ = model.transcribe(
        audio,
        language=language,
        beam_size=1,
        word_timestamps=True,
        condition_on_previous_text=False,
        vad_filter=False,
        initial_prompt=INITIAL_PROMPTS.get(language),
    )
    fix = script_fixer(language)
    words: list[Word] = []
    texts: list[str] = []
    for segment in segments:
        texts.append(fix(segment.text.strip()))
        words.extend(
            Word(
                fix(w.word.strip()),
                offset_s + float(w.start),
                offset_s + float(w.end),
                float(w.probability),
            )
            for w in segment.words or []
        )
    return Transcript(
        " ".join(t for t in texts if t), tuple(words), offset_s + len(audio) / rate_hz
    )


class WhisperRecognizer:
    def __init__(
        self,
        model_path: Path,
        language: str = "en",
        trailing_silence_ms: int = 300,
        sample_rate_hz: int = 16000,
    ) -> None:
        self.sample_rate_hz = sample_rate_hz
        self.model_path = Path(model_path)
        self.language = language
        check_language(load_model(self.model_path), self.model_path, language)  # fail early
        self._vad = Vad(sample_rate_hz, config=VadConfig(hangover_ms=trailing_silence_ms))
        self.reset()

    def reset(self) -> None:
        self._vad.reset()
        self._chunks: list[bytes] = []
        self._buffer_start = 0  # stream sample index of the first buffered sample
        self._samples = 0
        self._speech_end_ms: int | None = None
        self._heard_speech = False

    def accept(self, pcm16: bytes) -> AsrUpdate:
        self._chunks.append(pcm16)
        self._samples += len(pcm16) // 2
        events = tuple(self._vad.feed(pcm16))
        self._heard_speech |= any(e.kind == "onset" for e in events)
        offsets = [e for e in events if e.kind == "offset"]
        if offsets:
            self._speech_end_ms = offsets[-1].t_ms
        elif not self._heard_speech and not self._vad.in_speech:
            self._trim_to_pre_roll()
        return AsrUpdate("", bool(offsets) and self._heard_speech, events)

    def final(self) -> Transcript:
        data = b"".join(self._chunks)
        samples = np.frombuffer(data[: len(data) - len(data) % 2], dtype="<i2")
        if self._speech_end_ms is not None:  # leave out the hangover silence after the speech
            keep = (self._speech_end_ms + 100) * self.sample_rate_hz // 1000 - self._buffer_start
            samples = samples[: max(keep, 0)]
        start_s = self._buffer_start / self.sample_rate_hz
        transcript = (
            transcribe_samples(
                self.model_path, self.language, samples, self.sample_rate_hz, start_s
            )
            if self._heard_speech or self._vad.in_speech
            else Transcript("", (), 0.0)
        )
        self._chunks, self._buffer_start = [], self._samples
        self._speech_end_ms, self._heard_speech = None, False
        return Transcript(transcript.text, transcript.words, self._samples / self.sample_rate_hz)

    def _trim_to_pre_roll(self) -> None:
        data = b"".join(self._chunks)
        keep = 2 * (PRE_ROLL_MS * self.sample_rate_hz // 1000)
        if len(data) > keep:
            self._buffer_start += (len(data) - keep) // 2
            self._chunks = [data[-keep:]]
