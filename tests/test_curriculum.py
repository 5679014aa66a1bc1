"""Curriculum files (validated with located errors), level status, tiers, re-training, badges."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cli import main
from roleplay.authoring.library import list_scenarios
from roleplay.authoring.loader import load_scenario
from roleplay.frontends.simulate import simulate
from roleplay.model.errors import ScenarioErrors
from roleplay.model.scenario import Scenario
from roleplay.records.progress import load_records, record_call
from roleplay.records.store import Store, open_store
from roleplay.training.badges import (
    Badge,
    CallRecord,
    CallSummary,
    ItemMark,
    badge_progress,
    earned_badges,
)
from roleplay.training.curriculum import (
    TIERS,
    Curriculum,
    level_status,
    load_curriculum,
    retraining,
    retraining_due,
    tier,
)
from roleplay.training.validate import validate_paths

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"

CURRICULUM = """\
id: test-path
title: Test path
language: en
certification:
  beginner: Junior
  intermediate: Senior
levels:
  - id: one
    title: First
    tier: beginner
    scenarios: [tiny-en]
  - id: two
    title: Second
    tier: beginner
    pass_mark: 80
    scenarios: [tiny-en, broadband-slow-en]
  - id: three
    title: Third
    tier: intermediate
    scenarios: [broadband-slow-en]
retraining:
  after_failures: 2
  drill_rounds: 7
  items:
    knowledge: [tiny-en]
badges:
  clean:
    title: Clean
    criteria: {no_forbidden_streak: 3}
  quick:
    title: Quick
    criteria: {lookup_under_s: 20, calls: 2}
"""


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A scenario library with two English and two Chinese scenarios, and a curriculum folder."""
    lib = tmp_path / "lib"
    (lib / "en").mkdir(parents=True)
    (lib / "zh").mkdir()
    (lib / "curriculum").mkdir()
    # played first in a beginner level, so marked level 1 (the path checks it)
    slow = (FIXTURES / "good" / "broadband-slow-en.yaml").read_text(encoding="utf-8")
    (lib / "en" / "broadband-slow-en.yaml").write_text(slow.replace("level: 2", "level: 1", 1), encoding="utf-8")
    shutil.copy(FIXTURES / "qa" / "tiny-en.yaml", lib / "en")
    shutil.copy(FIXTURES / "good" / "refund-zh.yaml", lib / "zh")
    (lib / "curriculum" / "path.yaml").write_text(CURRICULUM, encoding="utf-8")
    return lib


def rec(scenario: str, score: float | None, passed: bool, n: int, items: tuple[ItemMark, ...] = (),
        summary: CallSummary | None = None, stage: str = "lookup") -> CallRecord:
    return CallRecord(f"c{n}", "ann", scenario, "en", stage, f"2025-01-01T00:00:{n:02d}", score, passed,
                      items, summary or CallSummary())


def test_shipped_curricula_are_valid() -> None:
    errors, checked = validate_paths([ROOT / "scenarios" / "curriculum"])
    assert checked >= 2
    assert [str(e) for e in errors] == []
    for lang in ("en", "zh"):
        c = load_curriculum(ROOT / "scenarios" / "curriculum" / f"{lang}.yaml")
        assert c.language == lang and c.levels and c.badges


def test_curriculum_reads_levels_rules_and_badges(library: Path) -> None:
    c = load_curriculum(library / "curriculum" / "path.yaml")
    assert [lv.id for lv in c.levels] == ["one", "two", "three"]
    assert c.levels[1].scenarios == ("tiny-en", "broadband-slow-en")
    assert c.levels[1].pass_mark == 80 and c.levels[0].pass_mark is None
    assert c.levels[2].tier == "intermediate"
    assert c.retraining.drill_rounds == 7 and c.retraining.items == {"knowledge": ("tiny-en",)}
    quick = next(b for b in c.badges if b.id == "quick")
    assert quick.criteria == (("lookup_under_s", 20.0),) and quick.calls == 2


