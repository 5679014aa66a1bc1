"""Each command's human output with --ui-lang zh: list, phrases, drill, replay, rescore, export,
scenario from-call. What may stay in Latin letters: ids, file paths, language codes, JSON."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

import cli

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "scenarios/zh/answers/card-lookup-good.yaml"
PATHS = re.compile(r"(/|\.\./)[^\s：，。）)\"'\]]+|\b\d{8}-\d{6}-[\w-]+")


def latin_words(text: str, allowed: set[str]) -> set[str]:
    return set(re.findall(r"[A-Za-z]{2,}", PATHS.sub("", text))) - allowed


@pytest.fixture(scope="module")
def call(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("zhcmd")
    assert cli.main(["simulate", "card-lookup-zh", "--answers", str(GOOD), "--out", str(tmp / "calls"),
                     "--quiet", "--db", f"sqlite:///{tmp / 'r.db'}"]) == 0
    (found,) = (tmp / "calls").iterdir()
    return found


def test_list_in_chinese_keeps_ids_and_english_titles(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--ui-lang", "zh", "list"]) == 0
    rows = [r for r in capsys.readouterr().out.splitlines() if r.startswith("card-lookup-zh ")]
    assert rows and "第 2 关" in rows[0] and "查询" in rows[0] and "level" not in rows[0]
    assert cli.main(["list"]) == 0
    assert re.search(r"^card-lookup-zh +zh  level 2 +lookup ", capsys.readouterr().out, re.MULTILINE)


def test_phrases_and_drill_in_chinese(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--ui-lang", "zh", "phrases", "--text", "今天天气", "--lang", "zh"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "  （没有找到用语）"
    monkeypatch.setattr("sys.stdin", io.StringIO("非常抱歉给您带来不便\n不知道\n"))
    assert cli.main(["drill", "--typed", "--category", "apology", "--lang", "zh", "--rounds", "2"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("练习：致歉（中文）") and "错误：没有说出该类用语；说了禁语：“不知道”" in out
    assert "尚未熟练：需要连续答对 5 次" in out
    assert latin_words(out, {"zh"}) == set(), out


def test_replay_rescore_and_draft_in_chinese(call: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ids = {"credit_limit", "due_date", "grace_days", "li", "simulated"}
    allowed = {w for i in ids for w in i.split("_")}
    assert cli.main(["replay", str(call), "--no-audio"]) == 0     # the call's language by default
    out = capsys.readouterr().out
    assert "客户" in out and "[+ 开场 问候语]" in out and "秒" in out
    assert latin_words(out, allowed) == set(), out
    assert cli.main(["replay", str(call), "--no-audio", "--ui-lang", "en"]) == 0
    assert "[+ opening greeting]" in capsys.readouterr().out
    assert cli.main(["rescore", str(call), "--ui-lang", "zh", "--db", f"sqlite:///{tmp_path / 'r.db'}"]) == 0
    captured = capsys.readouterr()
    assert captured.err.strip().endswith("重新评分 1 通，失败 0 通")
    draft = tmp_path / "draft.yaml"
    assert cli.main(["scenario", "from-call", str(call), "-o", str(draft), "--ui-lang", "zh"]) == 0
    assert capsys.readouterr().err.strip() == f"{draft}：草稿已写好；请修改后运行 `roleplay validate {draft}`"


@pytest.mark.parametrize("command", ["score", "export", "review", "drill", "validate"])
def test_help_in_chinese(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--ui-lang", "zh", command, "--help"])
    out = capsys.readouterr().out
    assert out.startswith(f"用法：roleplay {command} ") and "选项：\n" in out and "显示本帮助信息并退出" in out
    # Left: option names and metavars (--db DB), ids and file names the help names on purpose.
    prose = re.sub(r"--?[\w-]+( [A-Z_]+)?|\{[^}]*\}|\$\w+|`[^`]*`|\[[^\]]*\]|[\w.-]+\.(yaml|json|wav|csv)", "",
                   out.split("\n\n", 1)[1])
    names = {"CALL", "DIR", "CALL_DIR", "PATH", "JSON", "CSV", "BOM", "Excel", "xAPI", "IRI", "YAML", "ROLEPLAY",
             "DB", "QA", "SQLite", "TEXT", "Vosk", "id", "LMS", "URL", "HTML"}
    assert latin_words(prose, names) == set(), prose
    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    assert "show this help message and exit" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "english", "chinese"), [
    (["simulate"], "the following arguments are required: scenario, --answers",
     "roleplay simulate：错误：缺少必需的参数：scenario, --answers"),
    (["nosuch"], "invalid choice: 'nosuch'", "无效的选项 'nosuch'"),
    (["simulate", "x", "--answers", "y", "--bogus"], "unrecognized arguments: --bogus", "无法识别的参数：--bogus"),
    (["drill", "--limit-s", "abc"], "invalid float value: 'abc'", "参数 --limit-s：'abc' 不是有效的数字"),
])
def test_argument_errors_in_the_interface_language(argv: list[str], english: str, chinese: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    for lang, expected in (("en", english), ("zh", chinese)):
        with pytest.raises(SystemExit) as stop:
            cli.main(["--ui-lang", lang, *argv])
        assert stop.value.code == 2
        assert expected in capsys.readouterr().err
