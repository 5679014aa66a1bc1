"""One function per rubric item: CallFacts -> Finding (credit 0..1 and the evidence for it).

Evidence is typed (scoring/evidence.py): a human `note` plus the data it rests on. A miss
says what was expected where.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

from phrasebank import Phrasebank
from roleplay.model.events import Event
from roleplay.model.i18n import N_, translator
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


# The phrase categories (phrasebank) as the card names them; English keeps the ids.
CATEGORY_LABELS = {c: c for c in (
    N_("greeting"), N_("self_introduction"), N_("verification"), N_("hold_request"),
    N_("thanks_for_waiting"), N_("apology"), N_("empathy"), N_("offer_more_help"), N_("closing"),
    N_("forbidden"), N_("filler"))}


class CallFacts:
    """A call's turns and visits with the scenario, phrasebank and thresholds to judge them."""

    def __init__(self, scenario: Scenario, bank: Phrasebank, settings: Settings,
                 turns: list[Turn], visits: list[Visit], events: tuple[Event, ...] = (),
                 ui_lang: str | None = None) -> None:
        self.scenario = scenario
        self.events = events             # the raw timeline, for the desk items (scoring/desk.py)
        self.bank = bank
        self.settings = settings
        self.turns = turns
        self.visits = visits
        self.language = str(scenario.language)
        # The card's human text speaks the call's language unless told otherwise; ids stay English.
        self.ui_lang = ui_lang or self.language
        self._ = translator(self.ui_lang).gettext

    def node_name(self, node_id: str | None) -> str:
        """A node as the card names it: its label, else its id."""
        node = self.scenario.nodes.get(node_id or "")
        return node.name if node else str(node_id)

    def label(self, category: str) -> str:
        """A phrase category as a reader of the card's language names it."""
        return self._(CATEGORY_LABELS.get(category, category))

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


def _at(call: CallFacts, turn: Turn, start: int, end: int) -> str:
    words = words_in_span(turn, start, end)
    return call._(" at {start:.2f}-{end:.2f} s").format(
        start=words[0].start_ms / 1000, end=words[-1].end_ms / 1000) if words else ""


def phrase_hit(call: CallFacts, turn: Turn, match: PhraseMatch) -> PhraseFound:
    return PhraseFound(
        turn.index, turn.node, match.category, match.phrase, round(match.score, 1), match.text,
        _words(turn, match.start, match.end),
        call._("turn {turn} ({node}): {category} \"{text}\" ~ \"{phrase}\" {score:.0f}%{at}").format(
            turn=turn.index, node=call.node_name(turn.node), category=call.label(match.category), text=match.text,
            phrase=match.phrase, score=match.score, at=_at(call, turn, match.start, match.end)),
    )


def phrase_miss(call: CallFacts, visit: Visit | None, category: str, where: str) -> PhraseMissing:
    _ = call._
    turns = call.answers(visit) if visit else []
    said = " ".join(t.text for t in turns)
    if visit and not turns:
        heard = _("said nothing (waited {seconds:.1f} s)").format(seconds=(visit.silent_ms or 0) / 1000)
    else:
        heard = _("said \"{said}\"").format(said=said) if said else _("no answer")
    return PhraseMissing(turns[0].index if turns else None, visit.node if visit else None,
                         category, said, _("no {category} {where}: {heard}").format(
                             category=call.label(category), where=where, heard=heard))


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
            evidence.append(phrase_hit(call, *found))
        else:
            evidence.append(phrase_miss(call, w.visit, w.category, w.where))
    return hits, evidence


def not_applicable(call: CallFacts, why: str) -> Finding:
    """`why` is already in the card's language."""
    return Finding(0.0, False, call._("not applicable: {why}").format(why=why))


def listed(call: CallFacts, parts: list[str]) -> str:
    return call._(", ").join(parts)


def _phrase_finding(call: CallFacts, wanted: list[Wanted], what: str, none: str) -> Finding:
    """`what`: a message with {hits} and {total}; `none`: why nothing was asked (both translated)."""
    if not wanted:
        return not_applicable(call, none)
    hits, evidence = _phrase_checks(call, wanted)
    missed = sorted({e.category for e in evidence if isinstance(e, PhraseMissing)})
    tail = call._("; missing {categories}").format(
        categories=listed(call, [call.label(c) for c in missed])) if missed else ""
    return Finding(hits / len(wanted), True, what.format(hits=hits, total=len(wanted)) + tail,
                   tuple(evidence))


