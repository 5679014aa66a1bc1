"""Validation problems in the interface's language: the wording is translated, the location
(`file:line:col:`), the quoted source line and its caret stay as they are, and English is
unchanged (tests/test_validate.py holds its exact text)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import cli
from roleplay.authoring.loader import TOP_OPTIONAL, TOP_REQUIRED
from roleplay.model.errors import RoleplayError
from roleplay.model.i18n import localise
from roleplay.training.validate import format_error, problem_text, validate_paths
from scoring.rubric import RUBRIC_KEYS, load_rubric

ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "tests" / "fixtures" / "broken"
# Latin words a Chinese problem may still hold besides the file's own keys, ids and values.
ALLOWED = {"YAML", "UTF", "true", "false", "a", "z", "U", *TOP_REQUIRED, *TOP_OPTIONAL,
           *(w for key in RUBRIC_KEYS for w in key.split("_"))}
BAD = """id: bad-one
title: Bad
lang: en
nodes:
  a:
    say: hello
start: a
"""


def _english_words(text: str, source: str) -> set[str]:
    """Latin words in `text`, outside quotes (ids, suggestions), that are neither in the file
    being checked nor allowed."""
    text = re.sub(r"“[^”]*”|`[^`]*`|'[^']*'|\{[^}]*\}", "", text)
    return set(re.findall(r"[A-Za-z]+", text)) - set(re.findall(r"[A-Za-z]+", source)) - ALLOWED


def test_the_brief_examples_read_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD, encoding="utf-8")
    unclosed = tmp_path / "unclosed.yaml"
    unclosed.write_text("id: x\ntitle: [a, b\n", encoding="utf-8")
    assert cli.main(["validate", str(bad), str(unclosed), "--ui-lang", "zh"]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:1:1: 缺少必需的键“domain”\n    id: bad-one\n    ^\n" in out
    assert f"{bad}:3:1: 未知的键“lang”（是否想写“language”？）" in out
    assert f"{bad}:5:3: 节点“a”既没有“next”也没有“end”：通话会卡在这里" in out
    assert f"{unclosed}:3:1: YAML 语法错误：“[”开始的列表没有用“]”闭合" in out
    assert cli.main(["validate", str(bad)]) == 1     # English by default, as written in the code
    assert f"{bad}:3:1: unknown key 'lang' (did you mean 'language'?)" in capsys.readouterr().out


@pytest.mark.parametrize("fixture", sorted(p.name for p in BROKEN.glob("*.yaml")))
def test_every_broken_fixture_speaks_chinese(fixture: str) -> None:
    path = BROKEN / fixture
    errors, _ = validate_paths([path])
    assert errors
    source = path.read_text(encoding="utf-8", errors="replace")
    for error in errors:
        zh, en = format_error(error, "zh"), format_error(error)
        assert en == format_error(error, "en") and problem_text(error) == error.message
        assert zh.startswith(f"{error.path}:{error.line}:{error.col}: ") and zh.splitlines()[1:] == en.splitlines()[1:]
        words = _english_words(problem_text(error, "zh"), source)
        assert not words, f"English left in {zh!r}: {words}"
        assert re.search(r"[\u4e00-\u9fff]", problem_text(error, "zh")), zh
        assert not re.search(r"[\u4e00-\u9fff][,:;()]|[,:;()][\u4e00-\u9fff]", problem_text(error, "zh")), zh


def test_rubric_problems_and_library_errors_render_in_chinese(tmp_path: Path) -> None:
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text("pass_mark: 120\nweights: {opening: -1}\n", encoding="utf-8")
    with pytest.raises(RoleplayError) as caught:
        load_rubric(rubric)
    assert str(caught.value).splitlines() == [
        f"{rubric}: pass_mark must be a number from 0 to 100",
        f"{rubric}: weights must map item ids to numbers from 0 to 1000000"]
    assert localise(caught.value, "zh").splitlines() == [
        f"{rubric}：pass_mark 必须是 0 到 100 之间的数字",
        f"{rubric}：weights 必须把评分项 id 对应到 0 到 1000000 之间的数字"]
    deep = tmp_path / "deep.yaml"
    deep.write_text("a: " + "[" * 70 + "]" * 70 + "\n", encoding="utf-8")
    with pytest.raises(RoleplayError) as deep_error:
        load_rubric(deep)
    assert localise(deep_error.value, "zh").endswith("嵌套超过 64 层；请把这部分改得扁平些")


def test_an_unknown_scenario_is_one_chinese_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--ui-lang", "zh", "simulate", "no-such-scenario", "--answers", "x.yaml"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("roleplay: 没有场景“no-such-scenario”：它不是文件") and "roleplay list" in err
