"""The `roleplay` command end to end: scripted typed calls, simulate --json, help, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import cli

ROOT = Path(__file__).resolve().parent.parent


def roleplay(*args: str, stdin: str = "", cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "roleplay", *args], check=False, input=stdin, capture_output=True, text=True,
        cwd=cwd, timeout=120,
    )


ZH_OUTCOMES = {"resolved": "已解决", "escalated": "已升级"}


def typed_script(answers_file: str) -> str:
    """The `say:` lines of an answers file, one per line: what a trainee would type."""
    steps = yaml.safe_load((ROOT / answers_file).read_text(encoding="utf-8"))
    return "".join(f"{step.get('say', '')}\n" for step in steps)


@pytest.mark.parametrize(
    ("scenario", "answers", "outcome"),
    [
        ("broadband-slow-en", "scenarios/en/answers/broadband-slow-good.yaml", "resolved"),
        ("broadband-slow-zh", "scenarios/zh/answers/broadband-slow-good.yaml", "resolved"),
        ("broadband-slow-en", "scenarios/en/answers/broadband-slow-poor.yaml", "escalated"),
        ("broadband-slow-zh", "scenarios/zh/answers/broadband-slow-poor.yaml", "escalated"),
    ],
)
def test_scripted_typed_call_reaches_an_end_node(tmp_path: Path, scenario: str, answers: str, outcome: str) -> None:
    done = roleplay("run", scenario, "--typed", "--no-tts", "--out", str(tmp_path), stdin=typed_script(answers))
    assert done.returncode == 0, done.stderr
    if scenario.endswith("-zh"):   # a Chinese call speaks Chinese throughout, the scorecard at the end
        assert f"通话结束：{ZH_OUTCOMES[outcome]}" in done.stdout and "总分" in done.stdout
        assert "customer" not in done.stdout and "you>" not in done.stdout and "Total" not in done.stdout
    else:
        assert f"call ended: {outcome}" in done.stdout and "Total" in done.stdout
    archived = list(tmp_path.glob("*/call.json"))
    assert len(archived) == 1
    call = json.loads(archived[0].read_text(encoding="utf-8"))
    assert call["outcome"] == outcome
    assert call["timeline"][-1]["kind"] == "call_ended"


def test_typed_call_with_no_input_ends_without_hanging(tmp_path: Path) -> None:
    done = roleplay("run", "broadband-slow-en", "--typed", "--no-tts", "--out", str(tmp_path), stdin="")
    assert done.returncode == 0, done.stderr
    assert "call ended: hung_up" in done.stdout


def test_simulate_json_follows_the_contract() -> None:
    done = roleplay("simulate", "broadband-slow-en", "--answers",
                    "scenarios/en/answers/broadband-slow-good.yaml", "--asr", "text", "--json")
    assert done.returncode == 0, done.stderr
    card = json.loads(done.stdout)
    assert {"call_id", "scenario", "score", "passed", "items", "turns"} <= set(card)
    assert card["passed"] is True and 0 <= card["score"] <= 100
    for item in card["items"]:
        assert {"id", "kind", "passed", "points", "max_points", "evidence"} <= set(item)
    speakers = {turn["speaker"] for turn in card["turns"]}
    assert speakers == {"customer", "trainee"}
    trainee_turns = [t for t in card["turns"] if t["speaker"] == "trainee"]
    assert trainee_turns[0]["latency_ms"] == 1000  # the answers file's delay: 1.0 s


def test_list_shows_both_languages() -> None:
    done = roleplay("list")
    assert done.returncode == 0, done.stderr
    assert "broadband-slow-en" in done.stdout and "broadband-slow-zh" in done.stdout
    # the scenario's level and the path's level are shown together, and agree on the tier
    slow = next(line for line in done.stdout.splitlines() if line.startswith("broadband-slow-en "))
    assert "level 2 " in slow and "[agent-path-en level 3 first-lookup]" in slow, slow


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("run", "no-such-scenario", "--typed"), "no scenario 'no-such-scenario'"),
        (("simulate", "broadband-slow-en", "--answers", "missing.yaml"), "missing.yaml"),
    ],
)
def test_user_mistakes_give_one_line_and_exit_2(args: tuple[str, ...], needle: str) -> None:
    done = roleplay(*args)
    assert done.returncode == 2
    assert needle in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_every_command_has_help_text_and_a_readme_mention() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parser = cli.build_parser()
    for name, entry in cli.COMMANDS.items():
        help_text = entry.help
        assert help_text.strip(), name
        assert f"roleplay {name}" in readme, f"README does not mention `roleplay {name}`"
    assert parser.format_help()
