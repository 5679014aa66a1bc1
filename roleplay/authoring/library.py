"""The scenario library: the shipped scenarios/ folder, or one a centre points at."""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from roleplay.authoring.file_kinds import yaml_files
from roleplay.model.errors import RoleplayError, ScenarioErrors
from roleplay.model.message import Msg
from roleplay.model.scenario import Scenario


@cache
def shipped_library() -> Path:
    """The scenario library the package carries: scenarios/ installed as `roleplay.scenarios`
    package data (pyproject.toml), so editable and wheel installs find it the same way."""
    spec = importlib.util.find_spec("roleplay.scenarios")  # scenarios/__init__.py marks it
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        raise RoleplayError(Msg("the shipped scenario library is missing from this install; reinstall roleplay or set ROLEPLAY_SCENARIOS"))
    return Path(locations[0])


def library_dir(override: Path | None = None) -> Path:
    if override is not None:
        return override
    configured = os.environ.get("ROLEPLAY_SCENARIOS")
    return Path(configured) if configured else shipped_library()


@dataclass(frozen=True)
class ScenarioRow:
    id: str
    language: str
    level: int
    stage: str
    title: str
    path: Path


def scenario_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise RoleplayError(Msg("{folder}: no scenario folder here; pass --dir or set ROLEPLAY_SCENARIOS", folder=folder))
    return sorted(p for p in yaml_files(folder) if "answers" not in p.parts)


def list_scenarios(folder: Path | None = None) -> list[ScenarioRow]:
    from roleplay.authoring.loader import load_scenario

    rows: list[ScenarioRow] = []
    for path in scenario_files(library_dir(folder)):
        try:
            s = load_scenario(path)
        except ScenarioErrors:
            continue  # `roleplay validate` reports it; the list shows what can be played
        rows.append(ScenarioRow(s.id, str(s.language), s.level, str(s.stage), s.title, path))
    return sorted(rows, key=lambda r: (r.language, r.level, r.id))


def open_scenario(ref: str, folder: Path | None = None) -> Scenario:
    """A scenario by file path or by id from the library."""
    from roleplay.authoring.loader import load_scenario, resolve_scenario

    return load_scenario(resolve_scenario(ref, library_dir(folder)))
