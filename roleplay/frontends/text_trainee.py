"""A simulated trainee whose answers are text (`--asr text`): exact delays on the virtual clock."""

from __future__ import annotations

from roleplay.authoring.answers import AnswerStep
from roleplay.model.clock import VirtualClock
from roleplay.model.errors import RoleplayError
from roleplay.model.events import TalkOver, Timeline
from roleplay.model.message import Msg
from roleplay.model.ports import (
    Answer,
    Line,
    estimated_speech_ms,
    record_silence,
    record_text_answer,
)
from roleplay.model.scenario import Node


class TextTrainee:
    """Plays ANSWERS.yaml entries in order; when they run out the trainee stays silent."""

    def __init__(self, steps: list[AnswerStep], clock: VirtualClock, timeline: Timeline, language: str) -> None:
        self.steps = list(steps)
        self.clock = clock
        self.timeline = timeline
        self.language = language

    def answer(self, node: Node, line: Line | None, after_ms: int, timeout_ms: int) -> Answer:
        step = self.steps.pop(0) if self.steps else AnswerStep(silence_s=timeout_ms / 1000)
        if step.audio is not None:
            raise RoleplayError(Msg("answer {name} is audio: simulate it with --asr vosk or --asr whisper", name=step.audio.name))
        if line and (step.is_silence or step.delay_s >= 0):
            self.clock.advance_to(line.end_ms)
            line.finish()
        if step.is_silence:
            waited = min(int(step.silence_s * 1000), timeout_ms) if step.silence_s else timeout_ms
            self.clock.advance_to(after_ms + waited)
            return record_silence(self.timeline, node.id, self.clock.now_ms(), waited)
        onset = after_ms + int(step.delay_s * 1000)
        offset = onset + estimated_speech_ms(step.say, self.language)
        if line and not line.ended:  # a negative delay: the trainee talks over the customer
            self.timeline.append(onset, TalkOver(node=node.id, overlap_ms=line.end_ms - onset))
            line.finish(onset, cut=True)   # barged in, as on the headset: the timeline stays in order
        self.clock.advance_to(offset)
        return record_text_answer(self.timeline, node.id, step.say, onset, offset, self.language)

    def close(self) -> None:
        pass
