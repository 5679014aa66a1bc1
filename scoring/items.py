"""One function per rubric item: CallFacts -> Finding (credit 0..1 and the evidence for it).

Evidence is typed (scoring/evidence.py): a human `note` plus the data it rests on. A miss
says what was expected where.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

from phrasebank import Phrasebank
from roleplay.model.events import Event
from roleplay.model.scenario import NOT_REQUIRED_CATEGORIES, Scenario
from scoring import timing
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
    TimedWord,
)
from scoring.facts import FactCheck, FactStatus, check_fact
from scoring.holds import HoldCheck, hold_checks, hold_spans
from scoring.phrases import PhraseMatch, find_phrases
from scoring.rubric import Settings
from scoring.turns import Turn, Visit, find_all, words_in_span


@dataclass(frozen=True)
class Finding:
    credit: float                        # 0..1 of the item's points
    applicable: bool
    explanation: str
    evidence: tuple[Evidence, ...] = ()
    auto_fail: tuple[str, ...] = ()      # auto-fail rules this finding triggers


class CallFacts:
    """A call's turns and visits with the scenario, phrasebank and thresholds to judge them."""

    def __init__(self, scenario: Scenario, bank: Phrasebank, settings: Settings,
                 turns: list[Turn], visits: list[Visit], events: tuple[Event, ...] = ()) -> None:
        self.scenario = scenario
        self.events = events             # the raw timeline, for the desk items (scoring/desk.py)
        self.bank = bank
        self.settings = settings
        self.turns = turns
        self.visits = visits
        self.language = str(scenario.language)

    @cached_property
    def phrases(self) -> dict[int, dict[str, PhraseMatch]]:
        """The best match per category in each trainee turn."""
        return {t.index: {m.category: m for m in find_phrases(t.text, self.bank)} if t.text else {}
                for t in self.turns if t.speaker == "trainee"}

    @cached_property
    def holds(self) -> list[HoldCheck]:
        """Every hold, speech or button, judged once for every item that looks at holds."""
        return hold_checks(self.turns, self.visits, self.bank, self.settings, self.phrases, self.events)

    def answers(self, visit: Visit) -> list[Turn]:
        return [self.turns[i] for i in visit.answers]

    def answered_visits(self) -> list[Visit]:
        return [v for v in self.visits if v.answers]

    def said(self, turns: list[Turn], category: str) -> tuple[Turn, PhraseMatch] | None:
        for turn in turns:
            match = self.phrases.get(turn.index, {}).get(category)
            if match:
                return turn, match
        return None


def _sec(ms: int | None) -> float | None:
    return None if ms is None else ms / 1000


def _words(turn: Turn, start: int, end: int) -> tuple[TimedWord, ...]:
    return tuple(TimedWord(w.word, w.start_ms / 1000, w.end_ms / 1000)
                 for w in words_in_span(turn, start, end))


def _at(turn: Turn, start: int, end: int) -> str:
    words = words_in_span(turn, start, end)
    return f" at {words[0].start_ms / 1000:.2f}-{words[-1].end_ms / 1000:.2f} s" if words else ""


def phrase_hit(turn: Turn, match: PhraseMatch) -> PhraseFound:
    return PhraseFound(
        turn.index, turn.node, match.category, match.phrase, round(match.score, 1), match.text,
        _words(turn, match.start, match.end),
        f"turn {turn.index} ({turn.node}): {match.category} \"{match.text}\""
        f" ~ \"{match.phrase}\" {match.score:.0f}%{_at(turn, match.start, match.end)}",
    )


def phrase_miss(call: CallFacts, visit: Visit | None, category: str, where: str) -> PhraseMissing:
    turns = call.answers(visit) if visit else []
    said = " ".join(t.text for t in turns)
    if visit and not turns:
        heard = f"said nothing (waited {(visit.silent_ms or 0) / 1000:.1f} s)"
    else:
        heard = f"said \"{said}\"" if said else "no answer"
    return PhraseMissing(turns[0].index if turns else None, visit.node if visit else None,
                         category, said, f"no {category} {where}: {heard}")


@dataclass(frozen=True)
class Wanted:
    """A phrase category asked for once, at a node (all its visits) or an answer."""
    visit: Visit                         # where a miss is reported
    category: str
    turns: list[Turn]                    # the answers searched
    where: str
    judged: tuple[Turn, PhraseMatch] | None | bool = False   # a hold's judgement; False: search `turns`


