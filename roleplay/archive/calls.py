"""Call archives: one plain folder per call (docs/architecture.md).

    <root>/<call_id>/scenario.yaml   byte copy of the scenario the call ran
                     events.jsonl    one event per line, flushed as the call goes (crash-safe)
                     meta.json       who/when/what, written at the start (lets a crash be recovered)
                     call.wav        stereo recording (written by the recorder, not here)
                     call.json       the finished call: timeline + scorecard + scorecard history

The engine writes with CallWriter; QA, replay and re-scoring read with read_call/iter_calls.
Every file that is replaced is written atomically (tmp file, fsync, rename) so a reader never
sees half a call.json.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import math
import os
import secrets
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from roleplay.archive.safe_io import (
    is_file,
    is_real_dir,
    json_complete,
    open_lock,
    read_bytes,
    recover_temp_files,
    write_atomic,
)
from roleplay.model.errors import ArchiveError, RoleplayError
from roleplay.model.events import Event, EventFormatError, Timeline, event_from_json, event_to_json
from roleplay.model.ids import check_id
from roleplay.model.message import Msg

if TYPE_CHECKING:
    from roleplay.model.scenario import Scenario



def _pick_json_codec() -> tuple[Callable[[bytes], Any], Callable[[Any], str]]:
    # orjson reads call.json about twice as fast and writes it about five times as fast as the
    # stdlib, which batch re-scoring feels; without it the stdlib gives the same JSON.
    try:
        import orjson
    except ImportError:
        return json.loads, lambda item: json.dumps(item, ensure_ascii=False)
    return orjson.loads, lambda item: orjson.dumps(item, option=orjson.OPT_NON_STR_KEYS).decode()


_fast_loads, _fast_dumps = _pick_json_codec()

SCHEMA = 1
CALL_JSON = "call.json"
EVENTS = "events.jsonl"
META = "meta.json"
SCENARIO = "scenario.yaml"
WAV = "call.wav"


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def make_call_id(started_at: datetime, scenario_id: str) -> str:
    # Sortable by time, readable, and unique across stations writing into one shared root.
    stamp = started_at.astimezone(UTC).strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{scenario_id}-{secrets.token_hex(3)}"


def write_json_atomic(path: Path, payload: dict[str, Any], sync_dir: bool = True) -> None:
    """Replace `path` so that readers see the old file or the new one, never a mix.

    `sync_dir=False` skips making the rename itself durable: after a power cut the folder
    holds the old file or the new one, both whole, which suits replacing a file whose old
    content is still valid (a re-score can simply run again)."""
    write_atomic(path, dumps_readable(payload).encode("utf-8"), sync_dir)


def dumps_readable(payload: dict[str, Any]) -> str:
    """JSON with one top-level key, and one list item (an event, a scorecard), per line.

    Readable in a pager and diffable, yet encoded in C: the stdlib's `indent=` falls back to
    its pure-Python encoder, which made saving a scorecard cost more than scoring it."""
    def value(item: Any) -> str:
        if isinstance(item, list) and item:
            return "[\n  " + ",\n  ".join(_fast_dumps(v) for v in item) + "\n ]"
        return _fast_dumps(item)

    lines = (f" {_fast_dumps(key)}: {value(item)}" for key, item in payload.items())
    return "{\n" + ",\n".join(lines) + "\n}\n"


def _scenario_json(scenario: Scenario) -> dict[str, Any]:
    return {
        "id": scenario.id, "version": scenario.version, "path": scenario.path,
        "language": str(scenario.language), "title": scenario.title,
        "stage": str(scenario.stage), "level": scenario.level, "pass_mark": scenario.pass_mark,
    }


class CallWriter:
    """Writes one call's folder as the call happens; `.event` is a Timeline sink."""

    def __init__(
        self, root: Path, scenario: Scenario, trainee: str, call_id: str | None = None,
        started_at: datetime | None = None,
    ) -> None:
        # The only wall-clock read of a call: everything else is Clock milliseconds.
        self.started_at = started_at or datetime.now(UTC)
        self.call_id = call_id or make_call_id(self.started_at, scenario.id)
        # Checked before the folder exists: the records database takes the same ids.
        self.trainee = check_id(trainee, "--trainee") if trainee else trainee
        self.scenario = scenario
        self.dir = Path(root) / self.call_id
        try:
            self.dir.mkdir(parents=True, exist_ok=False)
            shutil.copyfile(scenario.path, self.dir / SCENARIO)
        except FileExistsError:
            raise ArchiveError(Msg("{dir}: call folder already exists; pick another call id", dir=self.dir)) from None
        except OSError as error:
            raise ArchiveError(Msg("{dir}: cannot create the call archive ({strerror})", dir=self.dir, strerror=error.strerror)) from None
        write_json_atomic(self.dir / META, self._header())
        self._events: IO[str] | None = open(self.dir / EVENTS, "a", encoding="utf-8")  # noqa: SIM115

    @property
    def wav_path(self) -> Path:
        return self.dir / WAV

    def _header(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA, "call_id": self.call_id, "trainee": self.trainee,
            "started_at": utc_iso(self.started_at), "scenario": _scenario_json(self.scenario),
        }

    def event(self, e: Event) -> None:
        if self._events is None:
            raise ArchiveError(Msg("{EVENTS}: the call is finished; no more events", EVENTS=self.dir / EVENTS))
        self._events.write(json.dumps(event_to_json(e), ensure_ascii=False) + "\n")
        self._events.flush()  # a process crash keeps every line written so far

    def close(self) -> None:
        if self._events is not None:
            self._events.close()
            self._events = None

    def finish(
        self, timeline: Timeline, scorecard_json: dict[str, Any] | None,
        extra: dict[str, Any] | None = None,
    ) -> Path:
        self.close()
        return write_finished_call(self.dir, self._header(), timeline, scorecard_json,
                                   utc_iso(self.started_at), extra)


