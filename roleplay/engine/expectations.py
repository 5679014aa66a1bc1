"""Has the trainee said everything a node asks for? The content cue of turn-taking.

A pause after "Thank you." is not the end of an answer to "what is the fee?": the fee has
not been said. The endpointer keeps the turn while something asked for is still missing.
"""

from __future__ import annotations

from dataclasses import dataclass

from phrasebank import Phrasebank, load_phrasebank
from roleplay.model.scenario import Node, Scenario
from scoring.facts import FactStatus, check_fact
from scoring.phrases import find_phrases


@dataclass(frozen=True)
class NodeExpectations:
    scenario: Scenario
    bank: Phrasebank

    @classmethod
    def of(cls, scenario: Scenario) -> NodeExpectations:
        return cls(scenario, load_phrasebank(str(scenario.language)))

    def complete(self, node: Node, text: str) -> bool | None:
        wanted = set(node.expect.phrases)
        facts = [f for f in node.expect.facts if f in self.scenario.knowledge]
        if not wanted and not facts:
            return None
        said = {m.category for m in find_phrases(text, self.bank)} if text else set()
        if node.hold:
            if "hold_request" in said:
                return True  # the answer hands the line over to the hold
            wanted.discard("hold_request")  # asked for before the hold; the rest comes after it
        # Only a right value counts as said: a "wrong" one may be another fact's value still
        # being read out ("4 dollars" against the daily limit); a wrong answer waits longer.
        return wanted <= said and all(
            check_fact(text, self.scenario.knowledge[f], str(self.scenario.language)).status
            is FactStatus.RIGHT
            for f in facts)