def _phrase_checks(call: CallFacts, wanted: list[Wanted]) -> tuple[int, list[PhraseFound | PhraseMissing]]:
    hits = 0
    evidence: list[PhraseFound | PhraseMissing] = []
    for w in wanted:
        found = call.said(w.turns, w.category) if w.judged is False else w.judged
        if isinstance(found, tuple):
            hits += 1
            evidence.append(phrase_hit(*found))
        else:
            evidence.append(phrase_miss(call, w.visit, w.category, w.where))
    return hits, evidence


def _phrase_finding(call: CallFacts, wanted: list[Wanted], what: str, none: str) -> Finding:
    if not wanted:
        return Finding(0.0, False, f"not applicable: {none}")
    hits, evidence = _phrase_checks(call, wanted)
    missed = sorted({e.category for e in evidence if isinstance(e, PhraseMissing)})
    tail = f"; missing {', '.join(missed)}" if missed else ""
    return Finding(hits / len(wanted), True, f"{hits} of {len(wanted)} {what}{tail}", tuple(evidence))


def opening(call: CallFacts) -> Finding:
    first = call.answered_visits()[:1]
    wanted = [Wanted(v, c, call.answers(v), f"in the first answer ({v.node})")
              for v in first for c in ("greeting", "self_introduction")]
    return _phrase_finding(call, wanted, "opening phrases", "the trainee never answered")


def closing(call: CallFacts) -> Finding:
    last = call.answered_visits()[-2:]
    turns = [t for v in last for t in call.answers(v)]
    where = "in the last answers (" + ", ".join(v.node for v in last) + ")"
    wanted = [Wanted(last[-1], c, turns, where) for c in ("offer_more_help", "closing")] if last else []
    return _phrase_finding(call, wanted, "closing phrases", "the trainee never answered")


def _answered_nodes(call: CallFacts) -> dict[str, list[Visit]]:
    """The visits of each node that waited for an answer, in call order. A node visited again
    asks only for what is still missing: what it expects is asked once over all its visits."""
    nodes: dict[str, list[Visit]] = {}
    for visit in call.visits:
        if visit.node in call.scenario.nodes and timing.expects_answer(visit, call.scenario):
            nodes.setdefault(visit.node, []).append(visit)
    return nodes


# The hold phrases are judged with the hold (scoring/holds.py) when the node had one.
HOLD_PHRASES = {"hold_request": "announced", "thanks_for_waiting": "thanked"}


def _hold_judgement(call: CallFacts, visits: list[Visit], category: str) -> tuple[Turn, PhraseMatch] | None | bool:
    indexes = {v.index for v in visits}
    holds = [h for h in call.holds if h.visit in indexes]
    if not holds or category not in HOLD_PHRASES:
        return False
    for h in holds:
        match, turn = (h.announced, h.announce_turn) if category == "hold_request" else (h.thanked, h.thank_turn)
        if match is not None and turn is not None:   # the turn's best match quoted, as elsewhere
            return call.said([call.turns[turn]], category) or (call.turns[turn], match)
    return None


def required_phrases(call: CallFacts) -> Finding:
    wanted = []
    for node_id, visits in _answered_nodes(call).items():
        turns = [t for v in visits for t in call.answers(v)]
        wanted += [Wanted(visits[-1], c, turns, f"at {node_id}", _hold_judgement(call, visits, c))
                   for c in call.scenario.nodes[node_id].expect.phrases if c not in NOT_REQUIRED_CATEGORIES]
    return _phrase_finding(call, wanted, "required phrases", "no node expects a phrase")


def _lookup_node(call: CallFacts, node_id: str) -> bool:
    node = call.scenario.nodes.get(node_id)
    if node is None:
        return False
    facts = (call.scenario.knowledge.get(f) for f in node.expect.facts)
    return node.hold or any(f is not None and f.crm for f in facts)


def verification(call: CallFacts) -> Finding:
    wanted = []
    answered = call.answered_visits()
    for node_id, visits in _answered_nodes(call).items():
        if not _lookup_node(call, node_id):
            continue
        turns: list[Turn] = []
        for visit in visits:
            before = [v for v in answered if v.index < visit.index][-1:]
            turns += [t for v in (*before, visit) for t in call.answers(v) if t not in turns]
        wanted.append(Wanted(visits[-1], "verification", turns, f"before or at lookup node {node_id}"))
    return _phrase_finding(call, wanted, "lookups verified", "no lookup node in this call")


