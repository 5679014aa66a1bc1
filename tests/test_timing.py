"""Turns from the timeline and each timing/delivery measure, table-driven."""

from __future__ import annotations

from dataclasses import replace

import pytest
from scoring_builders import BANKS, Script, broadband_scenario

from roleplay.model.events import (
    AsrFinal,
    CallStarted,
    CustomerLineEnded,
    CustomerLineStarted,
    EventKind,
    NodeEntered,
    SpokenWord,
    Timeline,
    TraineeSpeechEnded,
    TraineeSpeechStarted,
)
from scoring import timing
from scoring.holds import hold_checks, hold_spans
from scoring.rubric import Settings
from scoring.turns import derive_turns, derive_visits

EN = BANKS["en"]
SETTINGS = Settings()


def one_answer(delay_ms: int, text: str = "Hello, my name is Sam.", **kw: object) -> Script:
    s = Script()
    s.line("greet", "Hi there.", dur_ms=2000)
    s.answer("greet", text, delay_ms=delay_ms, **kw)  # type: ignore[arg-type]
    s.next("greet", "bye")
    return s.end("bye", "Bye.")


# --- turns --------------------------------------------------------------------------------
def test_turns_alternate_with_latency_from_line_end() -> None:
    turns = derive_turns(one_answer(1300).timeline)
    assert [t.speaker for t in turns] == ["customer", "trainee", "customer"]
    assert [t.index for t in turns] == [0, 1, 2]
    greet_line, answer = turns[0], turns[1]
    assert answer.latency_ms == 1300 == answer.start_ms - greet_line.end_ms
    assert greet_line.latency_ms is None
    assert answer.text == "Hello, my name is Sam."
    assert [w.word for w in answer.words] == ["Hello", "my", "name", "is", "Sam"]
    assert answer.words[0].start_ms >= answer.start_ms and answer.end_ms >= answer.words[-1].end_ms


def test_hold_continuation_is_its_own_turn_without_latency() -> None:
    s = Script()
    s.line("lookup", "What plan am I on?")
    s.answer("lookup", "Let me check, please hold.", delay_ms=800)
    s.hold("lookup", 15_000)
    s.after_hold("lookup", "Thank you for waiting, you are on Fibre 50.")
    s.next("lookup", "bye")
    turns, visits = derive_visits(s.end("bye", "Bye.").timeline)
    trainee = [t for t in turns if t.speaker == "trainee"]
    assert [(t.after_hold, t.latency_ms) for t in trainee] == [(False, 800), (True, None)]
    (hold,) = visits[0].holds
    assert hold.start_ms == trainee[0].end_ms and hold.end_ms == trainee[1].start_ms


def test_events_out_of_order_and_final_after_offset() -> None:
    """The engine logs a line's end late; a recogniser may finalise after the VAD offset."""
    tl = Timeline()
    tl.append(0, CallStarted(scenario="x", language="en"))
    tl.append(100, NodeEntered(node="a"))
    tl.append(100, CustomerLineStarted(node="a", text="Hi", mood=2))
    tl.append(2500, TraineeSpeechStarted(node="a"))
    tl.append(4000, TraineeSpeechEnded(node="a"))
    tl.append(4300, AsrFinal(node="a", text="hello there",
              words=(SpokenWord("hello", 2550, 3000), SpokenWord("there", 3100, 3900))))
    tl.append(2000, CustomerLineEnded(node="a", cut=False))
    (line, answer) = derive_turns(tl)
    assert (line.end_ms, answer.start_ms, answer.end_ms, answer.latency_ms) == (2000, 2500, 4000, 500)
    assert answer.text == "hello there"


def test_word_times_relative_to_the_utterance_are_moved_to_the_call_clock() -> None:
    tl = Timeline()
    tl.append(0, NodeEntered(node="a"))
    tl.append(0, CustomerLineStarted(node="a", text="Hi", mood=2))
    tl.append(9000, CustomerLineEnded(node="a"))
    tl.append(10_000, TraineeSpeechStarted(node="a"))
    tl.append(11_000, AsrFinal(node="a", text="yes", words=(SpokenWord("yes", 50, 400),)))
    (_, answer) = derive_turns(tl)
    assert (answer.words[0].start_ms, answer.words[0].end_ms) == (10_050, 10_400)


