"""load_scenario builds the scenario model from YAML; resolve_scenario finds files by id."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from roleplay.authoring.loader import load_scenario, resolve_scenario
from roleplay.model.errors import RoleplayError, ScenarioErrors
from roleplay.model.scenario import (
    Branch,
    Condition,
    ConditionKind,
    Expect,
    Language,
    MoodModel,
    Outcome,
    Stage,
)

GOOD = Path(__file__).resolve().parent / "fixtures" / "good"
EN = GOOD / "broadband-slow-en.yaml"
ZH = GOOD / "refund-zh.yaml"


def test_english_fixture_top_level_and_persona() -> None:
    s = load_scenario(EN)
    assert (s.id, s.title, s.domain) == ("broadband-slow-en", "Slow home broadband", "home-broadband")
    assert (s.language, s.level, s.stage) == (Language.EN, 2, Stage.LOOKUP)
    assert (s.pass_mark, s.barge_in, s.start) == (75.0, True, "greet")
    assert (s.persona.name, s.persona.voice, s.persona.rate_wpm) == ("Emily Chen", "en-us", 150)
    assert (s.persona.mood, s.persona.patience_s) == (3.0, 5.0)
    assert s.phrases == {"greeting": ("thank you for calling Skyline Broadband",)}
    assert s.rubric == {"courtesy": 30.0}
    # given fields are read, the others keep the model's defaults
    assert s.mood == MoodModel(escalate_at=7.0, escalate_to="complaint", apology=-2.0)


def test_version_is_the_file_hash_and_path_is_kept(tmp_path: Path) -> None:
    s = load_scenario(EN)
    assert s.version == hashlib.sha256(EN.read_bytes()).hexdigest()[:12]
    assert s.path == str(EN)
    edited = tmp_path / "edited.yaml"
    edited.write_bytes(EN.read_bytes() + b"# a comment changes the version\n")
    assert load_scenario(edited).version not in ("", s.version)


def test_knowledge_values_are_text_and_crm_facts_take_the_record_value() -> None:
    s = load_scenario(EN)
    price = s.knowledge["fibre_price"]
    assert (price.value, price.unit, price.critical, price.crm) == ("49", "dollars", True, "")
    assert price.accept == ("forty-nine dollars a month",)
    plan = s.knowledge["current_plan"]
    assert (plan.value, plan.crm, plan.critical) == ("Fibre 50", "account.plan", False)
    account = s.crm["account"]
    assert (account.key, account.customer_key) == ("number", "88001234")
    # CRM values are text as written: "39.50" keeps its trailing zero, 49 becomes "49"
    assert account.record == {"number": "88001234", "holder": "Emily Chen", "plan": "Fibre 50",
                              "fee": "39.50"}
    assert account.records[1]["fee"] == "49"


def test_crm_fact_and_templates_follow_the_customer_record(tmp_path: Path) -> None:
    other = tmp_path / "other-customer.yaml"
    other.write_text(EN.read_text(encoding="utf-8").replace('customer: "88001234"', 'customer: "88004321"'),
                     encoding="utf-8")
    s = load_scenario(other)
    assert s.knowledge["current_plan"].value == "Fibre 100"
    assert s.render(s.nodes["ask_account"].say[0]) == "My account number is 88004321. What plan am I on?"


def test_nodes_branches_and_templates() -> None:
    s = load_scenario(EN)
    assert list(s.nodes) == ["greet", "ask_account", "complaint", "wrap_up", "hang_up"]
    greet = s.nodes["greet"]
    assert greet.say == ("Hi, my internet has been really slow this week.",
                         "Hello, my broadband keeps crawling.")
    assert greet.expect == Expect(phrases=("greeting", "self_introduction"), facts=(), latency_s=4.0)
    assert (greet.timeout_s, greet.hold, greet.end, greet.is_end) == (12.0, False, None, False)
    assert greet.branches == (
        Branch("complaint", (Condition(ConditionKind.SAID, "forbidden"),)),
        Branch("hang_up", (Condition(ConditionKind.SILENCE_OVER, 8.0), Condition(ConditionKind.MOOD_ABOVE, 5.0))),
        Branch("ask_account"),
    )
    ask = s.nodes["ask_account"]
    assert (ask.hold, ask.timeout_s, ask.expect.facts) == (True, 10.0, ("current_plan",))
    assert ask.branches[0].conditions == (Condition(ConditionKind.FACT_WRONG, "current_plan"),)
    assert s.render(ask.say[0]) == "My account number is 88001234. What plan am I on?"
    assert s.render(s.nodes["complaint"].say[0]) == (
        "This is ridiculous, Emily Chen has paid 39.50 every month!")
    assert s.nodes["wrap_up"].say == ("Great, thanks.",)
    assert (s.nodes["wrap_up"].end, s.nodes["hang_up"].end) == (Outcome.RESOLVED, Outcome.HUNG_UP)


def test_chinese_fixture() -> None:
    s = load_scenario(ZH)
    assert (s.language, s.stage, s.level, s.persona.name) == (Language.ZH, Stage.INQUIRY, 1, "王女士")
    assert s.knowledge["refund_days"].value == "七"
    assert s.knowledge["refund_days"].accept == ("7天", "一周")
    assert s.nodes["ask"].say == ("你好，我想问一下退款要多久？",)
    assert s.nodes["ask_again"].branches[-1] == Branch("ask_again")
    assert s.crm == {} and s.pass_mark == 70.0


def test_load_raises_every_problem_at_once() -> None:
    broken = GOOD.parent / "broken" / "several_problems.yaml"
    with pytest.raises(ScenarioErrors) as caught:
        load_scenario(broken)
    assert [(e.line, e.col) for e in caught.value.errors] == [(3, 11), (4, 8), (17, 16)]
    message = str(caught.value)
    assert message.startswith(f"{broken}:3:11: language:") and message.endswith("(and 2 more)")
    assert "\n" not in message


def test_missing_file_is_a_scenario_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioErrors, match="no such file"):
        load_scenario(tmp_path / "gone.yaml")


@pytest.fixture
def library(tmp_path: Path) -> Path:
    (tmp_path / "en").mkdir()
    (tmp_path / "zh").mkdir()
    shutil.copy(EN, tmp_path / "en" / "slow.yaml")
    shutil.copy(ZH, tmp_path / "zh" / "refund.yml")
    (tmp_path / "en" / "broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    return tmp_path


def test_resolve_by_path_or_by_id(library: Path) -> None:
    assert resolve_scenario(str(EN), library) == EN
    assert resolve_scenario("broadband-slow-en", library) == library / "en" / "slow.yaml"
    assert resolve_scenario("refund-zh", library) == library / "zh" / "refund.yml"


def test_resolve_unknown_id_says_what_to_do(library: Path) -> None:
    with pytest.raises(RoleplayError) as caught:
        resolve_scenario("refund-zn", library)
    message = str(caught.value)
    assert "no scenario 'refund-zn'" in message and "did you mean 'refund-zh'?" in message
    assert "roleplay list" in message and "\n" not in message
    assert not isinstance(caught.value, ScenarioErrors)


def test_turn_patience_is_read_and_checked_with_its_place(tmp_path: Path) -> None:
    assert load_scenario(EN).turn_patience_s == 2.5  # the default
    lines = EN.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("barge_in"))
    for value, expected in (("1.5", None), ("0.1", "turn_patience_s"), ("soon", "expected a number")):
        edited = tmp_path / f"patience-{value}.yaml"
        edited.write_text("\n".join([*lines[: at + 1], f"turn_patience_s: {value}", *lines[at + 1 :]]) + "\n")
        if expected is None:
            assert load_scenario(edited).turn_patience_s == 1.5
            continue
        with pytest.raises(ScenarioErrors) as caught:
            load_scenario(edited)
        assert str(caught.value).startswith(f"{edited}:{at + 2}:18: ") and expected in str(caught.value)
