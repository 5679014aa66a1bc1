"""One judgement of every hold in a call, whichever way it was made (pure).

A hold comes from speech (the engine's HOLD_STARTED/HOLD_ENDED after a hold request at a
hold node) or from the desktop's Hold/Resume buttons. Each is judged once here: announced
(a hold_request in the trainee's last answer before it), thanked (a thanks_for_waiting in
the first answer after it), too long (over Settings.max_hold_s, or never resumed). Dead air,
the Hold-button item and required phrases all read these judgements, so they cannot
disagree about the same hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from phrasebank import Phrasebank
from roleplay.model.events import CallEnded, Event, HoldPressed, HoldResumed
from scoring.phrases import PhraseMatch
from scoring.rubric import Settings
from scoring.timing import BestMatches
from scoring.turns import Turn, Visit, find_all

NOT_ANNOUNCED = "not announced"
NOT_THANKED = "not thanked after"


@dataclass(frozen=True)
class HoldCheck:
    node: str
    start_ms: int
    end_ms: int | None             # None: the call ended with the customer on hold
    announced: PhraseMatch | None
    announce_turn: int | None
    thanked: PhraseMatch | None
    thank_turn: int | None
    too_long: bool
    source: Literal["speech", "button"] = "speech"
    visit: int | None = None       # the visit it happened in

    @property
    def duration_ms(self) -> int | None:
        return None if self.end_ms is None else self.end_ms - self.start_ms

    def problems(self, settings: Settings) -> list[str]:
        return [p for p, bad in ((NOT_ANNOUNCED, self.announced is None), (NOT_THANKED, self.thanked is None),
                                 (f"over {settings.max_hold_s:g} s", self.too_long)) if bad]


@dataclass(frozen=True)
class _Span:
    node: str
    start_ms: int
    end_ms: int | None


def button_spans(events: tuple[Event, ...] | list[Event]) -> list[_Span]:
    """Hold pressed -> resumed (or the call's end, still on hold)."""
    spans: list[_Span] = []
    open_at: Event | None = None
    for e in events:
        if isinstance(e.payload, HoldPressed) and open_at is None:
            open_at = e
        elif isinstance(e.payload, HoldResumed | CallEnded) and open_at is not None:
            end = e.t_ms if isinstance(e.payload, HoldResumed) else None
            spans.append(_Span(open_at.node, open_at.t_ms, end))
            open_at = None
    if open_at is not None:
        spans.append(_Span(open_at.node, open_at.t_ms, None))
    return spans


def _overlaps(a: tuple[int, int | None], b: tuple[int, int | None]) -> bool:
    far = 2**62
    return a[0] < (b[1] if b[1] is not None else far) and b[0] < (a[1] if a[1] is not None else far)


def hold_checks(turns: list[Turn], visits: list[Visit], bank: Phrasebank, settings: Settings,
                best: BestMatches | None = None, events: tuple[Event, ...] | list[Event] = ()) -> list[HoldCheck]:
    """Every hold of the call in time order. Where the trainee pressed Hold, the button is
    the hold: a speech hold overlapping it is the same pause and is not judged twice."""
    buttons = button_spans(events)
    checks: list[HoldCheck] = []
    said = [t for t in turns if t.speaker == "trainee" and t.text]
    for span in buttons:
        before = [t for t in said if t.start_ms <= span.start_ms][-1:]
        after = [t for t in said if span.end_ms is not None and t.start_ms >= span.end_ms][:1]
        during = next((v.index for v in reversed(visits) if v.entered_ms <= span.start_ms), None)
        checks.append(_judge(span, before, after, bank, settings, best, "button", during))
    for visit in visits:
        mine = [turns[i] for i in visit.answers]
        for hold in visit.holds:
            if any(_overlaps((hold.start_ms, hold.end_ms), (b.start_ms, b.end_ms)) for b in buttons):
                continue
            before = [t for t in mine if t.start_ms <= hold.start_ms and not t.after_hold][-1:]
            after = [t for t in mine if t.after_hold and t.start_ms >= hold.start_ms][:1]
            checks.append(_judge(_Span(hold.node, hold.start_ms, hold.end_ms), before, after, bank, settings,
                                 best, "speech", visit.index))
    return sorted(checks, key=lambda c: c.start_ms)


def _judge(span: _Span, before: list[Turn], after: list[Turn], bank: Phrasebank, settings: Settings,
           best: BestMatches | None, source: Literal["speech", "button"], visit: int | None) -> HoldCheck:
    announce = _first_match(before, bank, "hold_request", best)
    thank = _first_match(after, bank, "thanks_for_waiting", best)
    duration = None if span.end_ms is None else span.end_ms - span.start_ms
    return HoldCheck(
        span.node, span.start_ms, span.end_ms,
        announce[1] if announce else None, before[-1].index if before else None,
        thank[1] if thank else None, after[0].index if after else None,
        duration is None or duration > settings.max_hold_s * 1000, source, visit,
    )


def _first_match(turns: list[Turn], bank: Phrasebank, category: str,
                 best: BestMatches | None) -> tuple[int, PhraseMatch] | None:
    for turn in turns:
        hits = find_all(turn.text, bank, category, best.get(turn.index) if best is not None else None)
        if hits:
            return turn.index, hits[0]
    return None


def hold_spans(checks: list[HoldCheck]) -> list[tuple[int, int]]:
    """The intervals on hold, for dead air (a hold never resumed runs to the end)."""
    return sorted((c.start_ms, c.end_ms if c.end_ms is not None else 2**62) for c in checks)
