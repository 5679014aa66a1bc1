"""The scenario library: the shipped scenarios/ folder, or one a centre points at."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from roleplay.errors import RoleplayError, ScenarioErrors
from roleplay.scenario import Scenario

SHIPPED = Path(__file__).resolve().parent.parent / "scenarios"


def library_dir(override: Path | None = None) -> Path:
    if override is not None:
        return override
    return Path(os.environ.get("ROLEPLAY_SCENARIOS", SHIPPED))


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
        raise RoleplayError(f"{folder}: no scenario folder here; pass --dir or set ROLEPLAY_SCENARIOS")
    return sorted(p for p in folder.rglob("*.y*ml") if p.suffix in (".yaml", ".yml") and "answers" not in p.parts)


def list_scenarios(folder: Path | None = None) -> list[ScenarioRow]:
    from roleplay.loader import load_scenario

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
    from roleplay.loader import load_scenario, resolve_scenario

    return load_scenario(resolve_scenario(ref, library_dir(folder)))
