"""Badges and re-training read the scorecard's typed evidence, not its note strings."""

from __future__ import annotations

from scoring_builders import BANKS, Script, broadband_scenario

from roleplay.training.badges import summarise
from scoring.scorecard import score


def _hold_call(first: str, back: str) -> dict[str, object]:
    s = Script(scenario="broadband-en").line("greet", "Hi.")
    s.answer("greet", "Hello, thank you for calling, my name is Sam.", delay_ms=600)
    s.next("greet", "lookup").line("lookup", "What plan am I on?")
    s.answer("lookup", first).hold("lookup", 20_000).after_hold("lookup", back)
    s.next("lookup", "bye").end("bye", "Bye.")
    return score(s.timeline, broadband_scenario(), BANKS["en"]).to_json()


def test_a_hold_not_thanked_after_reaches_retraining() -> None:
    # The scorer says "not thanked after"; the summary once looked for "not thanked" and lost it.
    summary = summarise(_hold_call("Please hold.", "It is Fibre 50."))
    assert "thanks_for_waiting" in summary.missed_categories
    assert "hold_request" not in summary.missed_categories


def test_a_hold_not_announced_reaches_retraining() -> None:
    summary = summarise(_hold_call("Right.", "Thank you for waiting, it is Fibre 50."))
    assert "hold_request" in summary.missed_categories
    assert "thanks_for_waiting" not in summary.missed_categories


def test_a_hold_handled_well_misses_nothing_of_a_hold() -> None:
    summary = summarise(_hold_call("Please hold.", "Thank you for waiting, it is Fibre 50."))
    assert not {"hold_request", "thanks_for_waiting"} & set(summary.missed_categories)
