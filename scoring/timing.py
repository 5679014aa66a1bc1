"""Timing and delivery measures of a call, from its turns and visits (pure).

- latency: each answer's onset after the customer's line, against the node's
  expect.latency_s (else the rubric's latency_s, else the persona's patience_s);
- dead air: a silence of at least Settings.dead_air_s between consecutive speech of either
  side, or between two words of one answer, that is not inside a hold. It is the trainee's
  when the trainee was due to speak (everything except trainee-then-customer gaps, which are
  the simulated customer's own delay and are reported but not counted);
- holds: judged in scoring/holds.py;
- talk-over: TALK_OVER events (count, longest overlap);
- speech rate: English words or Chinese characters per minute over the spans the words
  cover (VAD onset to offset when a turn has no word times); filler phrases per word/char.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from phrasebank import Phrasebank
from roleplay.model.scenario import Scenario
from scoring.phrases import PhraseMatch
from scoring.rubric import Settings
from scoring.turns import Turn, Visit, find_all

# find_phrases(turn.text, bank) per trainee turn index, computed once per call by the caller.
BestMatches = dict[int, dict[str, PhraseMatch]]

CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LATIN_WORD_RE = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*")


@dataclass(frozen=True)
class LatencyCheck:
    visit: int
    node: str
    turn: int | None           # the answer's turn index; None when the trainee said nothing
    latency_ms: int | None
    limit_ms: int
    credit: float              # 1 within the limit, falling to 0 at (1 + grace) x limit


@dataclass(frozen=True)
class DeadAir:
    start_ms: int
    end_ms: int
    owner: Literal["trainee", "customer"]
    where: Literal["gap", "pause"]   # between turns, or between two words of one answer
    node: str
    after_turn: int
    before_turn: int | None          # None for a pause inside after_turn

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms


@dataclass(frozen=True)
class TalkOver:
    count: int
    longest_ms: int
    nodes: tuple[str, ...]


@dataclass(frozen=True)
class SpeechRate:
    units: int                 # words (en) or characters (zh)
    unit: str
    speaking_ms: int
    per_minute: float | None   # None: too little speech to measure
    band: tuple[float, float]

    @property
    def within(self) -> bool | None:
        if self.per_minute is None:
            return None
        return self.band[0] <= self.per_minute <= self.band[1]


@dataclass(frozen=True)
class Fillers:
    matches: tuple[tuple[int, PhraseMatch], ...]   # (turn index, match)
    units: int
    ratio: float
    limit: float


def speech_units(text: str, language: str) -> int:
    """Words for English; characters for Chinese (a Latin word inside counts as one)."""
    if language == "zh":
        return len(CJK_RE.findall(text)) + len(LATIN_WORD_RE.findall(CJK_RE.sub(" ", text)))
    return len(LATIN_WORD_RE.findall(text))


def trainee_turns(turns: list[Turn]) -> list[Turn]:
    return [t for t in turns if t.speaker == "trainee"]


def expects_answer(visit: Visit, scenario: Scenario) -> bool:
    """The engine waits for the trainee after every line except a plain end node's."""
    node = scenario.nodes.get(visit.node)
    if node is None or visit.line is None:
        return False
    return not node.is_end or bool(node.expect.phrases or node.expect.facts)


def latency_limit_ms(node_id: str, scenario: Scenario, settings: Settings) -> int:
    node = scenario.nodes.get(node_id)
    limit = node.expect.latency_s if node and node.expect.latency_s is not None else None
    if limit is None:
        limit = settings.latency_s if settings.latency_s is not None else scenario.persona.patience_s
    return round(limit * 1000)


