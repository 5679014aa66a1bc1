"""Rubric items for the agent desktop (roleplay serve): CRM lookup, knowledge base, hold
buttons, wrap-up. Pure, from the timeline's desk events.

A call with no desk events (a terminal or headset call) gets every item "not applicable",
so its score is what it was before the desktop existed.
"""

from __future__ import annotations

import re

from roleplay.model.events import (
    CrmRecordOpened,
    CustomerLineEnded,
    CustomerLineStarted,
    Event,
    HoldPressed,
    KbArticleOpened,
    WrapupStarted,
    WrapupSubmitted,
)
from roleplay.model.scenario import TEMPLATE_RE, CrmTable, Fact
from scoring.desk_evidence import KbTime, LookupTime, ReadBack, Wrapup, WrongRecord
from scoring.evidence import Evidence, HoldEvidence
from scoring.facts import FactStatus, check_fact
from scoring.items import CallFacts, Finding, hold_note, listed, not_applicable, phrase_hit

DESK_EVENTS = (CrmRecordOpened, KbArticleOpened, HoldPressed, WrapupStarted, WrapupSubmitted)


def is_desk_call(call: CallFacts) -> bool:
    return any(isinstance(e.payload, DESK_EVENTS) for e in call.events)


def _speed(elapsed_ms: int, limit_s: float) -> float:
    """1 within the limit, falling to 0 at twice the limit."""
    over = elapsed_ms / 1000 / limit_s - 1.0
    return 1.0 if over <= 0 else max(0.0, 1.0 - over)


def _first(events: tuple[Event, ...], kind: type, after_ms: int = -1, **fields: str) -> Event | None:
    for e in events:
        if isinstance(e.payload, kind) and e.t_ms >= after_ms and all(
                getattr(e.payload, k) == v for k, v in fields.items()):
            return e
    return None


def _line_end(events: tuple[Event, ...], nodes: set[str]) -> Event | None:
    """When the customer finished the first line at one of these nodes."""
    started = next((e for e in events if isinstance(e.payload, CustomerLineStarted) and e.node in nodes), None)
    if started is None:
        return None
    return _first(events, CustomerLineEnded, started.t_ms, node=started.node) or started


def _key_nodes(call: CallFacts, table: CrmTable) -> set[str]:
    """Nodes whose customer line gives this table's record ({card.last_four} ...)."""
    return {n.id for n in call.scenario.nodes.values()
            if any(m.group(1) == table.name for line in n.say for m in TEMPLATE_RE.finditer(line))}


def lookup_speed(call: CallFacts) -> Finding:
    if not is_desk_call(call) or not call.scenario.crm:
        return not_applicable(call, call._("no CRM lookup on the desktop in this call"))
    _ = call._
    credits: list[float] = []
    evidence: list[Evidence] = []
    for table in call.scenario.crm.values():
        given = _line_end(call.events, _key_nodes(call, table))
        if given is None:
            continue
        node = call.scenario.nodes[given.node]
        limit = node.lookup_s or call.scenario.desk.lookup_s
        opened = _first(call.events, CrmRecordOpened, table=table.name, key=table.customer_key)
        if opened is None:
            credits.append(0.0)
            evidence.append(LookupTime(given.node, table.name, table.customer_key, given.t_ms / 1000, None, limit,
                                       _("{table} {key}: the customer's record was never opened").format(
                                           table=table.name, key=table.customer_key)))
            continue
        elapsed = max(0, opened.t_ms - given.t_ms)
        credits.append(_speed(elapsed, limit))
        evidence.append(LookupTime(given.node, table.name, table.customer_key, given.t_ms / 1000,
                                   max(given.t_ms, opened.t_ms) / 1000, limit,
                                   _("{table} {key} opened {seconds:.1f} s after the customer gave it"
                                     " (limit {limit:g} s)").format(table=table.name, key=table.customer_key,
                                                                    seconds=elapsed / 1000, limit=limit)))
    if not credits:
        return not_applicable(call, _("the customer never gave a record's key"))
    credit = sum(credits) / len(credits)
    text = _("the right record found in time") if credit >= 1 else _("record lookup slow or not done")
    return Finding(credit, True, text, tuple(evidence))


def wrong_record(call: CallFacts) -> Finding:
    if not is_desk_call(call) or not call.scenario.crm:
        return not_applicable(call, call._("no CRM lookup on the desktop in this call"))
    evidence: list[Evidence] = []
    wrong, read_back = 0, 0
    for e in call.events:
        p = e.payload
        if not isinstance(p, CrmRecordOpened) or p.table not in call.scenario.crm:
            continue
        table = call.scenario.crm[p.table]
        if p.key == table.customer_key:
            continue
        wrong += 1
        row = next((r for r in table.records if r.get(table.key) == p.key), {})
        evidence.append(WrongRecord(p.table, p.key, e.t_ms / 1000,
                                    call._("opened {table} {key}, not the customer's {right}").format(
                                        table=p.table, key=p.key, right=table.customer_key)))
        for hit in _read_back(call, row, table.record, e.t_ms):
            read_back += 1
            evidence.append(hit)
    if read_back:
        return Finding(0.0, True, call._("{count} fact(s) read back from a wrong record").format(count=read_back),
                       tuple(evidence))
    credit = max(0.5, 1.0 - 0.25 * wrong)
    text = (call._("only the customer's record opened") if not wrong
            else call._("{count} wrong record(s) opened, none read back").format(count=wrong))
    return Finding(credit, True, text, tuple(evidence))