def empathy(call: CallFacts) -> Finding:
    wanted = []
    for node_id, visits in _answered_nodes(call).items():
        node = call.scenario.nodes[node_id]
        why = ""
        for visit in visits:
            line = call.turns[visit.line] if visit.line is not None else None
            upset = line is not None and line.mood is not None and line.mood >= call.settings.upset_mood
            if upset and line:
                why = why or f"at {node_id} (customer anger {line.mood:g})"
            elif node_id == call.scenario.mood.escalate_to or {"apology", "empathy"} & set(node.expect.phrases):
                why = why or f"at {node_id}"
        if why:
            turns = [t for v in visits for t in call.answers(v)]
            wanted += [Wanted(visits[-1], c, turns, why) for c in ("apology", "empathy")]
    return _phrase_finding(call, wanted, "apology/empathy checks", "the customer was never upset")


def _fact_result(call: CallFacts, visits: list[Visit], fact_id: str) -> tuple[Turn | None, FactCheck]:
    fact = call.scenario.knowledge[fact_id]
    last: tuple[Turn | None, FactCheck] = (None, FactCheck(fact_id, FactStatus.MISSING, f"{fact.value} {fact.unit}".strip()))
    for turn in (t for v in visits for t in call.answers(v)):
        result = check_fact(turn.text, fact, call.language)
        if result.status is not FactStatus.MISSING:  # a later statement corrects an earlier one
            last = (turn, result)
    return last


def knowledge(call: CallFacts) -> Finding:
    evidence: list[Evidence] = []
    right = total = 0
    fails: list[str] = []
    for node_id, visits in _answered_nodes(call).items():
        for fact_id in call.scenario.nodes[node_id].expect.facts:
            if fact_id not in call.scenario.knowledge:
                continue
            total += 1
            critical = call.scenario.knowledge[fact_id].critical
            turn, check = _fact_result(call, visits, fact_id)
            visit = next((v for v in visits if turn is not None and turn.visit == v.index), visits[-1])
            right += check.status is FactStatus.RIGHT
            if check.status is FactStatus.MISSING:
                note = f"{fact_id} not stated at {visit.node}: expected \"{check.expected}\""
            else:
                note = (f"turn {turn.index if turn else None} ({visit.node}): {fact_id} stated"
                        f" \"{check.stated}\"{_at(turn, check.start, check.end) if turn else ''},"
                        f" expected \"{check.expected}\": {check.status}")
            entry = FactResult(turn.index if turn else None, visit.node, fact_id, str(check.status),
                               check.expected, check.stated, critical,
                               _words(turn, check.start, check.end) if turn is not None else None, note)
            if critical and check.status is FactStatus.WRONG:
                fails.append(f"wrong critical fact {fact_id} at {visit.node}: said \"{check.stated}\","
                             f" expected \"{check.expected}\"")
            evidence.append(entry)
    if not total:
        return Finding(0.0, False, "not applicable: no node expects a fact")
    text = "; ".join(fails) if fails else f"{right} of {total} facts right"
    return Finding(right / total, True, text, tuple(evidence), ("critical_fact",) if fails else ())


def forbidden(call: CallFacts) -> Finding:
    evidence: list[PhraseFound] = []
    for turn in timing.trainee_turns(call.turns):
        for match in find_all(turn.text, call.bank, "forbidden", call.phrases.get(turn.index)):
            evidence.append(phrase_hit(turn, match))
    if not evidence:
        return Finding(1.0, True, "no forbidden phrase")
    said = ", ".join(f"\"{e.text}\" (turn {e.turn})" for e in evidence)
    return Finding(0.0, True, f"forbidden phrase said: {said}", tuple(evidence), ("forbidden",))


def latency(call: CallFacts) -> Finding:
    found = timing.latency_checks(call.turns, call.visits, call.scenario, call.settings)
    if not found:
        return Finding(0.0, False, "not applicable: no answer was expected")
    evidence = []
    for c in found:
        if c.latency_ms is None:
            said = "said nothing"
        elif call.visits[c.visit].talk_over_ms:
            said = "started before the customer finished (talk-over)"
        else:
            said = f"answered after {c.latency_ms / 1000:.1f} s"
        evidence.append(AnswerTime(c.turn, c.node, c.latency_ms, c.limit_ms, round(c.credit, 3),
                                   f"{c.node}: {said} (limit {c.limit_ms / 1000:g} s)"
                                   + ("" if c.credit >= 1 else f": {c.credit:.0%} credit")))
    slow = sum(c.credit < 1 for c in found)
    credit = sum(c.credit for c in found) / len(found)
    return Finding(credit, True, f"{len(found) - slow} of {len(found)} answers within the limit", tuple(evidence))


