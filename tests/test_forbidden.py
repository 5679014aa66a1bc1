"""Forbidden phrases count when they are meant (a refusal, a blame, a brush-off), not when
their words sit inside an innocent sentence (issue 11, defect 5)."""

from __future__ import annotations

import pytest

from phrasebank import load_phrasebank
from scoring.phrases import find_all_phrases, find_phrases

BANKS = {"en": load_phrasebank("en"), "zh": load_phrasebank("zh")}


def _forbidden(text: str, language: str) -> list[str]:
    return [m.text for m in find_all_phrases(text, BANKS[language]) if m.category == "forbidden"]


@pytest.mark.parametrize(("language", "text"), [
    ("en", "I don't know if you have tried restarting your router"),
    ("en", "i dont know if you have tried restarting your router"),          # ASR: no apostrophe
    ("en", "I don't know how long the engineer will take, but I will find out."),
    ("en", "I don't know yet, let me check that for you."),
    ("en", "Whatever you prefer, we can do both."),
    ("en", "We will do whatever it takes to fix this."),
    ("en", "What do you want the new plan to include?"),
    ("en", "Once things calm down the line will be faster."),
    ("en", "There is nothing I can do about the outage itself, but I can credit your account."),
    ("en", "That is impossible to see from here, but let me check the logs."),
    ("zh", "我不知道您是否方便"),
    ("zh", "我不知道您方便什么时候接电话"),
    ("zh", "我们没办法今天送到，但是明天上午可以送到"),
    ("zh", "这边没办法直接修改，我帮您重新提交一下"),
    ("zh", "这是规定，不过我可以帮您申请特殊处理"),
])
def test_innocent_sentences_hold_no_forbidden_phrase(language, text):
    assert _forbidden(text, language) == []


@pytest.mark.parametrize(("language", "text", "said"), [
    ("en", "That's not my problem", ["That's not my problem"]),
    ("en", "I don't know.", ["I don't know"]),
    ("en", "I don't know, figure it out yourself", ["I don't know", "figure it out yourself"]),
    ("en", "Whatever. I don't care.", ["Whatever", "I don't care"]),
    ("en", "Calm down, sir.", ["Calm down"]),
    ("en", "There is nothing I can do.", ["There is nothing I can do"]),
    ("en", "What do you want?", ["What do you want"]),
    ("zh", "这个我不知道，你自己去查吧", ["不知道", "自己去查"]),
    ("zh", "不知道。", ["不知道"]),
    ("zh", "没办法。", ["没办法"]),
    ("zh", "我也没办法，你找别人吧", ["我也没办法", "你找别人吧"]),
    ("zh", "这是规定。", ["这是规定"]),
])
def test_meant_forbidden_phrases_still_count(language, text, said):
    assert _forbidden(text, language) == said


def test_an_innocent_sentence_does_not_auto_fail_the_turn():
    # find_phrases feeds the scorecard's forbidden item (scoring/items.py) and the drills
    text = "I don't know if you have tried restarting your router; could you try that now?"
    assert "forbidden" not in {m.category for m in find_phrases(text, BANKS["en"])}


def _call(complaint: str):
    from scoring_builders import Script  # tests/ is on the path (conftest.py)
    s = Script("broadband-en")
    s.line("greet", "Hi, my internet is slow.").answer("greet", "Hello, thank you for calling, my name is Sam.", 900)
    s.next("greet", "lookup").line("lookup", "My account is 88001234.")
    s.answer("lookup", "Could you confirm the account holder? Let me check, please hold.", 900)
    s.hold("lookup", 12_000).after_hold("lookup", "Thank you for waiting, you are on Fibre 50.")
    s.next("lookup", "complaint", mood=6.5).line("complaint", "Too slow!", mood=6.5).answer("complaint", complaint, 900)
    s.next("complaint", "wrap_up").line("wrap_up", "OK.").answer("wrap_up", "Is there anything else? Have a nice day, goodbye.", 900)
    return s.next("wrap_up", "bye").end("bye", "Bye.", "resolved").timeline


@pytest.mark.parametrize(("complaint", "auto_failed"), [
    ("I am sorry, I understand. I don't know if you have tried restarting your router; the upgrade is 49 dollars a month.", ()),
    ("I am sorry, I understand. I don't know, figure it out yourself. The upgrade is 49 dollars a month.", ("forbidden",)),
])
def test_the_scorecard_auto_fails_only_a_meant_forbidden_phrase(complaint, auto_failed):
    from scoring_builders import broadband_scenario

    from scoring.scorecard import score
    card = score(_call(complaint), broadband_scenario(), BANKS["en"])
    assert card.auto_failed == auto_failed
    forbidden = next(i for i in card.items if i.id == "forbidden")
    assert (forbidden.points == forbidden.max_points) == (not auto_failed)