def _read_back(call: CallFacts, row: dict[str, str], right: dict[str, str], after_ms: int) -> list[ReadBack]:
    """Trainee turns after the wrong record was opened that state a value only it has."""
    hits: list[ReadBack] = []
    for name, value in row.items():
        if value == right.get(name) or len(value) < 2:
            continue
        fact = Fact(id=name, value=value)
        as_word = re.compile(rf"(?<!\w){re.escape(value)}(?!\w)", re.IGNORECASE)
        for turn in call.turns:
            if turn.speaker != "trainee" or turn.start_ms < after_ms or not turn.text:
                continue
            # Said as written ("8000 dollars" for a bare "8000"), or as its value in words.
            if as_word.search(turn.text) or check_fact(turn.text, fact, call.language).status is FactStatus.RIGHT:
                hits.append(ReadBack(turn.index, turn.node, name, value, right.get(name, ""),
                                     call._("turn {turn} ({node}) read {field} \"{value}\" from the wrong"
                                            " record (the customer's is \"{right}\")").format(
                                         turn=turn.index, node=call.node_name(turn.node), field=name, value=value,
                                         right=right.get(name, ""))))
                break
    return hits


def kb_lookup(call: CallFacts) -> Finding:
    s = call.scenario
    _ = call._
    if not is_desk_call(call) or not s.kb:
        return not_applicable(call, _("no knowledge base on the desktop in this call"))
    asking = {n.id for n in s.nodes.values()
              if any(f in s.knowledge and not s.knowledge[f].crm for f in n.expect.facts)}
    asked = _line_end(call.events, asking)
    if asked is None:
        return not_applicable(call, _("the customer asked nothing the knowledge base answers"))
    opened = _first(call.events, KbArticleOpened, asked.t_ms - 60_000)
    limit = s.desk.kb_s
    if opened is None:
        return Finding(0.0, True, _("no knowledge-base article opened"), (
            KbTime(asked.node, "", asked.t_ms / 1000, None, limit,
                   _("{node}: no article opened").format(node=call.node_name(asked.node))),))
    elapsed = max(0, opened.t_ms - asked.t_ms)
    assert isinstance(opened.payload, KbArticleOpened)
    text = _("article opened {seconds:.1f} s after the question").format(seconds=elapsed / 1000)
    return Finding(_speed(elapsed, limit), True, text, (
        KbTime(asked.node, opened.payload.article, asked.t_ms / 1000, max(asked.t_ms, opened.t_ms) / 1000, limit,
               _("article {article} opened {seconds:.1f} s after the customer asked at {node}"
                 " (limit {limit:g} s)").format(article=opened.payload.article, seconds=elapsed / 1000,
                                                node=call.node_name(asked.node), limit=limit)),))


def hold_button(call: CallFacts) -> Finding:
    holds = [h for h in call.holds if h.source == "button"]
    if not holds:
        return not_applicable(call, call._("the Hold button was not used"))
    total = 0.0
    evidence: list[Evidence] = []
    for h in holds:
        problems = h.problems(call.settings)
        total += 1 - len(problems) / 3
        announced = phrase_hit(call, call.turns[h.announce_turn], h.announced) \
            if h.announced is not None and h.announce_turn is not None else None
        thanked = phrase_hit(call, call.turns[h.thank_turn], h.thanked) \
            if h.thanked is not None and h.thank_turn is not None else None
        evidence.append(HoldEvidence(
            h.node, h.start_ms / 1000, None if h.end_ms is None else h.end_ms / 1000, h.duration_ms,
            announced is not None, thanked is not None,
            f"over {call.settings.max_hold_s:g} s" if h.too_long else "", announced, thanked,
            hold_note(call, call._("Hold button at {node}, {length}: "), h.node, h.duration_ms, problems)))
    credit = total / len(holds)
    return Finding(credit, True, call._("{count} hold(s) from the button").format(count=len(holds)), tuple(evidence))


def wrap_up(call: CallFacts) -> Finding:
    _ = call._
    started = _first(call.events, WrapupStarted)
    if started is None:
        return not_applicable(call, _("no wrap-up on the desktop in this call"))
    done = _first(call.events, WrapupSubmitted)
    desk = call.scenario.desk
    if done is None or not isinstance(done.payload, WrapupSubmitted) or done.payload.timed_out:
        return Finding(0.0, True, _("no wrap-up submitted"), (
            Wrapup("", None, desk.wrapup_s, "", (), (), _("the wrap-up was never submitted")),))
    p = done.payload
    elapsed = done.t_ms - started.t_ms
    facts = _notes_facts(call)
    found = [f.id for f in facts if check_fact(p.notes, f, call.language).status is FactStatus.RIGHT]
    missing = [f.id for f in facts if f.id not in found]
    notes_credit = len(found) / len(facts) if facts else 1.0
    credit = 0.5 * _speed(elapsed, desk.wrapup_s) + 0.5 * notes_credit
    note = _("wrap-up \"{disposition}\" in {seconds:.1f} s (limit {limit:g} s); notes carry {found} of"
             " {total} key facts").format(disposition=p.disposition, seconds=elapsed / 1000, limit=desk.wrapup_s,
                                         found=len(found), total=len(facts))
    if missing:
        note += _("; missing {facts}").format(facts=listed(call, missing))
    evidence: list[Evidence] = [Wrapup(
        p.disposition, elapsed / 1000, desk.wrapup_s, p.notes, tuple(found), tuple(missing), note)]
    text = _("wrap-up in {seconds:.1f} s, {found}/{total} key facts noted").format(
        seconds=elapsed / 1000, found=len(found), total=len(facts))
    return Finding(credit, True, text, tuple(evidence))


def _notes_facts(call: CallFacts) -> list[Fact]:
    s = call.scenario
    ids = s.desk.notes_facts or tuple(f.id for f in s.knowledge.values() if f.critical)
    return [s.knowledge[i] for i in ids if i in s.knowledge]