def test_every_problem_located(library: Path) -> None:
    bad = library / "curriculum" / "bad.yaml"
    bad.write_text(CURRICULUM
                   .replace("tier: intermediate", "tier: intermediat")
                   .replace("scenarios: [tiny-en]\n", "scenarios: [tiny-enn, refund-zh]\n")
                   .replace("- id: three", "- id: one")
                   .replace("knowledge: [tiny-en]", "knowlege: [tiny-en]")
                   .replace("{no_forbidden_streak: 3}", "{no_forbidden_streak: 0, calls: 2}"), encoding="utf-8")
    errors, _ = validate_paths([bad])
    lines = bad.read_text(encoding="utf-8").splitlines()
    found = {(e.line, e.message) for e in errors}
    def at(text: str) -> int:
        return next(i for i, line in enumerate(lines, start=1) if text in line)
    assert (at("tiny-enn"), "level 1.scenarios: no scenario 'tiny-enn' in the library (did you mean 'tiny-en'?)") in found
    assert (at("tiny-enn"), "level 1.scenarios: scenario 'refund-zh' is in zh, this curriculum is in en") in found
    assert (at("tier: intermediat"), "level 3.tier: unknown tier 'intermediat' (did you mean 'intermediate'?)") in found
    assert any(e.line == lines.index("  - id: one", 10) + 1 and "duplicate level id 'one'" in e.message for e in errors)
    assert any(e.line == at("knowlege") and "did you mean 'knowledge'" in e.message for e in errors)
    assert any(e.line == at("no_forbidden_streak") and "must be at least 1" in e.message for e in errors)
    assert any(e.line == at("no_forbidden_streak") and "'calls' only goes with" in e.message for e in errors)
    for e in errors:   # each column points at the offending text on its line
        assert 1 <= e.col <= len(lines[e.line - 1])
    with pytest.raises(ScenarioErrors):
        load_curriculum(bad)


def test_a_scenario_level_must_match_the_tier_that_first_plays_it(library: Path) -> None:
    path = library / "curriculum" / "path.yaml"
    slow = library / "en" / "broadband-slow-en.yaml"
    slow.write_text(slow.read_text(encoding="utf-8").replace("level: 1", "level: 3", 1), encoding="utf-8")
    errors = [str(e) for e in validate_paths([path])[0]]
    level_errors = [e for e in errors if "is marked `level:" in e]
    assert len(level_errors) == 1, errors
    assert "'broadband-slow-en' is marked `level: 3`" in level_errors[0] and "beginner tier" in level_errors[0]
    assert level_errors[0].startswith(f"{path}:16:")    # at the first level that plays it


def test_shipped_scenarios_are_marked_with_the_tier_that_first_plays_them() -> None:
    for language in LANGUAGES:
        first: dict[str, str] = {}
        for level in shipped(language).levels:
            for sid in level.scenarios:
                first.setdefault(sid, level.tier)
        levels = {row.id: row.level for row in list_scenarios(ROOT / "scenarios")}
        assert {sid: levels[sid] for sid in first} == {sid: TIERS.index(t) + 1 for sid, t in first.items()}


def test_tier_order_and_syntax_errors(library: Path) -> None:
    swapped = library / "curriculum" / "swapped.yaml"
    swapped.write_text(CURRICULUM.replace("tier: intermediate", "tier: beginner", 1)
                       .replace("    tier: beginner\n    scenarios: [tiny-en]", "    tier: advanced\n    scenarios: [tiny-en]"),
                       encoding="utf-8")
    errors, _ = validate_paths([swapped])
    assert any("comes after an advanced level" in e.message for e in errors)
    broken = library / "curriculum" / "broken.yaml"
    broken.write_text("id: x\nlevels: [\n", encoding="utf-8")
    errors, _ = validate_paths([broken])
    assert len(errors) == 1 and errors[0].message.startswith("YAML syntax error")