def opening(call: CallFacts) -> Finding:
    _ = call._
    first = call.answered_visits()[:1]
    wanted = [Wanted(v, c, call.answers(v), _("in the first answer ({node})").format(node=call.node_name(v.node)))
              for v in first for c in ("greeting", "self_introduction")]
    return _phrase_finding(call, wanted, _("{hits} of {total} opening phrases"), _("the trainee never answered"))


def closing(call: CallFacts) -> Finding:
    _ = call._
    last = call.answered_visits()[-2:]
    turns = [t for v in last for t in call.answers(v)]
    where = _("in the last answers ({nodes})").format(nodes=listed(call, [call.node_name(v.node) for v in last]))
    wanted = [Wanted(last[-1], c, turns, where) for c in ("offer_more_help", "closing")] if last else []
    return _phrase_finding(call, wanted, _("{hits} of {total} closing phrases"), _("the trainee never answered"))


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
        wanted += [Wanted(visits[-1], c, turns, call._("at {node}").format(node=call.node_name(node_id)),
                          _hold_judgement(call, visits, c))
                   for c in call.scenario.nodes[node_id].expect.phrases if c not in NOT_REQUIRED_CATEGORIES]
    return _phrase_finding(call, wanted, call._("{hits} of {total} required phrases"),
                           call._("no node expects a phrase"))


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
        wanted.append(Wanted(visits[-1], "verification", turns,
                             call._("before or at lookup node {node}").format(node=call.node_name(node_id))))
    return _phrase_finding(call, wanted, call._("{hits} of {total} lookups verified"),
                           call._("no lookup node in this call"))


def empathy(call: CallFacts) -> Finding:
    wanted = []
    for node_id, visits in _answered_nodes(call).items():
        node = call.scenario.nodes[node_id]
        why = ""
        for visit in visits:
            line = call.turns[visit.line] if visit.line is not None else None
            upset = line is not None and line.mood is not None and line.mood >= call.settings.upset_mood
            if upset and line:
                why = why or call._("at {node} (customer anger {mood:g})").format(node=call.node_name(node_id), mood=line.mood)
            elif node_id == call.scenario.mood.escalate_to or {"apology", "empathy"} & set(node.expect.phrases):
                why = why or call._("at {node}").format(node=call.node_name(node_id))
        if why:
            turns = [t for v in visits for t in call.answers(v)]
            wanted += [Wanted(visits[-1], c, turns, why) for c in ("apology", "empathy")]
    return _phrase_finding(call, wanted, call._("{hits} of {total} apology/empathy checks"),
                           call._("the customer was never upset"))


def _fact_result(call: CallFacts, visits: list[Visit], fact_id: str) -> tuple[Turn | None, FactCheck]:
    fact = call.scenario.knowledge[fact_id]
    last: tuple[Turn | None, FactCheck] = (None, FactCheck(fact_id, FactStatus.MISSING, f"{fact.value} {fact.unit}".strip()))
    for turn in (t for v in visits for t in call.answers(v)):
        result = check_fact(turn.text, fact, call.language)
        if result.status is not FactStatus.MISSING:  # a later statement corrects an earlier one
            last = (turn, result)
    return last


FACT_STATUS_LABELS = {FactStatus.RIGHT: N_("right"), FactStatus.WRONG: N_("wrong"),
                      FactStatus.MISSING: N_("missing")}


def knowledge(call: CallFacts) -> Finding:
    evidence: list[Evidence] = []
    right = total = 0
    fails: list[str] = []
    _ = call._
    for node_id, visits in _answered_nodes(call).items():
        for fact_id in call.scenario.nodes[node_id].expect.facts:
            if fact_id not in call.scenario.knowledge:
                continue
            total += 1
            critical = call.scenario.knowledge[fact_id].critical
            named = call.scenario.knowledge[fact_id].name
            turn, check = _fact_result(call, visits, fact_id)
            visit = next((v for v in visits if turn is not None and turn.visit == v.index), visits[-1])
            right += check.status is FactStatus.RIGHT
            if check.status is FactStatus.MISSING:
                note = _("{fact} not stated at {node}: expected \"{expected}\"").format(
                    fact=named, node=call.node_name(visit.node), expected=check.expected)
            else:
                note = _("turn {turn} ({node}): {fact} stated \"{stated}\"{at}, expected"
                         " \"{expected}\": {status}").format(
                    turn=turn.index if turn else None, node=call.node_name(visit.node), fact=named, stated=check.stated,
                    at=_at(call, turn, check.start, check.end) if turn else "",
                    expected=check.expected, status=_(FACT_STATUS_LABELS[check.status]))
            entry = FactResult(turn.index if turn else None, visit.node, fact_id, str(check.status),
                               check.expected, check.stated, critical,
                               _words(turn, check.start, check.end) if turn is not None else None, note)
            if critical and check.status is FactStatus.WRONG:
                fails.append(_("wrong critical fact {fact} at {node}: said \"{stated}\", expected"
                               " \"{expected}\"").format(fact=named, node=call.node_name(visit.node),
                                                            stated=check.stated, expected=check.expected))
            evidence.append(entry)
    if not total:
        return not_applicable(call, _("no node expects a fact"))
    text = _("; ").join(fails) if fails else _("{right} of {total} facts right").format(right=right, total=total)
    return Finding(right / total, True, text, tuple(evidence), ("critical_fact",) if fails else ())


