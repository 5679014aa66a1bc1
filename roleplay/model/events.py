"""The data spine: a call is a list of timestamped, typed events (docs/architecture.md).

Each event kind has its own small payload dataclass, so a reader sees the fields, not a
`dict[str, Any]`. The live call appends to a Timeline; a sink (the archive) sees each event as
it is added, so a crash loses nothing already said. Scoring, replay and QA read the same
events back. JSON in and out is done here and only here (`event_to_json`, `event_from_json`).
"""

from __future__ import annotations

import dataclasses
import math
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, TypeVar

from roleplay.model.message import Msg


class EventKind(StrEnum):
    CALL_STARTED = "call_started"
    NODE_ENTERED = "node_entered"
    CUSTOMER_LINE_STARTED = "customer_line_started"
    CUSTOMER_LINE_ENDED = "customer_line_ended"
    TRAINEE_SPEECH_STARTED = "trainee_speech_started"   # the answer's onset (VAD, first keystroke)
    TRAINEE_SPEECH_ENDED = "trainee_speech_ended"       # the answer's offset (VAD, Enter)
    ASR_PARTIAL = "asr_partial"
    ASR_FINAL = "asr_final"
    ASR_ERROR = "asr_error"            # the turn cannot be scored
    TRAINEE_SILENT = "trainee_silent"  # nothing said before the timeout
    TALK_OVER = "talk_over"
    HOLD_STARTED = "hold_started"
    HOLD_ENDED = "hold_ended"
    MOOD_CHANGED = "mood_changed"
    BRANCH_TAKEN = "branch_taken"
    CALL_ENDED = "call_ended"
    # The agent desktop (roleplay serve): what the trainee did on screen, not on the line.
    CRM_SEARCHED = "crm_searched"
    CRM_RECORD_OPENED = "crm_record_opened"
    KB_SEARCHED = "kb_searched"
    KB_ARTICLE_OPENED = "kb_article_opened"
    HOLD_PRESSED = "hold_pressed"      # the softphone's Hold button (HOLD_STARTED is from speech)
    HOLD_RESUMED = "hold_resumed"
    WRAPUP_STARTED = "wrapup_started"
    WRAPUP_SUBMITTED = "wrapup_submitted"


@dataclass(frozen=True)
class SpokenWord:
    """One recognised (or typed) word on the call clock."""

    word: str
    start_ms: int
    end_ms: int
    conf: float = 1.0


@dataclass(frozen=True)
class CallStarted:
    KIND: ClassVar[EventKind] = EventKind.CALL_STARTED
    scenario: str
    language: str
    trainee: str = ""
    version: str = ""


@dataclass(frozen=True)
class NodeEntered:
    KIND: ClassVar[EventKind] = EventKind.NODE_ENTERED
    node: str


@dataclass(frozen=True)
class CustomerLineStarted:
    KIND: ClassVar[EventKind] = EventKind.CUSTOMER_LINE_STARTED
    node: str
    text: str
    mood: float | None = None


@dataclass(frozen=True)
class CustomerLineEnded:
    KIND: ClassVar[EventKind] = EventKind.CUSTOMER_LINE_ENDED
    node: str
    cut: bool = False                  # the trainee barged in


@dataclass(frozen=True)
class TraineeSpeechStarted:
    KIND: ClassVar[EventKind] = EventKind.TRAINEE_SPEECH_STARTED
    node: str


@dataclass(frozen=True)
class TraineeSpeechEnded:
    KIND: ClassVar[EventKind] = EventKind.TRAINEE_SPEECH_ENDED
    node: str
    endpoint_ms: int | None = None     # when the endpointer decided (after the offset)


@dataclass(frozen=True)
class AsrPartial:
    KIND: ClassVar[EventKind] = EventKind.ASR_PARTIAL
    node: str
    text: str


@dataclass(frozen=True)
class AsrFinal:
    KIND: ClassVar[EventKind] = EventKind.ASR_FINAL
    node: str
    text: str
    words: tuple[SpokenWord, ...] = ()


@dataclass(frozen=True)
class AsrError:
    KIND: ClassVar[EventKind] = EventKind.ASR_ERROR
    node: str
    message: str = "speech recognition failed"


@dataclass(frozen=True)
class TraineeSilent:
    KIND: ClassVar[EventKind] = EventKind.TRAINEE_SILENT
    node: str
    waited_ms: int = 0


@dataclass(frozen=True)
class TalkOver:
    KIND: ClassVar[EventKind] = EventKind.TALK_OVER
    node: str
    overlap_ms: int = 0


@dataclass(frozen=True)
class HoldStarted:
    KIND: ClassVar[EventKind] = EventKind.HOLD_STARTED
    node: str


