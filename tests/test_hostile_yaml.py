"""Hostile authored YAML (issue 12, defects 1-3): alias bombs, alias loops, deep nesting and
values that used to validate and crash later. Each gives located errors and a clean exit."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from phrasebank import load_phrasebank
from roleplay.authoring.answers import load_answers
from roleplay.model.errors import FileProblems, RoleplayError, ScenarioErrors
from roleplay.training.validate import format_error, validate_paths
from scoring.rubric import load_rubric

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "scenarios" / "en" / "broadband-slow.yaml"

# Nine levels of ten aliases: 10**9 values once expanded, 1 kB as written.
BOMB = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 9))


def cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "roleplay", *args], check=False,
                          capture_output=True,
                          text=True, cwd=ROOT, timeout=timeout)


def scenario_with(tmp_path: Path, name: str, extra: str) -> Path:
    path = tmp_path / name
    path.write_text(GOOD.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


def test_alias_bomb_is_a_located_error_in_well_under_a_second(tmp_path: Path) -> None:
    bomb = scenario_with(tmp_path, "bomb.yaml", "x_bomb:\n" + "".join("  " + line + "\n" for line in BOMB.splitlines()))
    started = time.monotonic()
    errors, _ = validate_paths([bomb])
    assert time.monotonic() - started < 2
    assert len(errors) == 1 and "aliases ('*') expand this file to more than" in errors[0].message
    assert errors[0].line > GOOD.read_text(encoding="utf-8").count("\n")   # inside the bomb


def test_list_and_validate_survive_a_bomb_a_loop_and_deep_nesting(tmp_path: Path) -> None:
    library = tmp_path / "library"
    library.mkdir()
    shutil.copy(GOOD, library / "good.yaml")
    (library / "bomb.yaml").write_text(BOMB, encoding="utf-8")
    (library / "loop.yaml").write_text("id: &a [*a]\n", encoding="utf-8")
    (library / "deep.yaml").write_text("x: " + "[" * 500 + "]" * 500 + "\n", encoding="utf-8")
    listed = cli("list", "--dir", str(library))
    assert listed.returncode == 0, listed.stderr
    assert "broadband-slow-en" in listed.stdout and "Traceback" not in listed.stderr
    checked = cli("validate", str(library))
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    lines = checked.stdout.splitlines()
    assert any(line.startswith(f"{library / 'loop.yaml'}:1:9: alias '*a' is inside its own anchor") for line in lines)
    assert any(line.startswith(f"{library / 'deep.yaml'}:1:") and "nested more than 64 levels" in line
               for line in lines)
    assert any(line.startswith(f"{library / 'bomb.yaml'}:") for line in lines)
    assert "4 file(s)" in checked.stderr   # the good file was checked too, after the bad ones


@pytest.mark.parametrize(("extra", "needle"), [
    ("", "level: must be between 1 and 1000, got 100000000000000000000"),
])
def test_a_huge_level_fails_validation_not_the_call(tmp_path: Path, extra: str, needle: str) -> None:
    text = GOOD.read_text(encoding="utf-8").replace("level: 2\n", "level: 100000000000000000000\n")
    path = tmp_path / "huge.yaml"
    path.write_text(text + extra, encoding="utf-8")
    errors, _ = validate_paths([path])
    assert [e.message for e in errors] == [needle]
    out = tmp_path / "calls"
    done = cli("simulate", str(path), "--answers", "scenarios/en/answers/broadband-slow-good.yaml",
               "--asr", "text", "--out", str(out))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert not out.exists() or not any(out.iterdir())   # no call folder holding only scenario.yaml


def test_numbers_without_their_own_bound_are_capped(tmp_path: Path) -> None:
    text = GOOD.read_text(encoding="utf-8").replace("patience_s: 6", "patience_s: 1e300")
    path = tmp_path / "patience.yaml"
    path.write_text(text, encoding="utf-8")
    errors, _ = validate_paths([path])
    assert [e.message for e in errors] == ["patience_s: must be between 0 and 1000000, got 1e300"]


def test_a_two_megabyte_value_is_quoted_short_once(tmp_path: Path) -> None:
    text = GOOD.read_text(encoding="utf-8").replace("level: 2\n", "level: " + "9" * 2_000_000 + "x\n")
    path = tmp_path / "long.yaml"
    path.write_text(text, encoding="utf-8")
    errors, _ = validate_paths([path])
    shown = "\n".join(format_error(e) for e in errors)
    assert len(shown) < 500 and "level: expected a whole number, got '999" in shown


@pytest.mark.parametrize(("text", "needle"), [
    ("- say: hello\n  delay: .nan\n", "answers.yaml:2:10: entry 1.delay: expected a number, got '.nan'"),
    ("- say: hello\n  delay: 1e9\n", "entry 1.delay: must be between -3600 and 3600"),
    (BOMB, "aliases ('*') expand"),
    ("- say: \xff\n", "not valid UTF-8"),
])
def test_answers_files_are_read_bounded_and_located(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "answers.yaml"
    path.write_bytes(text.encode("utf-8") if "\xff" not in text else text.encode("latin-1"))
    with pytest.raises(ScenarioErrors) as error:
        load_answers(path)
    assert needle in "\n".join(str(e) for e in error.value.errors)


@pytest.mark.parametrize(("text", "needle"), [
    (b"weights: {courtesy: \xff}\n", "centre.yaml:1:21: not valid UTF-8"),
    (BOMB.encode(), "centre.yaml:6:10: aliases"),
    (b"weights: {courtesy: .nan}\n", "weights must map item ids to numbers"),
    (b"settings: {max_hold_s: .inf}\n", "must be a number, 0 or more"),
])
def test_rubric_files_are_read_bounded_and_located(tmp_path: Path, text: bytes, needle: str) -> None:
    path = tmp_path / "centre.yaml"
    path.write_bytes(text)
    with pytest.raises(RoleplayError) as error:
        load_rubric(path)
    assert needle in str(error.value)


@pytest.mark.parametrize(("text", "needle"), [
    (b"categories:\n  greeting: [\"caf\xe9\"]\n", "bad.yaml:2:18: not valid UTF-8"),
    (b"matching: {tolerance: abc}\ncategories: {}\n", "matching.tolerance must be a number from 0 to 1"),
    (b"matching: {min_fuzzy_chars: .inf}\ncategories: {}\n", "min_fuzzy_chars must be a whole number"),
    (b"categories: &a {x: *a}\n", "bad.yaml:1:20: alias '*a' is inside its own anchor"),
])
def test_phrasebank_overrides_are_read_bounded_and_located(tmp_path: Path, text: bytes, needle: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(text)
    with pytest.raises(RoleplayError) as error:
        load_phrasebank("en", path)
    assert needle in str(error.value)


def test_a_rubric_reports_every_problem_at_once(tmp_path: Path) -> None:
    path = tmp_path / "centre.yaml"
    path.write_text("pass_mark: 150\nweights: {bogus: 1}\nauto_fail: [sometimes]\n"
                    "settings: {max_hold_s: -1, rate_band_en: [180, 120], nonsense: 2}\nextra: 1\n")
    with pytest.raises(FileProblems) as error:
        load_rubric(path)
    lines = str(error.value).splitlines()
    assert len(lines) == 7 and all(line.startswith(f"{path}: ") for line in lines), lines
    for words in ("unknown rubric key 'extra'", "pass_mark", "'bogus'", "'sometimes'",
                  "'max_hold_s'", "'rate_band_en' must be [low, high]", "'nonsense'"):
        assert any(words in line for line in lines), words


def test_a_phrasebank_reports_every_problem_at_once(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("matching: {tolerance: abc}\ncategories:\n  greeting: [[1]]\n"
                    "  closing: {basic: [goodbye], expert: [x]}\n  empathy: 7\n")
    with pytest.raises(FileProblems) as error:
        load_phrasebank("en", path)
    lines = str(error.value).splitlines()
    assert len(lines) == 4, lines
    assert ["greeting" in lines[0], "closing" in lines[1], "empathy" in lines[2],
            "tolerance" in lines[3]] == [True] * 4
