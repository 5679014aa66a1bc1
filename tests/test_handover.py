"""Which sentences hand the floor to the caller: questions, requests, farewells, in both
languages, with or without the recogniser's punctuation."""

from __future__ import annotations

import pytest

from phrasebank import load_phrasebank
from roleplay.engine.handover import ends_handing_over, hands_over
from roleplay.model.sentences import split_sentences


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


@pytest.mark.parametrize(("utterances", "language", "hands"), [
    (["Could you confirm your account number? I'll look into it right away."], "en", True),
    (["Could you confirm your account number?", "and I will check it straight away"], "en", True),
    (["I am sorry about that. I will check it straight away."], "en", False),
    (["麻烦您提供一下持卡人姓名和卡号后四位，", "我马上为您核实。"], "zh", True),
    (["请您提供一下退货单号。我这就帮您处理。"], "zh", True),
    (["非常抱歉。我马上为您处理。"], "zh", False),
    (["我马上为您处理。"], "zh", False),
    (["Could you hold on? I understand how frustrating that is."], "en", False),  # the last sentence counts
    (["could you hold on", "i understand how frustrating that is"], "en", False),  # Vosk: one per pause
    ([], "en", False),
])
def test_a_promise_to_act_leaves_the_request_with_the_caller(utterances: list[str], language: str,
                                                             hands: bool) -> None:
    assert ends_handing_over(utterances, load_phrasebank(language)) is hands