@dataclass(frozen=True)
class HoldEnded:
    KIND: ClassVar[EventKind] = EventKind.HOLD_ENDED
    node: str


@dataclass(frozen=True)
class MoodChanged:
    KIND: ClassVar[EventKind] = EventKind.MOOD_CHANGED
    node: str
    mood: float
    delta: float = 0.0
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class BranchTaken:
    KIND: ClassVar[EventKind] = EventKind.BRANCH_TAKEN
    node: str
    to: str
    condition: str = ""


@dataclass(frozen=True)
class CallEnded:
    KIND: ClassVar[EventKind] = EventKind.CALL_ENDED
    node: str
    outcome: str
    reason: str = ""


@dataclass(frozen=True)
class CrmSearched:
    KIND: ClassVar[EventKind] = EventKind.CRM_SEARCHED
    node: str
    query: str
    results: int = 0


@dataclass(frozen=True)
class CrmRecordOpened:
    KIND: ClassVar[EventKind] = EventKind.CRM_RECORD_OPENED
    node: str
    table: str
    key: str


@dataclass(frozen=True)
class KbSearched:
    KIND: ClassVar[EventKind] = EventKind.KB_SEARCHED
    node: str
    query: str
    results: int = 0


@dataclass(frozen=True)
class KbArticleOpened:
    KIND: ClassVar[EventKind] = EventKind.KB_ARTICLE_OPENED
    node: str
    article: str


@dataclass(frozen=True)
class HoldPressed:
    KIND: ClassVar[EventKind] = EventKind.HOLD_PRESSED
    node: str


@dataclass(frozen=True)
class HoldResumed:
    KIND: ClassVar[EventKind] = EventKind.HOLD_RESUMED
    node: str


@dataclass(frozen=True)
class WrapupStarted:
    KIND: ClassVar[EventKind] = EventKind.WRAPUP_STARTED
    node: str


@dataclass(frozen=True)
class WrapupSubmitted:
    KIND: ClassVar[EventKind] = EventKind.WRAPUP_SUBMITTED
    node: str
    disposition: str
    notes: str = ""
    timed_out: bool = False            # nothing submitted before the limit (browser gone)


Payload = (
    CallStarted | NodeEntered | CustomerLineStarted | CustomerLineEnded | TraineeSpeechStarted
    | TraineeSpeechEnded | AsrPartial | AsrFinal | AsrError | TraineeSilent | TalkOver
    | HoldStarted | HoldEnded | MoodChanged | BranchTaken | CallEnded
    | CrmSearched | CrmRecordOpened | KbSearched | KbArticleOpened | HoldPressed | HoldResumed
    | WrapupStarted | WrapupSubmitted
)
PAYLOAD_TYPES: dict[EventKind, type[Payload]] = {
    t.KIND: t for t in (
        CallStarted, NodeEntered, CustomerLineStarted, CustomerLineEnded, TraineeSpeechStarted,
        TraineeSpeechEnded, AsrPartial, AsrFinal, AsrError, TraineeSilent, TalkOver,
        HoldStarted, HoldEnded, MoodChanged, BranchTaken, CallEnded,
        CrmSearched, CrmRecordOpened, KbSearched, KbArticleOpened, HoldPressed, HoldResumed,
        WrapupStarted, WrapupSubmitted,
    )
}
# Times past this (about 31 years of call) are corruption, not a call: clamped when read.
MAX_T_MS = 10**12


@dataclass(frozen=True)
class Event:
    t_ms: int
    payload: Payload

    @property
    def kind(self) -> EventKind:
        return self.payload.KIND

    @property
    def node(self) -> str:
        return getattr(self.payload, "node", "")


class EventFormatError(ValueError):
    """An archived event that does not have the shape of its kind."""


def event_to_json(event: Event) -> dict[str, Any]:
    out: dict[str, Any] = {"t_ms": event.t_ms, "kind": str(event.kind)}
    for f in dataclasses.fields(event.payload):
        value = getattr(event.payload, f.name)
        if f.name == "words":
            value = [dataclasses.asdict(w) for w in value]
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out


def event_from_json(raw: Any) -> Event:
    """One archived event, type-checked field by field; unknown fields are ignored."""
    if not isinstance(raw, dict):
        raise EventFormatError(Msg("an event is {kind}, not an object", kind=type(raw).__name__))
    try:
        kind = EventKind(str(raw.get("kind")))
    except ValueError:
        raise EventFormatError(Msg("unknown event kind {kind!r}", kind=str(raw.get('kind'))[:40])) from None
    payload_type = PAYLOAD_TYPES[kind]
    hints = _hints(payload_type)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(payload_type):
        if f.name in raw:
            values[f.name] = _coerce(hints[f.name], raw[f.name], f"{kind}.{f.name}")
        elif f.default is dataclasses.MISSING:
            # Old archives wrote fields only when known; a missing one takes the empty value.
            values[f.name] = _EMPTY.get(hints[f.name], "")
    return Event(_clamp_ms(raw.get("t_ms"), "t_ms"), payload_type(**values))


