"""One exception family: cli.py maps these to a one-line message and an exit code."""

from __future__ import annotations


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
