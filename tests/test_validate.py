"""`roleplay validate`: every broken fixture reports exactly its problems, located."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from roleplay.model.errors import ScenarioError
from roleplay.training.validate import format_error, validate_paths

ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "tests" / "fixtures" / "broken"
GOOD = ROOT / "tests" / "fixtures" / "good"

# fixture name -> every "line:col: message" it must report, in order. Written by hand from
# reading each fixture: the line and column are where the author has to look.
EXPECTED: dict[str, list[str]] = {
    "syntax_unclosed_quote": ["11:10: YAML syntax error: this quoted text has no closing quote"],
    "syntax_bad_indent": [
        "12:4: YAML syntax error: this line's indentation does not match the keys above it"],
    "duplicate_key": [
        "5:1: duplicate key 'level' (first on line 4); YAML would silently keep only the last one"],
    "level_not_integer": ["4:8: level: expected a whole number, got 'two'"],
    "missing_start": ["1:1: missing required key 'start'"],
    "unknown_top_key": ["9:1: unknown key 'pass_mrk' (did you mean 'pass_mark'?)"],
    "bad_language": ["3:11: language: unknown value 'eng' (did you mean 'en'?)"],
    "bad_stage": ["5:8: stage: unknown value 'complain' (did you mean 'complaint'?)"],
    "bad_outcome": ["12:10: end: unknown value 'resolve' (did you mean 'resolved'?)"],
    "bad_condition_key": ["13:14: if: unknown condition 'sayd' (did you mean 'said'?)"],
    "bad_id": ["1:5: id: 'Broadband Slow' may only use a-z, 0-9 and '-'"],
    "unknown_goto": ["13:15: goto: no node named 'wrapup' (did you mean 'wrap_up'?)"],
    "unknown_start": ["8:8: start: no node named 'greeting' (did you mean 'greet'?)"],
    "unknown_escalate_to": ["9:16: escalate_to: no node named 'complain' (did you mean 'complaint'?)"],
    "unreachable_node": ["15:3: node 'orphan' is never reached from start 'a'"],
    "dead_end": ["14:3: node 'b' has no 'next' and no 'end': the call would get stuck here"],
    "loop_no_exit": [
        "16:3: nodes 'b', 'c' form a loop with no way out: no end node can be reached"],
    "unknown_phrase_category": [
        "13:27: expect.phrases: unknown phrase category 'apologie' (did you mean 'apology'?)"],
    "unknown_phrases_key": [
        "9:3: phrases: unknown phrase category 'greting' (did you mean 'greeting'?)"],
    "template_unknown_field": [
        ("17:19: say: template {account.plna}: the customer's record in crm.account has no field"
        " 'plna' (did you mean 'plan'?)")],
    "template_unknown_table": [
        ("11:24: say: template {acount.number}: no CRM table 'acount'"
        " (this scenario has no 'crm:' section)")],
    "not_a_template": [
        "11:24: say: '{plan}' is not a CRM template; write {table.field}, as in {account.plan}"],
    "zh_template": [
        ("11:15: say: template {account.plan}: no CRM table 'account'"
        " (this scenario has no 'crm:' section)")],
    "condition_unknown_fact": [
        "15:26: fact_wrong: no fact in knowledge named 'curent_plan' (did you mean 'current_plan'?)"],
    "fact_crm_unknown_field": [
        "10:10: knowledge.current_plan.crm: the customer's record in crm.account has no field 'plan'"],
    "crm_customer_no_record": [
        "11:15: crm.account.customer: no record has number '88001243' (did you mean '88001234'?)"],
    "expect_unknown_fact": [
        "14:22: expect.facts: no fact in knowledge named 'fiber_price' (did you mean 'fibre_price'?)"],
    "end_with_next": ["13:5: node 'a' ends the call ('end'), so its 'next' is never used"],
    "branch_after_otherwise": [
        "14:9: this branch is never taken: the branch on line 13 has no 'if' and is always taken first"],
    "persona_problems": [
        "8:3: persona: missing required key 'name'",
        "8:3: persona: unknown key 'moood' (did you mean 'mood'?)",
        "9:15: patience_s: must be at least 0, got -1"],
    "say_wrong_type": ["11:10: say: expected text, got a mapping"],
    "top_level_list": ["1:1: a scenario is a mapping of keys (id, title, nodes, ...), got a list"],
    "empty": ["1:1: the file is empty"],
    "fact_value_and_crm": [
        "9:22: knowledge.price: give either 'value' or 'crm', not both",
        "10:10: knowledge.speed: needs a 'value' (or 'crm: table.field' for a CRM value)"],
    "condition_values": [
        "13:25: forbidden: the only value is true (use another branch for 'otherwise')",
        "15:26: mood_above: must be between 0 and 10, got 12",
        "17:13: if: no conditions; leave 'if' out for an 'otherwise' branch"],
    "several_problems": [
        "3:11: language: unknown value 'fr'; expected 'en' or 'zh'",
        "4:8: level: must be between 1 and 1000, got 0",
        "17:16: timeout_s: expected a number, got 'soon'"],
    "crm_record_missing_key": [
        "14:9: crm.account record: missing its key field 'number'",
        "16:15: crm.account.plan: expected text, got a list"],
    "node_not_mapping": ["13:6: node 'b': expected a mapping of keys, got 'Bye'"],
    "tab_indent": ["12:1: YAML syntax error: a tab character: indent with spaces"],
    "unknown_rubric_item": [
        "10:3: rubric: unknown rubric item 'knowlege' (did you mean 'knowledge'?)",
        ("11:3: rubric: unknown rubric item 'charm'; use one of opening, required_phrases, knowledge,"
         " verification, empathy, forbidden, latency, dead_air, delivery, closing, resolution,"
         " lookup_speed, wrong_record, kb_lookup, hold_button, wrap_up, courtesy, accuracy, timing,"
         " desk")],
}


def located(errors: list[ScenarioError]) -> list[str]:
    return [f"{e.line}:{e.col}: {e.message}" for e in errors]


def test_every_broken_fixture_has_an_expectation() -> None:
    names = {p.stem for p in BROKEN.glob("*.yaml")}
    assert names == set(EXPECTED)
    assert len(names) >= 25


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_fixture_reports_exactly_its_problems(name: str) -> None:
    path = BROKEN / f"{name}.yaml"
    errors, checked = validate_paths([path])
    assert checked == 1
    assert located(errors) == EXPECTED[name]
    assert all(e.path == str(path) for e in errors)


def test_one_file_with_three_problems_reports_all_three() -> None:
    errors, _ = validate_paths([BROKEN / "several_problems.yaml"])
    assert len(errors) == 3
    assert [e.line for e in errors] == [3, 4, 17]


def test_every_error_quotes_the_real_source_line() -> None:
    errors, checked = validate_paths([BROKEN])
    assert checked == len(EXPECTED)
    for e in errors:
        lines = Path(e.path).read_text(encoding="utf-8").splitlines()
        assert e.source_line == (lines[e.line - 1] if lines else "")
        assert 1 <= e.col <= max(len(e.source_line) + 1, 1)


def test_errors_are_sorted_by_path_line_and_column() -> None:
    errors, _ = validate_paths([BROKEN / "several_problems.yaml", BROKEN / "condition_values.yaml"])
    keys = [(e.path, e.line, e.col) for e in errors]
    assert keys == sorted(keys)
    assert errors[0].path.endswith("condition_values.yaml")


def test_good_fixtures_and_folders_are_clean() -> None:
    errors, checked = validate_paths([GOOD])
    assert errors == []
    assert checked == len(list(GOOD.glob("*.yaml")))


def test_missing_path_is_an_error_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    errors, checked = validate_paths([missing, GOOD / "refund-zh.yaml"])
    assert checked == 1
    assert [format_error(e) for e in errors] == [f"{missing}:1:1: no such file or folder"]


def test_curricula_are_checked_as_curricula_not_as_scenarios(tmp_path: Path) -> None:
    (tmp_path / "curriculum").mkdir()
    (tmp_path / "curriculum" / "path.yaml").write_text("title: not a scenario\n", encoding="utf-8")
    (tmp_path / "tiers.yml").write_text("name: tiers\nlevels:\n  - scenarios: [x]\n", encoding="utf-8")
    errors, checked = validate_paths([tmp_path])
    assert checked == 2
    messages: dict[str, set[str]] = {}
    for e in errors:
        messages.setdefault(Path(e.path).name, set()).add(e.message)
    # The curriculum's own keys are asked for; a scenario's (start, nodes, persona) never are.
    assert "missing required key 'levels'" in messages["path.yaml"]
    assert any("level 1" in m for m in messages["tiers.yml"])
    assert not any("'start'" in e.message or "'nodes'" in e.message for e in errors)


def test_not_utf8_is_located(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(b"id: t\ntitle: caf\xe9\n")
    errors, _ = validate_paths([bad])
    assert located(errors)[0] == "2:11: not valid UTF-8 text; save the file as UTF-8"


def test_format_error_quotes_the_line_with_a_caret_under_the_column() -> None:
    err = ScenarioError("s.yaml", 3, 11, "language: unknown value 'fr'", "language: fr")
    assert format_error(err).splitlines() == [
        "s.yaml:3:11: language: unknown value 'fr'",
        "    language: fr",
        "              ^",
    ]


def test_format_error_caret_counts_wide_characters_twice() -> None:
    err = ScenarioError("z.yaml", 11, 15, "m", "    say: 我的套餐是{account.plan}吗？")
    caret = format_error(err).splitlines()[2]
    # 4 quote spaces + 9 ASCII columns + 5 CJK characters two columns wide each
    assert caret == " " * (4 + 9 + 10) + "^"


def test_format_error_without_source_is_one_line() -> None:
    assert format_error(ScenarioError("a.yaml", 1, 1, "the file is empty")) == "a.yaml:1:1: the file is empty"


HEAD = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<message>.+)$")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "roleplay", "validate", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)


def test_cli_reports_problems_with_exit_1_and_located_lines() -> None:
    result = run_cli("tests/fixtures/broken")
    assert result.returncode == 1, result.stderr
    out = result.stdout.splitlines()
    heads = [m for line in out if (m := HEAD.match(line))]
    assert len(heads) == sum(len(v) for v in EXPECTED.values())
    for line in out:   # every line is a head, a quoted source line, or a caret
        assert HEAD.match(line) or line.startswith("    ")
    for text in (result.stdout, result.stderr):
        assert "Traceback" not in text and "<class" not in text and "NoneType" not in text
    assert f"problem(s) in {len(EXPECTED)} file(s)" in result.stderr
    quote_at = out.index(next(line for line in out if "several_problems.yaml:4:8:" in line))
    assert out[quote_at + 1:quote_at + 3] == ["    level: 0", "           ^"]


def test_cli_exits_0_on_good_files() -> None:
    result = run_cli("tests/fixtures/good/broadband-slow-en.yaml", "tests/fixtures/good/refund-zh.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert "2 file(s) OK" in result.stderr


def test_cli_main_in_process_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    from cli import main

    assert main(["validate", "does/not/exist.yaml"]) == 1
    assert capsys.readouterr().out.strip() == "does/not/exist.yaml:1:1: no such file or folder"


def test_shipped_library_is_clean() -> None:
    errors, checked = validate_paths([ROOT / "scenarios"])
    assert [format_error(e) for e in errors] == []
    assert checked >= 2


def test_any_deleted_line_gives_located_errors_not_a_crash(tmp_path: Path) -> None:
    lines = (GOOD / "broadband-slow-en.yaml").read_text(encoding="utf-8").splitlines()
    mutant = tmp_path / "mutant.yaml"
    failures = 0
    for drop in range(len(lines)):
        kept = lines[:drop] + lines[drop + 1:]
        mutant.write_text("\n".join(kept) + "\n", encoding="utf-8")
        errors, _ = validate_paths([mutant])   # anything but ScenarioError would raise here
        failures += bool(errors)
        for e in errors:
            assert 1 <= e.line <= len(kept) and e.col >= 1
            assert "<class" not in e.message and "NoneType" not in e.message
    assert failures > len(lines) // 4   # deleting required lines must be caught


def test_numbers_in_exponent_form_are_numbers(tmp_path: Path) -> None:
    text = (GOOD / "refund-zh.yaml").read_text(encoding="utf-8")
    scenario = tmp_path / "exp.yaml"
    scenario.write_text(text.replace("level: 1", "level: 1\npass_mark: 7.5e1"), encoding="utf-8")
    assert validate_paths([scenario])[0] == []
    scenario.write_text(text.replace("level: 1", "level: 1\npass_mark: .inf"), encoding="utf-8")
    assert located(validate_paths([scenario])[0]) == ["5:12: pass_mark: expected a number, got '.inf'"]


def test_answers_files_are_checked_as_answers_not_scenarios(tmp_path: Path) -> None:
    answers = tmp_path / "en" / "answers"
    answers.mkdir(parents=True)
    (answers / "good.yaml").write_text("- say: hello\n  delay: 1\n- silence: 8\n", encoding="utf-8")
    (answers / "typo.yaml").write_text("- say: hello\n- sya: bye\n", encoding="utf-8")
    shutil.copy(GOOD / "refund-zh.yaml", tmp_path / "en" / "refund.yaml")
    errors, checked = validate_paths([tmp_path])
    assert checked == 3
    assert {(Path(e.path).name, e.line) for e in errors} == {("typo.yaml", 2)}  # where 'sya' is
    assert any("sya" in e.message for e in errors) and str(tmp_path) not in errors[0].message


def test_rubric_typo_is_caught_by_the_loader_with_quote_and_caret(tmp_path: Path) -> None:
    """A misspelt rubric key fails validation, not the first scoring of a call."""
    text = (GOOD / "broadband-slow-en.yaml").read_text(encoding="utf-8")
    assert "  courtesy: 30\n" in text
    bad = tmp_path / "typo.yaml"
    bad.write_text(text.replace("  courtesy: 30\n", "  courtesy: 30\n  timng: 10\n"), encoding="utf-8")
    errors, _ = validate_paths([bad])
    line = text.splitlines().index("  courtesy: 30") + 2
    assert [format_error(e).splitlines() for e in errors] == [[
        f"{bad}:{line}:3: rubric: unknown rubric item 'timng' (did you mean 'timing'?)",
        "      timng: 10",
        "      ^"]]
