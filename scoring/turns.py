"""Turns and node visits derived from a call's timeline, and where a phrase sits in a turn.

A trainee turn runs from the VAD onset (TRAINEE_SPEECH_STARTED) to the offset, with the text
and word times of its ASR_FINAL. A hold's continuation is a turn of its own, flagged
`after_hold`; its latency is None (the wait is measured as the hold's duration, in
scoring/timing.py), as is the latency of a second speech segment of the same answer.

Events are sorted by time first (see SAME_TIME_ORDER): the engine logs a customer line's end
when the line is finished, which can be after the trainee's (earlier) onset was logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from phrasebank import Phrasebank
from roleplay.model.events import (
    AsrError,
    AsrFinal,
    CallEnded,
    CallStarted,
    CustomerLineEnded,
    CustomerLineStarted,
    Event,
    EventKind,
    HoldEnded,
    HoldStarted,
    MoodChanged,
    NodeEntered,
    TalkOver,
    Timeline,
    TraineeSilent,
    TraineeSpeechEnded,
    TraineeSpeechStarted,
)
from roleplay.model.events import SpokenWord as Word
from scoring.phrases import PhraseMatch, find_phrases

Speaker = Literal["customer", "trainee"]
# ASR word times are on the call clock; a first word more than this before the onset means a
# recogniser gave times relative to the utterance, and they are shifted to the onset.
RELATIVE_WORDS_SLACK_MS = 2000


@dataclass(frozen=True)
class Turn:
    index: int
    speaker: Speaker
    node: str
    text: str
    start_ms: int
    end_ms: int
    latency_ms: int | None = None      # trainee only: onset minus the end of the customer's line
    words: tuple[Word, ...] = ()
    visit: int = 0                     # index of the node visit the turn belongs to
    after_hold: bool = False           # trainee: the answer after coming back from a hold
    cut: bool = False                  # customer: the line was cut by the trainee (barge-in)
    mood: float | None = None          # customer: the anger the line was said with

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "index": self.index, "speaker": self.speaker, "node": self.node, "text": self.text,
            "start": self.start_ms / 1000, "end": self.end_ms / 1000, "latency_ms": self.latency_ms,
        }
        if self.after_hold:
            out["after_hold"] = True
        if self.cut:
            out["cut"] = True
        return out


@dataclass(frozen=True)
class Hold:
    node: str
    start_ms: int
    end_ms: int | None                 # None: the call ended while the customer was on hold


@dataclass(frozen=True)
class Visit:
    """One pass through a node: the customer's line and what the trainee did about it."""

    index: int
    node: str
    entered_ms: int
    line: int | None = None            # customer turn index
    answers: tuple[int, ...] = ()      # trainee turn indexes
    silent_ms: int | None = None       # TRAINEE_SILENT waited_ms
    asr_errors: tuple[str, ...] = ()
    holds: tuple[Hold, ...] = ()
    talk_over_ms: tuple[int, ...] = ()
    mood_after: float | None = None
    outcome: str | None = None         # CALL_ENDED in this visit


# Events logged at the same millisecond are put in the order they logically happen, so a log
# whose equal-time events were written in another order scores the same: a turn closes before
# a hold starts; a node's mood and branch come before the next node is entered and its line
# starts; the line ends (a barge-in cut) before the trainee's onset it coincides with.
SAME_TIME_ORDER = {kind: rank for rank, kind in enumerate((
    EventKind.CALL_STARTED, EventKind.ASR_PARTIAL, EventKind.ASR_FINAL,
    EventKind.TRAINEE_SPEECH_ENDED, EventKind.CUSTOMER_LINE_ENDED, EventKind.TRAINEE_SILENT,
    EventKind.ASR_ERROR, EventKind.HOLD_STARTED, EventKind.MOOD_CHANGED, EventKind.BRANCH_TAKEN,
    EventKind.CALL_ENDED, EventKind.NODE_ENTERED, EventKind.CUSTOMER_LINE_STARTED,
    EventKind.TRAINEE_SPEECH_STARTED, EventKind.HOLD_ENDED, EventKind.TALK_OVER,
))}


def sorted_events(timeline: Timeline | list[Event]) -> list[Event]:
    """Time order; sorted() is stable, so equal (time, kind) events keep their log order."""
    return sorted(timeline, key=lambda e: (e.t_ms, SAME_TIME_ORDER.get(e.kind, 99)))


