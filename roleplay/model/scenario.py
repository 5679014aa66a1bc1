"""The scenario model: what a loaded, validated scenario YAML becomes.

The YAML format is documented in docs/scenario-format.md; roleplay/loader.py builds these
objects and reports every authoring problem with its file:line:col.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum


class Language(StrEnum):
    EN = "en"
    ZH = "zh"


class Stage(StrEnum):
    INQUIRY = "inquiry"
    LOOKUP = "lookup"
    COMPLAINT = "complaint"


class Outcome(StrEnum):
    RESOLVED = "resolved"
    ESCALATED = "escalated"
    HUNG_UP = "hung_up"


class ConditionKind(StrEnum):
    SAID = "said"                  # a phrase category was said in this turn
    MISSING = "missing"            # a phrase category was not said in this turn
    FACT_RIGHT = "fact_right"      # a fact was stated correctly
    FACT_WRONG = "fact_wrong"      # a fact was stated with a value that contradicts it
    FACT_MISSING = "fact_missing"  # a fact was not stated at all
    FORBIDDEN = "forbidden"        # any forbidden phrase (value: true)
    SILENCE_OVER = "silence_over"  # the trainee took longer than N seconds, or said nothing
    MOOD_ABOVE = "mood_above"      # the customer's anger is above N (0-10)
    MOOD_BELOW = "mood_below"


# Phrase categories (docs/scenario-format.md); scenarios, rubrics and phrasebanks use these ids.
PHRASE_CATEGORIES = (
    "greeting", "self_introduction", "verification", "hold_request", "thanks_for_waiting",
    "apology", "empathy", "offer_more_help", "closing", "forbidden", "filler",
)
# Detected and scored, but never something a node requires the trainee to say.
NOT_REQUIRED_CATEGORIES = ("forbidden", "filler")

TEMPLATE_RE = re.compile(r"\{([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)\}")


@dataclass(frozen=True)
class Persona:
    name: str
    voice: str = ""              # espeak-ng voice; "" means the language's default
    rate_wpm: int = 160
    mood: float = 2.0            # starting anger, 0 (calm) to 10 (furious)
    patience_s: float = 6.0      # answers slower than this make the customer angrier


@dataclass(frozen=True)
class Fact:
    id: str
    value: str                   # canonical value; for a CRM fact, the record's field value
    unit: str = ""
    accept: tuple[str, ...] = ()  # other phrasings that count as right
    critical: bool = False       # a wrong critical fact fails the call
    crm: str = ""                # "record.field" when the value comes from the CRM
    label: str = ""              # how the scorecard names it ("境外手续费"); "" -> the id

    @property
    def name(self) -> str:
        return self.label or self.id


@dataclass(frozen=True)
class CrmTable:
    """Records of one kind; the call is about the one whose key the customer gives."""

    name: str                    # template prefix: {account.plan}
    key: str                     # the field the customer gives to find the record
    customer_key: str            # the key value of this call's record
    records: tuple[dict[str, str], ...]
    search: tuple[str, ...] = ()  # fields the desk's CRM search looks in; () means every field

    @property
    def record(self) -> dict[str, str]:
        for row in self.records:
            if row.get(self.key) == self.customer_key:
                return row
        return {}


@dataclass(frozen=True)
class KbArticle:
    """A knowledge-base page on the agent desktop: where an inquiry's facts are found."""

    id: str
    title: str
    body: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Desk:
    """The agent desktop's rules for a call: wrap-up codes and the limits the desk is timed on."""

    dispositions: tuple[str, ...] = ("resolved", "follow_up", "escalated")
    lookup_s: float = 30.0           # customer gives the key -> the right record opened
    kb_s: float = 30.0               # customer asks -> an article opened
    wrapup_s: float = 90.0           # call ended -> wrap-up submitted
    notes_facts: tuple[str, ...] = ()  # facts the notes must carry; () means the critical facts


@dataclass(frozen=True)
class Condition:
    kind: ConditionKind
    value: str | float | bool


@dataclass(frozen=True)
class Branch:
    goto: str
    conditions: tuple[Condition, ...] = ()   # all must hold; none means "otherwise"


@dataclass(frozen=True)
class Expect:
    phrases: tuple[str, ...] = ()    # categories the answer must contain
    facts: tuple[str, ...] = ()      # facts the answer must state correctly
    latency_s: float | None = None   # the answer must start within this many seconds


@dataclass(frozen=True)
class Node:
    id: str
    say: tuple[str, ...]             # the customer's line and its variants
    expect: Expect = Expect()
    branches: tuple[Branch, ...] = ()
    end: Outcome | None = None       # an end node: the line (and an answer, if expected), then the end
    timeout_s: float = 10.0          # how long to wait for the trainee before it counts as silence
    hold: bool = False               # the trainee may put the customer on hold here (a lookup)
    lookup_s: float | None = None    # the desk's lookup limit at this node; None: desk.lookup_s
    label: str = ""                  # how the scorecard names it ("问候"); "" -> the id

    @property
    def name(self) -> str:
        return self.label or self.id

    @property
    def is_end(self) -> bool:
        return self.end is not None


@dataclass(frozen=True)
class MoodModel:
    escalate_at: float = 8.0         # anger at or above this sends the call to escalate_to
    escalate_to: str = ""            # a node id; "" means never escalate
    slow: float = 1.0                # answer slower than patience
    silent: float = 2.0              # nothing said before the timeout
    missing: float = 0.5             # each required phrase category missing
    wrong_fact: float = 2.0
    forbidden: float = 3.0
    apology: float = -1.0
    empathy: float = -1.5


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    language: Language
    level: int
    stage: Stage
    domain: str
    persona: Persona
    start: str
    nodes: dict[str, Node]
    knowledge: dict[str, Fact] = field(default_factory=dict)
    crm: dict[str, CrmTable] = field(default_factory=dict)
    kb: tuple[KbArticle, ...] = ()
    desk: Desk = Desk()
    mood: MoodModel = MoodModel()
    phrases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # extra phrasings
    rubric: dict[str, float] = field(default_factory=dict)             # weight overrides
    pass_mark: float = 70.0
    barge_in: bool = False           # the trainee speaking cuts the customer's line
    turn_patience_s: float = 2.5     # a trainee's pause this long ends their turn regardless
    version: str = ""                # content hash of the source file, set by the loader
    path: str = ""

    def render(self, text: str) -> str:
        """Fill {record.field} templates from the CRM record the call is about."""

        def field_value(m: re.Match[str]) -> str:
            table = self.crm.get(m.group(1))
            return table.record.get(m.group(2), m.group(0)) if table else m.group(0)

        return TEMPLATE_RE.sub(field_value, text)
