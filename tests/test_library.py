"""The shipped scenario library: it validates, covers every domain and stage in both languages,
and every scenario's model answers land in the good band and its poor answers in the poor band
(typed answers, `--asr text`; tests/test_library_speech.py runs the English ones through Whisper)."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from roleplay.authoring.library import ScenarioRow, list_scenarios, open_scenario
from roleplay.frontends.simulate import simulate

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
DOMAINS = {"home-broadband", "bank-card", "pharmacy", "ecommerce-returns"}
STAGES = {"inquiry", "lookup", "complaint"}
GOOD_MIN = 80.0
POOR_MAX = 50.0

LANGUAGES = ("en", "zh")
ROWS = [r for r in list_scenarios(SCENARIOS) if r.path.parent.name in LANGUAGES]


def answers_for(path: Path, kind: str) -> Path:
    return path.parent / "answers" / f"{path.stem}-{kind}.yaml"


def test_validate_cli_is_clean() -> None:
    run = subprocess.run([sys.executable, "-m", "roleplay", "validate", str(SCENARIOS)],
                         check=False, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


def test_every_scenario_file_loads() -> None:
    files = sorted(p for lang in LANGUAGES for p in (SCENARIOS / lang).glob("*.yaml"))
    assert sorted(r.path for r in ROWS) == files   # list_scenarios skips files that fail to load


@pytest.mark.parametrize("language", LANGUAGES)
def test_library_covers_domains_and_stages(language: str) -> None:
    rows = [r for r in ROWS if r.language == language]
    assert len(rows) >= 8
    cells = Counter((open_scenario(str(r.path)).domain, r.stage) for r in rows)
    missing = {(d, s) for d in DOMAINS for s in STAGES} - set(cells)
    assert not missing, f"{language}: no scenario for {sorted(missing)}"


def test_ids_levels_and_answer_files_follow_the_convention() -> None:
    level = {"inquiry": 1, "lookup": 2, "complaint": 3}
    for row in ROWS:
        assert row.id == f"{row.path.stem}-{row.language}"
        assert row.path.parent.name == row.language
        if row.path.stem != "broadband-slow":   # the starter is a level-1 lookup
            assert row.level == level[row.stage], row.id
        for kind in ("good", "poor"):
            assert answers_for(row.path, kind).is_file(), f"{row.id}: no {kind} answers"


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_good_answers_pass(row: ScenarioRow) -> None:
    result = simulate(str(row.path), answers_for(row.path, "good"), asr="text")
    card = result.scorecard
    assert card.score >= GOOD_MIN and card.passed, f"{row.id}: {card.score} {card.reason}"
    assert str(result.call.outcome) == "resolved"


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_poor_answers_fail(row: ScenarioRow) -> None:
    result = simulate(str(row.path), answers_for(row.path, "poor"), asr="text")
    card = result.scorecard
    assert card.score < POOR_MAX and not card.passed, f"{row.id}: {card.score}"
    if row.stage == "complaint":
        assert str(result.call.outcome) == "escalated", row.id
        assert result.call.mood >= 8
