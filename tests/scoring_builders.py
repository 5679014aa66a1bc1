"""Timelines and scenarios for the scoring tests and the scoring benchmark.

`Script` writes the events a call produces (roleplay/events.py), on a virtual clock, the way
the engine orders them: the customer's line, the trainee's onset, ASR final with word
times, offset; holds, silences, talk-over. The scenarios are built as dataclasses so the
tests do not depend on the YAML loader.
"""

from __future__ import annotations

from typing import Any

from phrasebank import Phrasebank
from roleplay.model.events import PAYLOAD_TYPES, EventKind, SpokenWord, Timeline
from roleplay.model.scenario import (
    Branch,
    CrmTable,
    Expect,
    Fact,
    Language,
    MoodModel,
    Node,
    Outcome,
    Persona,
    Scenario,
    Stage,
)


class Script:
    def __init__(self, scenario: str = "test-call", language: str = "en", t0_ms: int = 0) -> None:
        self.timeline = Timeline()
        self.language = language
        self.t = t0_ms
        self.line_end = 0
        self.hold_pending = False
        self.add(EventKind.CALL_STARTED, scenario=scenario, language=language, trainee="t1")

    def add(self, kind: EventKind, t_ms: int | None = None, **data: Any) -> None:
        self.timeline.append(self.t if t_ms is None else t_ms, PAYLOAD_TYPES[kind](**data))

    def line(self, node: str, text: str, dur_ms: int = 2000, mood: float = 2.0) -> Script:
        self.t += 100
        self.add(EventKind.NODE_ENTERED, node=node)
        self.add(EventKind.CUSTOMER_LINE_STARTED, node=node, text=text, mood=mood)
        self.line_end = self.t + dur_ms
        return self

    def _end_line(self, node: str, cut: bool = False) -> None:
        if self.line_end:
            self.add(EventKind.CUSTOMER_LINE_ENDED, t_ms=self.line_end, node=node, cut=cut)
            self.t = max(self.t, self.line_end)
            self.line_end = 0

    def answer(self, node: str, text: str, delay_ms: int = 1000, ms_per_unit: int = 380,
               pause_after: int | None = None, pause_ms: int = 0, conf: float = 0.9) -> Script:
        """Speech `delay_ms` after the line ends (negative: talk-over); `pause_ms` of silence
        after word number `pause_after`."""
        start = (self.line_end or self.t) + delay_ms
        if self.line_end and delay_ms < 0:
            self.add(EventKind.TRAINEE_SPEECH_STARTED, t_ms=start, node=node)
            self.add(EventKind.TALK_OVER, t_ms=start, node=node, overlap_ms=-delay_ms)
            self._end_line(node)
        else:
            self._end_line(node)
            self.add(EventKind.TRAINEE_SPEECH_STARTED, t_ms=start, node=node)
        if self.hold_pending:
            self.add(EventKind.HOLD_ENDED, t_ms=start, node=node)
            self.hold_pending = False
        tokens = [c for c in text if not c.isspace() and c not in "，。？！,.?!"] if self.language == "zh" \
            else text.split()
        words, at = [], start + 60
        for i, token in enumerate(tokens):
            words.append(SpokenWord(token.strip(",.?!"), at, at + ms_per_unit - 40, conf))
            at += ms_per_unit + (pause_ms if pause_after == i + 1 else 0)
        self.add(EventKind.ASR_PARTIAL, t_ms=start + 300, node=node, text=" ".join(tokens[:2]))
        end = at + 100
        self.add(EventKind.ASR_FINAL, t_ms=end, node=node, text=text, words=tuple(words))
        self.add(EventKind.TRAINEE_SPEECH_ENDED, t_ms=end, node=node)
        self.t = end
        return self

    def silent(self, node: str, waited_ms: int) -> Script:
        self._end_line(node)
        self.t += waited_ms
        self.add(EventKind.TRAINEE_SILENT, node=node, waited_ms=waited_ms)
        return self

    def asr_error(self, node: str, message: str = "recogniser crashed") -> Script:
        self._end_line(node)
        self.t += 1500
        self.add(EventKind.ASR_ERROR, node=node, message=message)
        return self

    def hold(self, node: str, wait_ms: int) -> Script:
        """Hold from the end of the last answer; the next answer ends it."""
        self.add(EventKind.HOLD_STARTED, node=node)
        self.t += wait_ms
        self.line_end = 0
        self.hold_pending = True
        return self

    def after_hold(self, node: str, text: str) -> Script:
        return self.answer(node, text, delay_ms=0)

    def next(self, node: str, to: str, mood: float = 2.0, condition: str = "otherwise") -> Script:
        self.t += 50
        self.add(EventKind.MOOD_CHANGED, node=node, mood=mood, delta=0.0, reasons=())
        self.add(EventKind.BRANCH_TAKEN, node=node, to=to, condition=condition)
        return self

    def end(self, node: str, text: str, outcome: str = "resolved", dur_ms: int = 1500) -> Script:
        self.line(node, text, dur_ms)
        self._end_line(node)
        self.add(EventKind.CALL_ENDED, node=node, outcome=outcome)
        return self


