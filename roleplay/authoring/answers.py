"""ANSWERS.yaml: a simulated trainee's answers, one entry per turn (docs/architecture.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from roleplay.model.errors import RoleplayError


@dataclass(frozen=True)
class AnswerStep:
    delay_s: float = 0.8          # silence after the customer stops, before the trainee starts
    say: str = ""                 # text spoken by the trainee TTS voice (or the transcript, --asr text)
    audio: Path | None = None     # a recorded answer
    silence_s: float = 0.0        # the trainee says nothing for this long

    @property
    def is_silence(self) -> bool:
        return not self.say and self.audio is None


def load_answers(path: Path) -> list[AnswerStep]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise RoleplayError(f"{path}: cannot read answers file: {e.strerror}") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise RoleplayError(f"{where}: not valid YAML: {getattr(e, 'problem', e)}") from None
    if not isinstance(raw, list):
        raise RoleplayError(f"{path}: an answers file is a list of entries (say:, audio: or silence:)")
    return [_step(path, i, entry) for i, entry in enumerate(raw, start=1)]


def _step(path: Path, index: int, entry: object) -> AnswerStep:
    where = f"{path}: entry {index}"
    if not isinstance(entry, dict):
        raise RoleplayError(f"{where}: expected a mapping with say:, audio: or silence:")
    unknown = set(entry) - {"say", "audio", "silence", "delay"}
    kinds = [k for k in ("say", "audio", "silence") if k in entry]
    if unknown:
        raise RoleplayError(f"{where}: unknown key {min(unknown)!r} (use say, audio, silence, delay)")
    if len(kinds) != 1:
        raise RoleplayError(f"{where}: give exactly one of say:, audio: or silence:")
    try:
        delay = float(entry.get("delay", 0.8))
        silence = float(entry.get("silence", 0))
    except (TypeError, ValueError):
        raise RoleplayError(f"{where}: delay and silence are numbers of seconds") from None
    audio = None
    if "audio" in entry:
        audio = (path.parent / str(entry["audio"])).resolve()
        if not audio.is_file():
            raise RoleplayError(f"{where}: audio file {audio} not found")
    return AnswerStep(delay_s=delay, say=str(entry.get("say", "")), audio=audio, silence_s=silence)
