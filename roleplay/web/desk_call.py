"""One call on the agent desktop: the real engine in its own thread, fed by HTTP requests.

The engine's loop is synchronous and asks `TraineeInput.answer()` for each turn, so each call
runs in a thread on a SystemClock and a queue carries the typed answers to it. Desk actions
(CRM, knowledge base, the Hold button) are logged on the same timeline from the request
thread. The call ends at an end node, on Hang up, or when the station has not been seen for
`abandon_s` (a closed browser: the call ends as hung up); then the wrap-up, scoring, the
archive and the records, whichever way it ended.
"""

from __future__ import annotations

import functools
import queue
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from phrasebank import load_phrasebank
from roleplay.archive.calls import CallWriter
from roleplay.engine.call import Call
from roleplay.model.clock import SystemClock
from roleplay.model.errors import AudioError
from roleplay.model.events import (
    AsrFinal,
    CallEnded,
    CrmRecordOpened,
    CrmSearched,
    CustomerLineStarted,
    HoldPressed,
    HoldResumed,
    KbArticleOpened,
    KbSearched,
    MoodChanged,
    Timeline,
    WrapupStarted,
    WrapupSubmitted,
)
from roleplay.model.i18n import N_
from roleplay.model.ports import (
    Answer,
    Line,
    estimated_speech_ms,
    record_silence,
    record_text_answer,
)
from roleplay.model.scenario import Node, Outcome, Scenario
from roleplay.records.progress import record_attempt
from roleplay.web.desk_headset import HeadsetParts
from roleplay.web.said import DeskError, Listed
from roleplay.web.search import CrmHit, CrmIndex, KbHit, KbIndex


@functools.lru_cache(maxsize=4)
def shared_phrasebank(language: str) -> Any:
    """One phrasebank per language for the server's life: every call reads the same
    (immutable) bank, and its compiled patterns, instead of parsing YAML per call."""
    return load_phrasebank(language)

class Conflict(DeskError):
    """A request that does not fit the call's state (answering while on hold ...): HTTP 409."""


class _HungUp(Exception):
    """Raised inside the engine's thread to end the call from the trainee's side."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


@dataclass
class _State:
    status: str = "customer_speaking"
    node: str = ""
    line: str = ""
    line_end_ms: int = 0
    mood: float = 0.0
    on_hold: bool = False
    ended: bool = False
    outcome: str = ""
    steps: int = 0                      # bumped whenever the engine waits or the call ends
    transcript: list[dict[str, Any]] = field(default_factory=list)
    scorecard: dict[str, Any] | None = None


class _Voice:
    """The customer's line is shown, not spoken: it 'lasts' as long as saying it would."""

    def __init__(self, call: DeskCall) -> None:
        self.call = call

    def prepare(self, lines: list[tuple[str, float]]) -> None: ...

    def start(self, text: str, mood: float) -> int:
        return estimated_speech_ms(text, str(self.call.scenario.language), self.call.scenario.persona.rate_wpm)

    def stop(self) -> None: ...

    def close(self) -> None: ...


class _QueueTrainee:
    def __init__(self, call: DeskCall) -> None:
        self.call = call

    def answer(self, node: Node, line: Line | None, after_ms: int, timeout_ms: int) -> Answer:
        c = self.call
        c._waiting(node, line)
        deadline = c.clock.now_ms() + timeout_ms if line is None else None  # a hold's own limit
        while True:
            try:
                item = c._answers.get(timeout=0.2)
            except queue.Empty:
                reason = c._stop_reason()
                if reason:
                    raise _HungUp(reason) from None
                if deadline is not None and c.clock.now_ms() > deadline:
                    return record_silence(c.timeline, node.id, c.clock.now_ms(), timeout_ms)
                continue
            text, received, typing_ms = item
            onset = max(after_ms, received - typing_ms)
            if line:
                line.finish(min(line.end_ms, received))
            return record_text_answer(c.timeline, node.id, text, onset, max(onset, received),
                                      str(c.scenario.language))

    def close(self) -> None: ...


class _HeadsetTrainee:
    """The microphone answers; the page still sees the call wait for the trainee."""

    def __init__(self, call: DeskCall, listener: Any) -> None:
        self.call = call
        self.listener = listener

    def answer(self, node: Node, line: Line | None, after_ms: int, timeout_ms: int) -> Answer:
        self.call._waiting(node, line)
        return self.listener.answer(node, line, after_ms, timeout_ms)  # type: ignore[no-any-return]

    def close(self) -> None: ...


