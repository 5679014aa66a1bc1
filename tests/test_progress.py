"""Recording calls into the records database; `roleplay progress` and `roleplay leaderboard`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli import main
from roleplay.frontends.simulate import simulate
from roleplay.records.progress import item_trends, load_records, record_call, weakest_skills
from roleplay.records.store import open_store
from roleplay.training.badges import summarise

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = ROOT / "scenarios" / "en" / "answers"

CURRICULUM = """\
id: progress-test
title: Progress test
language: en
certification: {intermediate: Junior}
levels:
  - id: lookups
    title: Lookups
    tier: intermediate
    pass_mark: 75
    scenarios: [broadband-slow-en]
retraining:
  after_failures: 2
badges:
  first:
    title: First pass
    criteria: {passed_calls: 1}
  quick:
    title: Quick lookup
    criteria: {lookup_under_s: 20, calls: 1}
  clean:
    title: Clean
    criteria: {no_forbidden_streak: 2}
"""


def _set_trainee(call_dir: Path, trainee: str) -> None:
    path = call_dir / "call.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["trainee"] = trainee
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="module")
def calls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    """ann: poor, poor, good; bob: poor only (simulated, then given trainee ids)."""
    root = tmp_path_factory.mktemp("calls")
    made: dict[str, list[Path]] = {"ann": [], "bob": []}
    for trainee, kinds in (("ann", ("poor", "poor", "good")), ("bob", ("poor",))):
        for kind in kinds:
            result = simulate("broadband-slow-en", ANSWERS / f"broadband-slow-{kind}.yaml", out_dir=root)
            assert result.call_dir is not None
            _set_trainee(result.call_dir, trainee)
            made[trainee].append(result.call_dir)
    return made


@pytest.fixture
def db(tmp_path: Path, calls: dict[str, list[Path]]) -> str:
    url = f"sqlite:///{tmp_path / 'records.db'}"
    for trainee in ("ann", "bob"):
        for call_dir in calls[trainee]:
            record_call(call_dir, url)
    return url


@pytest.fixture
def curriculum(tmp_path: Path) -> Path:
    path = tmp_path / "path.yaml"
    path.write_text(CURRICULUM, encoding="utf-8")
    return path


def test_record_call_is_idempotent_and_keeps_the_evidence_summary(calls: dict[str, list[Path]], db: str) -> None:
    record_call(calls["ann"][0], db)   # again: refreshed, not doubled
    with open_store(db) as store:
        records = load_records(store, "ann")
        assert len(records) == 3 and len(store.attempts()) == 4
    poor, good = records[0], records[-1]
    assert not poor.passed and good.passed
    card = json.loads((calls["ann"][0] / "call.json").read_text(encoding="utf-8"))["scorecard"]
    missed = {e["category"] for i in card["items"] if i["kind"] == "phrases"
              for e in i["evidence"] if e.get("found") is False}
    assert missed and set(poor.summary.missed_categories) >= missed
    assert poor.summary.forbidden   # "That's not my problem"
    assert {m.id for m in good.items} == {i["id"] for i in card["items"]}


def test_lookup_time_runs_from_the_request_to_the_answer(calls: dict[str, list[Path]]) -> None:
    from roleplay.archive.calls import read_call

    call = read_call(calls["ann"][2])
    summary = summarise(call.scorecard or {}, call.scenario)
    turns = (call.scorecard or {})["turns"]
    request = next(t for t in turns if t["speaker"] == "customer" and call.scenario.nodes[t["node"]].hold)
    answer = next(t for t in turns if t.get("after_hold"))
    assert summary.lookup_ms == (round((answer["start"] - request["end"]) * 1000),)
    assert summary.outcome == "resolved"
    assert summarise(call.scorecard or {}).lookup_ms == ()   # no scenario: lookups unknown


def test_progress_command(db: str, curriculum: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["progress", "ann", "--db", db, "--curriculum", str(curriculum), "--json", "--window", "1"]) == 0
    p = json.loads(capsys.readouterr().out)
    assert (p["attempts"], p["scored"], p["passed"]) == (3, 3, 1)
    (c,) = p["curricula"]
    assert c["tier"] == "intermediate" and c["certificate"] == "Junior"
    assert [lv["status"] for lv in c["levels"]] == ["passed"]
    badges = {b["id"]: b["earned"] for b in c["badges"]}
    assert badges["first"] and badges["quick"] and not badges["clean"]   # two poor calls swore
    trends = {t["item"]: t for t in p["trends"]}
    assert trends["forbidden"]["first"] == 0 and trends["forbidden"]["last"] == 1
    assert p["weakest"] and p["weakest"][0]["average"] <= p["weakest"][-1]["average"]
    assert main(["progress", "ann", "--db", db, "--curriculum", str(curriculum)]) == 0
    text = capsys.readouterr().out
    assert "[x] lookups" in text and "certified intermediate: Junior" in text and "weakest skills:" in text


def test_retraining_shows_after_two_failures(db: str, curriculum: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["progress", "bob", "--db", db, "--curriculum", str(curriculum), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["curricula"][0]["retraining"] == []   # one failure only
    with open_store(db) as store:
        ann = load_records(store, "ann")
    from roleplay.training.curriculum import load_curriculum, retraining_due

    due = retraining_due(load_curriculum(curriculum), ann[:2])
    assert [d.scenario_id for d in due] == ["broadband-slow-en"]
    assert "forbidden" in due[0].categories


def test_unknown_trainee_is_a_clean_error(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["progress", "anne", "--db", db]) == 2
    err = capsys.readouterr().err
    assert "no attempts by trainee 'anne'" in err and "did you mean 'ann'" in err


def test_leaderboard(db: str, curriculum: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["leaderboard", "--db", db, "--curriculum", str(curriculum), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["rank"], r["trainee"], r["levels_passed"]) for r in rows] == [(1, "ann", 1), (2, "bob", 0)]
    assert rows[0]["badges"] >= 2 and rows[1]["attempts"] == 1
    assert main(["leaderboard", "--db", db, "--lang", "zh", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["leaderboard", "--db", db]) == 0
    assert capsys.readouterr().out.splitlines()[1].split()[:2] == ["1", "ann"]


def test_trends_and_weakest_are_pure() -> None:
    from roleplay.training.badges import CallRecord, ItemMark

    def r(n: int, ratio: float) -> CallRecord:
        return CallRecord(f"c{n}", "t", "s", "en", "inquiry", f"2025-01-0{n}", 50, False,
                          (ItemMark("opening", 10 * ratio, 10, ratio == 1), ItemMark("empathy", 0, 0, False)))
    records = [r(1, 0.0), r(2, 0.5), r(3, 1.0), r(4, 1.0)]
    (trend,) = item_trends(records, window=2)   # empathy never applied
    assert (trend.item, trend.first, trend.last, trend.calls) == ("opening", 0.25, 1.0, 4)
    assert weakest_skills(records) == [("opening", 0.625)]