def _words(words: tuple[Word, ...], onset_ms: int) -> tuple[Word, ...]:
    if words and words[0].start_ms < onset_ms - RELATIVE_WORDS_SLACK_MS:
        words = tuple(Word(w.word, w.start_ms + onset_ms, w.end_ms + onset_ms, w.conf) for w in words)
    return words


class _Walker:
    def __init__(self) -> None:
        self.turns: list[dict[str, Any]] = []
        self.visits: list[dict[str, Any]] = []
        self.open_line: dict[str, Any] | None = None
        self.open_answer: dict[str, Any] | None = None

    def visit_for(self, event: Event) -> dict[str, Any]:
        node = event.node
        for visit in reversed(self.visits):
            if visit["node"] == node:
                return visit
        return self.new_visit(node, event.t_ms)

    def new_visit(self, node: str, t_ms: int) -> dict[str, Any]:
        visit = {"index": len(self.visits), "node": node, "entered_ms": t_ms, "line": None,
                 "line_end": None, "answers": [], "silent_ms": None, "asr_errors": [], "holds": [],
                 "talk_over_ms": [], "mood_after": None, "outcome": None, "hold_pending": False}
        self.visits.append(visit)
        return visit

    def flush_answer(self) -> None:
        a = self.open_answer
        if a is None:
            return
        self.open_answer = None
        words: tuple[Word, ...] = a["words"]
        end = a["end"] if a["end"] is not None else (words[-1].end_ms if words else a["final_t"] or a["start"])
        self.turns.append({**a, "end": max(end, a["start"])})

    def start_answer(self, visit: dict[str, Any], t_ms: int) -> dict[str, Any]:
        self.flush_answer()
        first = not visit["answers"]
        after_hold = visit["hold_pending"]
        visit["hold_pending"] = False
        latency = None
        if first and not after_hold and visit["line_end"] is not None:
            latency = max(0, t_ms - visit["line_end"])
        self.open_answer = {"speaker": "trainee", "node": visit["node"], "visit": visit["index"],
                            "text": "", "start": t_ms, "end": None, "final_t": None, "words": (),
                            "latency": latency, "after_hold": after_hold,
                            "has_final": False, "cut": False, "mood": None}
        visit["answers"].append(self.open_answer)
        return self.open_answer

    def on(self, e: Event) -> None:
        p = e.payload
        if isinstance(p, NodeEntered):
            self.flush_answer()
            self.new_visit(p.node, e.t_ms)
            return
        if isinstance(p, CallStarted):
            return
        visit = self.visit_for(e)
        if isinstance(p, CustomerLineStarted):
            self.flush_answer()
            self.open_line = {"speaker": "customer", "node": visit["node"], "visit": visit["index"],
                              "text": p.text, "start": e.t_ms, "end": e.t_ms,
                              "words": (), "latency": None, "after_hold": False, "cut": False,
                              "mood": p.mood}
            self.turns.append(self.open_line)
        elif isinstance(p, CustomerLineEnded):
            if self.open_line is not None and self.open_line["visit"] == visit["index"]:
                self.open_line["end"] = max(e.t_ms, self.open_line["start"])
                self.open_line["cut"] = p.cut
            visit["line_end"] = e.t_ms
            self._fix_first_latency(visit)
        elif isinstance(p, TraineeSpeechStarted):
            self.start_answer(visit, e.t_ms)
        elif isinstance(p, AsrFinal):
            a = self.open_answer
            if a is None or a["has_final"] or a["visit"] != visit["index"]:
                words = _words(p.words, 0)
                a = self.start_answer(visit, words[0].start_ms if words else e.t_ms)
                a["end"] = words[-1].end_ms if words else e.t_ms
            a.update(text=p.text.strip(), final_t=e.t_ms, has_final=True,
                     words=_words(p.words, a["start"]))
            if a["end"] is not None:
                self.flush_answer()
        elif isinstance(p, TraineeSpeechEnded):
            if self.open_answer is not None:
                self.open_answer["end"] = e.t_ms
                if self.open_answer["has_final"]:
                    self.flush_answer()
        elif isinstance(p, TraineeSilent):
            visit["silent_ms"] = p.waited_ms
        elif isinstance(p, AsrError):
            visit["asr_errors"].append(p.message)
        elif isinstance(p, TalkOver):
            visit["talk_over_ms"].append(p.overlap_ms)
        elif isinstance(p, HoldStarted):
            visit["holds"].append([e.t_ms, None])
            visit["hold_pending"] = True
        elif isinstance(p, HoldEnded):
            if visit["holds"] and visit["holds"][-1][1] is None:
                visit["holds"][-1][1] = e.t_ms
        elif isinstance(p, MoodChanged):
            visit["mood_after"] = p.mood
        elif isinstance(p, CallEnded):
            self.flush_answer()
            visit["outcome"] = p.outcome

    def _fix_first_latency(self, visit: dict[str, Any]) -> None:
        """The line's end may sort after a talk-over onset: measure the first answer now."""
        first = visit["answers"][0] if visit["answers"] else None
        if first is not None and not first["after_hold"] and first["latency"] is None:
            first["latency"] = max(0, first["start"] - visit["line_end"])


