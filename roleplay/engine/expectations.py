"""Has the trainee finished what a node asks for? The content cue of turn-taking.

A pause after "Thank you." is not the end of an answer to "what is the fee?": the fee has
not been said. Nor is a pause after "I understand how frustrating that must be." at a
greeting that has everything by then: a statement is often followed by more, and here by
"Could you confirm your account number?". The turn is over when the answer has everything
the node asks for and its last sentence hands the floor over (roleplay/engine/handover.py);
until then the endpointer keeps it through a pause.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from phrasebank import Phrasebank, load_phrasebank
from roleplay.engine.handover import ends_handing_over
from roleplay.model.scenario import Node, Scenario
from scoring.facts import FactStatus, check_fact
from scoring.phrases import find_phrases

MID_SENTENCE = (",", "，", "、", ";", "；", ":", "：")  # marks a recogniser writes inside a sentence


@dataclass(frozen=True)
class NodeExpectations:
    scenario: Scenario
    bank: Phrasebank

    @classmethod
    def of(cls, scenario: Scenario) -> NodeExpectations:
        return cls(scenario, load_phrasebank(str(scenario.language)))

    def complete(self, node: Node, utterances: Sequence[str]) -> bool | None:
        """True: the answer so far (the recogniser's utterances, one per pause) has everything
        `node` asks for and ends handing the floor over. False: something is missing, or it
        ends on a statement. None: the node asks for nothing and the words give no cue."""
        spoken = [u for u in utterances if u]
        if spoken and spoken[-1].rstrip().endswith(MID_SENTENCE):
            return False  # the recogniser closed it at a comma: the sentence goes on
        text, said = self._heard(spoken)
        handing_over = ends_handing_over(spoken, self.bank)
        if node.hold and "hold_request" in said and handing_over:
            # The line goes over to the hold once the caller is asked to wait: "Let me check
            # that." is often followed by "for you, one moment please".
            return True
        if not self._has_everything(node, text, said):
            return False
        if handing_over:
            return True
        return False if node.expect.phrases or self._facts(node) else None

    def has_everything(self, node: Node, utterances: Sequence[str]) -> bool:
        """Whether the answer so far has everything `node` asks for, however it ends."""
        return self._has_everything(node, *self._heard(utterances))

    def _heard(self, utterances: Sequence[str]) -> tuple[str, set[str]]:
        """The answer's text, joined as the listener joins it, and the phrase categories in it."""
        text = " ".join(u for u in utterances if u)
        return text, {m.category for m in find_phrases(text, self.bank)} if text else set()

    def _facts(self, node: Node) -> list[str]:
        """The node's expected facts that the scenario knows (the validator reports the rest)."""
        return [f for f in node.expect.facts if f in self.scenario.knowledge]

    def _has_everything(self, node: Node, text: str, said: set[str]) -> bool:
        wanted = set(node.expect.phrases)
        if node.hold:
            wanted.discard("hold_request")  # asked for before the hold; the rest comes after it
        # Only a right value counts as said: a "wrong" one may be another fact's value still
        # being read out ("4 dollars" against the daily limit); a wrong answer waits longer.
        return wanted <= said and all(
            check_fact(text, self.scenario.knowledge[f], str(self.scenario.language)).status
            is FactStatus.RIGHT
            for f in self._facts(node))
