"""One judgement of each hold (speech or Hold button) used by every item, and revisits of a
node that ask only for what is still missing."""

from __future__ import annotations

from scoring_builders import BANKS, Script, broadband_scenario

from roleplay.model.events import EventKind, Timeline
from roleplay.model.scenario import Expect
from scoring.scorecard import Scorecard, score

EN = BANKS["en"]


def item(card: Scorecard, item_id: str) -> dict:
    return next(i for i in card.to_json()["items"] if i["id"] == item_id)


def _opening(s: Script) -> None:
    s.line("greet", "Hi, my internet is slow.").answer("greet", "Hello, thank you for calling, my name is Sam.")
    s.next("greet", "lookup")


def _closing(s: Script) -> Timeline:
    s.next("complaint", "wrap_up").line("wrap_up", "OK.")
    s.answer("wrap_up", "Is there anything else? Have a nice day, goodbye.")
    return s.next("wrap_up", "bye").end("bye", "Bye.").timeline


def revisited_lookup(second_answer: str) -> Timeline:
    """lookup is answered in full, then the call comes back to it and the trainee answers
    the customer's repeated question without repeating the hold."""
    s = Script("broadband-en")
    _opening(s)
    s.line("lookup", "My account is 88001234.").answer("lookup", "Could you confirm the holder? Let me check, please hold.")
    s.hold("lookup", 8_000).after_hold("lookup", "Thank you for waiting, you are on Fibre 50.")
    s.next("lookup", "complaint", mood=6.5)
    s.line("complaint", "Too slow!", mood=6.5).answer("complaint", "I am sorry, I understand. The upgrade is 49 dollars.")
    s.next("complaint", "lookup")
    s.line("lookup", "Sorry, which plan did you say I am on?").answer("lookup", second_answer)
    s.next("lookup", "complaint", mood=3.0)
    s.line("complaint", "Right.", mood=3.0).answer("complaint", "I am sorry for the confusion, I understand.")
    return _closing(s)


def test_a_revisit_does_not_demand_a_second_hold_for_an_answered_question() -> None:
    card = score(revisited_lookup("As I said, you are on Fibre 50."), broadband_scenario(), EN)
    required = item(card, "required_phrases")
    assert required["passed"], required["explanation"]
    assert not [e for e in required["evidence"] if e.get("category") == "hold_request" and "said" in e["note"]
                and e["note"].startswith("no ")]


def test_a_revisit_keeps_what_was_already_stated() -> None:
    card = score(revisited_lookup("Yes, that is the plan you have."), broadband_scenario(), EN)
    knowledge = item(card, "knowledge")
    plan = [e for e in knowledge["evidence"] if e["fact"] == "current_plan"]
    assert [e["status"] for e in plan] == ["right"], knowledge["evidence"]


def test_a_revisit_still_asks_for_what_is_missing() -> None:
    """Nothing said the first time: the revisit is where it can still be said."""
    s = Script("broadband-en")
    _opening(s)
    s.line("lookup", "My account is 88001234.").answer("lookup", "OK.")
    s.next("lookup", "complaint", mood=6.5)
    s.line("complaint", "Too slow!", mood=6.5).answer("complaint", "I am sorry, I understand. The upgrade is 49 dollars.")
    s.next("complaint", "lookup")
    s.line("lookup", "So what plan am I on?").answer("lookup", "Could you confirm the holder? One moment please.")
    s.hold("lookup", 5_000).after_hold("lookup", "Thank you for waiting, you are on Fibre 50.")
    s.next("lookup", "complaint", mood=3.0)
    s.line("complaint", "Right.", mood=3.0).answer("complaint", "I am sorry, I understand.")
    card = score(_closing(s), broadband_scenario(), EN)
    required = [e for e in item(card, "required_phrases")["evidence"] if e.get("category") == "hold_request"]
    assert len(required) == 1 and required[0]["node"] == "lookup" and "one moment" in required[0]["note"].lower()
    plan = [e for e in item(card, "knowledge")["evidence"] if e["fact"] == "current_plan"]
    assert [e["status"] for e in plan] == ["right"]


def thanked_before_the_hold() -> Timeline:
    """'Thank you for waiting' said before the hold, nothing after it: the hold is not thanked."""
    s = Script("broadband-en")
    _opening(s)
    s.line("lookup", "My account is 88001234.")
    s.answer("lookup", "Could you confirm the holder? Thank you for waiting so far, one moment please.")
    s.hold("lookup", 6_000).after_hold("lookup", "You are on Fibre 50.")
    s.next("lookup", "complaint", mood=6.5)
    s.line("complaint", "Too slow!", mood=6.5).answer("complaint", "I am sorry, I understand. The upgrade is 49 dollars.")
    return _closing(s)


def test_required_phrases_and_dead_air_judge_a_hold_alike() -> None:
    nodes = dict(broadband_scenario().nodes)
    lookup = nodes["lookup"]
    nodes["lookup"] = lookup.__class__(**{**lookup.__dict__, "expect": Expect(
        ("hold_request", "thanks_for_waiting"), ("current_plan",), 4.0)})
    card = score(thanked_before_the_hold(), broadband_scenario(nodes=nodes), EN)
    hold = next(e for e in item(card, "dead_air")["evidence"] if e.get("hold"))
    assert hold["problems"] == ["not thanked after"], hold
    thanks = next(e for e in item(card, "required_phrases")["evidence"] if e.get("category") == "thanks_for_waiting")
    assert thanks["note"].startswith("no thanks_for_waiting"), thanks


def test_silence_on_the_hold_button_is_not_dead_air() -> None:
    s = Script("broadband-en")
    _opening(s)
    s.line("lookup", "My account is 88001234.")
    s.answer("lookup", "Could you confirm the holder? Let me check, please hold.")
    s.add(EventKind.HOLD_PRESSED, t_ms=s.t + 200, node="lookup")
    s.add(EventKind.HOLD_RESUMED, t_ms=s.t + 25_000, node="lookup")
    s.t += 25_000
    s.answer("lookup", "Thank you for waiting, you are on Fibre 50.", delay_ms=500)
    s.next("lookup", "complaint", mood=6.5)
    s.line("complaint", "Too slow!", mood=6.5).answer("complaint", "I am sorry, I understand. The upgrade is 49 dollars.")
    card = score(_closing(s), broadband_scenario(), EN)
    gaps = [e for e in item(card, "dead_air")["evidence"] if "owner" in e and e["counted"]]
    assert gaps == [], gaps
    button = item(card, "hold_button")
    assert button["applicable"] and button["evidence"][0]["problems"] == [], button