def forbidden(call: CallFacts) -> Finding:
    evidence: list[PhraseFound] = []
    for turn in timing.trainee_turns(call.turns):
        for match in find_all(turn.text, call.bank, "forbidden", call.phrases.get(turn.index)):
            evidence.append(phrase_hit(call, turn, match))
    if not evidence:
        return Finding(1.0, True, call._("no forbidden phrase"))
    said = listed(call, [call._("\"{text}\" (turn {turn})").format(text=e.text, turn=e.turn) for e in evidence])
    return Finding(0.0, True, call._("forbidden phrase said: {said}").format(said=said), tuple(evidence),
                   ("forbidden",))


def latency(call: CallFacts) -> Finding:
    _ = call._
    found = timing.latency_checks(call.turns, call.visits, call.scenario, call.settings)
    if not found:
        return not_applicable(call, _("no answer was expected"))
    evidence = []
    for c in found:
        if c.latency_ms is None:
            said = _("said nothing")
        elif call.visits[c.visit].talk_over_ms:
            said = _("started before the customer finished (talk-over)")
        else:
            said = _("answered after {seconds:.1f} s").format(seconds=c.latency_ms / 1000)
        note = _("{node}: {said} (limit {limit:g} s)").format(node=call.node_name(c.node), said=said, limit=c.limit_ms / 1000)
        if c.credit < 1:
            note += _(": {credit:.0%} credit").format(credit=c.credit)
        evidence.append(AnswerTime(c.turn, c.node, c.latency_ms, c.limit_ms, round(c.credit, 3), note))
    slow = sum(c.credit < 1 for c in found)
    credit = sum(c.credit for c in found) / len(found)
    return Finding(credit, True, _("{good} of {total} answers within the limit").format(
        good=len(found) - slow, total=len(found)), tuple(evidence))


def hold_note(call: CallFacts, where: str, node: str, duration_ms: int | None, problems: list[str]) -> str:
    """`where`: a message with {node} and {length}; `problems`: the hold's problems as the
    JSON keeps them (English), named here in the card's language."""
    _ = call._
    length = _("until the call ended") if duration_ms is None else _("{seconds:.1f} s").format(
        seconds=duration_ms / 1000)
    said = listed(call, [_(HOLD_PROBLEMS[p]) if p in HOLD_PROBLEMS
                         else _("over {seconds:g} s").format(seconds=call.settings.max_hold_s)
                         for p in problems])
    return where.format(node=call.node_name(node), length=length) + (said or _("announced and thanked"))


HOLD_PROBLEMS = {"not announced": N_("not announced"), "not thanked after": N_("not thanked after")}


def dead_air(call: CallFacts) -> Finding:
    _ = call._
    gaps = timing.find_dead_air(call.turns, hold_spans(call.holds), call.settings)
    holds = [h for h in call.holds if h.source == "speech"]   # button holds: scoring/desk.hold_button
    evidence: list[Evidence] = []
    faults = 0
    for gap in gaps:
        counted = gap.owner == "trainee"
        faults += counted
        place = (_("between turns {after} and {before}") if gap.where == "gap"
                 else _("inside turn {after}")).format(after=gap.after_turn, before=gap.before_turn)
        note = _("{seconds:.1f} s of dead air {place} ({node})").format(
            seconds=gap.duration_ms / 1000, place=place, node=call.node_name(gap.node))
        if not counted:
            note += _(", the customer's delay: not counted")
        evidence.append(DeadAirGap(gap.node, _sec(gap.start_ms), _sec(gap.end_ms), gap.duration_ms,
                                   gap.owner, counted, note))
    for hold in holds:
        by = {key: phrase_hit(call, call.turns[turn_index], match)
              for key, turn_index, match in (("announced", hold.announce_turn, hold.announced),
                                             ("thanked", hold.thank_turn, hold.thanked))
              if match is not None and turn_index is not None}
        entry = HoldEvidence(hold.node, _sec(hold.start_ms), _sec(hold.end_ms), hold.duration_ms,
                             announced=hold.announced is not None, thanked=hold.thanked is not None,
                             too_long=f"over {call.settings.max_hold_s:g} s" if hold.too_long else "",
                             announced_by=by.get("announced"), thanked_by=by.get("thanked"), note="")
        problems = entry.problems
        faults += len(problems)
        note = hold_note(call, _("hold at {node}, {length}: "), hold.node, hold.duration_ms, problems)
        evidence.append(replace(entry, note=note))
    credit = max(0.0, 1.0 - faults * call.settings.dead_air_penalty)
    text = _("no dead air, holds handled") if not faults else _("{faults} dead-air/hold problem(s)").format(
        faults=faults)
    return Finding(credit, True, text, tuple(evidence))