def write_finished_call(
    call_dir: Path, header: dict[str, Any], timeline: Timeline, scorecard_json: dict[str, Any] | None,
    scored_at: str, extra: dict[str, Any] | None = None,
) -> Path:
    """call.json of a finished call: its header, timeline and live scorecard (history begun)."""
    history = [] if scorecard_json is None else [
        {"at": scored_at, "source": "live", "scorecard": scorecard_json}]
    payload = {**header, "timeline": timeline.to_json(),
               "scorecard": scorecard_json, "scorecards": history, **(extra or {})}
    path = call_dir / CALL_JSON
    write_json_atomic(path, payload)
    return path


@dataclass(frozen=True)
class ArchivedCall:
    call_id: str
    trainee: str
    started_at: str
    scenario: Scenario
    scenario_version: str
    timeline: Timeline
    scorecard: dict[str, Any] | None
    scorecards: list[dict[str, Any]]
    wav_path: Path | None
    complete: bool
    dir: Path = Path()
    raw: dict[str, Any] = field(default_factory=dict, repr=False)  # call.json as stored


def _load_json(path: Path) -> dict[str, Any]:
    try:
        data = read_bytes(path)
    except OSError as error:
        raise ArchiveError(Msg("{path}: cannot read ({strerror})", path=path, strerror=error.strerror)) from None
    try:
        raw = _fast_loads(data)
    except (ValueError, RecursionError):
        raw = _explain_bad_json(path, data)
    if not isinstance(raw, dict):
        raise ArchiveError(Msg("{path}: expected a JSON object, found {kind}", path=path, kind=type(raw).__name__))
    return raw


def _explain_bad_json(path: Path, data: bytes) -> Any:
    # The slow, stdlib parser only on failure: its line/column messages are the ones we show.
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ArchiveError(Msg("{path}: corrupted (not UTF-8 text)", path=path)) from None
    try:
        return json.loads(text)
    except RecursionError:
        raise ArchiveError(Msg("{path}: corrupted JSON (nested too deeply to be a call); restore it or re-run the call", path=path)) from None
    except json.JSONDecodeError as error:
        # A JSON object that does not end with "}" was cut off (disk full, copy interrupted).
        what = "corrupted" if text.rstrip().endswith("}") else "truncated"
        raise ArchiveError(Msg("{path}: {what} JSON at line {lineno} column {colno} ({msg}); restore it or re-run the call", path=path, what=what, lineno=error.lineno, colno=error.colno, msg=error.msg)) from None


