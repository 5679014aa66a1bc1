"""The terminal's remaining text in Chinese: progress, leaderboard and validate summaries follow
--ui-lang (the leaderboard also --lang zh; progress its one curriculum's language); JSON stays
English keys; the report takes --ui-lang too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cli

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "scenarios/zh/answers/card-lookup-good.yaml"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    tmp = tmp_path_factory.mktemp("zhcli")
    url = f"sqlite:///{tmp / 'records.db'}"
    assert cli.main(["simulate", "card-lookup-zh", "--answers", str(GOOD), "--asr", "text", "--out", str(tmp / "calls"),
                     "--trainee", "li", "--db", url, "--quiet"]) == 0
    (call,) = (tmp / "calls").iterdir()
    return url, call


def test_leaderboard_in_chinese_and_english(recorded: tuple[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    url, _ = recorded
    capsys.readouterr()
    assert cli.main(["leaderboard", "--db", url, "--lang", "zh"]) == 0
    head = capsys.readouterr().out.splitlines()[0]
    assert head.split() == ["#", "学员", "关卡", "平均分", "徽章", "通话数"]
    assert cli.main(["leaderboard", "--db", url, "--lang", "zh", "--ui-lang", "en"]) == 0
    assert capsys.readouterr().out.split()[:3] == ["#", "trainee", "levels"]
    assert cli.main(["leaderboard", "--db", url, "--lang", "zh", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["trainee"] == "li"        # JSON keys stay English


def test_progress_speaks_its_curriculum_language(recorded: tuple[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    url, _ = recorded
    curriculum = ROOT / "scenarios" / "curriculum" / "zh.yaml"
    capsys.readouterr()
    assert cli.main(["progress", "li", "--db", url, "--curriculum", str(curriculum)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("li：共 1 通，已评分 1 通") and "徽章：" in out and "attempt(s)" not in out
    assert cli.main(["progress", "li", "--db", url, "--curriculum", str(curriculum), "--ui-lang", "en"]) == 0
    assert capsys.readouterr().out.startswith("li: 1 attempt(s), 1 scored")


def test_validate_summary_and_report_follow_ui_lang(recorded: tuple[str, Path], tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    _, call = recorded
    assert cli.main(["validate", str(ROOT / "scenarios/zh/card-lookup.yaml"), "--ui-lang", "zh"]) == 0
    assert capsys.readouterr().err.strip() == "1 个文件均无问题"
    assert cli.main(["validate", str(ROOT / "scenarios/zh/card-lookup.yaml")]) == 0
    assert capsys.readouterr().err.strip() == "1 file(s) OK"
    assert cli.main(["report", str(call), "--html", str(tmp_path / "en.html"), "--ui-lang", "en", "--db",
                     f"sqlite:///{tmp_path / 'none.db'}"]) == 0
    assert "<h2>Timeline</h2>" in (tmp_path / "en.html").read_text(encoding="utf-8")
    assert cli.main(["report", str(call), "--html", str(tmp_path / "zh.html"), "--db", f"sqlite:///{tmp_path / 'none.db'}"]) == 0
    assert "<h2>时间线</h2>" in (tmp_path / "zh.html").read_text(encoding="utf-8")
