"""The customer's anger (0 calm .. 10 furious): slow, wrong or rude answers raise it,
apology and empathy lower it."""

from __future__ import annotations

from dataclasses import dataclass

from roleplay.engine.turn import TurnAnalysis
from roleplay.model.scenario import NOT_REQUIRED_CATEGORIES, Node, Scenario
from scoring.facts import FactStatus


@dataclass(frozen=True)
class MoodChange:
    mood: float
    delta: float
    reasons: tuple[str, ...]


def next_mood(mood: float, turn: TurnAnalysis, node: Node, scenario: Scenario) -> MoodChange:
    rules = scenario.mood
    changes: list[tuple[float, str]] = []
    if turn.silent:
        changes.append((rules.silent, "said nothing"))
    elif turn.latency_ms is not None and turn.latency_ms > scenario.persona.patience_s * 1000:
        changes.append((rules.slow, f"answered after {turn.latency_ms / 1000:.1f} s"))
    if not turn.silent:
        for category in node.expect.phrases:
            if category not in NOT_REQUIRED_CATEGORIES and not turn.said(category):
                changes.append((rules.missing, f"no {category}"))
    for fact_id, check in turn.facts.items():
        if check.status is FactStatus.WRONG:
            changes.append((rules.wrong_fact, f"wrong {fact_id}: said {check.stated!r}"))
    if turn.said("forbidden"):
        changes.append((rules.forbidden, f"forbidden phrase {turn.phrases['forbidden'].text!r}"))
    if turn.said("apology"):
        changes.append((rules.apology, "apologised"))
    if turn.said("empathy"):
        changes.append((rules.empathy, "showed empathy"))
    delta = sum(d for d, _ in changes)
    new = min(10.0, max(0.0, mood + delta))
    return MoodChange(round(new, 2), round(new - mood, 2), tuple(r for _, r in changes))