_EMPTY: dict[str, Any] = {"str": "", "float": 0.0, "int": 0}
_HINTS: dict[type, dict[str, str]] = {}


def _hints(payload_type: type) -> dict[str, str]:
    # The field types as written (strings under `from __future__ import annotations`).
    if payload_type not in _HINTS:
        _HINTS[payload_type] = {f.name: str(f.type) for f in dataclasses.fields(payload_type)}
    return _HINTS[payload_type]


def _clamp_ms(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise EventFormatError(Msg("{name} is {value!r}, not a number of milliseconds", name=name, value=str(value)[:40]))
    return max(-MAX_T_MS, min(MAX_T_MS, int(value)))


def _coerce(type_name: str, value: Any, where: str) -> Any:
    if type_name == "str":
        if isinstance(value, str):
            return value
    elif type_name == "bool":
        if isinstance(value, bool):
            return value
    elif type_name == "int":
        return _clamp_ms(value, where)
    elif type_name in ("int | None",):
        return None if value is None else _clamp_ms(value, where)
    elif type_name in ("float", "float | None"):
        if value is None and type_name.endswith("None"):
            return None
        if not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value):
            return float(value)
    elif type_name == "tuple[str, ...]":
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
    elif type_name == "tuple[SpokenWord, ...]" and isinstance(value, list):
        return tuple(_word(w, where) for w in value)
    raise EventFormatError(Msg("{where} is {value!r}, which is not a {type_name}", where=where, value=str(value)[:40], type_name=type_name))


def _word(raw: Any, where: str) -> SpokenWord:
    if not isinstance(raw, dict) or not isinstance(raw.get("word"), str):
        raise EventFormatError(Msg("{where} holds {raw!r}, not a word", where=where, raw=str(raw)[:40]))
    conf = raw.get("conf", 1.0)
    return SpokenWord(raw["word"], _clamp_ms(raw.get("start_ms", 0), where),
                      _clamp_ms(raw.get("end_ms", 0), where),
                      float(conf) if isinstance(conf, int | float) and math.isfinite(conf) else 1.0)


EventSink = Callable[[Event], None]
P = TypeVar("P")


class Timeline:
    def __init__(self, events: list[Event] | None = None, sink: EventSink | None = None) -> None:
        self.events: list[Event] = list(events or [])
        self._sinks: list[EventSink] = [sink] if sink else []
        self._before: tuple[tuple[EventKind, ...], Callable[[], Payload]] | None = None
        # The agent desktop appends from request threads while the engine's thread does too;
        # re-entrant because a pending `before_next` payload is appended from inside append.
        self._lock = threading.RLock()

    def add_sink(self, sink: EventSink) -> None:
        self._sinks.append(sink)

    def before_next(self, kinds: tuple[EventKind, ...], payload: Callable[[], Payload]) -> None:
        """Append `payload()` just before the next event of one of `kinds`, at its time: a hold
        ends when the trainee comes back, whichever front-end logs that, in call order."""
        self._before = (kinds, payload)

    def take_before(self) -> Callable[[], Payload] | None:
        """The pending `before_next` payload, if no such event came; it is dropped."""
        pending, self._before = self._before, None
        return pending[1] if pending else None

    def append(self, t_ms: int, payload: Payload) -> Event:
        with self._lock:
            if self._before is not None and payload.KIND in self._before[0]:
                before = self.take_before()
                assert before is not None
                self.append(t_ms, before())
            event = Event(t_ms, payload)
            self.events.append(event)
            for sink in self._sinks:
                sink(event)
        return event

    def of_kind(self, *kinds: EventKind) -> list[Event]:
        return [e for e in self.events if e.kind in kinds]

    def payloads(self, payload_type: type[P]) -> list[P]:
        return [e.payload for e in self.events if isinstance(e.payload, payload_type)]

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)

    def to_json(self) -> list[dict[str, Any]]:
        return [event_to_json(e) for e in self.events]

    @classmethod
    def from_json(cls, raw: Any) -> Timeline:
        if not isinstance(raw, list):
            raise EventFormatError(Msg("the timeline is {kind}, not a list", kind=type(raw).__name__))
        return cls([event_from_json(r) for r in raw])
