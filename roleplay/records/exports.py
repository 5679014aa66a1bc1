"""Reports out of the records database: CSV (attempts, items) and xAPI 1.0.3 statements.

Column order is fixed (tools downstream read by position); text is UTF-8 so Chinese names
and titles survive. `excel=True` adds a BOM, without which Excel shows Chinese as mojibake.
xAPI statement ids are derived from the call id, so exporting twice to an LRS is idempotent.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from roleplay.model.i18n import N_, translator
from roleplay.model.safe_text import for_spreadsheet
from roleplay.records.reviews import EffectiveScore, effective_scores
from roleplay.records.store import Attempt, ItemScore, Store

ATTEMPT_COLUMNS = (
    "call_id", "trainee", "scenario_id", "scenario_version", "scenario_title", "language",
    "stage", "level", "started_at", "duration_s", "status", "score", "passed",
    "effective_score", "effective_passed", "reviewed",
)
ITEM_COLUMNS = (
    "call_id", "trainee", "scenario_id", "item_id", "kind", "points", "max_points", "passed",
    "effective_points", "reviewer", "comment",
)
# The header a person reads in another language; English keeps the ids, which tools read.
COLUMN_TITLES = {
    "call_id": N_("Call ID"), "trainee": N_("Trainee"), "scenario_id": N_("Scenario ID"),
    "scenario_version": N_("Scenario version"), "scenario_title": N_("Scenario title"),
    "language": N_("Language"), "stage": N_("Stage"), "level": N_("Level"), "started_at": N_("Started at"),
    "duration_s": N_("Duration (s)"), "status": N_("Status"), "score": N_("Score"), "passed": N_("Passed?"),
    "effective_score": N_("Reviewed score"), "effective_passed": N_("Passed after review?"),
    "reviewed": N_("Reviewed?"), "item_id": N_("Item"), "kind": N_("Kind"), "points": N_("Points"),
    "max_points": N_("Max points"), "effective_points": N_("Reviewed points"), "reviewer": N_("Reviewer"),
    "comment": N_("Comment"),
}
DEFAULT_BASE_IRI = "https://roleplay.local"
XAPI_VERSION = "1.0.3"
VERBS = {
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
}
LANGUAGE_TAGS = {"en": "en-US", "zh": "zh-CN"}
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NAMESPACE = uuid.UUID("5b0c3f0e-6d7a-4f43-9d55-7a1c2b3e4f50")  # fixed: stable statement ids


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if hasattr(value, "isoformat"):
        return str(value.isoformat()).replace("+00:00", "Z")
    if isinstance(value, str):
        return for_spreadsheet(value)   # a trainee id "=HYPERLINK(...)" stays text
    return str(value)


def _grouped(store: Store, trainee: str | None,
             calls: Collection[str] | None = None) -> Iterable[tuple[Attempt, list[ItemScore], EffectiveScore]]:
    """Every attempt (of one trainee; or only `calls`, a filtered list, in its order)."""
    found = effective_scores(store, trainee)
    return found.values() if calls is None else [found[c] for c in calls if c in found]


def column_titles(columns: tuple[str, ...], lang: str = "en") -> list[str]:
    """The header row: the column ids in English, the columns' titles in another language."""
    if lang == "en":
        return list(columns)
    _ = translator(lang).gettext
    return [_(COLUMN_TITLES[c]) if c in COLUMN_TITLES else c for c in columns]


