"""Which node comes next: the first branch whose conditions all hold."""

from __future__ import annotations

from roleplay.engine.turn import TurnAnalysis
from roleplay.model.scenario import Branch, Condition, ConditionKind, Node
from scoring.facts import FactStatus

FACT_STATUS = {
    ConditionKind.FACT_RIGHT: FactStatus.RIGHT,
    ConditionKind.FACT_WRONG: FactStatus.WRONG,
    ConditionKind.FACT_MISSING: FactStatus.MISSING,
}


def condition_holds(condition: Condition, turn: TurnAnalysis, mood: float) -> bool:
    kind, value = condition.kind, condition.value
    if kind is ConditionKind.SAID:
        return turn.said(str(value))
    if kind is ConditionKind.MISSING:
        return not turn.said(str(value))
    if kind in FACT_STATUS:
        return turn.fact_is(str(value), FACT_STATUS[kind])
    if kind is ConditionKind.FORBIDDEN:
        return turn.said("forbidden") == bool(value)
    if kind is ConditionKind.SILENCE_OVER:
        return turn.silent or (turn.latency_ms is not None and turn.latency_ms > float(value) * 1000)
    if kind is ConditionKind.MOOD_ABOVE:
        return mood > float(value)
    if kind is ConditionKind.MOOD_BELOW:
        return mood < float(value)
    raise ValueError(f"unknown condition kind {kind}")


def choose_branch(node: Node, turn: TurnAnalysis, mood: float) -> Branch | None:
    for branch in node.branches:
        if all(condition_holds(c, turn, mood) for c in branch.conditions):
            return branch
    return None


def describe(branch: Branch) -> str:
    if not branch.conditions:
        return "otherwise"
    return " and ".join(f"{c.kind}: {c.value}" for c in branch.conditions)
