"""What a call is marked on: weighted items summing to 100, a pass mark, auto-fail rules.

The default rubric is data in this module (so `score()` stays pure). A centre overrides it
with a YAML file (`load_rubric(path)`); a scenario's `rubric:` weights apply on top; the
weights are then rescaled to sum to 100. Items that do not apply to a call (no lookup node,
no upset customer ...) are left out and the rest rescaled again when the call is scored.

Centre YAML (every key optional):

    pass_mark: 75                  # else the scenario's pass_mark
    weights: {opening: 15, courtesy: 30}   # item ids or group names (see GROUPS)
    auto_fail: [forbidden]         # of AUTO_FAIL_RULES; [] turns auto-fail off
    settings: {dead_air_s: 4, rate_band_en: [110, 170]}   # see Settings
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Any

from roleplay.model.errors import ProblemCollector, RoleplayError
from roleplay.model.message import Msg
from roleplay.model.yamlbounds import finite, read_authored


class ItemKind(StrEnum):
    PHRASES = "phrases"
    FACTS = "facts"
    FORBIDDEN = "forbidden"
    TIMING = "timing"
    DELIVERY = "delivery"
    OUTCOME = "outcome"
    DESK = "desk"                # the agent desktop: CRM, knowledge base, hold buttons, wrap-up


@dataclass(frozen=True)
class RubricItem:
    id: str
    kind: ItemKind
    weight: float
    description: str


DEFAULT_ITEMS: tuple[RubricItem, ...] = (
    RubricItem("opening", ItemKind.PHRASES, 10, "greeting and self-introduction in the first answer"),
    RubricItem("required_phrases", ItemKind.PHRASES, 15, "the phrase categories each node expects"),
    RubricItem("knowledge", ItemKind.FACTS, 15, "facts stated correctly where a node expects them"),
    RubricItem("verification", ItemKind.PHRASES, 5, "identity/account verification on lookup nodes"),
    RubricItem("empathy", ItemKind.PHRASES, 10, "apology and empathy when the customer is upset"),
    RubricItem("forbidden", ItemKind.FORBIDDEN, 10, "no forbidden phrase"),
    RubricItem("latency", ItemKind.TIMING, 10, "each answer starts within the node's latency limit"),
    RubricItem("dead_air", ItemKind.TIMING, 5, "no unannounced silence; holds announced and thanked"),
    RubricItem("delivery", ItemKind.DELIVERY, 5, "speech rate, fillers, talking over the customer"),
    RubricItem("closing", ItemKind.PHRASES, 5, "offer of more help and a closing at the end"),
    RubricItem("resolution", ItemKind.OUTCOME, 10, "how the call ended"),
    # Desk items apply only to calls on the agent desktop (roleplay serve); elsewhere they are
    # "not applicable" and the weights above are what the call is marked on.
    RubricItem("lookup_speed", ItemKind.DESK, 10, "the customer's CRM record opened within the node's limit"),
    RubricItem("wrong_record", ItemKind.DESK, 10, "no wrong record opened, no fact read from one"),
    RubricItem("kb_lookup", ItemKind.DESK, 5, "a knowledge-base article opened soon after the question"),
    RubricItem("hold_button", ItemKind.DESK, 5, "button holds announced, thanked and not too long"),
    RubricItem("wrap_up", ItemKind.DESK, 10, "wrap-up submitted in time, notes carry the key facts"),
)
ITEM_IDS = tuple(item.id for item in DEFAULT_ITEMS)

# A weight given for a group is shared among its items in proportion to their weights.
GROUPS: dict[str, tuple[str, ...]] = {
    "courtesy": ("opening", "empathy", "closing"),
    "accuracy": ("knowledge", "verification"),
    "timing": ("latency", "dead_air"),
    "desk": ("lookup_speed", "wrong_record", "kb_lookup", "hold_button", "wrap_up"),
}
RUBRIC_KEYS = ITEM_IDS + tuple(GROUPS)  # what a scenario's `rubric:` may name

AUTO_FAIL_RULES = ("forbidden", "critical_fact")
# The item whose finding triggers each rule: a reviewer lifts an auto-fail by overriding it.
AUTO_FAIL_ITEMS = {"forbidden": "forbidden", "critical_fact": "knowledge"}


@dataclass(frozen=True)
class Settings:
    """Thresholds. The speech-rate bands and filler limits are defaults, not standards:
    en 120-180 wpm is the range telephone-skills courses commonly teach (conversational
    English averages about 150 wpm); zh 180-300 characters/min brackets ordinary Mandarin
    conversation (about 250/min). A centre sets its own in its rubric YAML."""

    dead_air_s: float = 3.0              # silence at least this long is dead air
    latency_s: float | None = None       # limit when a node sets none; None: persona.patience_s
    latency_grace: float = 1.0           # credit falls from 1 at the limit to 0 at (1+grace)*limit
    rate_band_en: tuple[float, float] = (120.0, 180.0)   # words per minute
    rate_band_zh: tuple[float, float] = (180.0, 300.0)   # characters per minute
    min_rate_units: int = 15             # fewer words/characters: rate not measured
    max_filler_ratio_en: float = 0.05    # filler phrases per word
    max_filler_ratio_zh: float = 0.03    # filler phrases per character
    max_talk_over: int = 0               # times the trainee may start before the line ends
    max_hold_s: float = 60.0
    upset_mood: float = 6.0              # a line said at this anger or above needs empathy
    dead_air_penalty: float = 0.25       # fraction of the dead_air item per finding
    outcome_resolved: float = 1.0        # resolution credit per outcome
    outcome_escalated: float = 0.25
    outcome_hung_up: float = 0.0

    def rate_band(self, language: str) -> tuple[float, float]:
        return self.rate_band_zh if language == "zh" else self.rate_band_en

    def max_filler_ratio(self, language: str) -> float:
        return self.max_filler_ratio_zh if language == "zh" else self.max_filler_ratio_en

    def outcome_credit(self, outcome: str) -> float:
        return float(getattr(self, f"outcome_{outcome}", 0.0))


@dataclass(frozen=True)
class Rubric:
    items: tuple[RubricItem, ...] = DEFAULT_ITEMS
    pass_mark: float | None = None       # None: the scenario's pass_mark
    auto_fail: tuple[str, ...] = AUTO_FAIL_RULES
    settings: Settings = field(default_factory=Settings)
    source: str = "default"

    def weights(self) -> dict[str, float]:
        return {item.id: item.weight for item in self.items}

    def item(self, item_id: str) -> RubricItem:
        return next(i for i in self.items if i.id == item_id)

    def with_weights(self, overrides: Mapping[str, float], where: str) -> Rubric:
        """Weights for items or groups replaced, then rescaled so they sum to 100."""
        weights = self.weights()
        for key, value in overrides.items():
            if key not in RUBRIC_KEYS:
                raise RoleplayError(Msg("{where}: unknown rubric item {key!r}; use one of {items}", where=where, key=key, items=', '.join(RUBRIC_KEYS)))
            if value < 0:
                raise RoleplayError(Msg("{where}: rubric weight {key!r} must be 0 or more", where=where, key=key))
            members = GROUPS.get(key, (key,))
            old = sum(weights[m] for m in members)
            for m in members:
                weights[m] = value * (weights[m] / old if old else 1 / len(members))
        total = sum(weights.values())
        if total <= 0:
            raise RoleplayError(Msg("{where}: rubric weights are all 0; give at least one item a weight", where=where))
        items = tuple(replace(i, weight=weights[i.id] * 100 / total) for i in self.items)
        return replace(self, items=items)

    def for_scenario(self, overrides: Mapping[str, float], where: str) -> Rubric:
        return self.with_weights(overrides, where) if overrides else self


DEFAULT_RUBRIC = Rubric()


def rescale(weights: Mapping[str, float], applicable: set[str]) -> dict[str, float]:
    """Max points per item: the applicable items' weights scaled to 100, the rest 0."""
    total = sum(w for k, w in weights.items() if k in applicable)
    return {k: (w * 100 / total if total and k in applicable else 0.0) for k, w in weights.items()}