# --- latency ------------------------------------------------------------------------------
@pytest.mark.parametrize(("delay_ms", "limit_s", "credit"), [
    (500, 4.0, 1.0),
    (4000, 4.0, 1.0),       # exactly at the limit
    (6000, 4.0, 0.5),       # half way through the grace (limit .. 2 x limit)
    (8000, 4.0, 0.0),
    (12_000, 4.0, 0.0),
    (-700, 4.0, 1.0),       # talked over: latency 0
])
def test_latency_credit(delay_ms: int, limit_s: float, credit: float) -> None:
    scenario = broadband_scenario()
    turns, visits = derive_visits(one_answer(delay_ms).timeline)
    (check,) = timing.latency_checks(turns, visits, scenario, SETTINGS)
    assert check.limit_ms == limit_s * 1000
    assert check.latency_ms == max(0, delay_ms)
    assert check.credit == pytest.approx(credit)


def test_latency_limit_falls_back_to_rubric_then_patience() -> None:
    scenario = broadband_scenario()
    no_limit = replace(scenario.nodes["greet"], expect=replace(scenario.nodes["greet"].expect, latency_s=None))
    scenario = replace(scenario, nodes={**scenario.nodes, "greet": no_limit})
    assert timing.latency_limit_ms("greet", scenario, SETTINGS) == 6000          # persona.patience_s
    assert timing.latency_limit_ms("greet", scenario, Settings(latency_s=2.5)) == 2500


def test_silence_is_a_latency_miss() -> None:
    s = Script()
    s.line("greet", "Hello?").silent("greet", 10_000).next("greet", "bye").end("bye", "Bye.")
    turns, visits = derive_visits(s.timeline)
    (check,) = timing.latency_checks(turns, visits, broadband_scenario(), SETTINGS)
    assert (check.turn, check.latency_ms, check.credit) == (None, None, 0.0)


# --- dead air -----------------------------------------------------------------------------
def dead_air_of(s: Script) -> list[tuple[str, str, int]]:
    turns, visits = derive_visits(s.timeline)
    return [(d.owner, d.where, d.duration_ms) for d in timing.find_dead_air(turns, hold_spans(hold_checks(turns, visits, EN, SETTINGS)), SETTINGS)]


def test_dead_air_cases() -> None:
    assert dead_air_of(one_answer(2900)) == []
    assert dead_air_of(one_answer(3500)) == [("trainee", "gap", 3500)]
    # a 4 s pause between two words of one answer
    assert dead_air_of(one_answer(800, "Hello, um my name is Sam", pause_after=2, pause_ms=4000)) == [
        ("trainee", "pause", 4040)]
    # nobody answers: from the line's end to the next line
    silent = Script().line("greet", "Hello?", 2000).silent("greet", 8000).next("greet", "bye").end("bye", "Bye.")
    assert dead_air_of(silent) == [("trainee", "gap", 8150)]


def test_customer_delay_is_reported_as_the_customers() -> None:
    s = Script().line("greet", "Hi.")
    s.answer("greet", "Hello, my name is Sam.", delay_ms=500)
    s.t += 5000   # the simulated customer takes 5 s to reply
    s.next("greet", "bye").end("bye", "Bye.")
    ((owner, where, ms),) = dead_air_of(s)
    assert (owner, where) == ("customer", "gap") and ms >= 5000


def test_a_hold_is_not_dead_air_but_the_silence_around_it_is() -> None:
    s = Script().line("lookup", "What plan am I on?")
    s.answer("lookup", "One moment please.", delay_ms=600)
    s.hold("lookup", 30_000)
    s.after_hold("lookup", "Thanks for holding, it is Fibre 50.")
    s.next("lookup", "bye").end("bye", "Bye.")
    assert dead_air_of(s) == []