def test_validate_command_reports_curriculum_errors(library: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = library / "curriculum" / "bad.yaml"
    bad.write_text(CURRICULUM.replace("[tiny-en]\n", "[nope]\n", 1), encoding="utf-8")
    assert main(["validate", str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:11:17: level 1.scenarios: no scenario 'nope' in the library" in out
    assert main(["validate", str(library / "curriculum" / "path.yaml")]) == 0


def test_level_status_unlocks_in_order(library: Path) -> None:
    c = load_curriculum(library / "curriculum" / "path.yaml")
    assert [s.status for s in level_status(c, [])] == ["unlocked", "locked", "locked"]
    attempts = [rec("tiny-en", 75, True, 1)]
    assert [s.status for s in level_status(c, attempts)] == ["passed", "unlocked", "locked"]
    # Level two's pass mark is 80: a passing call at 75 does not count there.
    attempts.append(rec("broadband-slow-en", 90, True, 2))
    status = level_status(c, attempts)
    assert [s.status for s in status] == ["passed", "unlocked", "locked"]
    assert status[1].passed_scenarios == ("broadband-slow-en",)
    assert status[1].best == {"tiny-en": 75, "broadband-slow-en": 90}
    # A failed call never counts, whatever its score.
    attempts.append(rec("tiny-en", 95, False, 3))
    assert level_status(c, attempts)[1].status == "unlocked"
    attempts.append(rec("tiny-en", 85, True, 4))
    assert [s.status for s in level_status(c, attempts)] == ["passed", "passed", "passed"]
    assert tier(c, attempts) == "intermediate"


def test_tier_needs_every_level_of_the_tier(library: Path) -> None:
    c = load_curriculum(library / "curriculum" / "path.yaml")
    assert tier(c, []) is None
    assert tier(c, [rec("tiny-en", 75, True, 1)]) is None   # level two is beginner too
    both = [rec("tiny-en", 85, True, 1), rec("broadband-slow-en", 85, True, 2)]
    # broadband-slow-en also passes level three, so both tiers are earned.
    assert tier(c, both) == "intermediate"
    assert tier(c, both[:1] + [rec("broadband-slow-en", 70, True, 2)]) is None


def test_retraining_lists_missed_categories_items_and_scenarios(library: Path) -> None:
    c = load_curriculum(library / "curriculum" / "path.yaml")
    items = (ItemMark("knowledge", 0, 15, False), ItemMark("opening", 10, 10, True),
             ItemMark("empathy", 0, 0, False))   # not applicable: not a failed item
    summary = CallSummary(("verification", "hold_request"), ("current_plan",), ("not my problem",))
    failed = rec("broadband-slow-en", 40, False, 5, items, summary)
    r = retraining(c, failed)
    assert r.scenarios == ("broadband-slow-en", "tiny-en")
    assert r.categories == ("verification", "hold_request", "forbidden")
    assert r.facts == ("current_plan",) and r.failed_items == ("knowledge",)
    assert r.level == "two"
    assert r.drills("en") == ["roleplay drill --category verification --lang en --rounds 7",
                              "roleplay drill --category hold_request --lang en --rounds 7"]
    # Due only after two failures in a row at the scenario.
    assert retraining_due(c, [failed]) == []
    second = rec("broadband-slow-en", 50, False, 6, items, summary)
    assert [d.call_id for d in retraining_due(c, [failed, second])] == ["c6"]
    assert retraining_due(c, [failed, second, rec("broadband-slow-en", 90, True, 7)]) == []


def test_badges_streaks_thresholds_and_counts() -> None:
    clean = Badge("clean", "Clean", "", (("no_forbidden_streak", 3),))
    quick = Badge("quick", "Quick", "", (("lookup_under_s", 20),), calls=2)
    calm = Badge("calm", "Calm", "", (("complaint_calmed", 1),))
    ok, bad = ItemMark("forbidden", 10, 10, True), ItemMark("forbidden", 0, 10, False)
    fast, slow = CallSummary(lookup_ms=(12000,)), CallSummary(lookup_ms=(12000, 25000))
    calls = [rec("s", 80, True, 1, (ok,), fast), rec("s", 80, True, 2, (ok,), slow),
             rec("s", 30, False, 3, (bad,)), rec("s", 80, True, 4, (ok,)), rec("s", 80, True, 5, (ok,))]
    progress = {p.badge.id: p for p in badge_progress([clean, quick, calm], calls)}
    assert (progress["clean"].earned, progress["clean"].have, progress["clean"].need) == (False, 2, 3)
    assert (progress["quick"].earned, progress["quick"].have) == (False, 1)
    calls.append(rec("s", 80, True, 6, (ok,), CallSummary(lookup_ms=(19000,), outcome="resolved"), "complaint"))
    assert [b.id for b in earned_badges([clean, quick, calm], calls)] == ["clean", "quick", "calm"]
    # A lookup that was never answered spoils the call; unscored calls do not count at all.
    never = [rec("s", 80, True, 1, (ok,), CallSummary(lookup_ms=(None,))), rec("s", None, False, 2, (ok,), fast)]
    assert earned_badges([quick], never) == []
    escalated = [rec("s", 50, False, 1, (), CallSummary(outcome="escalated"), "complaint")]
    assert earned_badges([calm], escalated) == []


# --- the shipped path: every scenario of the library, graded, and walked through -------------
LANGUAGES = ("en", "zh")
STAGE_ORDER = ("inquiry", "lookup", "complaint")


def shipped(language: str) -> Curriculum:
    return load_curriculum(ROOT / "scenarios" / "curriculum" / f"{language}.yaml")


def scenario_files(language: str) -> dict[str, Scenario]:
    """Scenario id -> scenario, for every scenario file in scenarios/<language>/."""
    files = sorted((ROOT / "scenarios" / language).glob("*.yaml"))
    assert len(files) >= 12
    return {s.id: s for s in map(load_scenario, files)}


def stages(language: str) -> dict[str, str]:
    return {sid: str(s.stage) for sid, s in scenario_files(language).items()}


@pytest.mark.parametrize("language", LANGUAGES)
def test_shipped_curriculum_takes_in_every_scenario_of_its_language(language: str) -> None:
    c = shipped(language)
    named = {sid for level in c.levels for sid in level.scenarios}
    assert named == set(stages(language))
    assert all(sid in named for sids in c.retraining.items.values() for sid in sids)


@pytest.mark.parametrize("language", LANGUAGES)
def test_shipped_curriculum_is_graded(language: str) -> None:
    c, stage = shipped(language), stages(language)
    assert all(level.pass_mark is not None for level in c.levels)
    marks = [level.pass_mark or 0.0 for level in c.levels]
    assert marks == sorted(marks) and marks[0] < marks[-1]   # never down, and it does rise
    # Each tier has levels and a certificate; tiers come in order.
    assert [lv.tier for lv in c.levels] == sorted((lv.tier for lv in c.levels), key=TIERS.index)
    assert {lv.tier for lv in c.levels} == set(TIERS) == set(c.certification)
    # Beginner levels are inquiries, intermediate lookups; advanced brings the complaints.
    by_tier = {t: {stage[s] for lv in c.levels if lv.tier == t for s in lv.scenarios} for t in TIERS}
    assert by_tier["beginner"] == {"inquiry"} and by_tier["intermediate"] == {"lookup"}
    assert "complaint" in by_tier["advanced"] and by_tier["advanced"] <= {"lookup", "complaint"}
    for t in TIERS:   # each tier's levels together span the four domains
        domains = {s.split("-")[0] for lv in c.levels if lv.tier == t for s in lv.scenarios}
        assert domains == {"broadband", "card", "pharmacy", "returns"}, t
    hardest = [max(STAGE_ORDER.index(stage[s]) for s in lv.scenarios) for lv in c.levels]
    assert hardest == sorted(hardest)


def attempt(store: Store, root: Path, scenario: Scenario, kind: str, trainee: str, n: int) -> None:
    """Simulate one call with the scenario's good or poor answers (text only) and record it at
    a fixed time, so the order of attempts does not depend on the wall clock. The scenario is
    passed as its file: looking an id up reads the whole library each time."""
    path = Path(scenario.path)
    answers = path.parent / "answers" / f"{path.stem}-{kind}.yaml"
    result = simulate(str(path), answers, asr="text", out_dir=root)
    assert result.call_dir is not None
    path = result.call_dir / "call.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw.update(trainee=trainee, started_at=f"2025-03-01T09:{n // 60:02d}:{n % 60:02d}Z")
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    record_call(result.call_dir, store=store)


@pytest.mark.parametrize("language", LANGUAGES)
def test_good_answers_climb_every_level_to_the_top_tier(language: str, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    c, scenarios = shipped(language), scenario_files(language)
    url = f"sqlite:///{tmp_path / 'records.db'}"
    done: set[str] = set()
    with open_store(url) as store:
        for i, level in enumerate(c.levels):
            for sid in level.scenarios:
                if sid not in done:
                    attempt(store, tmp_path / "calls", scenarios[sid], "good", "gina", len(done))
                    done.add(sid)
            records = load_records(store, "gina")
            expected = ["passed"] * (i + 1) + ["unlocked"] * (i + 1 < len(c.levels))
            expected += ["locked"] * (len(c.levels) - len(expected))
            assert [s.status for s in level_status(c, records)] == expected, level.id
            last_of_tier = i + 1 == len(c.levels) or c.levels[i + 1].tier != level.tier
            if last_of_tier:
                assert tier(c, records) == level.tier
            else:
                assert tier(c, records) == next((lv.tier for lv in reversed(c.levels[:i])
                                                 if lv.tier != level.tier), None)
            assert retraining_due(c, records) == []
    curriculum = ROOT / "scenarios" / "curriculum" / f"{language}.yaml"
    assert main(["progress", "gina", "--db", url, "--curriculum", str(curriculum), "--json"]) == 0
    (report,) = json.loads(capsys.readouterr().out)["curricula"]
    assert report["tier"] == "advanced" and report["certificate"] == c.certification["advanced"]
    earned = {b["id"] for b in report["badges"] if b["earned"]}
    assert {"first-pass", "calm-hands", "peacemaker", "quick-lookup", "clean-speech"} <= earned


@pytest.mark.parametrize("language", LANGUAGES)
def test_poor_answers_stay_at_level_one_with_retraining(language: str, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    c = shipped(language)
    first = c.levels[0].scenarios[0]
    scenario = scenario_files(language)[first]
    url = f"sqlite:///{tmp_path / 'records.db'}"
    with open_store(url) as store:
        attempt(store, tmp_path / "calls", scenario, "poor", "pete", 0)
        records = load_records(store, "pete")
        assert retraining_due(c, records) == []   # one failure is not yet a pattern
        attempt(store, tmp_path / "calls", scenario, "poor", "pete", 1)
        records = load_records(store, "pete")
    assert [s.status for s in level_status(c, records)] == ["unlocked"] + ["locked"] * (len(c.levels) - 1)
    assert tier(c, records) is None
    (due,) = retraining_due(c, records)
    assert due.scenario_id == first and due.level == c.levels[0].id
    assert due.scenarios[0] == first and due.failed_items and due.categories
    extra = {s for item in due.failed_items for s in c.retraining.items.get(item, ())}
    assert set(due.scenarios[1:]) == extra - {first} and extra
    curriculum = ROOT / "scenarios" / "curriculum" / f"{language}.yaml"
    assert main(["progress", "pete", "--db", url, "--curriculum", str(curriculum), "--json"]) == 0
    (report,) = json.loads(capsys.readouterr().out)["curricula"]
    assert report["tier"] is None and [r["scenario"] for r in report["retraining"]] == [first]
    assert report["retraining"][0]["drills"] and not any(b["earned"] for b in report["badges"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_first_lookup_does_not_dock_verification_before_the_path_teaches_it(language: str,
                                                                               tmp_path: Path) -> None:
    path = ROOT / "scenarios" / language / "broadband-slow.yaml"
    good = (path.parent / "answers" / "broadband-slow-good.yaml").read_text(encoding="utf-8")
    confirm = {"en": "For security reasons, can you confirm the name on the account is Emily Chen? ",
               "zh": "为了您的账户安全，请问机主姓名是王芳吗？"}[language]
    assert confirm in good
    answers = tmp_path / "answers.yaml"
    answers.write_text(good.replace(confirm, ""), encoding="utf-8")
    card = simulate(str(path), answers, asr="text", out_dir=tmp_path / "calls").scorecard
    verification = next(i for i in card.items if i.id == "verification")
    assert verification.max_points == 0 and card.passed, card.reason
