"""Golden scorecards: four calls scored end to end, compared with reviewed JSON files.

tests/golden/NAME.timeline.json is the call; NAME.scorecard.json what it must score.
`UPDATE_GOLDEN=1 pytest tests/test_scorecard_golden.py` rewrites both from the scripts below;
read the diff before accepting it (a phrase or fact matcher change shows up here).
"""

from __future__ import annotations

import difflib
import json
import os
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from scoring_builders import BANKS, Script, broadband_scenario

from roleplay.model.events import Event, Timeline
from scoring.scorecard import score

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


GOOD = {
    "en": {"greet": ("Hi, my internet is slow.",
                     "Good morning, thank you for calling Skyline, my name is Sam. How can I help?"),
           "lookup": ("My account is 88001234. What plan am I on?",
                      "Could you confirm the name on the account? Thank you. One moment, let me check."),
           "back": ("", "Thank you for waiting. You are on Fibre 50 at the moment."),
           "complaint": ("That is too slow, I am angry!", ("I am sorry about that, I understand how "
                         "frustrating it is. Our faster plan is 49 dollars a month.")),
           "wrap_up": ("OK, thanks.", "Is there anything else I can help you with? Have a nice day, goodbye."),
           "bye": ("Bye.", "")},
    "zh": {"greet": ("我家宽带很慢。", "您好，欢迎致电天际宽带，我是小王，工号1024。"),
           "lookup": ("我的账号是88001234，我是什么套餐？", "好的，我先核实一下您的身份。请稍等，我帮您查询一下。"),
           "back": ("", "让您久等了，您现在是光纤50套餐。"),
           "complaint": ("太慢了，我很生气！", "非常抱歉给您带来不便，理解您的心情。升级套餐每月49元，速度快很多。"),
           "wrap_up": ("好的，谢谢。", "请问还有什么可以帮您的吗？祝您生活愉快，再见。"),
           "bye": ("再见。", "")},
}


def good_call(language: str) -> Script:
    """Every item earned: greeting, verification, an announced and thanked hold, empathy."""
    say = GOOD[language]
    unit_ms = 230 if language == "zh" else 380
    s = Script(f"broadband-{language}", language)
    s.line("greet", say["greet"][0]).answer("greet", say["greet"][1], 900, unit_ms).next("greet", "lookup")
    s.line("lookup", say["lookup"][0], 3000).answer("lookup", say["lookup"][1], 1100, unit_ms)
    s.hold("lookup", 18_000).after_hold("lookup", say["back"][1]).next("lookup", "complaint", mood=6.5)
    s.line("complaint", say["complaint"][0], mood=6.5).answer("complaint", say["complaint"][1], 1400, unit_ms)
    s.next("complaint", "wrap_up", mood=4.0)
    s.line("wrap_up", say["wrap_up"][0]).answer("wrap_up", say["wrap_up"][1], 700, unit_ms)
    return s.next("wrap_up", "bye").end("bye", say["bye"][0])


def poor_en() -> Script:
    s = Script("broadband-en")
    s.line("greet", "Hi, my internet is slow.")
    s.answer("greet", "Yeah, um, what do you want?", 5200)
    s.next("greet", "lookup", mood=4.0)
    s.line("lookup", "My account is 88001234. What plan am I on?", 3000, mood=4.0)
    s.answer("lookup", "Um, hold on.", -800)                      # talks over the customer
    s.hold("lookup", 70_000)
    s.after_hold("lookup", "You are on Fibre 100, uh, I think.")   # wrong, not thanked
    s.next("lookup", "complaint", mood=8.0)
    s.line("complaint", "That is wrong and too slow, I am angry!", mood=8.0)
    s.answer("complaint", "Calm down. The faster plan is 59 dollars, you know.", 6500)
    s.next("complaint", "wrap_up", mood=9.0)
    s.line("wrap_up", "Forget it.", mood=9.0)
    s.answer("wrap_up", "OK.", 3600)
    s.next("wrap_up", "bye", mood=9.0)
    return s.end("bye", "I want a supervisor.", "escalated")


def asr_failed_en() -> Script:
    s = Script("broadband-en")
    s.line("greet", "Hi, my internet is slow.")
    s.answer("greet", "Hello, thank you for calling, my name is Sam.", 900)
    s.next("greet", "lookup")
    s.line("lookup", "My account is 88001234.", 2500)
    s.asr_error("lookup", "vosk: recogniser returned invalid JSON")
    s.next("lookup", "complaint", mood=5.0)
    return s


CASES: dict[str, tuple[Callable[[], Script], str]] = {
    "good_en": (lambda: good_call("en"), "en"),
    "poor_en": (poor_en, "en"),
    "good_zh": (lambda: good_call("zh"), "zh"),
    "not_scored_en": (asr_failed_en, "en"),
}


def _dump(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_scorecard(name: str) -> None:
    script, language = CASES[name]
    timeline_file, card_file = GOLDEN / f"{name}.timeline.json", GOLDEN / f"{name}.scorecard.json"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        timeline_file.write_text(_dump(script().timeline.to_json()), encoding="utf-8")
    timeline = Timeline.from_json(json.loads(timeline_file.read_text(encoding="utf-8")))
    card = score(timeline, broadband_scenario(language), BANKS[language], call_id=name).to_json()
    if UPDATE:
        card_file.write_text(_dump(card), encoding="utf-8")
    expected = card_file.read_text(encoding="utf-8")
    diff = difflib.unified_diff(expected.splitlines(), _dump(card).splitlines(), "golden", "now", lineterm="")
    assert _dump(card) == expected, (f"scorecard of {name} changed; review, then UPDATE_GOLDEN=1:\n"
                                     + "\n".join(list(diff)[:80]))


def test_goldens_cover_pass_fail_and_not_scored() -> None:
    cards = {name: json.loads((GOLDEN / f"{name}.scorecard.json").read_text(encoding="utf-8")) for name in CASES}
    assert cards["good_en"]["passed"] and cards["good_zh"]["passed"]
    assert not cards["poor_en"]["passed"] and "forbidden" in cards["poor_en"]["auto_failed"]
    assert cards["not_scored_en"]["status"] == "not_scored" and not cards["not_scored_en"]["passed"]


def _shuffle_equal_times(events: list[Event], rng: random.Random) -> list[Event]:
    """The same events, with every group logged at the same millisecond in a random order."""
    groups: dict[int, list[Event]] = {}
    for event in events:
        groups.setdefault(event.t_ms, []).append(event)
    out: list[Event] = []
    for t in rng.sample(sorted(groups), len(groups)):   # and the groups out of time order too
        group = groups[t][:]
        rng.shuffle(group)
        out += group
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_scoring_is_deterministic(name: str) -> None:
    script, language = CASES[name]
    timeline = script().timeline
    scenario, bank = broadband_scenario(language), BANKS[language]
    first = json.dumps(score(timeline, scenario, bank, call_id="x").to_json(), ensure_ascii=False)
    assert json.dumps(score(timeline, scenario, bank, call_id="x").to_json(), ensure_ascii=False) == first
    rng = random.Random(7)
    for _ in range(5):
        shuffled = Timeline(_shuffle_equal_times(list(timeline), rng))
        assert list(shuffled) != list(timeline) or len(timeline) < 2
        again = json.dumps(score(shuffled, scenario, bank, call_id="x").to_json(), ensure_ascii=False)
        assert again == first
