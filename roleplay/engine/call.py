"""The call engine: walks a scenario graph, appending every step to the timeline."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from phrasebank import Phrasebank
from roleplay.engine.branching import choose_branch, describe
from roleplay.engine.mood import next_mood
from roleplay.engine.turn import TurnAnalysis, analyse_answer
from roleplay.model.clock import Clock
from roleplay.model.events import (
    BranchTaken,
    CallEnded,
    CallStarted,
    CustomerLineStarted,
    EventKind,
    HoldEnded,
    HoldStarted,
    MoodChanged,
    NodeEntered,
    Timeline,
)
from roleplay.model.ports import Answer, CustomerVoice, Line, TraineeInput
from roleplay.model.scenario import Node, Outcome, Scenario

MAX_TURNS = 40           # a trainee stuck in a loop must not keep a call going forever
HOLD_TIMEOUT_MS = 90_000  # how long a customer on hold waits for the trainee to come back
# The first sign of the trainee after a hold (speech, a result, silence or an error) ends it.
COMING_BACK = (EventKind.TRAINEE_SPEECH_STARTED, EventKind.ASR_PARTIAL, EventKind.ASR_FINAL,
               EventKind.TRAINEE_SILENT, EventKind.ASR_ERROR)


@dataclass(frozen=True)
class CallResult:
    outcome: Outcome
    end_node: str
    mood: float
    turns: int


# Called after every trainee turn: the live view shows the transcript and the mood.
TurnObserver = Callable[[Node, Answer, TurnAnalysis, float], None]


class Call:
    def __init__(
        self,
        scenario: Scenario,
        bank: Phrasebank,
        voice: CustomerVoice,
        trainee: TraineeInput,
        clock: Clock,
        timeline: Timeline,
        seed: int | None = 0,
        trainee_id: str = "trainee",
        on_turn: TurnObserver | None = None,
    ) -> None:
        self.scenario = scenario
        self.bank = bank.with_extra(scenario.phrases)
        self.voice = voice
        self.trainee = trainee
        self.clock = clock
        self.timeline = timeline
        self.variants = random.Random(seed)
        self.trainee_id = trainee_id
        self.on_turn = on_turn
        self.mood = scenario.persona.mood

    def prepare(self) -> None:
        """Render every line the customer may say, at every mood, before the call starts."""
        lines = [
            (self.scenario.render(text), mood)
            for node in self.scenario.nodes.values()
            for text in node.say
            for mood in (self.scenario.persona.mood, self.scenario.mood.escalate_at)
        ]
        self.voice.prepare(lines)

    def run(self) -> CallResult:
        s = self.scenario
        self.timeline.append(self.clock.now_ms(), CallStarted(scenario=s.id, version=s.version, language=str(s.language), trainee=self.trainee_id))
        node = s.nodes[s.start]
        visited: set[str] = set()
        for turn_no in range(MAX_TURNS):
            visited.add(node.id)
            line = self._say(node)
            if node.is_end and not (node.expect.phrases or node.expect.facts):
                line.finish()
                return self._end(node, node.end or Outcome.RESOLVED, turn_no)
            turn = self._listen(node, line)
            change = next_mood(self.mood, turn, node, s)
            self.mood = change.mood
            self.timeline.append(self._now(), MoodChanged(node=node.id, mood=change.mood, delta=change.delta, reasons=tuple(change.reasons)))
            if node.is_end:
                return self._end(node, node.end or Outcome.RESOLVED, turn_no + 1)
            node = self._next_node(node, turn, visited)
        return self._end(node, Outcome.HUNG_UP, MAX_TURNS, reason="turn limit reached")

    def _now(self) -> int:
        """The call's time never runs back: a line still playing, or an answer timed ahead of a
        clock that has not caught up with it, is the latest moment of the call."""
        last = self.timeline.events[-1].t_ms if len(self.timeline) else 0
        return max(self.clock.now_ms(), last)

    def _say(self, node: Node) -> Line:
        self.timeline.append(self._now(), NodeEntered(node=node.id))
        text = self.scenario.render(self.variants.choice(node.say))
        start = self._now()
        self.timeline.append(start, CustomerLineStarted(node=node.id, text=text, mood=self.mood))
        return Line(self.timeline, node.id, start, self.voice.start(text, self.mood))

    def _listen(self, node: Node, line: Line) -> TurnAnalysis:
        timeout_ms = int(node.timeout_s * 1000)
        answer = self.trainee.answer(node, line, line.end_ms, timeout_ms)
        line.finish()
        turn = analyse_answer(answer, line.end_ms, node, self.scenario, self.bank)
        if node.hold and turn.said("hold_request") and answer.offset_ms is not None:
            answer, turn = self._hold(node, answer, turn)
        if self.on_turn:
            self.on_turn(node, answer, turn, self.mood)
        return turn

    def _hold(self, node: Node, first: Answer, turn: TurnAnalysis) -> tuple[Answer, TurnAnalysis]:
        """The customer waits silently; the trainee's return completes the same turn."""
        hold_start = first.offset_ms or self.clock.now_ms()
        self.timeline.append(hold_start, HoldStarted(node=node.id))
        self.timeline.before_next(COMING_BACK, lambda: HoldEnded(node=node.id))
        back = self.trainee.answer(node, None, hold_start, HOLD_TIMEOUT_MS)
        ended = self.timeline.take_before()
        if ended is not None:   # the trainee's input logged nothing
            self.timeline.append(self._now(), ended())
        combined = Answer(
            f"{first.text} {back.text}".strip(), first.onset_ms, back.offset_ms or first.offset_ms,
            first.words + back.words, back.error,
        )
        whole = analyse_answer(combined, 0, node, self.scenario, self.bank)
        return combined, TurnAnalysis(whole.text, False, turn.latency_ms, whole.phrases, whole.facts)

    def _next_node(self, node: Node, turn: TurnAnalysis, visited: set[str]) -> Node:
        rules = self.scenario.mood
        target, why = "", ""
        if rules.escalate_to and self.mood >= rules.escalate_at and rules.escalate_to not in visited:
            target, why = rules.escalate_to, f"mood {self.mood:g} reached {rules.escalate_at:g}"
        else:
            branch = choose_branch(node, turn, self.mood)
            if branch is None:  # validation rejects nodes with no way on; stay put if it slipped by
                target, why = node.id, "no branch matched"
            else:
                target, why = branch.goto, describe(branch)
        self.timeline.append(self._now(), BranchTaken(node=node.id, to=target, condition=why))
        return self.scenario.nodes[target]

    def _end(self, node: Node, outcome: Outcome, turns: int, reason: str = "") -> CallResult:
        self.timeline.append(self._now(), CallEnded(node=node.id, outcome=str(outcome), reason=reason))
        self.voice.close()
        self.trainee.close()
        return CallResult(outcome, node.id, self.mood, turns)