BANKS = {
    "en": Phrasebank("en", {
        "greeting": ("hello", "thank you for calling", "good morning"),
        "self_introduction": ("my name is", "this is"),
        "verification": ("can you confirm", "could you confirm"),
        "hold_request": ("let me check", "please hold", "one moment"),
        "thanks_for_waiting": ("thank you for waiting", "thanks for holding"),
        "apology": ("sorry", "i apologize"),
        "empathy": ("i understand", "that must be frustrating"),
        "offer_more_help": ("anything else",),
        "closing": ("have a nice day", "goodbye"),
        "forbidden": ("not my problem", "calm down", "whatever"),
        "filler": ("um", "uh", "you know"),
    }),
    "zh": Phrasebank("zh", {
        "greeting": ("您好", "欢迎致电"),
        "self_introduction": ("我是", "工号"),
        "verification": ("请提供您的账号", "核实一下"),
        "hold_request": ("请稍等", "我帮您查询一下"),
        "thanks_for_waiting": ("感谢您的耐心等待", "让您久等了"),
        "apology": ("非常抱歉", "对不起"),
        "empathy": ("我理解", "理解您的心情"),
        "offer_more_help": ("还有什么可以帮您",),
        "closing": ("再见", "祝您生活愉快"),
        "forbidden": ("不归我管", "爱办不办"),
        "filler": ("嗯", "那个"),
    }),
}


def broadband_scenario(language: str = "en", **changes: Any) -> Scenario:
    """Three-stage call: greet (inquiry) -> lookup (hold, CRM fact) -> complaint -> wrap up."""
    zh = language == "zh"
    nodes = {
        "greet": Node("greet", ("我家宽带很慢。",) if zh else ("Hi, my internet is slow.",),
                      Expect(("greeting", "self_introduction"), (), 4.0), (Branch("lookup"),)),
        "lookup": Node("lookup", ("我的账号是88001234，我是什么套餐？",) if zh
                       else ("My account is 88001234. What plan am I on?",),
                       Expect(("hold_request",), ("current_plan",), 4.0), (Branch("complaint"),), hold=True),
        "complaint": Node("complaint", ("太慢了，我很生气！",) if zh else ("That is too slow, I am angry!",),
                          Expect(("apology", "empathy"), ("fibre_price",), 5.0), (Branch("wrap_up"),)),
        "wrap_up": Node("wrap_up", ("好的，谢谢。",) if zh else ("OK, thanks.",),
                        Expect(("offer_more_help", "closing")), (Branch("bye"),)),
        "bye": Node("bye", ("再见。",) if zh else ("Bye.",), end=Outcome.RESOLVED),
    }
    knowledge = {
        "current_plan": Fact("current_plan", "光纤50" if zh else "Fibre 50", crm="account.plan"),
        "fibre_price": Fact("fibre_price", "49", "元" if zh else "dollars", critical=True),
    }
    crm = {"account": CrmTable("account", "number", "88001234",
                               ({"number": "88001234", "plan": "光纤50" if zh else "Fibre 50"},))}
    base = Scenario(
        id=f"broadband-{language}", title="Slow broadband", language=Language(language), level=2,
        stage=Stage.COMPLAINT, domain="home-broadband", persona=Persona("Emily", mood=3.0, patience_s=6.0),
        start="greet", nodes=nodes, knowledge=knowledge, crm=crm,
        mood=MoodModel(escalate_to="complaint"), pass_mark=70.0,
    )
    return Scenario(**{**base.__dict__, **changes})
