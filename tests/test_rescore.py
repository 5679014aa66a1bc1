"""roleplay rescore: a batch over archived calls, history kept, broken calls reported."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import cli
from roleplay.archive.calls import read_call
from roleplay.qa.rescore import Options, Result, rescore_all, rescore_call

ROOT = Path(__file__).resolve().parent.parent
POOR = ROOT / "scenarios/en/answers/broadband-slow-poor.yaml"


@pytest.fixture(scope="module")
def text_call(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("calls")
    assert cli.main(["simulate", "broadband-slow-en", "--answers", str(POOR), "--asr", "text",
                     "--out", str(out)]) == 0
    (call,) = [p for p in out.iterdir() if p.is_dir()]
    return call


def _copy(call: Path, root: Path, name: str) -> Path:
    target = root / name
    shutil.copytree(call, target)
    return target


def test_rescore_keeps_the_old_card_and_reports_the_change(text_call, tmp_path):
    call = _copy(text_call, tmp_path, "a")
    raw = json.loads((call / "call.json").read_text())
    live_score = raw["scorecard"]["score"]
    raw["scorecard"]["score"] = live_score + 7.5  # as if an older rubric had given more
    (call / "call.json").write_text(json.dumps(raw))
    result = rescore_call(call)
    assert result.ok and result.old == live_score + 7.5 and result.new == live_score
    assert result.delta == -7.5
    assert result.line() == f"{result.call_id} {live_score + 7.5:g} -> {live_score:g} (-7.5)"
    saved = read_call(call)
    assert [h["source"] for h in saved.scorecards] == ["live", "rescore"]
    assert saved.scorecard is not None and saved.scorecard["score"] == live_score


def test_a_batch_goes_on_past_broken_calls_in_two_processes(text_call, tmp_path, capsys):
    for i in range(5):
        _copy(text_call, tmp_path, f"call-{i}")
    bad = tmp_path / "call-2b"
    bad.mkdir()
    (bad / "call.json").write_text('{"schema": 1, "timeline": [')
    results = list(rescore_all([tmp_path, tmp_path / "missing"], Options(), jobs=2, chunksize=2))
    assert [Path(r.path).name for r in results] == [
        "call-0", "call-1", "call-2", "call-2b", "call-3", "call-4", "missing"]
    failed = [r for r in results if not r.ok]
    assert [Path(r.path).name for r in failed] == ["call-2b", "missing"]
    assert "truncated JSON" in failed[0].error and "\n" not in failed[0].error
    assert all(r.new is not None and r.delta == 0 for r in results if r.ok)

    code = cli.main(["rescore", str(tmp_path), "--jobs", "2"])
    out, err = capsys.readouterr()
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 6 and sum("FAILED" in line for line in lines) == 1
    assert "6/6" in err and "5 re-scored, 1 failed" in err
    history = read_call(tmp_path / "call-0").scorecards
    assert [h["source"] for h in history] == ["live", "rescore", "rescore"]


def test_json_lines_and_a_clean_batch_exits_zero(text_call, tmp_path, capsys):
    _copy(text_call, tmp_path, "only")
    assert cli.main(["rescore", str(tmp_path / "only"), "--json", "--jobs", "1"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    row = json.loads(line)
    assert row["status"] == "scored" and row["delta"] == 0 and row["error"] == ""


def test_a_not_scored_call_prints_not_scored():
    result = Result("x", "c1", 50.0, None, "not_scored")
    assert result.line() == "c1 50 -> not scored"
