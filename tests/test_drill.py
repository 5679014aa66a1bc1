"""`roleplay drill`: single-line exercises judged by phrase category and time."""

from __future__ import annotations

import io
import json

import pytest

from cli import main
from roleplay.training.curriculum import DRILLABLE
from roleplay.training.drill import DrillOptions, drill_prompts, run_drill


def drill(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], answers: list[str],
          *args: str) -> tuple[int, dict]:
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(a + "\n" for a in answers)))
    code = main(["drill", "--typed", "--json", "--seed", "3", *args])
    return code, json.loads(capsys.readouterr().out)


def test_fluent_after_five_right_in_a_row(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    answers = ["please hold", "what?", "one moment please", "let me check that for you",
               "just a moment", "please hold while I check", "let me check", "never read"]
    code, result = drill(monkeypatch, capsys, answers, "--category", "hold_request")
    assert code == 0 and result["fluent"]
    assert result["rounds"] == 7            # stopped once fluent: the eighth line is never read
    assert [i["correct"] for i in result["items"]] == [True, False, True, True, True, True, True]
    assert result["best_streak"] == 5
    prompts = [i["prompt"] for i in result["items"]]
    assert set(prompts[:3]) == set(drill_prompts("en", "hold_request"))   # every line before repeats


def test_forbidden_and_missing_phrases_are_wrong(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, result = drill(monkeypatch, capsys, ["one moment, not my problem", "", "sure"],
                         "--category", "hold_request", "--rounds", "3")
    assert code == 1 and not result["fluent"]
    first, empty, plain = result["items"]
    assert first["phrase"] and first["forbidden"] and not first["correct"]
    assert empty["answer"] == "" and empty["phrase"] is None
    assert plain["phrase"] is None and result["correct"] == 0


def test_chinese_and_end_of_input(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, result = drill(monkeypatch, capsys, ["非常抱歉给您带来不便", "对不起", "不知道"],
                         "--category", "apology", "--lang", "zh")
    assert code == 1 and result["rounds"] == 3     # stdin ran out before 20 rounds or fluency
    assert [i["correct"] for i in result["items"]] == [True, True, False]
    assert result["items"][2]["forbidden"] == ["不知道"]


def test_text_summary_and_usage_errors(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("hmm\n"))
    assert main(["drill", "--typed", "--category", "closing", "--rounds", "1"]) == 1
    out = capsys.readouterr().out
    assert "wrong: no phrase of the category" in out and "not fluent yet" in out and "try phrases like" in out
    assert main(["drill", "--category", "closing", "--input", "no-such-headset"]) == 2  # spoken: no microphone
    assert "add --typed" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["drill", "--typed", "--category", "forbidden"])


class Scripted:
    def __init__(self, replies: list[tuple[str, int]]) -> None:
        self.replies = replies
        self.asked: list[str] = []

    def ask(self, prompt: str) -> tuple[str, int] | None:
        self.asked.append(prompt)
        return self.replies.pop(0) if self.replies else None


def test_slow_answers_do_not_count() -> None:
    source = Scripted([("I'm so sorry", 2000), ("I apologise for that", 6500), ("sorry about that", 4000)])
    result = run_drill(DrillOptions("apology", "en", rounds=3, limit_s=4, fluent_after=2, seed=0), source)
    assert [r.correct for r in result.rounds] == [True, False, True]
    assert "too slow (6.5 s, limit 4 s)" in result.rounds[1].verdict()
    assert not result.fluent and result.to_json()["mean_answer_s"] == 4.17


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_category_has_prompts(lang: str) -> None:
    for category in DRILLABLE:
        assert len(drill_prompts(lang, category)) >= 3
