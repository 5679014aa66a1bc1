"""`roleplay scenario from-call`: a scenario draft from an archived call, for a trainer to edit.

The customer's lines become nodes in the order they were said, joined by plain `next`
gotos; what the trainee said is kept as comments under each node, the phrase categories
found in it become that node's `expect.phrases`, facts the scorecard found stated become
knowledge entries marked TODO, and the last node ends the call with the call's outcome.
The draft is written as text (YAML has no way to emit comments) and is valid as written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from phrasebank import load_phrasebank
from roleplay.archive.calls import ArchivedCall, read_call
from roleplay.model.errors import RoleplayError
from roleplay.model.message import Msg
from roleplay.model.scenario import NOT_REQUIRED_CATEGORIES, Outcome
from scoring.evidence import FactResult, read_evidence
from scoring.phrases import find_phrases
from scoring.turns import Turn, derive_visits


@dataclass(frozen=True)
class DraftNode:
    id: str
    say: str
    answers: tuple[str, ...]
    phrases: tuple[str, ...]
    facts: tuple[str, ...]
    hold: bool


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML), Chinese kept readable."""
    return json.dumps(text, ensure_ascii=False)


def _comment(text: str) -> str:
    return " ".join(text.split())   # one line: a newline would end the comment


def _stated_facts(call: ArchivedCall) -> dict[int, list[FactResult]]:
    """Turn index -> knowledge evidence entries stated in it (right or wrong)."""
    card = call.scorecard or {}
    found: dict[int, list[FactResult]] = {}
    for item in card.get("items") or []:
        if isinstance(item, dict) and item.get("id") == "knowledge":
            for e in read_evidence(item):
                if isinstance(e, FactResult) and e.turn is not None and e.status != "missing":
                    found.setdefault(e.turn, []).append(e)
    return found


def draft_nodes(call: ArchivedCall) -> tuple[list[DraftNode], dict[str, dict[str, Any]]]:
    """The draft's nodes in order, and the knowledge entries they refer to."""
    turns, _ = derive_visits(call.timeline)
    bank = load_phrasebank(str(call.scenario.language)).with_extra(call.scenario.phrases)
    stated = _stated_facts(call)
    knowledge: dict[str, dict[str, Any]] = {}
    groups: list[tuple[Turn, list[Turn]]] = []
    for turn in turns:
        if turn.speaker == "customer":
            groups.append((turn, []))
        elif groups and turn.text.strip():
            groups[-1][1].append(turn)
    nodes = []
    for n, (line, answers) in enumerate(groups, start=1):
        said = " ".join(a.text for a in answers)
        phrases = [m.category for m in find_phrases(said, bank) if m.category not in NOT_REQUIRED_CATEGORIES] if said else []
        facts: list[str] = []
        for a in answers:
            for e in stated.get(a.index, []):
                fact_id = e.fact
                original = call.scenario.knowledge.get(fact_id)
                knowledge.setdefault(fact_id, {
                    "value": original.value if original else e.stated,
                    "unit": original.unit if original else "", "stated": e.stated,
                    "status": e.status})
                facts.append(fact_id)
        source = call.scenario.nodes.get(line.node)
        nodes.append(DraftNode(f"line_{n}", line.text, tuple(a.text for a in answers),
                               tuple(dict.fromkeys(phrases)), tuple(dict.fromkeys(facts)),
                               bool(source and source.hold)))
    return nodes, knowledge


def _outcome(call: ArchivedCall) -> str:
    outcome = call.raw.get("outcome") or (call.scorecard or {}).get("outcome")
    return outcome if outcome in {o.value for o in Outcome} else "resolved"


def draft_scenario(call: ArchivedCall) -> str:
    """The draft YAML text."""
    nodes, knowledge = draft_nodes(call)
    if not nodes:
        raise RoleplayError(Msg("{dir}: the call has no customer line to turn into a scenario", dir=call.dir))
    s = call.scenario
    p = s.persona
    out = [
        # Quoted: a call id, trainee id or time with a newline would start YAML keys of its own.
        f"# Draft made by `roleplay scenario from-call` from call {_q(call.call_id)}",
        f"# (scenario {s.id}, trainee {_q(call.trainee or 'unknown')}, {_q(call.started_at)}).",
        "# Edit it: give the nodes real names, add branches, check every TODO; then `roleplay validate`.",
        f"id: {s.id}-from-call",
        f"title: {_q(f'{s.title} (from call {call.call_id})')}",
        f"language: {s.language}",
        f"level: {s.level}",
        f"stage: {s.stage}",
        f"domain: {_q(s.domain)}",
        f"pass_mark: {s.pass_mark:g}",
        "",
        "persona:",
        f"  name: {_q(p.name)}",
        *([f"  voice: {_q(p.voice)}"] if p.voice else []),
        f"  rate_wpm: {p.rate_wpm}",
        f"  mood: {p.mood:g}",
        f"  patience_s: {p.patience_s:g}",
    ]
    if knowledge:
        out += ["", "knowledge:                 # TODO: check each value against the product facts"]
        for fact_id, k in knowledge.items():
            out.append(f"  {fact_id}:                # TODO: the trainee said {_q(k['stated'])} ({k['status']})")
            out.append(f"    value: {_q(k['value'])}")
            if k["unit"]:
                out.append(f"    unit: {_q(k['unit'])}")
    if s.phrases:
        out += ["", "phrases:"] + [f"  {c}: [{', '.join(_q(x) for x in v)}]" for c, v in s.phrases.items()]
    out += ["", f"start: {nodes[0].id}", "nodes:"]
    for i, node in enumerate(nodes):
        out.append(f"  {node.id}:")
        out.append(f"    say: {_q(node.say)}")
        out += [f"    # trainee said: {_comment(a)}" for a in node.answers] or ["    # trainee said nothing"]
        if node.hold:
            out.append("    hold: true")
        if node.phrases or node.facts:
            out.append("    expect:")
            if node.phrases:
                out.append(f"      phrases: [{', '.join(node.phrases)}]")
            if node.facts:
                out.append(f"      facts: [{', '.join(node.facts)}]")
        if i + 1 < len(nodes):
            out += ["    next:", f"      - goto: {nodes[i + 1].id}"]
        else:
            out.append(f"    end: {_outcome(call)}")
    return "\n".join(out) + "\n"


def scenario_from_call(call_dir: Path, out: Path | None = None) -> str:
    """The draft for an archived call; written to `out` when given (never over a file)."""
    text = draft_scenario(read_call(call_dir))
    if out is not None:
        if out.exists():
            raise RoleplayError(Msg("{out}: already exists; choose another -o file or remove it", out=out))
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
        except OSError as error:
            raise RoleplayError(Msg("{out}: cannot write ({strerror})", out=out, strerror=error.strerror)) from None
    return text
