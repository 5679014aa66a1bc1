"""The interface's catalogues: every message in the source has a Chinese translation with the
same placeholders, and a Chinese card reads as Chinese (full-width punctuation, no English words)."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract, extract_from_dir
from babel.messages.pofile import read_po
from scoring_builders import BANKS, broadband_scenario
from test_scorecard_golden import good_call

from roleplay.model.errors import RoleplayError
from roleplay.model.i18n import normalise, translator
from scoring.scorecard import score
from scoring.view import render_scorecard

ROOT = Path(__file__).resolve().parent.parent
# The source trees whose human text goes through the catalogue.
SOURCES = ("scoring", "roleplay", "phrasebank", "audio", "cli.py")
PO = ROOT / "roleplay/model/locale/zh/LC_MESSAGES/roleplay.po"
# Msg("...", **args): a sentence rendered later in the interface's language (roleplay/model/message.py).
KEYWORDS = {**DEFAULT_KEYWORDS, "Msg": None}


def _source_messages() -> set[str]:
    found: set[str] = set()
    for source in SOURCES:
        path = ROOT / source
        if path.is_file():
            with path.open("rb") as fh:
                found |= {m for _, m, _, _ in extract("python", fh, keywords=KEYWORDS) if isinstance(m, str)}
        else:
            found |= {m for _, _, m, _, _ in extract_from_dir(str(path), method_map=[("**.py", "python")],
                                                              keywords=KEYWORDS)
                      if isinstance(m, str)}
    # The web pages' templates: {{ _("...") }} calls, read by Jinja2's own Babel extractor.
    found |= {m for _, _, m, _, _ in extract_from_dir(str(ROOT / "roleplay/web/templates"),
                                                      method_map=[("**.html", "jinja2.ext:babel_extract")])
              if isinstance(m, str)}
    return found


def _zh() -> dict[str, str]:
    with PO.open("rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id and isinstance(m.id, str)}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_message_has_a_chinese_translation():
    zh = _zh()
    untranslated = sorted(m for m in _source_messages() if not zh.get(m))
    assert not untranslated, "no zh msgstr in roleplay.po for: " + "; ".join(untranslated)


def test_translations_keep_the_placeholders_and_none_is_stale():
    zh = _zh()
    assert {m: _fields(m) for m in zh} == {m: _fields(t) for m, t in zh.items()}
    stale = sorted(set(zh) - _source_messages())
    assert not stale, "roleplay.po has messages the source no longer uses: " + "; ".join(stale)


def test_english_is_the_source_text_and_languages_are_checked():
    assert translator("en").gettext("{hits} of {total} opening phrases") == "{hits} of {total} opening phrases"
    assert translator("zh").gettext("PASS") == "合格"
    assert normalise("zh-CN") == "zh" and normalise("en_GB") == "en" and normalise("fr") == "en"
    with pytest.raises(RoleplayError, match="interface language 'fr'"):
        translator("fr")


# Latin letters that may stand in Chinese text: node, fact and table ids come from the scenario.
IDS = {"greet", "lookup", "complaint", "wrap_up", "bye", "current_plan", "fibre_price"}


def _chinese_text(card_json: dict) -> list[str]:
    texts = [card_json["reason"]]
    for item in card_json["items"]:
        texts.append(item["explanation"])
        texts += [e["note"] for e in item["evidence"]]
        texts += [e[k]["note"] for e in item["evidence"] for k in ("announced", "thanked") if k in e]
    return [t for t in texts if t]


def test_a_chinese_call_scores_in_chinese_with_chinese_typography():
    timeline = good_call("zh").timeline
    card = score(timeline, broadband_scenario("zh"), BANKS["zh"], call_id="x")
    texts = _chinese_text(card.to_json())
    assert texts
    for text in texts:
        words = set(re.findall(r"[A-Za-z_]+", text)) - IDS
        assert not words, f"English inside a Chinese sentence: {text!r}"
        assert not re.search(r"[\u4e00-\u9fff][,:;()]|[,:;()][\u4e00-\u9fff]", text), \
            f"half-width punctuation beside Chinese: {text!r}"
    assert "0.9 秒后应答（限时 4 秒）" in " ".join(texts)
    view = render_scorecard(card)
    assert "总分" in view and "合格线" in view and "Total" not in view


def test_the_card_language_is_a_parameter_and_ids_stay_english():
    timeline = good_call("zh").timeline
    scenario, bank = broadband_scenario("zh"), BANKS["zh"]
    en = score(timeline, scenario, bank, call_id="x", ui_lang="en").to_json()
    zh = score(timeline, scenario, bank, call_id="x").to_json()
    assert [i["id"] for i in en["items"]] == [i["id"] for i in zh["items"]]
    assert [i["points"] for i in en["items"]] == [i["points"] for i in zh["items"]]
    assert en["items"][0]["explanation"] == "2 of 2 opening phrases"
    assert zh["items"][0]["explanation"] == "开场用语 2 项中完成 2 项"
    assert score(timeline, scenario, bank, call_id="x").to_json() == zh   # deterministic


def test_a_chinese_scorecard_names_facts_and_nodes_by_their_labels():
    from roleplay.frontends.simulate import simulate

    answers = Path(__file__).resolve().parent.parent / "scenarios" / "zh" / "answers" / "card-inquiry-good.yaml"
    card = simulate("card-inquiry-zh", answers).scorecard.to_json()
    knowledge = next(item for item in card["items"] if item["id"] == "knowledge")
    notes = " ".join(e["note"] for e in knowledge["evidence"])
    assert "境外交易手续费说的是" in notes and "foreign_fee" not in notes
    assert knowledge["evidence"][0]["fact"] == "foreign_fee"  # the JSON keeps the id
    assert "第 3 轮（询问手续费）" in notes and knowledge["evidence"][0]["node"] == "ask_fee"  # nodes likewise


def test_the_last_answers_of_a_chinese_call_are_named_by_their_nodes_labels():
    from roleplay.frontends.simulate import simulate

    answers = Path(__file__).resolve().parent.parent / "scenarios" / "zh" / "answers" / "card-inquiry-poor.yaml"
    card = simulate("card-inquiry-zh", answers).scorecard.to_json()
    closing = next(item for item in card["items"] if item["id"] == "closing")
    assert "最后的回答（询问手续费、客户不满）" in " ".join(e["note"] for e in closing["evidence"])
