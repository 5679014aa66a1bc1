"""Does a sentence hand the turn to the caller? The last cue of turn-taking.

An agent gives the floor away with a question, a request or a farewell ("Could you confirm
your account number?", "请您提供一下订单号", "goodbye"). A statement, however complete the
answer is by then ("I understand how frustrating that must be."), is often followed by
more: after one the customer waits longer before speaking. A promise to act on a request
("请您提供一下订单号，我马上为您处理。") leaves the request with the caller. Punctuation
helps when the recogniser writes it (Whisper, typed text) but is not needed: the words carry
the cue.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from phrasebank import Phrasebank
from roleplay.model.sentences import split_sentences
from scoring.phrases import find_phrases

# Categories whose phrasings ask the caller for something.
ASKING_CATEGORIES = ("verification", "offer_more_help")

_EN_ASKING = re.compile(
    # "could you", "can I", "do you": a question, wherever the recogniser put no comma
    r"\b(?:could|can|would|will|may|do|does|did|shall|should)\s+(?:you|i|we)\b"
    # a clause that opens like a question: "is there", "what is", "how can I"
    r"|(?:^|[,;:]\s*)(?:(?:is|are)\s+(?:there|you|that|this|it)\b|(?:what|which|when|where|who|whose|why|how)\b)"
    # a request (to wait, too) or a farewell anywhere, a question mark at the end
    r"|\bplease\b|\b(?:one|a) moment\b|\bhold on\b|\bbear with me\b|\b(?:good)?bye\b|\?\s*$",
    re.IGNORECASE,
)
_ZH_ASKING = re.compile(
    r"[吗呢么][，。？！,.?!\s]*$"       # a question particle at the end
    r"|[？?]\s*$"
    r"|请问|麻烦您|(?<![申邀])请您?(?:提供|告诉|确认|报|说|先|稍|不要|放心)"  # requests, not 申请
    r"|稍等|稍候|不要挂|别挂|再见|拜拜")

# "I'll look into it right away", "我马上为您核实": the agent will act once the caller answers.
_EN_PROMISE = re.compile(
    r"^(?:and\s+)?(?:i|we)(?:'ll|\s+will)\b.*\b(?:right away|straight away|right now|at once|immediately)\b",
    re.IGNORECASE)
_ZH_PROMISE = re.compile(r"^(?:好的[，,]?)?我们?(?:马上|立刻|立即|这就|现在)")


def hands_over(sentence: str, bank: Phrasebank) -> bool:
    """Whether `sentence` gives the caller the floor: a question, a request, a farewell."""
    if not sentence.strip():
        return False
    asking = _ZH_ASKING if bank.language.startswith("zh") else _EN_ASKING
    if asking.search(sentence):
        return True
    return bool(find_phrases(sentence, bank, ASKING_CATEGORIES))


def ends_handing_over(utterances: Sequence[str], bank: Phrasebank) -> bool:
    """Whether the answer so far (the recogniser's utterances; each one ends a sentence) ends
    giving the caller the floor: its last sentence hands over, or promises to act on the
    request just before it."""
    sentences = [s.strip() for u in utterances for s in split_sentences(u) if s.strip()]
    if not sentences:
        return False
    if hands_over(sentences[-1], bank):
        return True
    promise = _ZH_PROMISE if bank.language.startswith("zh") else _EN_PROMISE
    return len(sentences) >= 2 and bool(promise.search(sentences[-1])) and hands_over(sentences[-2], bank)
