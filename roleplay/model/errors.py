"""One exception family: cli.py maps these to a one-line message and an exit code."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class RoleplayError(Exception):
    """A user-facing problem: the message is one line that says what to do."""


class ScenarioError(RoleplayError):
    """One problem in an authored YAML file, located at path:line:col (1-based)."""

    def __init__(self, path: str, line: int, col: int, message: str, source_line: str = "") -> None:
        self.path = path
        self.line = line
        self.col = col
        self.message = message
        self.source_line = source_line
        super().__init__(f"{path}:{line}:{col}: {message}")


class ScenarioErrors(RoleplayError):
    """Every problem found in one or more files (validation never stops at the first)."""

    def __init__(self, errors: list[ScenarioError]) -> None:
        self.errors = errors
        first = errors[0] if errors else None
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"{first}{more}" if first else "invalid scenario")


class AudioError(RoleplayError):
    """No device, a device that went away, or an unreadable audio file."""


class ModelError(RoleplayError):
    """A speech model that is missing, broken or cannot be downloaded."""


class ArchiveError(RoleplayError):
    """A call archive that is missing, corrupted or truncated."""


class FileProblems(RoleplayError):
    """Every problem found in one small authored file (a rubric, a phrasebank), one line each,
    so a trainer fixes them all in one go rather than one per run."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class ProblemCollector:
    """Runs a file's independent checks, keeping each one's RoleplayError instead of stopping."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def check(self, step: Callable[[], T]) -> T | None:
        try:
            return step()
        except FileProblems as error:
            self.problems.extend(error.problems)
        except RoleplayError as error:
            self.problems.append(str(error))
        return None

    def raise_any(self) -> None:
        if self.problems:
            raise FileProblems(self.problems)
