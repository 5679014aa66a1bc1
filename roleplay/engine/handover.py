"""Does a sentence hand the turn to the caller? The last cue of turn-taking.

An agent gives the floor away with a question, a request or a farewell ("Could you confirm
your account number?", "请您提供一下订单号", "goodbye"). A statement, however complete the
answer is by then ("I understand how frustrating that must be."), is often followed by
more: after one the customer waits longer before speaking. Punctuation helps when the
recogniser writes it (Whisper, typed text) but is not needed: the words carry the cue.
"""

from __future__ import annotations

import re

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


def last_sentence(text: str) -> str:
    """The last sentence of `text` with its end mark (a question mark is itself a cue); all of
    it when the recogniser writes no punctuation."""
    return split_sentences(text)[-1].strip()


def hands_over(sentence: str, bank: Phrasebank) -> bool:
    """Whether `sentence` gives the caller the floor: a question, a request, a farewell."""
    if not sentence.strip():
        return False
    asking = _ZH_ASKING if bank.language.startswith("zh") else _EN_ASKING
    if asking.search(sentence):
        return True
    return bool(find_phrases(sentence, bank, ASKING_CATEGORIES))
