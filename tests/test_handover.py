"""Which sentences hand the floor to the caller: questions, requests, farewells, in both
languages, with or without the recogniser's punctuation."""

from __future__ import annotations

import pytest

from phrasebank import load_phrasebank
from roleplay.engine.handover import hands_over, last_sentence
from roleplay.model.sentences import split_sentences


@pytest.mark.parametrize(("text", "last"), [
    ("Good morning. My name is Sam.", "My name is Sam."),
    ("The fee is 1.5 percent.", "The fee is 1.5 percent."),  # a decimal point ends nothing
    ("Thanks. Is that all?  ", "Is that all?"),
    ("could you confirm your account number", "could you confirm your account number"),
    ("您好。请问是王芳吗？", "请问是王芳吗？"),
    ("", ""),
])
def test_last_sentence(text: str, last: str) -> None:
    assert last_sentence(text) == last


def test_sentences_rendered_apart_keep_a_decimal_whole() -> None:
    assert split_sentences("The fee is 1.5 percent. Anything else?") == ["The fee is 1.5 percent.", "Anything else?"]
    assert split_sentences("您好。请问是王芳吗？好的") == ["您好。", "请问是王芳吗？", "好的"]
    assert split_sentences("no punctuation at all") == ["no punctuation at all"]


@pytest.mark.parametrize(("sentence", "hands"), [
    ("Could you confirm your account number and the name on the account?", True),
    ("could you confirm your account number", True),  # no punctuation (Vosk)
    ("Is there anything else I can help you with?", True),
    ("Let me check that for you, one moment please.", True),
    ("Bear with me while I look.", True),
    ("Let me check that for you.", False),  # an announcement: more may follow
    ("Have a good day, goodbye.", True),
    ("Thank you, what is the order number", True),
    ("The fee is 3 percent, okay?", True),
    ("I understand how frustrating that must be.", False),
    ("Yes, you can use your card abroad.", False),
    ("I can check that for you.", False),
    ("Whatever happens, the engineer will come on Thursday.", False),
])
def test_english_hand_overs(sentence: str, hands: bool) -> None:
    assert hands_over(sentence, load_phrasebank("en")) is hands


@pytest.mark.parametrize(("sentence", "hands"), [
    ("麻烦您提供一下宽带账号和户主姓名，我马上为您处理。", True),
    ("请问还有其他需要吗？", True),
    ("好的，请问机主姓名是王芳吗", True),
    ("我帮您查询一下，请您稍等。", True),
    ("我帮您查询一下。", False),
    ("祝您生活愉快，再见。", True),
    ("非常抱歉师傅没有按时上门，我非常理解您的心情。", False),
    ("我已经为您申请了退款。", False),  # 申请 is no request to the caller
    ("您好，感谢致电，我是客服小张，很高兴为您服务。", False),
])
def test_mandarin_hand_overs(sentence: str, hands: bool) -> None:
    assert hands_over(sentence, load_phrasebank("zh")) is hands
