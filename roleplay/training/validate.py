"""`roleplay validate`: check scenario, answers and curriculum files and folders, every problem
located. It sits with training because curricula are read there; scenarios by authoring."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from roleplay.authoring.file_kinds import is_curriculum, yaml_files
from roleplay.authoring.loader import load_scenario
from roleplay.model.errors import RoleplayError, ScenarioError, ScenarioErrors
from roleplay.model.i18n import localise
from roleplay.model.message import Msg, unprefixed
from roleplay.training.curriculum import validate_curriculum


def validate_paths(paths: list[Path]) -> tuple[list[ScenarioError], int]:
    """Every problem in these files and folders (recursing into *.yaml / *.yml), sorted by
    path, line and column, and how many files were checked."""
    errors: list[ScenarioError] = []
    files: dict[Path, None] = {}   # ordered set: a file named twice is checked once
    for path in paths:
        if path.is_dir():
            files.update(dict.fromkeys(yaml_files(path)))
        elif path.exists():
            files[path] = None
        else:
            errors.append(ScenarioError(str(path), 1, 1, Msg("no such file or folder")))
    for file in files:
        try:
            errors.extend(validate_file(file))
        except RoleplayError as error:   # one file's problem never stops the others
            errors.append(ScenarioError(str(file), 1, 1, unprefixed(error.text, f"{file}: ")))
    errors.sort(key=lambda e: (e.path, e.line, e.col))
    return errors, len(files)


def validate_file(path: Path) -> list[ScenarioError]:
    """The problems in one scenario, curriculum or answers file (empty when it is fine)."""
    if "answers" in path.parent.parts:
        return _validate_answers(path)
    if is_curriculum(path):
        return list(validate_curriculum(path))
    try:
        load_scenario(path)
    except ScenarioErrors as e:
        return list(e.errors)
    return []


def _validate_answers(path: Path) -> list[ScenarioError]:
    """A simulated trainee's ANSWERS.yaml (kept in an `answers` folder beside scenarios)."""
    from roleplay.authoring.answers import load_answers

    try:
        load_answers(path)
    except ScenarioErrors as e:
        return list(e.errors)
    return []


def problem_text(err: ScenarioError, lang: str | None = None) -> str:
    """The problem's wording (without its location) in `lang` ('en', 'zh'; None: English)."""
    return localise(err.problem, lang)


def format_error(err: ScenarioError, lang: str | None = None) -> str:
    """`path:line:col: message`, then the source line quoted and a caret under the column;
    the message in `lang` (None: English), the location and the quoted line as they are."""
    head = f"{err.path}:{err.line}:{err.col}: {problem_text(err, lang)}"
    source = err.source_line.rstrip("\r\n")
    if not source.strip():
        return head
    before = source[: max(err.col - 1, 0)]
    pad = "".join(_blank(ch) for ch in before)
    return f"{head}\n    {source}\n    {pad}^"


def _blank(ch: str) -> str:
    """Blank space as wide as `ch` on a terminal: tabs stay tabs, CJK characters take two."""
    if ch == "\t":
        return "\t"
    return "  " if unicodedata.east_asian_width(ch) in ("W", "F") else " "
