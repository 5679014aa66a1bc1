"""Phrase detection: phrasebank loading, normalisation, ASR-tolerant matching, corpus F1."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

import cli
from phrasebank import CATEGORIES, load_phrasebank
from phrasebank.normalize import PIPELINES, normalize
from roleplay.model.errors import RoleplayError
from scoring.phrases import find_all_phrases, find_phrases

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("phrase_f1", ROOT / "bench" / "phrase_f1.py")
assert _spec and _spec.loader
phrase_f1 = importlib.util.module_from_spec(_spec)
sys.modules["phrase_f1"] = phrase_f1   # dataclasses look their module up there
_spec.loader.exec_module(phrase_f1)

EN = load_phrasebank("en")
ZH = load_phrasebank("zh")


@pytest.mark.parametrize("bank", [EN, ZH], ids=["en", "zh"])
def test_bank_has_every_category_with_enough_phrasings(bank):
    assert set(bank.categories) == set(CATEGORIES)
    for category in CATEGORIES:
        if category not in ("forbidden", "filler"):
            assert len(bank.categories[category]) >= 19, category
    assert len(bank.categories["forbidden"]) >= 30
    tiers = {bank.tier_of("apology", p) for p in bank.categories["apology"]}
    assert tiers == {"basic", "intermediate", "advanced"}


@pytest.mark.parametrize(("pipeline", "text", "expected"), [
    ("phrases_zh", "请 稍 等，好吗？ OK", "请稍等好吗 ok"),
    ("phrases_zh", "ＯＫ，您好！", "ok 您好"),
    ("phrases_en", "I'm SORRY, we can't — really!", "i am sorry we cannot"),
    ("phrases_en", "Give me one second", "give me 1 second"),
    ("numbers", "forty-nine dollars, 九十九元 and 一百兆", "49 dollars, 99元 and 100兆"),
    ("numbers", "the twenty-first of march, two point five", "the 21st of march, 2.5"),
    ("numbers", "三百五，两个，一下，统一，八八零零", "350,2个,一下,统一,8800"),
])
def test_normalisation_pipelines(pipeline, text, expected):
    assert pipeline in PIPELINES
    assert normalize(text, pipeline).text == expected


def test_offsets_point_into_the_original_text():
    text = "Um… well, I'm   SO sorry — thank you for holdin!"
    for match in find_all_phrases(text, EN):
        assert text[match.start:match.end] == match.text
    found = {m.category: m.text for m in find_all_phrases(text, EN)}
    assert found == {"filler": "Um", "apology": "I'm   SO sorry", "thanks_for_waiting": "thank you for holdin"}


@pytest.mark.parametrize(("bank", "text", "categories"), [
    (EN, "thank you for holdin", {"thanks_for_waiting"}),
    (EN, "let me chek that", {"hold_request"}),
    (EN, "this is a fine thing", set()),            # "hi" is not in "this"
    (EN, "I'm not sorry", set()),                    # negated courtesy does not count
    (EN, "I'd like to explain", set()),              # "like" after "would" is no filler
    (EN, "that's not my problem", {"forbidden"}),    # a negation inside a forbidden phrase stays
    (EN, "This is Ana speaking", {"self_introduction"}),
    (ZH, "请 稍 的", {"hold_request"}),               # homophone + spaces
    (ZH, "感谢您的耐心等带", {"thanks_for_waiting"}),
    (ZH, "我帮您查询下", {"hold_request"}),            # dropped character
    (ZH, "我知道了", set()),                           # not 不知道
    (ZH, "明天上午上门", set()),                       # not 上午好
    (ZH, "工号3021为您服务", {"self_introduction"}),
])
def test_matching_table(bank, text, categories):
    assert {m.category for m in find_phrases(text, bank)} == categories


def test_best_match_per_category_and_all_occurrences():
    text = "Calm down. I already told you. Whatever."
    assert [m.category for m in find_phrases(text, EN)] == ["forbidden"]
    assert [m.phrase for m in find_all_phrases(text, EN, ("forbidden",))] == ["calm down", "i already told you", "whatever"]


def test_override_file_adds_or_replaces(tmp_path):
    extra = tmp_path / "centre.yaml"
    extra.write_text("categories:\n  greeting: {replace: true, basic: [skyline here]}\n"
                     "  closing: [cheers now]\n", encoding="utf-8")
    bank = load_phrasebank("en", extra)
    assert bank.categories["greeting"] == ("skyline here",)
    assert "cheers now" in bank.categories["closing"] and "goodbye" in bank.categories["closing"]
    assert {m.category for m in find_phrases("hello, skyline here", bank)} == {"greeting"}
    assert bank.with_extra({"filler": ("y'know",)}).categories["filler"][-1] == "y'know"


def test_override_file_errors_are_one_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("categories:\n  greeting: [a, b\n", encoding="utf-8")
    with pytest.raises(RoleplayError, match=r"bad.yaml:\d+:\d+: invalid YAML"):
        load_phrasebank("en", bad)
    with pytest.raises(RoleplayError, match="no phrasebank for language 'fr'"):
        load_phrasebank("fr")


@pytest.mark.parametrize(("language", "kind", "target"), [
    ("en", "text", 0.95), ("en", "clean", 0.95), ("en", "asr", 0.93), ("en", "whisper", 0.85),
    ("zh", "text", 0.92), ("zh", "clean", 0.92), ("zh", "asr", 0.90),
])
def test_corpus_f1_meets_target(language, kind, target):
    samples = phrase_f1.load_corpus(language)
    assert sum(s.kind == "negative" for s in samples) >= 30
    scores, _ = phrase_f1.evaluate(samples, load_phrasebank(language))
    assert scores[kind].sentences >= 30
    assert scores[kind].f1 >= target, f"{language}/{kind} F1 {scores[kind].f1:.3f} < {target}"
    if kind == "text":
        assert scores["negative"].fp <= 1   # at most one neutral sentence flagged


def test_cli_phrases_json_on_text(capsys):
    assert cli.main(["phrases", "--lang", "zh", "--json", "--text", "您好，请 稍 的"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["categories"] == ["greeting", "hold_request"]
    assert [(m["text"], m["start"], m["end"]) for m in out["matches"]] == [("您好", 0, 2), ("请 稍 的", 3, 8)]


def test_cli_phrases_bad_override_is_one_line(capsys, tmp_path):
    assert cli.main(["phrases", "--text", "hi", "--phrasebank", str(tmp_path / "none.yaml")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


@pytest.mark.slow
def test_cli_phrases_on_real_speech_through_whisper(tmp_path, espeak, whisper_model_path, capsys):
    wav = tmp_path / "hold.wav"
    subprocess.run([espeak, "-v", "en-us", "-w", str(wav), "Thank you for waiting. Is there anything else?"],
                   check=True)
    args = ["phrases", "--audio", str(wav), "--asr", "whisper", "--model", str(whisper_model_path), "--json"]
    assert cli.main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["file"] == str(wav)
    assert {"thanks_for_waiting", "offer_more_help"} <= set(out["categories"])


@pytest.mark.parametrize(("text", "tier"), [
    ("请您提供一下您的手机号码", "intermediate"),              # written out: fuzzy, survives ASR
    ("请您提工一下您的手几号码", "intermediate"),              # two sound-alike slips
    ("请 您 提 供 一 下 您 的 订 单 号", "intermediate"),      # ASR spacing, wildcard object
    ("好的，请您提供一下持卡人姓名。", "intermediate"),
    ("麻烦您报一下您的手机号", "intermediate"),
    ("为了核实您的身份，请您提供一下卡号后四位", "advanced"),
])
def test_zh_verification_requests_to_provide_details(text, tier):
    found = [m for m in find_phrases(text, ZH) if m.category == "verification"]
    assert found, text
    assert ZH.tier_of("verification", found[0].phrase) == tier
    assert text[found[0].start:found[0].end] == found[0].text


@pytest.mark.parametrize("text", [
    "我给您提供一下解决方案",          # offering something is not asking for it
    "您提供的信息我已经记下了",
    "请您提供一下您的宝贵意见",        # asking, but for no identifier
    "我们为您提供上门服务",
])
def test_zh_offers_and_feedback_are_not_verification(text):
    assert "verification" not in {m.category for m in find_phrases(text, ZH)}
