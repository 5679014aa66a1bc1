"""Desk rubric items (scoring/desk.py) on calls run by the real engine on a virtual clock."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from phrasebank import load_phrasebank
from roleplay.authoring.loader import load_scenario
from roleplay.engine.call import Call
from roleplay.model.clock import VirtualClock
from roleplay.model.events import (
    CrmRecordOpened,
    HoldPressed,
    HoldResumed,
    Timeline,
    WrapupStarted,
    WrapupSubmitted,
)
from roleplay.model.ports import Answer, Line, record_text_answer
from roleplay.model.scenario import Node
from scoring.scorecard import score

LOOKUP = load_scenario(Path(__file__).resolve().parent.parent / "scenarios/en/card-lookup.yaml")
Step = tuple[Callable[[Timeline, int, str], None] | None, str]


class DeskTrainee:
    """Before each answer, does its desk actions (t, node) then types; 2 s per step."""

    def __init__(self, clock: VirtualClock, timeline: Timeline, steps: list[Step]) -> None:
        self.clock, self.timeline, self.steps = clock, timeline, list(steps)

    def answer(self, node: Node, line: Line | None, after_ms: int, timeout_ms: int) -> Answer:
        self.clock.advance_to(after_ms)
        if line:
            line.finish()
        action, text = self.steps.pop(0) if self.steps else (None, "")
        if action:
            action(self.timeline, self.clock.now_ms(), node.id)
        self.clock.sleep_ms(2000)
        now = self.clock.now_ms()
        return record_text_answer(self.timeline, node.id, text, now, now + 1500, "en")

    def close(self) -> None:
        pass


class QuietVoice:
    def prepare(self, lines: list[tuple[str, float]]) -> None: ...
    def start(self, text: str, mood: float) -> int: return 2000
    def stop(self) -> None: ...
    def close(self) -> None: ...


def _open(key: str, after_ms: int = 0) -> Callable[[Timeline, int, str], None]:
    return lambda tl, t, node: tl.append(t + after_ms, CrmRecordOpened(node=node, table="card", key=key))


def _run(steps: list[Step], wrapup: tuple[str, str] | None = ("resolved", "")) -> dict[str, dict]:
    clock, timeline = VirtualClock(), Timeline()
    bank = load_phrasebank("en")
    Call(LOOKUP, bank, QuietVoice(), DeskTrainee(clock, timeline, steps), clock, timeline).run()
    timeline.append(clock.now_ms(), WrapupStarted(node="goodbye"))
    if wrapup:
        timeline.append(clock.now_ms() + 30_000, WrapupSubmitted(node="goodbye", disposition=wrapup[0], notes=wrapup[1]))
    card = score(timeline, LOOKUP, bank)
    return {i.id: i.to_json() for i in card.items}


def _both(a: Callable[[Timeline, int, str], None], b: Callable[[Timeline, int, str], None]) -> Callable[[Timeline, int, str], None]:
    return lambda tl, t, node: (a(tl, t, node), b(tl, t, node))  # type: ignore[func-returns-value]


GREET = (None, "Good morning, my name is Sam. Can I take your name and date of birth to verify?")
GOOD_REST: list[Step] = [
    (None, "The late fee is 35 dollars."),
    (None, "Is there anything else I can help you with?"),
    (None, "Thank you for calling, goodbye."),
]


def test_right_record_fast_scores_full_and_notes_are_checked() -> None:
    steps = [GREET, (_open("4417", 5000), ("Please hold while I check. Thank you for waiting: your limit is"
                                          " 5000 dollars and the payment is due June 20.")), *GOOD_REST]
    items = _run(steps, ("resolved", "limit 5000, due June 20"))
    assert items["lookup_speed"]["applicable"] and items["lookup_speed"]["passed"]
    assert items["lookup_speed"]["evidence"][0]["elapsed_s"] == 5.0
    assert items["wrong_record"]["passed"]
    assert items["wrap_up"]["passed"], items["wrap_up"]
    assert items["wrap_up"]["evidence"][0]["facts_found"] == ["credit_limit", "due_date"]


def test_wrong_record_read_back_is_flagged_and_slow_lookup_loses_points() -> None:
    # 4416 is Priya Patel's older closed account: its limit (8000) read back is a wrong-record fact.
    steps = [GREET, (_both(_open("4416"), _open("4417", 30_000)), "Your limit is 8000 dollars, due June 20."),
             *GOOD_REST]
    items = _run(steps, ("resolved", "due June 20"))
    wrong = items["wrong_record"]
    assert wrong["applicable"] and wrong["points"] == 0
    assert [e.get("field") for e in wrong["evidence"] if "turn" in e] == ["limit"]
    assert not items["lookup_speed"]["passed"] and items["lookup_speed"]["points"] > 0   # 30 s, limit 20
    assert items["wrap_up"]["evidence"][0]["facts_missing"] == ["credit_limit"]


def test_button_hold_announced_and_thanked() -> None:
    def hold(tl: Timeline, t: int, node: str) -> None:
        tl.append(t, HoldPressed(node=node))
        tl.append(t + 10_000, HoldResumed(node=node))
    steps = [(hold, "Good morning, my name is Sam, may I have your name to verify? Could you please hold for a moment?"),
             (None, "Thank you for waiting, your limit is 5000 dollars due June 20."), *GOOD_REST]
    items = _run(steps)
    hold_item = items["hold_button"]
    assert hold_item["applicable"] and hold_item["evidence"][0]["duration_ms"] == 10_000


def test_items_not_applicable_without_desk_events_so_the_score_is_unchanged() -> None:
    clock, timeline = VirtualClock(), Timeline()
    bank = load_phrasebank("en")
    steps = [GREET, (None, "Please hold. Thank you for waiting, your limit is 5000 dollars due June 20."), *GOOD_REST]
    Call(LOOKUP, bank, QuietVoice(), DeskTrainee(clock, timeline, steps), clock, timeline).run()
    card = score(timeline, LOOKUP, bank)
    desk = [i for i in card.items if i.kind == "desk"]
    assert len(desk) == 5 and not any(i.applicable or i.max_points for i in desk)
    assert sum(i.max_points for i in card.items) == pytest.approx(100)


def test_wrapup_never_submitted_scores_zero() -> None:
    steps = [GREET, (_open("4417"), "Your limit is 5000 dollars, due June 20."), *GOOD_REST]
    items = _run(steps, wrapup=None)
    assert items["wrap_up"]["applicable"] and items["wrap_up"]["points"] == 0
