"""Opening a speech recogniser by backend name, and transcribing whole files.

Two real backends: `vosk` (streaming, partials, quick endpoints; the live default) and
`whisper` (faster-whisper, utterance-level, more accurate; QA re-transcription). They are
imported here, lazily, so importing the Protocol (audio/asr.py) never loads a model library.
"""

from __future__ import annotations

from pathlib import Path

from audio.asr import Recognizer, Transcript, join_transcripts
from roleplay.model.errors import ModelError
from roleplay.model.message import Msg

BACKENDS: tuple[str, ...] = ("vosk", "whisper")
CHUNK_MS = 100  # how much audio file transcription feeds per accept() call


def open_recognizer(
    backend: str, language: str, model_path: Path | None = None, trailing_silence_ms: int = 300
) -> Recognizer:
    """A recognizer for `backend`; model_path defaults to the installed model for `language`."""
    if backend == "vosk":
        from audio.asr_vosk import VoskRecognizer
        from audio.models import model_path as installed_model

        return VoskRecognizer(model_path or installed_model(language), trailing_silence_ms)
    if backend == "whisper":
        from audio.asr_whisper import WhisperRecognizer

        if model_path is None:
            raise ModelError(Msg("--asr whisper needs --model PATH (a faster-whisper model folder)"))
        return WhisperRecognizer(model_path, language, trailing_silence_ms)
    raise ModelError(Msg("unknown ASR backend {backend!r}; use one of: {BACKENDS}", backend=backend, BACKENDS=', '.join(BACKENDS)))


def transcribe_file(
    path: Path, language: str = "en", backend: str = "vosk", model_path: Path | None = None
) -> Transcript:
    """The whole file as one Transcript; word times from the file start. Models are cached
    per folder by the backends, so a batch of files loads the model once."""
    from audio.wavio import read_wav

    # The model first: a model problem should be reported before any file problem.
    recognizer = open_recognizer(backend, language, model_path)
    samples, rate = read_wav(path)
    if backend == "whisper":
        from audio.asr_whisper import transcribe_samples

        assert model_path is not None  # open_recognizer() checked it
        return transcribe_samples(model_path, language, samples, rate)  # whole file in one go
    chunk = rate * CHUNK_MS // 1000
    parts: list[Transcript] = []
    for start in range(0, len(samples), chunk):
        if recognizer.accept(samples[start : start + chunk].tobytes()).endpoint:
            parts.append(recognizer.final())
    parts.append(recognizer.final())
    return join_transcripts(parts, len(samples) / rate)
