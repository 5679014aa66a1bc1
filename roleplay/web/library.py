"""The scenarios a station may play, and the ones it may not (with their located errors)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from roleplay.authoring.file_kinds import is_curriculum
from roleplay.authoring.library import library_dir, scenario_files
from roleplay.authoring.loader import load_scenario
from roleplay.model.errors import ScenarioError, ScenarioErrors
from roleplay.model.scenario import Scenario
from roleplay.training.validate import format_error


@dataclass(frozen=True)
class Broken:
    path: Path
    problems: tuple[ScenarioError, ...]

    def errors(self, lang: str | None = None) -> tuple[str, ...]:
        """"file:line:col: message", the message in `lang`."""
        return problem_lines(self.problems, lang)


def problem_lines(problems: tuple[ScenarioError, ...], lang: str | None = None) -> tuple[str, ...]:
    return tuple(format_error(err, lang).splitlines()[0] for err in problems)


class Library:
    def __init__(self, folder: Path | None) -> None:
        self.folder = library_dir(folder)
        self.scenarios: dict[str, Scenario] = {}
        self.broken: list[Broken] = []
        self.reload()

    def reload(self) -> None:
        scenarios: dict[str, Scenario] = {}
        broken: list[Broken] = []
        for path in scenario_files(self.folder):
            if is_curriculum(path):
                continue
            try:
                s = load_scenario(path)
            except ScenarioErrors as e:
                broken.append(Broken(path, tuple(e.errors)))
                continue
            scenarios.setdefault(s.id, s)
        self.scenarios = dict(sorted(scenarios.items(), key=lambda kv: (kv[1].language, kv[1].level, kv[0])))
        self.broken = broken
