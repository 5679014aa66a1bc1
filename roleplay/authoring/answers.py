"""ANSWERS.yaml: a simulated trainee's answers, one entry per turn (docs/architecture.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from roleplay.authoring.yamlmarks import Y, YamlDoc
from roleplay.model.errors import ScenarioError, ScenarioErrors
from roleplay.model.message import Msg

STEP_KEYS = ("say", "audio", "silence", "delay")
MAX_SECONDS = 3600.0   # a pause longer than an hour is a typo, and would stall a simulation


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
    """Read a simulated trainee's answers; raises ScenarioErrors listing every problem, each
    at file:line:col (the same bounded, located reader as scenarios)."""
    try:
        data = path.read_bytes()
    except OSError as e:
        reason = (Msg("no such file") if isinstance(e, FileNotFoundError)
                  else Msg("cannot read it ({reason})", reason=e.strerror))
        raise ScenarioErrors([ScenarioError(str(path), 1, 1, Msg("answers file: {reason}", reason=reason))]) from None
    doc = YamlDoc(str(path), data)
    root = doc.parse()
    steps: list[AnswerStep] = []
    if root is not None:
        if root.kind != "list":
            doc.error(root, Msg("an answers file is a list of entries (say:, audio: or silence:)"))
        entries = root.value if root.kind == "list" else []
        steps = [s for i, e in enumerate(entries, start=1) if (s := _step(doc, path, i, e))]
    if doc.errors:
        raise ScenarioErrors(doc.sorted_errors())
    return steps


def _step(doc: YamlDoc, path: Path, index: int, y: Y) -> AnswerStep | None:
    where = Msg("entry {index}", index=index)
    entry = doc.mapping(y, where, (), STEP_KEYS)
    if entry is None:
        return None
    kinds = [k for k in ("say", "audio", "silence") if k in entry]
    if len(kinds) != 1:
        doc.error(y, Msg("{where}: give exactly one of say:, audio: or silence:", where=where))
        return None
    # A negative delay starts the answer before the customer stops: a barge-in.
    delay = doc.number(entry["delay"], where + ".delay", -MAX_SECONDS, MAX_SECONDS) if "delay" in entry else 0.8
    silence = doc.number(entry["silence"], where + ".silence", 0, MAX_SECONDS) if "silence" in entry else 0.0
    say = doc.text(entry["say"], where + ".say") if "say" in entry else ""
    audio = None
    if "audio" in entry and (name := doc.text(entry["audio"], where + ".audio")) is not None:
        audio = (path.parent / name).resolve()
        if not audio.is_file():
            doc.error(entry["audio"], Msg("{where}: audio file {audio} not found", where=where, audio=str(audio)))
            return None
    if delay is None or silence is None or say is None:
        return None
    return AnswerStep(delay_s=delay, say=say, audio=audio, silence_s=silence)