def _walk(timeline: Timeline | list[Event]) -> tuple[list[Turn], list[Visit]]:
    w = _Walker()
    for event in sorted_events(timeline):
        w.on(event)
    w.flush_answer()
    order = sorted(range(len(w.turns)), key=lambda i: w.turns[i]["start"])
    new_index = {old: new for new, old in enumerate(order)}
    turns = [
        Turn(new_index[i], t["speaker"], t["node"], t["text"], t["start"], t["end"], t["latency"],
             t["words"], t["visit"], t["after_hold"], t["cut"], t["mood"])
        for i, t in ((i, w.turns[i]) for i in order)
    ]
    by_visit: dict[int, list[Turn]] = {}
    for turn in turns:
        by_visit.setdefault(turn.visit, []).append(turn)
    visits = []
    for v in w.visits:
        mine = by_visit.get(v["index"], [])
        line = next((t.index for t in mine if t.speaker == "customer"), None)
        visits.append(Visit(
            v["index"], v["node"], v["entered_ms"], line,
            tuple(t.index for t in mine if t.speaker == "trainee"), v["silent_ms"],
            tuple(v["asr_errors"]), tuple(Hold(v["node"], s, e) for s, e in v["holds"]),
            tuple(v["talk_over_ms"]), v["mood_after"], v["outcome"],
        ))
    return turns, visits


def derive_turns(timeline: Timeline | list[Event]) -> list[Turn]:
    """Customer and trainee turns in time order, `index` = position in the list."""
    return _walk(timeline)[0]


def derive_visits(timeline: Timeline | list[Event]) -> tuple[list[Turn], list[Visit]]:
    """The turns, and the node visits they belong to (a node looped back to is visited twice)."""
    return _walk(timeline)


def words_in_span(turn: Turn, start: int, end: int) -> tuple[Word, ...]:
    """The words of `turn` that overlap characters [start, end) of its text."""
    found: list[Word] = []
    at = 0
    lowered = turn.text.lower()
    for word in turn.words:
        pos = lowered.find(word.word.lower(), at) if word.word else -1
        if pos < 0:
            continue
        if pos < end and pos + len(word.word) > start:
            found.append(word)
        at = pos + len(word.word)
    return tuple(found)


def find_all(text: str, bank: Phrasebank, category: str,
             best: dict[str, PhraseMatch] | None = None) -> list[PhraseMatch]:
    """Every occurrence of a category (find_phrases gives only the best one per category).

    `best` is find_phrases(text, bank) already computed for this text: the matcher is the
    costly part of scoring, so a category it did not find is not searched again.
    """
    if best is not None and category not in best:
        return []
    found: list[PhraseMatch] = []
    masked = text
    for _ in range(len(text) + 1):  # bound: no more matches than characters
        if best is not None and not found:
            hits = [best[category]]
        else:
            hits = [m for m in find_phrases(masked, bank, (category,)) if m.category == category]
        if not hits:
            break
        hit = hits[0]
        start, end = max(0, hit.start), min(len(text), hit.end)
        if end <= start or any(start < m.end and m.start < end for m in found):
            break
        found.append(PhraseMatch(hit.category, hit.phrase, hit.score, text[start:end], start, end))
        masked = masked[:start] + " " * (end - start) + masked[end:]
    return sorted(found, key=lambda m: m.start)