# --- holds --------------------------------------------------------------------------------
@pytest.mark.parametrize(("first", "back", "wait_ms", "announced", "thanked", "too_long"), [
    ("Let me check that.", "Thank you for waiting, it is Fibre 50.", 20_000, True, True, False),
    ("Right.", "Thank you for waiting, it is Fibre 50.", 20_000, False, True, False),
    ("Please hold.", "It is Fibre 50.", 20_000, True, False, False),
    ("Please hold.", "Thanks for holding.", 75_000, True, True, True),
])
def test_hold_checks(first: str, back: str, wait_ms: int, announced: bool, thanked: bool, too_long: bool) -> None:
    s = Script().line("lookup", "What plan am I on?")
    s.answer("lookup", first).hold("lookup", wait_ms).after_hold("lookup", back)
    turns, visits = derive_visits(s.next("lookup", "bye").end("bye", "Bye.").timeline)
    (hold,) = hold_checks(turns, visits, EN, SETTINGS)
    assert (hold.announced is not None, hold.thanked is not None, hold.too_long) == (announced, thanked, too_long)
    assert hold.duration_ms == wait_ms


def test_hold_never_ended() -> None:
    s = Script().line("lookup", "What plan am I on?")
    s.answer("lookup", "Please hold.").hold("lookup", 5000)
    s.add(EventKind.CALL_ENDED, node="lookup", outcome="hung_up")
    turns, visits = derive_visits(s.timeline)
    (hold,) = hold_checks(turns, visits, EN, SETTINGS)
    assert (hold.end_ms, hold.duration_ms, hold.too_long, hold.thanked) == (None, None, True, None)


# --- talk-over ----------------------------------------------------------------------------
def test_talk_over_count_and_longest() -> None:
    s = Script().line("a", "A long line.", 3000)
    s.answer("a", "Hello my name is Sam.", delay_ms=-400).next("a", "b")
    s.line("b", "Another line.", 3000)
    s.answer("b", "Sure.", delay_ms=-1200).next("b", "c")
    s.line("c", "And one more.", 3000)
    s.answer("c", "Yes.", delay_ms=700).next("c", "bye").end("bye", "Bye.")
    turns, visits = derive_visits(s.timeline)
    over = timing.talk_over(visits, turns)
    assert (over.count, over.longest_ms, over.nodes) == (2, 1200, ("a", "b"))


# --- speech rate and fillers --------------------------------------------------------------
@pytest.mark.parametrize(("language", "text", "units"), [
    ("en", "Hello, my name is Sam.", 5),
    ("en", "I'm here, don't worry", 4),
    ("zh", "您好，我是小王", 6),
    ("zh", "您好 我是 Sam 工号 123", 8),
])
def test_speech_units(language: str, text: str, units: int) -> None:
    assert timing.speech_units(text, language) == units


EN_TEXT = "thank you for calling my name is Sam how can I help you with your account today please"
ZH_TEXT = "您好欢迎致电我是小王请问有什么可以帮您的吗"


@pytest.mark.parametrize(("language", "text", "ms_per_unit", "within"), [
    ("en", EN_TEXT, 400, True),    # ~150 wpm
    ("en", EN_TEXT, 250, False),   # ~240 wpm: too fast
    ("en", EN_TEXT, 600, False),   # ~100 wpm: too slow
    ("zh", ZH_TEXT, 250, True),    # ~240 characters/min
    ("zh", ZH_TEXT, 150, False),   # ~400/min
])
def test_speech_rate_band(language: str, text: str, ms_per_unit: int, within: bool) -> None:
    s = Script(language=language).line("a", "hi")
    s.answer("a", text, ms_per_unit=ms_per_unit)
    rate = timing.speech_rate(derive_turns(s.timeline), language, SETTINGS)
    units = timing.speech_units(text, language)
    assert rate.units == units
    assert rate.per_minute == pytest.approx(units * 60_000 / (units * ms_per_unit - 40), abs=0.1)
    assert rate.within is within


def test_speech_rate_needs_enough_words() -> None:
    rate = timing.speech_rate(derive_turns(one_answer(500, "Yes.").timeline), "en", SETTINGS)
    assert (rate.per_minute, rate.within) == (None, None)


@pytest.mark.parametrize(("language", "text", "count"), [
    ("en", "Um I uh think, you know, it is fine um", 4),
    ("en", "Thank you for calling.", 0),
    ("zh", "嗯，那个，您好，嗯", 3),
])
def test_filler_count_and_ratio(language: str, text: str, count: int) -> None:
    s = Script(language=language).line("a", "hi")
    s.answer("a", text)
    found = timing.fillers(derive_turns(s.timeline), BANKS[language], language, SETTINGS)
    assert len(found.matches) == count
    assert found.ratio == pytest.approx(count / timing.speech_units(text, language), abs=1e-4)
