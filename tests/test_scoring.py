"""Rubric rules and scorecard behaviour, table-driven; plus `roleplay score`."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from scoring_builders import BANKS, Script, broadband_scenario

import scoring.items
from roleplay.model.errors import RoleplayError
from roleplay.model.events import Timeline
from roleplay.model.scenario import Fact
from scoring.facts import FactCheck, FactStatus
from scoring.rubric import DEFAULT_RUBRIC, GROUPS, ITEM_IDS, Rubric, load_rubric
from scoring.scorecard import Scorecard, score
from scoring.view import render_scorecard

ROOT = Path(__file__).resolve().parent.parent
EN = BANKS["en"]


def full_call(
    greet: str = "Hello, thank you for calling, my name is Sam.",
    lookup: str = "Could you confirm the account holder? Let me check, please hold.",
    back: str = "Thank you for waiting, you are on Fibre 50.",
    complaint: str = "I am sorry, I understand. The upgrade is 49 dollars a month.",
    wrap: str = "Is there anything else? Have a nice day, goodbye.",
    outcome: str = "resolved", complaint_mood: float = 6.5, delay_ms: int = 900,
) -> Timeline:
    s = Script("broadband-en")
    s.line("greet", "Hi, my internet is slow.").answer("greet", greet, delay_ms).next("greet", "lookup")
    s.line("lookup", "My account is 88001234.").answer("lookup", lookup, delay_ms)
    s.hold("lookup", 12_000).after_hold("lookup", back).next("lookup", "complaint", mood=complaint_mood)
    s.line("complaint", "Too slow!", mood=complaint_mood).answer("complaint", complaint, delay_ms)
    s.next("complaint", "wrap_up").line("wrap_up", "OK.").answer("wrap_up", wrap, delay_ms)
    return s.next("wrap_up", "bye").end("bye", "Bye.", outcome).timeline


def numbers_checker(text: str, fact: Fact, language: str) -> FactCheck:
    """A stand-in for check_fact: a number or value in the text, right if it is the fact's."""
    expected = f"{fact.value} {fact.unit}".strip()
    for m in re.finditer(r"\d+|Fibre \d+", text):
        if m.group() == fact.value or (fact.value.isdigit() == m.group().isdigit()):
            status = FactStatus.RIGHT if m.group() == fact.value else FactStatus.WRONG
            return FactCheck(fact.id, status, expected, m.group(), m.start(), m.end())
    return FactCheck(fact.id, FactStatus.MISSING, expected)


