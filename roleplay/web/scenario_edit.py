"""The trainer's edits to the scenario library on disk: which file an id is, saving a new
version (only when it validates) and keeping every earlier one.

Earlier versions live in the library's own `<scenarios>/.versions/<file path>/` as
`<UTC time>-<content hash>.yaml` (the hash is the `scenario_version` the records keep with
each attempt); hidden folders are not part of the library (roleplay/authoring/library.py).
Calls already archived keep their own byte copy of the scenario they ran (archive/calls.py),
so a save never changes what a past call is replayed or re-scored against.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from starlette.exceptions import HTTPException

from roleplay.authoring.library import shipped_library
from roleplay.authoring.loader import content_version, load_scenario, top_level_id
from roleplay.model.errors import ScenarioError, ScenarioErrors
from roleplay.model.i18n import N_
from roleplay.model.scenario import Scenario
from roleplay.web.library import Library, problem_lines
from roleplay.web.said import ApiError

VERSIONS = ".versions"
MAX_SCENARIO_BYTES = 2_000_000
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
_VERSION_NAME = re.compile(r"\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{12}\.yaml")
_SAVING = threading.Lock()     # one save at a time: a version and its file change together


@dataclass(frozen=True)
class Version:
    name: str                  # the file name under .versions/
    saved_at: datetime         # when it was replaced by a newer version
    content: str               # its content hash


@dataclass(frozen=True)
class Entry:
    """One scenario file of the library, valid or not."""

    id: str
    path: Path
    scenario: Scenario | None  # None when it does not validate
    problems: tuple[ScenarioError, ...]  # why it does not validate

    def errors(self, lang: str | None = None) -> tuple[str, ...]:
        """"file:line:col: message", the message in `lang`."""
        return problem_lines(self.problems, lang)


@dataclass(frozen=True)
class Saved:
    id: str
    version: str
    changed: bool              # False when the text was already the current version


class BadScenario(HTTPException):
    """A save refused because the text does not validate; carries every located problem."""

    def __init__(self, errors: list[ScenarioError]) -> None:
        first = errors[0]
        more = f" and {len(errors) - 1} more" if len(errors) > 1 else ""
        super().__init__(422, f"not saved: line {first.line}:{first.col}: {first.message}{more}; "
                              "fix the problems first")
        self.errors = errors


def entries(library: Library) -> dict[str, Entry]:
    """Every scenario file by id: a broken file by its `id:` line, else its file name."""
    found = {s.id: Entry(s.id, Path(s.path), s, ()) for s in library.scenarios.values()}
    for broken in library.broken:
        scenario_id = top_level_id(broken.path) or broken.path.stem
        found.setdefault(scenario_id, Entry(scenario_id, broken.path, None, broken.problems))
    return found


def entry(library: Library, scenario_id: str) -> Entry:
    """The file of `scenario_id`; a 400 for an id that could name a path, a 404 for none."""
    if not SAFE_ID.fullmatch(scenario_id) or ".." in scenario_id:
        raise ApiError(400, N_("a scenario id is letters, digits, '-', '_' and '.' (no '/' or '..')"))
    found = entries(library).get(scenario_id)
    if found is None:
        raise ApiError(404, N_("no scenario '{scenario}' in the library"), scenario=scenario_id)
    inside(library, found.path)
    return found


def inside(library: Library, path: Path) -> Path:
    """`path`, once it is sure to be in the library folder (no symlink out of it)."""
    root = library.folder.resolve()
    real = path.resolve()
    if not real.is_relative_to(root):
        raise ApiError(403, N_("{file} is outside the scenario folder: it is not edited here"), file=path.name)
    return real


def editable(library: Library) -> bool:
    """The library shipped inside the package is read-only: edits go to a centre's own copy."""
    return library.folder.resolve() != shipped_library().resolve()


def versions_dir(library: Library, path: Path) -> Path:
    relative = inside(library, path).relative_to(library.folder.resolve())
    # Checked too: a `.versions` that is a symlink must not take the copies out of the library.
    return inside(library, library.folder / VERSIONS / relative.with_suffix(""))


def versions(library: Library, path: Path) -> list[Version]:
    """The earlier versions of a scenario file, newest first (none for a file that is not
    edited here: a symlink out of the library)."""
    try:
        folder = versions_dir(library, path)
    except HTTPException:
        return []
    names = sorted((p.name for p in folder.glob("*.yaml") if _VERSION_NAME.fullmatch(p.name)), reverse=True)
    return [Version(n, datetime.strptime(n[:23], "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=UTC), n[24:36])
            for n in names]


def read_version(library: Library, path: Path, name: str) -> bytes:
    if not _VERSION_NAME.fullmatch(name):
        raise ApiError(400, N_("a version is named like {example}"), example="20261203T093000.000000Z-0123456789ab.yaml")
    file = versions_dir(library, path) / name
    if not file.is_file():
        raise ApiError(404, N_("no version {name} of this scenario"), name=name)
    return file.read_bytes()


def save(library: Library, scenario_id: str, data: bytes) -> Saved:
    """Validate `data`, keep the current file as a version, write the new one, reload."""
    if not editable(library):
        raise ApiError(409, N_("the library shipped with roleplay is read-only here: serve a copy "
                                 "({command}) to edit it"), command="roleplay serve --scenarios DIR")
    if len(data) > MAX_SCENARIO_BYTES:
        raise ApiError(413, N_("a scenario is at most {size}"), size="2 MB")
    with _SAVING:
        target = entry(library, scenario_id)
        path = inside(library, target.path)
        try:
            scenario = load_scenario(path, data)
        except ScenarioErrors as e:
            raise BadScenario(e.errors) from None
        other = entries(library).get(scenario.id)
        if other is not None and other.path.resolve() != path:
            raise ApiError(409, N_("not saved: id '{scenario}' is already the id of {file}; choose another id"),
                           scenario=scenario.id, file=other.path.name)
        old = path.read_bytes()
        if old == data:
            return Saved(scenario.id, scenario.version, False)
        folder = versions_dir(library, path)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        (folder / f"{stamp}-{content_version(old)}.yaml").write_bytes(old)
        # Written beside the file, then renamed over it: a reader never sees half a scenario.
        partial = path.with_name(f".{path.name}.saving")
        partial.write_bytes(data)
        os.replace(partial, path)
        library.reload()
    return Saved(scenario.id, scenario.version, True)