def csv_text(columns: tuple[str, ...], rows: Iterable[dict[str, Any]], lang: str = "en") -> tuple[str, int]:
    """The CSV (formulas neutralised cell by cell) and its number of rows; `lang` the header's
    language (the cells stay machine-readable: ids, true/false, ISO times)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writerow(dict(zip(columns, column_titles(columns, lang), strict=True)))
    count = 0
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in columns})
        count += 1
    return buffer.getvalue(), count


def _write_csv(path: Path, columns: tuple[str, ...], rows: Iterable[dict[str, Any]], excel: bool,
               lang: str = "en") -> int:
    text, count = csv_text(columns, rows, lang)
    Path(path).write_text(text, encoding="utf-8-sig" if excel else "utf-8", newline="")
    return count


def attempt_rows(store: Store, trainee: str | None = None,
                 calls: Collection[str] | None = None) -> list[dict[str, Any]]:
    rows = []
    for attempt, _, effective in _grouped(store, trainee, calls):
        rows.append({**{k: getattr(attempt, k) for k in ATTEMPT_COLUMNS if hasattr(attempt, k)},
                     "effective_score": effective.score, "effective_passed": effective.passed,
                     "reviewed": effective.reviewed})
    return rows


def item_rows(store: Store, trainee: str | None = None) -> list[dict[str, Any]]:
    rows = []
    for attempt, items, effective in _grouped(store, trainee):
        for e, item in zip(effective.items, items, strict=True):
            rows.append({"call_id": attempt.call_id, "trainee": attempt.trainee,
                         "scenario_id": attempt.scenario_id, "item_id": item.item_id,
                         "kind": item.kind, "points": item.points, "max_points": item.max_points,
                         "passed": item.passed, "effective_points": e.points,
                         "reviewer": e.reviewer, "comment": e.comment})
    return rows


def write_attempts_csv(store: Store, path: Path, trainee: str | None = None,
                       excel: bool = False, lang: str = "en") -> int:
    """One row per attempt; returns the number of rows."""
    return _write_csv(path, ATTEMPT_COLUMNS, attempt_rows(store, trainee), excel, lang)


def write_items_csv(store: Store, path: Path, trainee: str | None = None,
                    excel: bool = False, lang: str = "en") -> int:
    """One row per scored item of every attempt; returns the number of rows."""
    return _write_csv(path, ITEM_COLUMNS, item_rows(store, trainee), excel, lang)


def iso_duration(seconds: float) -> str:
    """ISO 8601 duration at xAPI's 0.01 s precision: 95.2 -> "PT95.2S"."""
    text = f"{max(0.0, seconds):.2f}".rstrip("0").rstrip(".")
    return f"PT{text}S"


def _actor(trainee: str, base_iri: str) -> dict[str, Any]:
    if EMAIL_RE.match(trainee):
        return {"objectType": "Agent", "mbox": f"mailto:{trainee}"}
    return {"objectType": "Agent", "account": {"homePage": base_iri, "name": trainee}}


def statement(attempt: Attempt, base_iri: str = DEFAULT_BASE_IRI,
              score: float | None = None, passed: bool | None = None) -> dict[str, Any]:
    """One xAPI statement for an attempt; score/passed default to the automatic ones."""
    base = base_iri.rstrip("/")
    score = attempt.score if score is None else score
    passed = attempt.passed if passed is None else passed
    scored = attempt.status == "scored" and score is not None
    verb = ("passed" if passed else "failed") if scored else "completed"
    language = LANGUAGE_TAGS.get(attempt.language, "en-US")
    result: dict[str, Any] = {"completion": True, "duration": iso_duration(attempt.duration_s)}
    if scored and score is not None:
        result["score"] = {"scaled": round(score / 100, 4), "raw": score, "min": 0, "max": 100}
        result["success"] = bool(passed)
    return {
        "id": str(uuid.uuid5(_NAMESPACE, attempt.call_id)),
        "actor": _actor(attempt.trainee, base),
        "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
        "object": {
            "objectType": "Activity",
            "id": f"{base}/scenarios/{attempt.scenario_id}",
            "definition": {
                "name": {language: attempt.scenario_title or attempt.scenario_id},
                "type": "http://adlnet.gov/expapi/activities/simulation",
            },
        },
        "result": result,
        "context": {
            "platform": "roleplay",
            "language": language,
            "extensions": {f"{base}/extensions/call-id": attempt.call_id,
                           f"{base}/extensions/scenario-version": attempt.scenario_version},
        },
        "timestamp": attempt.started_at.isoformat().replace("+00:00", "Z"),
        "version": XAPI_VERSION,
    }


def xapi_statements(store: Store, base_iri: str = DEFAULT_BASE_IRI, trainee: str | None = None,
                    calls: Collection[str] | None = None) -> list[dict[str, Any]]:
    """Statements for every attempt (or `calls`), with QA overrides applied to score and success."""
    out = []
    for attempt, _, effective in _grouped(store, trainee, calls):
        out.append(statement(attempt, base_iri, effective.score, effective.passed))
    return out


def write_xapi(store: Store, path: Path, base_iri: str = DEFAULT_BASE_IRI,
               trainee: str | None = None) -> int:
    statements = xapi_statements(store, base_iri, trainee)
    Path(path).write_text(json.dumps(statements, ensure_ascii=False, indent=1) + "\n",
                          encoding="utf-8")
    return len(statements)
