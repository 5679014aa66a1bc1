"""What one trainee answer contained: phrases, facts and timing, for branching and mood."""

from __future__ import annotations

from dataclasses import dataclass

from phrasebank import Phrasebank
from roleplay.model.ports import Answer
from roleplay.model.scenario import ConditionKind, Node, Scenario
from scoring.facts import FactCheck, FactStatus, check_fact
from scoring.phrases import PhraseMatch, find_phrases

FACT_CONDITIONS = (ConditionKind.FACT_RIGHT, ConditionKind.FACT_WRONG, ConditionKind.FACT_MISSING)


@dataclass(frozen=True)
class TurnAnalysis:
    text: str
    silent: bool
    latency_ms: int | None
    phrases: dict[str, PhraseMatch]
    facts: dict[str, FactCheck]

    def said(self, category: str) -> bool:
        return category in self.phrases

    def fact_is(self, fact_id: str, status: FactStatus) -> bool:
        check = self.facts.get(fact_id)
        return (check.status if check else FactStatus.MISSING) == status


def facts_to_check(node: Node) -> list[str]:
    """The node's expected facts and any fact its branches test."""
    wanted = list(node.expect.facts)
    for branch in node.branches:
        for condition in branch.conditions:
            if condition.kind in FACT_CONDITIONS and str(condition.value) not in wanted:
                wanted.append(str(condition.value))
    return wanted


def analyse_answer(answer: Answer, after_ms: int, node: Node, scenario: Scenario, bank: Phrasebank) -> TurnAnalysis:
    matches = find_phrases(answer.text, bank) if answer.text else []
    facts = {
        fact_id: check_fact(answer.text, scenario.knowledge[fact_id], scenario.language)
        for fact_id in facts_to_check(node)
        if fact_id in scenario.knowledge
    }
    latency = None if answer.onset_ms is None else answer.onset_ms - after_ms
    return TurnAnalysis(answer.text, answer.silent, latency, {m.category: m for m in matches}, facts)