def load_rubric(path: Path | None) -> Rubric:
    """The default rubric, or a centre's YAML override of it."""
    if path is None:
        return DEFAULT_RUBRIC
    where = str(path)
    raw = read_authored(path, Msg("rubric")) or {}
    if not isinstance(raw, dict):
        raise RoleplayError(Msg("{where}: a rubric is a mapping with pass_mark, weights, auto_fail, settings", where=where))
    found = ProblemCollector()
    found.check(partial(_known_keys, raw, where))
    pass_mark = found.check(partial(_pass_mark, raw, where))
    weights = found.check(partial(_weights, raw.get("weights") or {}, where))
    auto_fail = found.check(partial(_auto_fail, raw, where))
    settings = found.check(partial(_settings, raw.get("settings") or {}, where))
    found.raise_any()
    rubric = DEFAULT_RUBRIC.with_weights(weights or {}, where)
    if pass_mark is not None:
        rubric = replace(rubric, pass_mark=pass_mark)
    if auto_fail is not None:
        rubric = replace(rubric, auto_fail=auto_fail)
    return replace(rubric, settings=settings or Settings(), source=where)


def _known_keys(raw: dict[str, Any], where: str) -> None:
    unknown = set(raw) - {"pass_mark", "weights", "auto_fail", "settings"}
    if unknown:
        raise RoleplayError(Msg("{where}: unknown rubric key {unknown!r}; use pass_mark, weights, auto_fail, settings", where=where, unknown=min(unknown)))


