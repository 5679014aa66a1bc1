"""The records database in step with the archive: one score per call in every view (review,
report, export, progress), each reviewer's history kept, auto-fail kept through reviews,
and a reviewer able to fail a call."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import cli
from roleplay.records.progress import load_records
from roleplay.records.reviews import effective_score
from roleplay.records.store import open_store

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = ROOT / "scenarios/en/answers"
# Twice the closing item's weight: a re-score with it gives the good call the same 100 but
# the poor call (no closing phrase) a different score.
RUBRIC = "pass_mark: 75\nweights: {closing: 20}\n"


def simulate(tmp_path: Path, quality: str) -> Path:
    out = tmp_path / f"calls-{quality}"
    cli.main(["simulate", "broadband-slow-en", "--answers", str(ANSWERS / f"broadband-slow-{quality}.yaml"),
              "--out", str(out), "--quiet", "--trainee", "ann"])
    (call,) = [p for p in out.iterdir() if p.is_dir()]
    return call


def card(call: Path) -> dict:
    return json.loads((call / "call.json").read_text())["scorecard"]


def exported(tmp_path: Path) -> dict[str, dict[str, str]]:
    target = tmp_path / "attempts.csv"
    assert cli.main(["export", "--csv", str(target)]) == 0
    with target.open(encoding="utf-8") as f:
        return {row["call_id"]: row for row in csv.DictReader(f)}


@pytest.fixture
def poor(tmp_path: Path) -> Path:
    return simulate(tmp_path, "poor")


def test_simulate_records_the_call(poor):
    with open_store() as store:
        attempt = store.attempt(poor.name)
    assert attempt.trainee == "ann" and attempt.score == card(poor)["score"]
    assert attempt.auto_failed == ("forbidden",)


def test_rescore_and_score_save_keep_the_records_in_step(poor, tmp_path, capsys):
    rubric = tmp_path / "centre.yaml"
    rubric.write_text(RUBRIC)
    live = card(poor)["score"]
    assert cli.main(["rescore", str(poor.parent), "--rubric", str(rubric)]) == 0
    rescored = card(poor)["score"]
    assert rescored != live
    with open_store() as store:
        assert store.attempt(poor.name).score == rescored
    assert float(exported(tmp_path)[poor.name]["effective_score"]) == rescored
    with open_store() as store:
        (record,) = [r for r in load_records(store, "ann") if r.call_id == poor.name]
    assert record.score == rescored
    assert cli.main(["score", str(poor), "--save", "--quiet"]) == 0   # back to the built-in rubric
    with open_store() as store:
        assert store.attempt(poor.name).score == card(poor)["score"] == live


def test_review_takes_the_call_folder_as_the_readme_writes_it(tmp_path, capsys):
    call = simulate(tmp_path, "good")
    assert cli.main(["review", str(call), "--item", "closing", "--points", "0", "--reviewer", "qa-lee",
                     "--comment", "closing rushed"]) == 0
    assert "<- qa-lee: closing rushed" in capsys.readouterr().out
    assert effective_score_of(call.name).score < 100


def effective_score_of(call_id: str):
    with open_store() as store:
        return effective_score(store, call_id)


def test_a_later_reviewer_does_not_silently_replace_an_earlier_one(tmp_path, capsys):
    call = simulate(tmp_path, "good")
    base = ["review", call.name, "--item", "closing", "--reviewer"]
    assert cli.main([*base, "qa-lee", "--points", "0", "--comment", "no goodbye"]) == 0
    capsys.readouterr()
    assert cli.main([*base, "qa-wu", "--points", "3", "--comment", "half a goodbye"]) == 0
    out = capsys.readouterr().out
    assert "replaces qa-lee's 0" in out
    assert cli.main(["review", call.name]) == 0
    history = capsys.readouterr().out
    assert "qa-lee" in history and "no goodbye" in history and "qa-wu" in history
    with open_store() as store:
        assert [r.reviewer for r in store.reviews(call.name)] == ["qa-lee", "qa-wu"]


def test_auto_fail_survives_reviews_unless_its_own_item_is_overridden_with_a_comment(poor, capsys):
    with open_store() as store:
        items = {i.item_id: i for i in store.item_scores(poor.name)}
    for item in ("opening", "required_phrases", "knowledge", "empathy", "closing", "resolution"):
        assert cli.main(["review", poor.name, "--item", item, "--points", str(items[item].max_points),
                         "--reviewer", "qa-lee"]) == 0
    standing = effective_score_of(poor.name)
    assert standing.score >= 70 and standing.passed is False
    assert standing.auto_failed == ("forbidden",)
    capsys.readouterr()
    top = str(items["forbidden"].max_points)
    assert cli.main(["review", poor.name, "--item", "forbidden", "--points", top, "--reviewer", "qa-lee"]) == 2
    assert "needs a --comment" in capsys.readouterr().err
    assert cli.main(["review", poor.name, "--item", "forbidden", "--points", top, "--reviewer", "qa-lee",
                     "--comment", "the recogniser misheard: she said 'that's now my priority'"]) == 0
    standing = effective_score_of(poor.name)
    assert standing.passed is True and standing.auto_failed == ()


def test_a_reviewer_can_fail_a_call(tmp_path, capsys):
    call = simulate(tmp_path, "good")
    assert cli.main(["review", call.name, "--fail", "--reviewer", "qa-lee"]) == 2
    assert "needs a --comment" in capsys.readouterr().err
    assert cli.main(["review", call.name, "--fail", "--reviewer", "qa-lee",
                     "--comment", "promised a refund policy does not allow"]) == 0
    standing = effective_score_of(call.name)
    assert standing.score == 100 and standing.passed is False
    row = exported(tmp_path)[call.name]
    assert (row["passed"], row["effective_passed"], row["reviewed"]) == ("true", "false", "true")
    with open_store() as store:
        (record,) = [r for r in load_records(store, "ann") if r.call_id == call.name]
    assert record.passed is False


def test_the_report_shows_the_reviewed_score_and_the_overrides(poor, tmp_path):
    assert cli.main(["review", poor.name, "--item", "closing", "--points", "5", "--reviewer", "qa-lee",
                     "--comment", "said goodbye off-mic"]) == 0
    page = tmp_path / "report.html"
    assert cli.main(["report", str(poor), "--html", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    standing = effective_score_of(poor.name)
    assert f"{standing.score:g}" in html and "qa-lee" in html and "said goodbye off-mic" in html
    assert "auto-fail stands" in html


def test_an_older_records_file_gains_the_new_column(tmp_path, poor):
    import sqlite3

    url = f"sqlite:///{tmp_path}/old.db"
    with open_store(url) as store:
        store.record_attempt(json.loads((poor / "call.json").read_text()))
    with sqlite3.connect(tmp_path / "old.db") as conn:   # as the file was before auto-fail was kept
        conn.execute("ALTER TABLE attempts DROP COLUMN auto_failed")
    with open_store(url) as store:
        assert store.attempt(poor.name).auto_failed == ()
        store.record_attempt(json.loads((poor / "call.json").read_text()))
        assert store.attempt(poor.name).auto_failed == ("forbidden",)


def test_an_older_records_file_gains_the_search_indexes(tmp_path, poor):
    import sqlite3

    url = f"sqlite:///{tmp_path / 'old.db'}"
    with open_store(url) as store:
        store.record_attempt(json.loads((poor / "call.json").read_text()))
    with sqlite3.connect(tmp_path / "old.db") as conn:
        conn.execute("DROP INDEX ix_attempts_score")
    with open_store(url):
        pass
    with sqlite3.connect(tmp_path / "old.db") as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"ix_attempts_score", "ix_attempts_started_at"} <= names
