"""One exception family: cli.py maps these to a one-line message and an exit code."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from roleplay.model.message import Msg, as_msg, joined

T = TypeVar("T")


class RoleplayError(Exception):
    """A user-facing problem: the message is one line that says what to do, a plain string or
    a `Msg` that the edge renders in the interface's language (`i18n.localise`)."""

    @property
    def text(self) -> Msg:
        """The message as a Msg, whichever way it was given."""
        first = self.args[0] if len(self.args) == 1 else None
        return first if isinstance(first, Msg) else Msg.verbatim(str(self))


class ScenarioError(RoleplayError):
    """One problem in an authored YAML file, located at path:line:col (1-based)."""

    def __init__(self, path: str, line: int, col: int, message: Msg | str, source_line: str = "") -> None:
        self.path = path
        self.line = line
        self.col = col
        self.problem = as_msg(message)     # the wording, in any language
        self.message = str(message)        # its English text (the JSON APIs' "message")
        self.source_line = source_line
        super().__init__(Msg.verbatim(f"{path}:{line}:{col}: ") + self.problem)


class ScenarioErrors(RoleplayError):
    """Every problem found in one or more files (validation never stops at the first)."""

    def __init__(self, errors: list[ScenarioError]) -> None:
        self.errors = errors
        if not errors:
            super().__init__(Msg("invalid scenario"))
        elif len(errors) == 1:
            super().__init__(errors[0].text)
        else:
            super().__init__(Msg("{first} (and {more} more)", first=errors[0].text, more=len(errors) - 1))


class AudioError(RoleplayError):
    """No device, a device that went away, or an unreadable audio file."""


class ModelError(RoleplayError):
    """A speech model that is missing, broken or cannot be downloaded."""


class ArchiveError(RoleplayError):
    """A call archive that is missing, corrupted or truncated."""


class FileProblems(RoleplayError):
    """Every problem found in one small authored file (a rubric, a phrasebank), one line each,
    so a trainer fixes them all in one go rather than one per run."""

    def __init__(self, problems: list[Msg | str]) -> None:
        self.problems = problems
        super().__init__(joined(problems, "\n"))


class ProblemCollector:
    """Runs a file's independent checks, keeping each one's RoleplayError instead of stopping."""

    def __init__(self) -> None:
        self.problems: list[Msg | str] = []

    def check(self, step: Callable[[], T]) -> T | None:
        try:
            return step()
        except FileProblems as error:
            self.problems.extend(error.problems)
        except RoleplayError as error:
            self.problems.append(error.text)
        return None

    def raise_any(self) -> None:
        if self.problems:
            raise FileProblems(self.problems)