def _pass_mark(raw: dict[str, Any], where: str) -> float | None:
    if "pass_mark" not in raw:
        return None
    if not finite(raw["pass_mark"], 0, 100):
        raise RoleplayError(Msg("{where}: pass_mark must be a number from 0 to 100", where=where))
    return float(raw["pass_mark"])


def _weights(weights: Any, where: str) -> dict[str, float]:
    if not isinstance(weights, dict) or not all(finite(v, 0) for v in weights.values()):
        raise RoleplayError(Msg("{where}: weights must map item ids to numbers from 0 to 1000000", where=where))
    unknown = sorted(str(k) for k in weights if k not in RUBRIC_KEYS)
    if unknown:
        raise RoleplayError(Msg("{where}: unknown rubric item {unknown}; use one of {items}", where=where, unknown=', '.join(map(repr, unknown)), items=', '.join(RUBRIC_KEYS)))
    return {str(k): float(v) for k, v in weights.items()}


def _auto_fail(raw: dict[str, Any], where: str) -> tuple[str, ...] | None:
    if "auto_fail" not in raw:
        return None
    rules = raw["auto_fail"] or []
    bad = [r for r in rules if r not in AUTO_FAIL_RULES] if isinstance(rules, list) else [rules]
    if bad:
        raise RoleplayError(Msg("{where}: unknown auto_fail rule {bad!r}; use {rules}", where=where, bad=bad[0], rules=', '.join(AUTO_FAIL_RULES)))
    return tuple(rules)


def _settings(raw: Any, where: str) -> Settings:
    if not isinstance(raw, dict):
        raise RoleplayError(Msg("{where}: settings must be a mapping", where=where))
    known = {f.name: f for f in fields(Settings)}
    values: dict[str, Any] = {}
    found = ProblemCollector()
    for key, value in raw.items():
        checked = found.check(partial(_setting, known, key, value, where))
        if checked is not None:
            values[key] = checked[0]
    found.raise_any()
    return Settings(**values)


def _setting(known: dict[str, Any], key: Any, value: Any, where: str) -> tuple[Any]:
    """The setting's value (in a 1-tuple: None is a value), or its problem."""
    if key not in known:
        raise RoleplayError(Msg("{where}: unknown setting {key!r}; use one of {known}", where=where, key=key, known=', '.join(known)))
    default = getattr(Settings(), key)
    if isinstance(default, tuple):
        ok = isinstance(value, list) and len(value) == 2 and all(finite(v) for v in value)
        if not ok or value[0] > value[1]:
            raise RoleplayError(Msg("{where}: setting {key!r} must be [low, high]", where=where, key=key))
        return ((float(value[0]), float(value[1])),)
    if value is not None and not finite(value, 0):
        raise RoleplayError(Msg("{where}: setting {key!r} must be a number, 0 or more", where=where, key=key))
    if value is None and default is not None:
        raise RoleplayError(Msg("{where}: setting {key!r} must be a number", where=where, key=key))
    return (int(value) if isinstance(default, int) and not isinstance(default, bool) else value,)
