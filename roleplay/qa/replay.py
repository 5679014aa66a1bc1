"""Replay an archived call: the transcript word by word in time, with each score marked where
it was earned or lost, optionally in sync with call.wav on the headphones.

The script is built first (pure: cues with times), then played: printing with sleeps by the
word gaps, or at once with no_audio. Markers come from the stored scorecard's evidence,
which cites a turn, the words of a phrase, or a time span.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from roleplay.archive.calls import ArchivedCall
from roleplay.model.errors import RoleplayError
from roleplay.model.i18n import N_, translator
from roleplay.model.message import Msg
from roleplay.model.safe_text import for_terminal
from scoring.evidence import (
    AnswerTime,
    CallOutcome,
    DeadAirGap,
    Evidence,
    FactResult,
    Fillers,
    HoldEvidence,
    PhraseFound,
    PhraseMissing,
    SpeechRate,
    TalkOverCount,
    read_evidence,
)
from scoring.items import CATEGORY_LABELS
from scoring.turns import Turn, derive_turns
from scoring.view import ITEM_TITLES, cells, pad_cells


@dataclass(frozen=True)
class Cue:
    t_ms: int
    text: str          # printed as is; a turn's first cue starts with a newline + header
    turn: int


def _sign(item: dict[str, Any], entry: Evidence) -> str:
    if item.get("id") == "forbidden" or getattr(entry, "category", "") == "forbidden":
        return "+" if isinstance(entry, PhraseMissing) else "-"
    passed = "+" if item.get("passed") else "-"
    match entry:
        case PhraseFound():
            return "+"
        case PhraseMissing():
            return "-"
        case SpeechRate() | Fillers() | TalkOverCount():
            return passed if entry.ok is None else "+" if entry.ok else "-"
        case AnswerTime():
            return "+" if entry.credit >= 1.0 - 1e-9 else "-"
        case CallOutcome() if entry.credit is not None:
            return "+" if entry.credit >= 1.0 - 1e-9 else "-"
        case FactResult():
            return "+" if entry.status == "right" else "-"
        case DeadAirGap() if entry.counted:
            return "-"
    return passed


# English shows the ids (as the card's JSON does); another language its own words.
_MEASURE_NAMES = {SpeechRate: N_("speech_rate"), Fillers: N_("fillers"), TalkOverCount: N_("talk_over")}
_FACT_STATUS = {"right": N_("right"), "wrong": N_("wrong"), "missing": N_("missing")}


def _seconds(ms: int | None, none: str, lang: str) -> str:
    if ms is None:
        return translator(lang).gettext(none) if none else ""
    return Msg("{seconds:.1f} s", seconds=ms / 1000).render(translator(lang).gettext)


def _said(text: str, lang: str) -> str:
    return Msg('forbidden "{said}"', said=text).render(translator(lang).gettext)


def marker(item: dict[str, Any], entry: Evidence, lang: str = "en") -> str:
    """`[+ opening greeting]`, `[- forbidden "calm down"]`, `[- knowledge price missing]`;
    in Chinese `[+ 开场 问候语]`, `[- 禁语“冷静点”]` (fact and node ids stay as written)."""
    _ = translator(lang).gettext
    sign = _sign(item, entry)
    item_id = str(item.get("id", "?"))
    if isinstance(entry, PhraseFound | PhraseMissing) and (item_id == "forbidden" or entry.category == "forbidden"):
        said = entry.text or entry.phrase if isinstance(entry, PhraseFound) else ""
        return f"[{sign} {_said(said, lang)}]"
    what, extra = "", ""
    match entry:
        case PhraseFound() | PhraseMissing():
            what = _(CATEGORY_LABELS.get(entry.category, entry.category))
        case FactResult():
            what, extra = entry.fact, _(_FACT_STATUS.get(entry.status, entry.status))
        case SpeechRate() | Fillers() | TalkOverCount():
            what = _(_MEASURE_NAMES[type(entry)])
        case AnswerTime():
            extra = _seconds(entry.latency_ms, N_("no answer"), lang)   # a silent turn has no latency
        case DeadAirGap():
            extra = _seconds(entry.duration_ms, "", lang)
        case HoldEvidence():
            extra = _seconds(entry.duration_ms, N_("until the call ended"), lang)
    label = " ".join(str(x) for x in (_(ITEM_TITLES.get(item_id, item_id)), what, extra) if x)
    if sign == "+" and not what and item.get("max_points"):
        label += f" {100 * float(item.get('points', 0)) / float(item['max_points']):.0f}%"
    return f"[{sign} {label}]"


def _anchor(entry: Evidence, turns: dict[int, Turn], end_ms: int) -> tuple[int, int] | None:
    """(time, turn) the evidence refers to: after its words, its turn, or its time span."""
    turn_index = entry.turn if isinstance(entry, PhraseFound | PhraseMissing | FactResult | AnswerTime) else None
    turn = turns.get(turn_index) if turn_index is not None else None
    words = entry.words if isinstance(entry, PhraseFound | FactResult) else None
    if words:
        return round(words[-1].end_s * 1000), turn.index if turn else -1
    if turn is not None:
        return turn.end_ms, turn.index
    if isinstance(entry, DeadAirGap | HoldEvidence) and entry.end_s is not None:
        return round(entry.end_s * 1000), -1
    if isinstance(entry, SpeechRate | Fillers | TalkOverCount):
        return None
    return end_ms, -1


def turn_words(turn: Turn) -> list[tuple[int, str]]:
    if turn.words:
        return [(w.start_ms, w.word) for w in turn.words]
    # No word times (a customer line): spread the words evenly over the turn.
    words = turn.text.split()
    step = (turn.end_ms - turn.start_ms) / max(len(words), 1)
    return [(turn.start_ms + round(i * step), w) for i, w in enumerate(words)]


def build_script(call: ArchivedCall, card: dict[str, Any] | None = None, from_turn: int = 0,
                 lang: str | None = None) -> list[Cue]:
    """The cues; `lang` the markers' language (default: the call's)."""
    lang = lang or str(call.scenario.language)
    _ = translator(lang).gettext
    card = card if card is not None else call.scorecard or {}
    turns = derive_turns(call.timeline)
    if from_turn and not any(t.index == from_turn for t in turns):
        raise RoleplayError(Msg("{path}: the call has no turn {turn} (turns 0-{last})", path=str(call.dir),
                                turn=from_turn, last=max((t.index for t in turns), default=0)))
    by_index = {t.index: t for t in turns}
    end_ms = max((e.t_ms for e in call.timeline), default=0)
    # Sorted by (turn, time, order): a marker cited by a turn stays in that turn even when the
    # next line starts at the same millisecond; a time-only marker (dead air) goes before the
    # word spoken at that time, since it is about the silence before it.
    cues: list[tuple[int, int, int, int, Cue]] = []
    for turn in turns:
        who = _("customer") if turn.speaker == "customer" else pad_cells(_("trainee"), cells(_("customer")))
        lat = f" (+{_seconds(turn.latency_ms, '', lang)})" if turn.latency_ms is not None else ""
        header = f"\n#{turn.index:<3}{turn.start_ms / 1000:7.2f}  {who}{lat}  "
        cues.append((turn.index, -1, -1, len(cues), Cue(turn.start_ms, header, turn.index)))
        for n, (t, word) in enumerate(turn_words(turn)):
            cues.append((turn.index, t, 0, len(cues), Cue(t, (" " if n else "") + word, turn.index)))
    for item in card.get("items") or []:
        for entry in read_evidence(item):
            where = _anchor(entry, by_index, end_ms)
            if where is None:
                continue
            t, index = where
            order = 1
            if index < 0:
                # A silence goes before the words after it; a call-level verdict at the end.
                order = -1 if isinstance(entry, DeadAirGap | HoldEvidence) else 2
                index = max((x.index for x in turns if x.start_ms <= t), default=0)
            text = f"{marker(item, entry, lang)} " if order < 0 else "  " + marker(item, entry, lang)
            cues.append((index, t, order, len(cues), Cue(t, text, index)))
    ordered = [c[-1] for c in sorted(cues, key=lambda c: c[:4])]
    if from_turn:
        ordered = [c for c in ordered if c.turn >= from_turn]
    return ordered


def render(cues: list[Cue]) -> str:
    return for_terminal("".join(c.text for c in cues).lstrip("\n")) + "\n"


MAX_SILENCE_S = 30.0   # a replay never waits longer than this for the next line


def play_script(cues: list[Cue], out: TextIO | None = None, speed: float = 1.0,
                clock: Callable[[], float] | None = None,
                sleep: Callable[[float], None] | None = None, end_ms: float | None = None) -> None:
    """Print each cue at its time; `clock` (ms since the first cue) lets audio lead the pace.
    An archive is untrusted, so no wait is longer than MAX_SILENCE_S, and with audio none
    goes past the recording's end (`end_ms`): a late cue is printed when the audio ends."""
    if not cues:
        return
    pause = sleep or time.sleep
    out = out or sys.stdout
    origin = cues[0].t_ms
    started = time.monotonic()
    now = clock or (lambda: (time.monotonic() - started) * 1000 * speed)
    for cue in cues:
        target = cue.t_ms - origin if end_ms is None else min(cue.t_ms - origin, end_ms)
        wait_ms = target - now()
        if wait_ms > 0:
            pause(min(wait_ms / 1000 / (speed if clock is None else 1.0), MAX_SILENCE_S))
        out.write(for_terminal(cue.text.lstrip("\n") if cue is cues[0] else cue.text))
        out.flush()
    out.write("\n")


def play_audio_from(wav: Path, start_ms: int, device_spec: str | None = None) -> tuple[Any, int]:
    """Start call.wav at `start_ms` on the headphones; returns the SpeakerSink playing it and
    how many ms it plays."""
    import tempfile

    from audio.devices import pick_device
    from audio.playback import SpeakerSink
    from audio.wavio import read_wav, write_wav

    samples, rate = read_wav(wav, rate_hz=None)
    part = samples[start_ms * rate // 1000:]
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "from.wav"
        write_wav(clip, part, rate)
        sink = SpeakerSink(pick_device(device_spec, "output"))
        sink.play(clip)  # the samples are in memory once play() returns
    return sink, len(part) * 1000 // rate