MEASURE_LABELS = {"speech_rate": N_("speech_rate"), "fillers": N_("fillers"), "talk_over": N_("talk_over")}
OUTCOME_LABELS = {"resolved": N_("resolved"), "escalated": N_("escalated"), "hung_up": N_("hung_up")}


def delivery(call: CallFacts) -> Finding:
    s = call.settings
    _ = call._
    rate = timing.speech_rate(call.turns, call.language, s)
    fill = timing.fillers(call.turns, call.bank, call.language, s, call.phrases)
    over = timing.talk_over(call.visits, call.turns)
    unit = _("wpm") if rate.unit == "words" else _("characters/min")
    units = _("words") if rate.unit == "words" else _("characters")
    rate_ok = rate.within
    rate_note = (_("too little speech to measure the rate ({count} {units})").format(count=rate.units, units=units)
                 if rate_ok is None else
                 _("speech rate {rate:g} {unit} (band {low:g}-{high:g})").format(
                     rate=rate.per_minute, unit=unit, low=rate.band[0], high=rate.band[1]))
    over_note = _("talked over the customer {count} time(s)").format(count=over.count)
    if over.count:
        over_note += _(", longest {seconds:.1f} s at {nodes}").format(
            seconds=over.longest_ms / 1000, nodes=listed(call, list(over.nodes)))
    measures: list[tuple[str, SpeechRate | Fillers | TalkOverCount]] = [
        ("speech_rate", SpeechRate(rate.per_minute, rate.units, rate.unit, rate.speaking_ms,
                                   (rate.band[0], rate.band[1]), rate_ok, rate_note)),
        ("fillers", Fillers(len(fill.matches), fill.units, fill.ratio, fill.limit,
                            fill.ratio <= fill.limit,
                            tuple(phrase_hit(call, call.turns[i], m) for i, m in fill.matches),
                            _("{count} filler(s) in {total} {units} ({ratio:.1%}, limit {limit:.0%})").format(
                                count=len(fill.matches), total=fill.units, units=units, ratio=fill.ratio,
                                limit=fill.limit))),
        ("talk_over", TalkOverCount(over.count, over.longest_ms, tuple(over.nodes),
                                    over.count <= s.max_talk_over, over_note)),
    ]
    evidence: list[Evidence] = [m for _name, m in measures]
    judged = [m.ok for _name, m in measures if m.ok is not None]
    good = sum(bool(ok) for ok in judged)
    bad = [_(MEASURE_LABELS[name]) for name, m in measures if m.ok is False]
    text = _("{good} of {total} delivery measures fine").format(good=good, total=len(judged))
    if bad:
        text += _("; off: {measures}").format(measures=listed(call, bad))
    return Finding(good / len(judged), True, text, tuple(evidence))


def resolution(call: CallFacts) -> Finding:
    _ = call._
    ended = next((v for v in reversed(call.visits) if v.outcome), None)
    if ended is None:
        last = max((t.end_ms for t in call.turns), default=0)
        return Finding(0.0, True, _("the call never ended (the timeline stops at {seconds:.1f} s)").format(
            seconds=last / 1000), (CallOutcome(None, None, None, _("no call_ended event: the call was cut off")),))
    credit = call.settings.outcome_credit(ended.outcome or "")
    outcome = _(OUTCOME_LABELS.get(ended.outcome or "", ended.outcome or ""))
    note = _("the call ended {outcome} at {node}").format(outcome=outcome, node=call.node_name(ended.node))
    return Finding(credit, True, note, (CallOutcome(ended.node, ended.outcome, credit, note),))