def dead_air(call: CallFacts) -> Finding:
    gaps = timing.find_dead_air(call.turns, hold_spans(call.holds), call.settings)
    holds = [h for h in call.holds if h.source == "speech"]   # button holds: scoring/desk.hold_button
    evidence: list[Evidence] = []
    faults = 0
    for gap in gaps:
        counted = gap.owner == "trainee"
        faults += counted
        place = (f"between turns {gap.after_turn} and {gap.before_turn}" if gap.where == "gap"
                 else f"inside turn {gap.after_turn}")
        evidence.append(DeadAirGap(gap.node, _sec(gap.start_ms), _sec(gap.end_ms), gap.duration_ms,
                                   gap.owner, counted,
                                   f"{gap.duration_ms / 1000:.1f} s of dead air {place} ({gap.node})"
                                   + ("" if counted else ", the customer's delay: not counted")))
    for hold in holds:
        by = {key: phrase_hit(call.turns[turn_index], match)
              for key, turn_index, match in (("announced", hold.announce_turn, hold.announced),
                                             ("thanked", hold.thank_turn, hold.thanked))
              if match is not None and turn_index is not None}
        length = "until the call ended" if hold.duration_ms is None else f"{hold.duration_ms / 1000:.1f} s"
        entry = HoldEvidence(hold.node, _sec(hold.start_ms), _sec(hold.end_ms), hold.duration_ms,
                             announced=hold.announced is not None, thanked=hold.thanked is not None,
                             too_long=f"over {call.settings.max_hold_s:g} s" if hold.too_long else "",
                             announced_by=by.get("announced"), thanked_by=by.get("thanked"), note="")
        problems = entry.problems
        faults += len(problems)
        note = f"hold at {hold.node}, {length}: " + (", ".join(problems) or "announced and thanked")
        evidence.append(replace(entry, note=note))
    credit = max(0.0, 1.0 - faults * call.settings.dead_air_penalty)
    text = "no dead air, holds handled" if not faults else f"{faults} dead-air/hold problem(s)"
    return Finding(credit, True, text, tuple(evidence))


def delivery(call: CallFacts) -> Finding:
    s = call.settings
    rate = timing.speech_rate(call.turns, call.language, s)
    fill = timing.fillers(call.turns, call.bank, call.language, s, call.phrases)
    over = timing.talk_over(call.visits, call.turns)
    unit = "wpm" if rate.unit == "words" else "characters/min"
    rate_ok = rate.within
    rate_note = (f"too little speech to measure the rate ({rate.units} {rate.unit})" if rate_ok is None
                 else f"speech rate {rate.per_minute:g} {unit} (band {rate.band[0]:g}-{rate.band[1]:g})")
    measures: list[tuple[str, SpeechRate | Fillers | TalkOverCount]] = [
        ("speech_rate", SpeechRate(rate.per_minute, rate.units, rate.unit, rate.speaking_ms,
                                   (rate.band[0], rate.band[1]), rate_ok, rate_note)),
        ("fillers", Fillers(len(fill.matches), fill.units, fill.ratio, fill.limit,
                            fill.ratio <= fill.limit,
                            tuple(phrase_hit(call.turns[i], m) for i, m in fill.matches),
                            f"{len(fill.matches)} filler(s) in {fill.units} {rate.unit}"
                            f" ({fill.ratio:.1%}, limit {fill.limit:.0%})")),
        ("talk_over", TalkOverCount(over.count, over.longest_ms, tuple(over.nodes),
                                    over.count <= s.max_talk_over,
                                    f"talked over the customer {over.count} time(s)"
                                    + (f", longest {over.longest_ms / 1000:.1f} s at {', '.join(over.nodes)}"
                                       if over.count else ""))),
    ]
    evidence: list[Evidence] = [m for _, m in measures]
    judged = [m.ok for _, m in measures if m.ok is not None]
    good = sum(bool(ok) for ok in judged)
    bad = [name for name, m in measures if m.ok is False]
    text = f"{good} of {len(judged)} delivery measures fine" + (f"; off: {', '.join(bad)}" if bad else "")
    return Finding(good / len(judged), True, text, tuple(evidence))


def resolution(call: CallFacts) -> Finding:
    ended = next((v for v in reversed(call.visits) if v.outcome), None)
    if ended is None:
        last = max((t.end_ms for t in call.turns), default=0)
        return Finding(0.0, True, f"the call never ended (the timeline stops at {last / 1000:.1f} s)",
                       (CallOutcome(None, None, None, "no call_ended event: the call was cut off"),))
    credit = call.settings.outcome_credit(ended.outcome or "")
    note = f"the call ended {ended.outcome} at {ended.node}"
    return Finding(credit, True, note, (CallOutcome(ended.node, ended.outcome, credit, note),))