def _read_events(path: Path) -> list[dict[str, Any]]:
    """The lines of events.jsonl; a half-written last line (a crash mid-write) is dropped."""
    try:
        lines = read_bytes(path).decode("utf-8", errors="strict").split("\n")
    except UnicodeDecodeError:
        raise ArchiveError(Msg("{path}: corrupted (not UTF-8 text)", path=path)) from None
    except OSError as error:
        raise ArchiveError(Msg("{path}: cannot read ({strerror})", path=path, strerror=error.strerror)) from None
    last = len(lines) - 1  # the text after the final newline: "" unless cut mid-line
    events = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except RecursionError:
            raise ArchiveError(Msg("{path}:{number}: corrupted event line (nested too deeply)", path=path, number=number)) from None
        except json.JSONDecodeError as error:
            if number - 1 == last:
                break
            raise ArchiveError(Msg("{path}:{number}: corrupted event line ({msg})", path=path, number=number, msg=error.msg)) from None
        if not isinstance(item, dict):
            raise ArchiveError(Msg("{path}:{number}: expected a JSON object per line", path=path, number=number))
        events.append(item)
    return events


def _timeline(raw: list[Any], where: str) -> Timeline:
    if not isinstance(raw, list):
        raise ArchiveError(Msg("{where}: 'timeline' must be a list of events", where=where))
    events = []
    for index, item in enumerate(raw):
        try:
            events.append(event_from_json(item))
        except EventFormatError as error:
            raise ArchiveError(Msg("{where}: event {index} is not a valid event ({error})", where=where, index=index, error=error)) from None
    return Timeline(events)


_SCENARIOS: dict[bytes, Scenario] = {}


def _load_archived_scenario(path: Path) -> Scenario:
    try:
        content = read_bytes(path)
    except OSError as error:
        raise ArchiveError(Msg("{path}: cannot read the archived scenario ({strerror})", path=path, strerror=error.strerror)) from None
    # Many archived calls share one scenario: parse each distinct file once per process.
    key = hashlib.sha256(content).digest()
    scenario = _SCENARIOS.get(key)
    if scenario is None:
        from roleplay.authoring.loader import (
            load_scenario,  # lazy: the loader pulls in YAML validation
        )

        try:
            scenario = load_scenario(path, content)
        except RoleplayError as error:
            first = str(error).splitlines()[0] if str(error) else "invalid scenario"
            raise ArchiveError(Msg("{path}: archived scenario does not load: {first}", path=path, first=first)) from None
        if len(_SCENARIOS) >= 256:
            _SCENARIOS.clear()
        _SCENARIOS[key] = scenario
    return scenario if scenario.path == str(path) else replace(scenario, path=str(path))


def _recover(call_dir: Path) -> dict[str, Any]:
    """Rebuild what call.json would have held from meta.json + events.jsonl (a crashed call)."""
    meta_path = call_dir / META
    meta = _load_json(meta_path) if os.path.lexists(meta_path) else {"call_id": call_dir.name}
    return {**meta, "timeline": _read_events(call_dir / EVENTS), "scorecard": None,
            "scorecards": [], "recovered": True}


def _raw_call(call_dir: Path) -> dict[str, Any]:
    call_dir = Path(call_dir)
    path = call_dir / CALL_JSON
    recover_temp_files(path, json_complete(_fast_loads))
    if os.path.lexists(path):
        return _load_json(path)
    if os.path.lexists(call_dir / EVENTS):
        return _recover(call_dir)
    raise ArchiveError(Msg("{call_dir}: not a call archive (no {CALL_JSON} or {EVENTS})", call_dir=call_dir, CALL_JSON=CALL_JSON, EVENTS=EVENTS))


