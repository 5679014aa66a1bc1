"""Shared by the QA console's tests: archived calls (a real simulated call, copied under
several ids and trainees) recorded in the server's records file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cli
from roleplay.records.store import open_store

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = ROOT / "scenarios/en/answers/broadband-complaint-poor.yaml"


def simulated_call(out: Path) -> Path:
    """One spoken-text simulated complaint (the customer's mood moves), archived under `out`."""
    assert cli.main(["simulate", "broadband-complaint-en", "--answers", str(ANSWERS), "--asr", "text",
                     "--out", str(out)]) == 0
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    return folder


def plant(source: Path, calls_dir: Path, db_url: str, call_id: str, trainee: str, minutes: int = 0,
          title: str | None = None) -> Path:
    """A copy of `source` as call `call_id` of `trainee`, recorded in the database."""
    target = calls_dir / call_id
    shutil.copytree(source, target)
    raw = json.loads((target / "call.json").read_text(encoding="utf-8"))
    raw["call_id"], raw["trainee"] = call_id, trainee
    raw["started_at"] = f"2026-12-01T10:{minutes:02d}:00Z"
    if title is not None:
        raw["scenario"]["title"] = title
    if raw.get("scorecard"):
        raw["scorecard"]["call_id"] = call_id
    (target / "call.json").write_text(json.dumps(raw), encoding="utf-8")
    with open_store(db_url) as store:
        store.record_attempt(raw)
    return target