class DeskCall:
    def __init__(self, scenario: Scenario, trainee: str, calls_dir: Path, db_url: str | None,
                 abandon_s: float = 60.0, headset: HeadsetParts | None = None) -> None:
        self.scenario = scenario
        self.headset = headset
        self.trainee = trainee
        self.db_url = db_url
        self.abandon_s = abandon_s
        self.clock = SystemClock()
        self.timeline = Timeline()
        self.writer = CallWriter(calls_dir, scenario, trainee)
        self.timeline.add_sink(self.writer.event)
        self.call_id = self.writer.call_id
        self.crm = CrmIndex(scenario.crm)
        self.kb = KbIndex(scenario.kb)
        self.last_seen_ms = 0
        self._answers: queue.Queue[tuple[str, int, int]] = queue.Queue()
        self._hangup = ""
        self._cond = threading.Condition()
        self._wrapup: tuple[str, str] | None = None
        self.state = _State(mood=scenario.persona.mood)
        self.timeline.add_sink(self._watch)
        self._thread = threading.Thread(target=self._run, name=f"call-{self.call_id}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    # --- the engine's side -------------------------------------------------------------
    def _run(self) -> None:
        bank = shared_phrasebank(str(self.scenario.language))
        voice: Any = _Voice(self)
        trainee: Any = _QueueTrainee(self)
        if self.headset is not None:
            self.headset.attach(self.clock, self.timeline, self.writer.wav_path, self._stop_reason, _HungUp)
            voice, trainee = self.headset.voice, _HeadsetTrainee(self, self.headset.listener)
        engine = Call(self.scenario, bank, voice, trainee, self.clock, self.timeline,
                      seed=None, trainee_id=self.trainee)
        try:
            engine.run()
        except _HungUp as stop:
            self.timeline.append(self.clock.now_ms(), CallEnded(node=self.state.node, outcome=str(Outcome.HUNG_UP),
                                                                reason=stop.reason))
        except AudioError as error:     # the headset went away: the call so far is kept
            self.timeline.append(self.clock.now_ms(), CallEnded(node=self.state.node, outcome=str(Outcome.HUNG_UP),
                                                                reason=f"the headset failed ({error})"))
        finally:
            if self.headset is not None:
                self.headset.close()
        self._wrap_up(bank)

    def _stop_reason(self) -> str | None:
        """Why the call must stop now: Hang up pressed, or the station gone from the page."""
        if self._hangup:
            return self._hangup
        if self.clock.now_ms() - self.last_seen_ms > self.abandon_s * 1000:
            return "the station was lost (no contact)"
        return None

    def _wrap_up(self, bank: Any) -> None:
        from scoring.scorecard import score

        node = self.state.node
        self.timeline.append(self.clock.now_ms(), WrapupStarted(node=node))
        with self._cond:
            self.state.status = "wrap_up"
            self._bump()
            while self._wrapup is None and self.clock.now_ms() - self.last_seen_ms <= self.abandon_s * 1000:
                self._cond.wait(0.2)
            wrapup = self._wrapup
        if wrapup is None:
            self.timeline.append(self.clock.now_ms(), WrapupSubmitted(node=node, disposition="", timed_out=True))
        card = score(self.timeline, self.scenario, bank, call_id=self.call_id).to_json()
        self.writer.finish(self.timeline, card, {"outcome": self.state.outcome, "mode": "desk"})
        record_attempt(self.writer.dir, self.db_url)
        with self._cond:
            self.state.scorecard = card
            self.state.status = "ended"
            self.state.ended = True
            self._bump()

    def _watch(self, event: Any) -> None:
        """Keeps the state the page shows in step with the timeline."""
        p = event.payload
        s = self.state
        if isinstance(p, CustomerLineStarted):
            s.node, s.line, s.status = p.node, p.text, "customer_speaking"
            s.line_end_ms = event.t_ms + _Voice(self).start(p.text, 0)
            s.transcript.append({"speaker": "customer", "node": p.node, "text": p.text, "t": event.t_ms / 1000})
        elif isinstance(p, MoodChanged):
            s.mood = p.mood
        elif isinstance(p, CallEnded):
            s.outcome = p.outcome
        elif isinstance(p, AsrFinal):
            s.transcript.append({"speaker": "trainee", "node": p.node, "text": p.text, "t": event.t_ms / 1000})

    def _waiting(self, node: Node, line: Line | None) -> None:
        with self._cond:
            self.state.node = node.id
            self._bump()

    def _bump(self) -> None:
        self.state.steps += 1
        self._cond.notify_all()

    # --- the station's side ------------------------------------------------------------
    def wait_started(self, timeout_s: float = 10.0) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self.state.steps > 0, timeout=timeout_s)

    def seen(self) -> None:
        self.last_seen_ms = self.clock.now_ms()

    def status(self) -> str:
        s = self.state
        if s.ended or s.status == "wrap_up":
            return s.status
        if s.on_hold:
            return "on_hold"
        return "customer_speaking" if self.clock.now_ms() < s.line_end_ms else "your_turn"

    def answer(self, text: str, typing_ms: int, wait_s: float = 10.0) -> None:
        """Hand a typed answer to the engine and wait until it has moved on (the next line)."""
        self._live()
        if self.headset is not None:
            raise Conflict(N_("this call is on the headset: speak your answer"))
        if self.state.on_hold:
            raise Conflict(N_("the customer is on hold: press Resume before answering"))
        with self._cond:
            steps = self.state.steps
            self._answers.put((text, self.clock.now_ms(), typing_ms))
            self._cond.wait_for(lambda: self.state.steps != steps, timeout=wait_s)

    def hold(self) -> None:
        self._live()
        if self.state.on_hold:
            raise Conflict(N_("the customer is already on hold"))
        self.state.on_hold = True
        self.timeline.append(self.clock.now_ms(), HoldPressed(node=self.state.node))

    def resume(self) -> None:
        self._live()
        if not self.state.on_hold:
            raise Conflict(N_("the customer is not on hold"))
        self.state.on_hold = False
        self.timeline.append(self.clock.now_ms(), HoldResumed(node=self.state.node))

    def hangup(self, wait_s: float = 10.0) -> None:
        if self.state.ended or self.state.status == "wrap_up":
            return
        with self._cond:
            steps = self.state.steps
            self._hangup = "the trainee hung up"
            self._cond.wait_for(lambda: self.state.steps != steps, timeout=wait_s)

    def search_crm(self, query: str) -> list[CrmHit]:
        hits = self.crm.search(query)
        self.timeline.append(self.clock.now_ms(), CrmSearched(node=self.state.node, query=query[:200], results=len(hits)))
        return hits

    def open_record(self, table: str, key: str) -> CrmHit | None:
        hit = self.crm.get(table, key)
        if hit is not None:
            self.timeline.append(self.clock.now_ms(), CrmRecordOpened(node=self.state.node, table=table, key=key))
        return hit

    def search_kb(self, query: str) -> list[KbHit]:
        hits = self.kb.search(query)
        self.timeline.append(self.clock.now_ms(), KbSearched(node=self.state.node, query=query[:200], results=len(hits)))
        return hits

    def open_article(self, article_id: str) -> Any:
        article = self.kb.articles.get(article_id)
        if article is not None:
            self.timeline.append(self.clock.now_ms(), KbArticleOpened(node=self.state.node, article=article_id))
        return article

    def submit_wrapup(self, disposition: str, notes: str, wait_s: float = 15.0) -> None:
        if self.state.status != "wrap_up":
            raise Conflict(N_("the wrap-up opens when the call has ended"))
        if disposition not in self.scenario.desk.dispositions:
            raise DeskError(N_("disposition '{disposition}' is not one of {offered}"), disposition=disposition,
                            offered=Listed(self.scenario.desk.dispositions))
        self.timeline.append(self.clock.now_ms(), WrapupSubmitted(node=self.state.node, disposition=disposition,
                                                                  notes=notes[:4000]))
        with self._cond:
            self._wrapup = (disposition, notes)
            self._cond.notify_all()
            self._cond.wait_for(lambda: self.state.ended, timeout=wait_s)

    def _live(self) -> None:
        if self.state.ended or self.state.status == "wrap_up":
            raise Conflict(N_("the call has ended"))

    def to_json(self) -> dict[str, Any]:
        s = self.state
        return {"call_id": self.call_id, "scenario": self.scenario.id, "language": str(self.scenario.language),
                "trainee": self.trainee, "status": self.status(), "mood": round(s.mood, 1),
                "customer_line": s.line, "node": s.node, "transcript": list(s.transcript),
                "outcome": s.outcome or None, "dispositions": list(self.scenario.desk.dispositions),
                "elapsed_s": round(self.clock.now_ms() / 1000, 1), "scorecard": s.scorecard,
                "has_crm": bool(self.scenario.crm), "has_kb": bool(self.scenario.kb),
                "mode": "typed" if self.headset is None else "headset"}