def read_call(call_dir: Path) -> ArchivedCall:
    call_dir = Path(call_dir)
    raw = _raw_call(call_dir)
    where = str(call_dir / (EVENTS if raw.get("recovered") else CALL_JSON))
    if raw.get("schema", SCHEMA) != SCHEMA:
        raise ArchiveError(Msg("{where}: archive schema {schema!r} is not supported (this version reads schema {SCHEMA}); upgrade roleplay", where=where, schema=raw.get('schema'), SCHEMA=SCHEMA))
    scorecards = raw.get("scorecards") or []
    scorecard = raw.get("scorecard")
    if (scorecard is not None and not isinstance(scorecard, dict)) or not isinstance(scorecards, list):
        raise ArchiveError(Msg("{where}: 'scorecard' must be an object and 'scorecards' a list", where=where))
    if scorecard is not None:
        _check_card(scorecard, where)
    timeline = _timeline(raw.get("timeline", []), where)
    scenario = _load_archived_scenario(call_dir / SCENARIO)
    meta_scenario = raw["scenario"] if isinstance(raw.get("scenario"), dict) else {}
    wav = call_dir / WAV
    return ArchivedCall(
        call_id=str(raw.get("call_id") or call_dir.name),
        trainee=str(raw.get("trainee", "")),
        started_at=str(raw.get("started_at", "")),
        scenario=scenario,
        scenario_version=str(meta_scenario.get("version") or scenario.version),
        timeline=timeline,
        scorecard=scorecard,
        scorecards=scorecards,
        wav_path=wav if is_file(wav) else None,   # a symlink (to /dev/zero, a secret) is not the call
        complete=not raw.get("recovered", False),
        dir=call_dir,
        raw=raw,
    )


def _check_card(card: dict[str, Any], where: str) -> None:
    """The stored scorecard has the shape replay, report and reviews read."""
    items = card.get("items", [])
    ok = isinstance(items, list) and all(
        isinstance(item, dict) and isinstance(item.get("evidence", []), list)
        and all(_real(item.get(key, 0)) for key in ("points", "max_points")) for item in items)
    if not ok or not _real(card.get("score", 0) if card.get("score") is not None else 0):
        raise ArchiveError(Msg("{where}: the stored scorecard is malformed ('items' must be objects with numeric points); restore call.json from a backup", where=where))


def _real(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_call_dir(path: Path) -> bool:
    return is_real_dir(path) and (os.path.lexists(path / CALL_JSON) or os.path.lexists(path / EVENTS))


def iter_calls(paths: Iterable[Path]) -> Iterator[ArchivedCall | ArchiveError]:
    """Every call under `paths` (call folders or folders of them), in name order; a broken
    call is yielded as its ArchiveError so a batch goes on past it."""
    for path in map(Path, paths):
        if not path.is_dir():
            yield ArchiveError(Msg("{path}: no such call folder", path=path))
        elif _is_call_dir(path.resolve()):
            try:
                yield read_call(path)
            except ArchiveError as error:
                yield error
        else:
            yield from iter_calls(sub_folders(path))


def sub_folders(path: Path) -> list[Path]:
    """The folders inside `path`, in name order; symlinked ones are skipped, so a walk stays
    inside the folder it was given and cannot loop."""
    return sorted(p for p in path.iterdir() if is_real_dir(p))


def is_call_dir(path: Path) -> bool:
    """A folder holding a call (call.json or events.jsonl); `path` itself may be a link the
    user gave, its contents are not followed."""
    return _is_call_dir(path.resolve())


@contextmanager
def _locked(call_dir: Path) -> Iterator[None]:
    # Two QA stations re-scoring the same call must not lose one another's history entry.
    lock = open_lock(call_dir / ".lock")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
    finally:
        os.close(lock)  # closing releases the lock


def save_scorecard(
    call_dir: Path, scorecard_json: dict[str, Any], source: str, at: datetime | None = None,
) -> Path:
    """Make `scorecard_json` the call's scorecard; earlier ones stay in "scorecards"."""
    call_dir = Path(call_dir)
    if not is_call_dir(call_dir):
        raise ArchiveError(Msg("{call_dir}: not a call archive (no {CALL_JSON} or {EVENTS})", call_dir=call_dir, CALL_JSON=CALL_JSON, EVENTS=EVENTS))
    with _locked(call_dir):
        raw = _raw_call(call_dir)
        history = list(raw.get("scorecards") or [])
        history.append({"at": utc_iso(at or datetime.now(UTC)), "source": source,
                        "scorecard": scorecard_json})
        raw.update(scorecard=scorecard_json, scorecards=history)
        path = call_dir / CALL_JSON
        write_json_atomic(path, raw, sync_dir=False)  # the old call.json holds all but this card
    return path
