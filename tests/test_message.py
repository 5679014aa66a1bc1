"""Msg: a sentence kept as its English msgid and arguments, rendered in a language at the edge."""

from __future__ import annotations

import pickle

import pytest

from roleplay.model.errors import (
    FileProblems,
    ProblemCollector,
    RoleplayError,
    ScenarioError,
    ScenarioErrors,
)
from roleplay.model.i18n import localise
from roleplay.model.message import Msg, joined, unprefixed


@pytest.mark.parametrize(("text", "en", "zh"), [
    (Msg("missing required key '{key}'", key="domain"), "missing required key 'domain'", "缺少必需的键“domain”"),
    (Msg("unknown key '{key}'{hint}", key="lang", hint=Msg(" (did you mean '{option}'?)", option="language")),
     "unknown key 'lang' (did you mean 'language'?)", "未知的键“lang”（是否想写“language”？）"),
    (joined(["'a'", "'b'"], Msg(", ")), "'a', 'b'", "'a'、'b'"),
    (Msg.verbatim("{not a field}"), "{not a field}", "{not a field}"),
    (unprefixed(Msg("{path}: no such file", path="x.yaml"), "x.yaml: "), "no such file", "文件不存在"),
    (Msg.verbatim("a.yaml:1:1: ") + Msg("the file is empty"), "a.yaml:1:1: the file is empty", "a.yaml:1:1: 文件是空的"),
])
def test_english_is_the_msgid_and_chinese_its_translation(text: Msg, en: str, zh: str) -> None:
    assert str(text) == en and f"{text}" == en and localise(text, "en") == en
    assert localise(text, "zh") == zh


def test_errors_keep_their_msg_through_collection_and_pickling() -> None:
    error = RoleplayError(Msg("{path}: no such call folder", path="calls/x"))
    assert str(error) == "calls/x: no such call folder" and localise(error, "zh") == "calls/x：没有这个通话文件夹"
    again = pickle.loads(pickle.dumps(error))      # rescore workers send errors back to the parent
    assert localise(again, "zh") == localise(error, "zh")
    found = ProblemCollector()
    found.check(lambda: (_ for _ in ()).throw(error))
    found.check(lambda: (_ for _ in ()).throw(RoleplayError("plain text")))
    with pytest.raises(FileProblems) as problems:
        found.raise_any()
    assert str(problems.value) == "calls/x: no such call folder\nplain text"
    assert localise(problems.value, "zh") == "calls/x：没有这个通话文件夹\nplain text"


def test_located_problems_say_where_in_every_language() -> None:
    errors = [ScenarioError("a.yaml", 2, 3, Msg("the file is empty")), ScenarioError("a.yaml", 4, 1, "plain")]
    both = ScenarioErrors(errors)
    assert str(both) == "a.yaml:2:3: the file is empty (and 1 more)"
    assert localise(both, "zh") == "a.yaml:2:3: 文件是空的（另有 1 处）"
    assert errors[0].message == "the file is empty" and errors[1].message == "plain"