def latency_checks(turns: list[Turn], visits: list[Visit], scenario: Scenario,
                   settings: Settings) -> list[LatencyCheck]:
    checks: list[LatencyCheck] = []
    for visit in visits:
        if not expects_answer(visit, scenario):
            continue
        limit = latency_limit_ms(visit.node, scenario, settings)
        first = next((turns[i] for i in visit.answers if not turns[i].after_hold), None)
        if first is None or first.latency_ms is None:
            if visit.silent_ms is not None or first is not None:
                checks.append(LatencyCheck(visit.index, visit.node, None if first is None else first.index,
                                           None, limit, 0.0))
            continue
        over = first.latency_ms - limit
        grace = settings.latency_grace * limit
        credit = 1.0 if over <= 0 else max(0.0, 1.0 - over / grace) if grace > 0 else 0.0
        checks.append(LatencyCheck(visit.index, visit.node, first.index, first.latency_ms, limit, credit))
    return checks


def _outside(start: int, end: int, holds: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of [start, end) not covered by any hold interval."""
    pieces = [(start, end)]
    for h0, h1 in holds:
        pieces = [p for s, e in pieces for p in ((s, min(e, h0)), (max(s, h1), e)) if p[1] > p[0]]
    return pieces


def find_dead_air(turns: list[Turn], holds: list[tuple[int, int]], settings: Settings) -> list[DeadAir]:
    """`holds`: the intervals on hold (scoring/holds.hold_spans), which are not dead air."""
    threshold = round(settings.dead_air_s * 1000)
    found: list[DeadAir] = []
    ordered = sorted(turns, key=lambda t: (t.start_ms, t.index))
    covered_to, last = None, None
    for turn in ordered:
        if last is not None and covered_to is not None and turn.start_ms - covered_to >= threshold:
            owner: Literal["trainee", "customer"] = (
                "customer" if last.speaker == "trainee" and turn.speaker == "customer" else "trainee")
            for s, e in _outside(covered_to, turn.start_ms, holds):
                if e - s >= threshold:
                    found.append(DeadAir(s, e, owner, "gap", turn.node, last.index, turn.index))
        if covered_to is None or turn.end_ms >= covered_to:
            covered_to, last = turn.end_ms, turn
        if turn.speaker == "trainee":
            for a, b in zip(turn.words, turn.words[1:], strict=False):
                if b.start_ms - a.end_ms >= threshold:
                    found.append(DeadAir(a.end_ms, b.start_ms, "trainee", "pause", turn.node, turn.index, None))
    return sorted(found, key=lambda d: (d.start_ms, d.where))


def talk_over(visits: list[Visit], turns: list[Turn]) -> TalkOver:
    overlaps = [(ms, v.node) for v in visits for ms in v.talk_over_ms]
    # A barge-in cut with no TALK_OVER logged still counts once.
    logged = {v.index for v in visits if v.talk_over_ms}
    overlaps += [(0, t.node) for t in turns if t.speaker == "customer" and t.cut and t.visit not in logged]
    return TalkOver(len(overlaps), max((ms for ms, _ in overlaps), default=0),
                    tuple(dict.fromkeys(node for _, node in overlaps)))


def speech_rate(turns: list[Turn], language: str, settings: Settings) -> SpeechRate:
    units, speaking_ms = 0, 0
    for turn in trainee_turns(turns):
        if turn.words:
            units += sum(speech_units(w.word, language) for w in turn.words)
            speaking_ms += max(0, turn.words[-1].end_ms - turn.words[0].start_ms)
        else:
            units += speech_units(turn.text, language)
            speaking_ms += max(0, turn.end_ms - turn.start_ms)
    band = settings.rate_band(language)
    measurable = units >= settings.min_rate_units and speaking_ms > 0
    per_minute = round(units * 60_000 / speaking_ms, 1) if measurable else None
    return SpeechRate(units, "characters" if language == "zh" else "words", speaking_ms, per_minute, band)


def fillers(turns: list[Turn], bank: Phrasebank, language: str, settings: Settings,
            best: BestMatches | None = None) -> Fillers:
    matches: list[tuple[int, PhraseMatch]] = []
    units = 0
    for turn in trainee_turns(turns):
        units += speech_units(turn.text, language)
        known = best.get(turn.index) if best is not None else None
        matches += [(turn.index, m) for m in find_all(turn.text, bank, "filler", known)]
    ratio = len(matches) / units if units else 0.0
    return Fillers(tuple(matches), units, round(ratio, 4), settings.max_filler_ratio(language))