@pytest.fixture(autouse=True)
def plain_facts(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the rubric's rules, not fact extraction (scoring/facts.py)."""
    monkeypatch.setattr(scoring.items, "check_fact", numbers_checker)


def item(card: Scorecard, item_id: str) -> dict:
    return next(i for i in card.to_json()["items"] if i["id"] == item_id)


# --- rubric -------------------------------------------------------------------------------
def test_default_rubric_sums_to_100_and_covers_the_items() -> None:
    # The call items sum to 100; the desk items (GROUPS["desk"]) add to them on the desktop only.
    call_items = {k: w for k, w in DEFAULT_RUBRIC.weights().items() if k not in GROUPS["desk"]}
    assert sum(call_items.values()) == pytest.approx(100)
    assert set(DEFAULT_RUBRIC.weights()) == set(ITEM_IDS)
    assert DEFAULT_RUBRIC.auto_fail == ("forbidden", "critical_fact")


@pytest.mark.parametrize(("overrides", "item_id", "share"), [
    # The defaults: 100 for the call items, 40 for the desk items (a call on the desktop).
    ({"opening": 30}, "opening", 30 / 160),              # 130 others + 30
    ({"forbidden": 0}, "forbidden", 0.0),
    ({"courtesy": 50}, "opening", 50 * 10 / 25 / 165),   # group: opening 10, empathy 10, closing 5
    ({"timing": 30}, "dead_air", 30 * 5 / 15 / 155),
])
def test_weight_overrides_rescale_to_100(overrides: dict, item_id: str, share: float) -> None:
    rubric = DEFAULT_RUBRIC.with_weights(overrides, "test")
    assert sum(rubric.weights().values()) == pytest.approx(100)
    assert rubric.weights()[item_id] == pytest.approx(100 * share)


def test_unknown_rubric_key_names_the_valid_ones() -> None:
    with pytest.raises(RoleplayError, match="unknown rubric item 'courtsey'.*opening"):
        DEFAULT_RUBRIC.with_weights({"courtsey": 5}, "x.yaml")
    assert set(GROUPS) <= set(json.loads(json.dumps(list(GROUPS))))


@pytest.mark.parametrize(("text", "message"), [
    ("weights: {bogus: 1}\n", "unknown rubric item 'bogus'"),
    ("pass_mark: 140\n", "pass_mark must be a number from 0 to 100"),
    ("auto_fail: [swearing]\n", "unknown auto_fail rule 'swearing'"),
    ("settings: {dead_air: 4}\n", "unknown setting 'dead_air'"),
    ("settings: {rate_band_en: [180, 120]}\n", "must be \\[low, high\\]"),
    ("colour: red\n", "unknown rubric key 'colour'"),
    ("weights: [1, 2\n", r"centre.yaml:2:1: invalid YAML"),
    ("weights: {" + ", ".join(f"{i}: 0" for i in ITEM_IDS) + "}\n", "all 0"),
])
def test_load_rubric_errors_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "centre.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RoleplayError, match=message) as error:
        load_rubric(path)
    assert str(error.value).startswith(str(path))


def test_load_rubric_applies_a_centre_override(tmp_path: Path) -> None:
    path = tmp_path / "centre.yaml"
    path.write_text("pass_mark: 85\nweights: {latency: 20}\nauto_fail: []\n"
                    "settings: {dead_air_s: 5, rate_band_en: [100, 200]}\n", encoding="utf-8")
    rubric = load_rubric(path)
    assert (rubric.pass_mark, rubric.auto_fail, rubric.source) == (85, (), str(path))
    assert (rubric.settings.dead_air_s, rubric.settings.rate_band("en")) == (5, (100, 200))
    assert rubric.weights()["latency"] == pytest.approx(2000 / 150)   # 130 others + 20
    assert load_rubric(None) is DEFAULT_RUBRIC


# --- scorecard rules ----------------------------------------------------------------------
def test_good_call_passes_with_full_marks() -> None:
    card = score(full_call(), broadband_scenario(), EN, call_id="c1")
    assert (card.status, card.passed, card.score, card.auto_failed) == ("scored", True, 100.0, ())
    assert sum(i.max_points for i in card.items) == pytest.approx(100)


@pytest.mark.parametrize(("change", "item_id", "auto_fail"), [
    ({"complaint": "Calm down. The upgrade is 49 dollars."}, "forbidden", ("forbidden",)),
    ({"complaint": "I am sorry, I understand. The upgrade is 59 dollars."}, "knowledge", ("critical_fact",)),
    ({"back": "Thank you for waiting, you are on Fibre 100."}, "knowledge", ()),   # not critical
    ({"greet": "Yes?"}, "opening", ()),
    ({"wrap": "OK then."}, "closing", ()),
    ({"lookup": "Let me check, please hold."}, "verification", ()),
    ({"complaint": "The upgrade is 49 dollars."}, "empathy", ()),
    ({"delay_ms": 7000}, "latency", ()),
    ({"outcome": "hung_up"}, "resolution", ()),
])
def test_each_rule_costs_its_item(change: dict, item_id: str, auto_fail: tuple) -> None:
    card = score(full_call(**change), broadband_scenario(), EN)
    lost = [i.id for i in card.items if i.points < i.max_points]
    assert item_id in lost
    assert card.auto_failed == auto_fail
    if auto_fail:
        assert not card.passed and card.reason.startswith("auto-fail")
    missed = item(card, item_id)
    assert not missed["passed"] and missed["evidence"], "a miss explains itself"


def test_wrong_fact_evidence_gives_expected_and_stated() -> None:
    card = score(full_call(complaint="Sorry, I understand. It is 59 dollars."), broadband_scenario(), EN)
    wrong = next(e for e in item(card, "knowledge")["evidence"] if e["fact"] == "fibre_price")
    assert (wrong["status"], wrong["expected"], wrong["stated"], wrong["critical"]) == ("wrong", "49 dollars", "59", True)
    assert [w["word"] for w in wrong["words"]] == ["59"]
    assert "expected \"49 dollars\": wrong" in wrong["note"]
    missing = score(full_call(complaint="Sorry, I understand."), broadband_scenario(), EN)
    note = next(e for e in item(missing, "knowledge")["evidence"] if e["fact"] == "fibre_price")["note"]
    assert note == "fibre_price not stated at complaint: expected \"49 dollars\""


def test_empathy_not_applicable_when_nobody_is_upset_and_points_rescale() -> None:
    scenario = broadband_scenario(mood=replace(broadband_scenario().mood, escalate_to=""))
    nodes = dict(scenario.nodes)
    nodes["complaint"] = replace(nodes["complaint"], expect=replace(nodes["complaint"].expect, phrases=()))
    card = score(full_call(complaint_mood=2.0), replace(scenario, nodes=nodes), EN)
    empathy = item(card, "empathy")
    assert (empathy["applicable"], empathy["max_points"], empathy["points"]) == (False, 0, 0)
    assert sum(i.max_points for i in card.items) == pytest.approx(100)
    assert card.score == 100.0


@pytest.mark.parametrize(("outcome", "credit"), [("resolved", 1.0), ("escalated", 0.25), ("hung_up", 0.0)])
def test_resolution_credit(outcome: str, credit: float) -> None:
    res = item(score(full_call(outcome=outcome), broadband_scenario(), EN), "resolution")
    assert res["points"] == pytest.approx(round(credit * res["max_points"], 2))


def test_pass_mark_from_scenario_then_rubric() -> None:
    poor = full_call(greet="Yes?", wrap="OK.", lookup="Please hold.")
    card = score(poor, broadband_scenario(pass_mark=90), EN)
    assert card.pass_mark == 90 and not card.passed and "below the pass mark 90" in card.reason
    lenient = score(poor, broadband_scenario(pass_mark=90), EN, Rubric(pass_mark=50))
    assert lenient.pass_mark == 50 and lenient.passed


def test_auto_fail_can_be_turned_off_by_a_rubric() -> None:
    timeline = full_call(complaint="Calm down, sorry, I understand. It is 49 dollars.")
    assert score(timeline, broadband_scenario(), EN).auto_failed == ("forbidden",)
    card = score(timeline, broadband_scenario(), EN, Rubric(auto_fail=()))
    assert card.auto_failed == () and card.passed and item(card, "forbidden")["points"] == 0


def test_scenario_rubric_overrides_apply() -> None:
    card = score(full_call(greet="Yes?"), broadband_scenario(rubric={"opening": 50}), EN)
    assert item(card, "opening")["max_points"] == pytest.approx(50 * 100 / 140, abs=0.01)
    with pytest.raises(RoleplayError, match="unknown rubric item 'nope'"):
        score(full_call(), broadband_scenario(rubric={"nope": 5}), EN)


def _silent_call() -> Timeline:
    s = Script("broadband-en").line("greet", "Hello?").silent("greet", 10_000).next("greet", "bye")
    return s.end("bye", "Bye.", "hung_up").timeline


def _asr_error_call() -> Timeline:
    s = Script("broadband-en").line("greet", "Hi.").answer("greet", "Hello, my name is Sam.").next("greet", "lookup")
    return s.line("lookup", "Account 1.").asr_error("lookup", "model crashed").timeline


@pytest.mark.parametrize(("timeline", "reason"), [
    (Timeline(), "timeline is empty"),
    (_silent_call(), "no trainee speech"),
    (_asr_error_call(), "speech recognition failed at node 'lookup': model crashed"),
    (Script("other-call").line("greet", "Hi.").answer("greet", "Hello").timeline, "of scenario 'other-call'"),
])
def test_not_scored_is_never_a_pass(timeline: Timeline, reason: str) -> None:
    card = score(timeline, broadband_scenario(), EN)
    assert (card.status, card.passed, card.score, card.items) == ("not_scored", False, 0.0, ())
    assert reason in card.reason
    assert "NOT SCORED" in render_scorecard(card)


def test_view_marks_and_total() -> None:
    text = render_scorecard(score(full_call(greet="Yes?"), broadband_scenario(), EN, call_id="c9"))
    assert "call c9" in text and "✗  opening" in text and "✓  knowledge" in text
    assert "no greeting in the first answer (greet): said \"Yes?\"" in text
    assert text.rstrip().splitlines()[-2].startswith("Total") and "PASS" in text
    assert "FAIL" in render_scorecard(score(full_call(complaint="Whatever."), broadband_scenario(), EN))


# --- roleplay score -----------------------------------------------------------------------
def test_cli_score_rescores_an_archived_call(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cli import main

    scenario = ROOT / "scenarios/en/broadband-slow.yaml"
    answers = ROOT / "scenarios/en/answers/broadband-slow-good.yaml"
    assert main(["simulate", str(scenario), "--answers", str(answers), "--out", str(tmp_path), "--quiet", "--json"]) == 0
    simulated = json.loads(capsys.readouterr().out)
    (call_dir,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert main(["score", str(call_dir), "--json"]) == 0
    card = json.loads(capsys.readouterr().out)
    assert {"call_id", "scenario", "score", "passed", "items", "turns"} <= set(card)
    assert card["score"] == simulated["score"] and card["items"] == simulated["items"]
    assert all({"speaker", "node", "text", "start", "end", "latency_ms"} <= set(t) for t in card["turns"])
    assert main(["score", str(call_dir)]) == 0
    assert "Total" in capsys.readouterr().out
    assert main(["score", str(tmp_path / "missing")]) == 2
    assert "missing" in capsys.readouterr().err


def test_verification_asked_in_the_previous_answer_counts() -> None:
    card = score(full_call(greet="Hello, my name is Sam, could you confirm your account number?",
                           lookup="Let me check, please hold."), broadband_scenario(), EN)
    (found,) = item(card, "verification")["evidence"]
    assert found["found"] and found["node"] == "greet" and found["turn"] == 1


def test_talk_over_shows_in_latency_and_delivery() -> None:
    card = score(full_call(delay_ms=-500), broadband_scenario(), EN)
    notes = [e["note"] for e in item(card, "latency")["evidence"]]
    assert all("talk-over" in n for n in notes) and item(card, "latency")["passed"]
    over = next(e for e in item(card, "delivery")["evidence"] if e["measure"] == "talk_over")
    assert (over["count"], over["longest_ms"], over["ok"]) == (4, 500, False)


def test_customer_side_delay_is_shown_but_not_counted() -> None:
    s = Script("broadband-en").line("greet", "Hi.")
    s.answer("greet", "Hello, thank you for calling, my name is Sam.", 800)
    s.t += 6000
    s.next("greet", "bye").end("bye", "Bye.")
    dead = item(score(s.timeline, broadband_scenario(), EN), "dead_air")
    assert dead["passed"] and [e["counted"] for e in dead["evidence"]] == [False]
    assert "the customer's delay: not counted" in dead["evidence"][0]["note"]
