"""Hostile text in what the tools show (issue 12, defect 7): CSV formula cells, terminal
escape sequences, and drafts that copy a trainee id."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import yaml
from qa_calls import make_call_json

import cli
from roleplay.archive.calls import read_call
from roleplay.model.safe_text import for_spreadsheet, for_terminal
from roleplay.qa.replay import build_script, render
from roleplay.records.exports import write_attempts_csv, write_items_csv
from roleplay.records.reviews import override_item
from roleplay.records.store import open_store
from roleplay.training.from_call import draft_scenario

ROOT = Path(__file__).resolve().parent.parent
POOR = ROOT / "scenarios/en/answers/broadband-slow-poor.yaml"
ESC = "\x1b]0;pwned\x07\x1b[2J\x1b[31m"


def test_formula_cells_are_exported_as_text(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/r.db"
    with open_store(url) as store:
        store.record_attempt(make_call_json("c1", trainee='=HYPERLINK("http://x","y")'))
        override_item(store, "c1", "greeting", "@SUM(A1:A2)", 0.0, "-2+3",
                      at=datetime(2020, 1, 1, tzinfo=UTC))
        store.record_attempt(make_call_json("c2", trainee="+1 555", minutes=3))
        write_attempts_csv(store, tmp_path / "a.csv")
        write_items_csv(store, tmp_path / "i.csv")
    with open(tmp_path / "a.csv", encoding="utf-8", newline="") as f:
        trainees = [row["trainee"] for row in csv.DictReader(f)]
    assert sorted(trainees) == ["'+1 555", "'=HYPERLINK(\"http://x\",\"y\")"]
    with open(tmp_path / "i.csv", encoding="utf-8", newline="") as f:
        reviewed = [row for row in csv.DictReader(f) if row["reviewer"]]
    assert [(r["reviewer"], r["comment"]) for r in reviewed] == [("'@SUM(A1:A2)", "'-2+3")]
    assert for_spreadsheet("\tx") == "'\tx" and for_spreadsheet("plain -1") == "plain -1"


def test_terminal_output_strips_escape_sequences(tmp_path: Path) -> None:
    assert for_terminal(f"a{ESC}b\x9bc\n\td") == "abc\n\td"
    out = tmp_path / "calls"
    assert cli.main(["simulate", "broadband-slow-en", "--answers", str(POOR), "--asr", "text",
                     "--out", str(out)]) == 0
    (call,) = list(out.iterdir())
    raw = json.loads((call / "call.json").read_text(encoding="utf-8"))
    final = next(e for e in raw["timeline"] if e["kind"] == "asr_final")
    final["text"] = f"hello {ESC}there"
    for word in final.get("words") or []:
        word["word"] = f"{ESC}{word['word']}"
    (call / "call.json").write_text(json.dumps(raw), encoding="utf-8")
    shown = render(build_script(read_call(call)))
    assert "\x1b" not in shown and "\x07" not in shown


def test_review_prints_comments_without_escape_sequences(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path}/r.db"
    with open_store(url) as store:
        store.record_attempt(make_call_json("c1"))
    assert cli.main(["review", "c1", "--item", "greeting", "--points", "5", "--reviewer", "lee",
                     "--comment", f"ok{ESC}", "--db", url]) == 0
    shown = capsys.readouterr().out
    assert "lee: ok" in shown and "\x1b" not in shown


def test_a_newline_in_a_trainee_id_does_not_add_keys_to_a_draft(tmp_path: Path) -> None:
    out = tmp_path / "calls"
    assert cli.main(["simulate", "broadband-slow-en", "--answers", str(POOR), "--asr", "text",
                     "--out", str(out)]) == 0
    (call,) = list(out.iterdir())
    raw = json.loads((call / "call.json").read_text(encoding="utf-8"))
    raw["trainee"] = "anna\nrubric: {courtesy: 0}\nstart: x"
    (call / "call.json").write_text(json.dumps(raw), encoding="utf-8")
    draft = yaml.safe_load(draft_scenario(read_call(call)))
    assert "rubric" not in draft and draft["start"] != "x"
    shutil.rmtree(out)
