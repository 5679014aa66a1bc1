"""The data spine: a call is a list of timestamped events (DESIGN.md section 3).

The live call appends to a Timeline; a sink (the archive) sees each event as it is added,
so a crash loses nothing already said. Scoring, replay and QA read the same events back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    CALL_STARTED = "call_started"          # data: scenario, language, trainee
    NODE_ENTERED = "node_entered"          # data: node
    CUSTOMER_LINE_STARTED = "customer_line_started"  # data: node, text, mood
    CUSTOMER_LINE_ENDED = "customer_line_ended"      # data: node, cut (barge-in)
    TRAINEE_SPEECH_STARTED = "trainee_speech_started"  # data: node (VAD onset)
    TRAINEE_SPEECH_ENDED = "trainee_speech_ended"      # data: node (VAD offset)
    ASR_PARTIAL = "asr_partial"            # data: node, text
    ASR_FINAL = "asr_final"                # data: node, text, words[{word,start_ms,end_ms,conf}]
    ASR_ERROR = "asr_error"                # data: node, message (the turn cannot be scored)
    TRAINEE_SILENT = "trainee_silent"      # data: node, waited_ms (nothing said before timeout)
    TALK_OVER = "talk_over"                # data: node, overlap_ms
    HOLD_STARTED = "hold_started"          # data: node
    HOLD_ENDED = "hold_ended"              # data: node
    MOOD_CHANGED = "mood_changed"          # data: node, mood, delta, reasons[]
    BRANCH_TAKEN = "branch_taken"          # data: node, to, condition
    CALL_ENDED = "call_ended"              # data: node, outcome


@dataclass(frozen=True)
class Event:
    t_ms: int
    kind: EventKind
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"t_ms": self.t_ms, "kind": str(self.kind), **self.data}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Event:
        data = {k: v for k, v in raw.items() if k not in ("t_ms", "kind")}
        return cls(int(raw["t_ms"]), EventKind(raw["kind"]), data)


EventSink = Callable[[Event], None]


class Timeline:
    def __init__(self, events: list[Event] | None = None, sink: EventSink | None = None) -> None:
        self.events: list[Event] = list(events or [])
        self._sinks: list[EventSink] = [sink] if sink else []

    def add_sink(self, sink: EventSink) -> None:
        self._sinks.append(sink)

    def append(self, t_ms: int, kind: EventKind, **data: Any) -> Event:
        event = Event(t_ms, kind, data)
        self.events.append(event)
        for sink in self._sinks:
            sink(event)
        return event

    def of_kind(self, *kinds: EventKind) -> list[Event]:
        return [e for e in self.events if e.kind in kinds]

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)

    def to_json(self) -> list[dict[str, Any]]:
        return [e.to_json() for e in self.events]

    @classmethod
    def from_json(cls, raw: list[dict[str, Any]]) -> Timeline:
        return cls([Event.from_json(r) for r in raw])
