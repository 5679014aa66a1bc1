"""The call engine on the virtual clock, with text answers (no speech stack needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from phrasebank import load_phrasebank
from roleplay.authoring.answers import load_answers
from roleplay.authoring.library import open_scenario
from roleplay.engine.call import Call
from roleplay.frontends.text_trainee import TextTrainee
from roleplay.frontends.transcript import NullStream
from roleplay.frontends.typed import PrintedVoice
from roleplay.model.clock import VirtualClock
from roleplay.model.events import BranchTaken, EventKind, MoodChanged, NodeEntered, Timeline

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = Path(__file__).parent / "answers"


def play(scenario_id: str, answers: str) -> tuple[Timeline, object]:
    scenario = open_scenario(scenario_id)
    clock = VirtualClock()
    timeline = Timeline()
    voice = PrintedVoice(NullStream(), str(scenario.language), scenario.persona.rate_wpm)
    trainee = TextTrainee(load_answers(ROOT / answers), clock, timeline, str(scenario.language))
    call = Call(scenario, load_phrasebank(str(scenario.language)), voice, trainee, clock, timeline, seed=0)
    return timeline, call.run()


def visited(timeline: Timeline) -> list[str]:
    return [e.node for e in timeline.payloads(NodeEntered)]


@pytest.mark.parametrize(
    ("scenario", "answers", "outcome", "path"),
    [
        ("broadband-slow-en", "scenarios/en/answers/broadband-slow-good.yaml", "resolved", ["greet", "ask_price", "lookup", "upgrade", "goodbye"]),
        ("broadband-slow-zh", "scenarios/zh/answers/broadband-slow-good.yaml", "resolved", ["greet", "ask_price", "lookup", "upgrade", "goodbye"]),
        ("broadband-slow-en", "scenarios/en/answers/broadband-slow-poor.yaml", "escalated", ["greet", "ask_price", "complaint", "supervisor"]),
        ("broadband-slow-zh", "scenarios/zh/answers/broadband-slow-poor.yaml", "escalated", ["greet", "ask_price", "complaint", "supervisor"]),
        ("broadband-slow-en", "tests/answers/en-silent.yaml", "hung_up", ["greet", "anyone_there", "hang_up"]),
    ],
)
def test_call_walks_the_graph(scenario: str, answers: str, outcome: str, path: list[str]) -> None:
    timeline, result = play(scenario, answers)
    assert visited(timeline) == path
    assert str(result.outcome) == outcome  # type: ignore[attr-defined]
    assert timeline.events[-1].kind is EventKind.CALL_ENDED


def test_hold_is_announced_and_ends_when_the_trainee_returns() -> None:
    timeline, _ = play("broadband-slow-en", "scenarios/en/answers/broadband-slow-good.yaml")
    started = timeline.of_kind(EventKind.HOLD_STARTED)
    ended = timeline.of_kind(EventKind.HOLD_ENDED)
    assert len(started) == len(ended) == 1
    assert ended[0].t_ms - started[0].t_ms == 6000  # the continuation's delay: exactly the hold


def test_latency_follows_the_answer_delays_exactly() -> None:
    timeline, _ = play("broadband-slow-en", "scenarios/en/answers/broadband-slow-good.yaml")
    line_ends = [e.t_ms for e in timeline.of_kind(EventKind.CUSTOMER_LINE_ENDED)]
    onsets = [e.t_ms for e in timeline.of_kind(EventKind.TRAINEE_SPEECH_STARTED)]
    assert onsets[0] - line_ends[0] == 1000
    assert onsets[1] - line_ends[1] == 1500


def test_rude_answers_raise_the_mood_and_apology_lowers_it() -> None:
    timeline, result = play("broadband-slow-en", "scenarios/en/answers/broadband-slow-poor.yaml")
    moods = [e.mood for e in timeline.payloads(MoodChanged)]
    assert moods == sorted(moods) and moods[-1] > moods[0]
    assert result.mood >= 8  # type: ignore[attr-defined]


def test_high_anger_escalates_into_the_complaint_branch(tmp_path: Path) -> None:
    answers = tmp_path / "slow.yaml"
    # Every answer is slow and lacks the required phrases: anger climbs past escalate_at.
    answers.write_text("\n".join(['- say: "ok"\n  delay: 7'] * 8), encoding="utf-8")
    scenario = open_scenario("broadband-slow-en")
    clock, timeline = VirtualClock(), Timeline()
    voice = PrintedVoice(NullStream(), "en", 160)
    trainee = TextTrainee(load_answers(answers), clock, timeline, "en")
    Call(scenario, load_phrasebank("en"), voice, trainee, clock, timeline).run()
    branches = [e for e in timeline.payloads(BranchTaken) if e.to == "complaint"]
    assert branches and branches[0].condition.startswith("mood")
