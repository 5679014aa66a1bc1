"""score(timeline, scenario, bank, rubric) -> Scorecard: every point explained with evidence.

Pure: no I/O, no clock, no randomness; the same input gives the same card, byte for byte.
A call that cannot be judged (empty timeline, a recogniser error, no trainee speech, a
timeline of another scenario) gets status "not_scored", score 0 and passed false, never a
silent pass. The JSON shape is in docs/architecture.md: fields may be added, none renamed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from phrasebank import Phrasebank
from roleplay.model.events import CallStarted, Timeline
from roleplay.model.i18n import N_, translator
from roleplay.model.scenario import Scenario
from scoring import desk
from scoring import items as checks
from scoring.evidence import Evidence
from scoring.items import CallFacts, Finding
from scoring.rubric import DEFAULT_RUBRIC, Rubric, rescale
from scoring.turns import Turn, derive_visits

Status = Literal["scored", "not_scored"]


@dataclass(frozen=True)
class ItemResult:
    id: str
    kind: str
    passed: bool
    points: float
    max_points: float
    applicable: bool
    explanation: str
    evidence: tuple[Evidence, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "passed": self.passed,
            "points": round(self.points, 2), "max_points": round(self.max_points, 2),
            "applicable": self.applicable, "explanation": self.explanation,
            "evidence": [e.to_json() for e in self.evidence],
        }


@dataclass(frozen=True)
class Scorecard:
    call_id: str
    scenario: str
    language: str
    status: Status
    score: float
    passed: bool
    pass_mark: float
    reason: str                      # why not scored, or why failed ("" when passed)
    auto_failed: tuple[str, ...]
    outcome: str | None
    items: tuple[ItemResult, ...]
    turns: tuple[Turn, ...]
    rubric: str
    ui_lang: str = "en"              # the language of the human text (not in the JSON: ids are the contract)

    def to_json(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id, "scenario": self.scenario, "language": self.language,
            "status": self.status, "score": self.score, "passed": self.passed,
            "pass_mark": self.pass_mark, "reason": self.reason,
            "auto_failed": list(self.auto_failed), "outcome": self.outcome, "rubric": self.rubric,
            "items": [item.to_json() for item in self.items],
            "turns": [turn.to_json() for turn in self.turns],
        }


EVALUATORS = {
    "opening": checks.opening, "required_phrases": checks.required_phrases,
    "knowledge": checks.knowledge, "verification": checks.verification,
    "empathy": checks.empathy, "forbidden": checks.forbidden, "latency": checks.latency,
    "dead_air": checks.dead_air, "delivery": checks.delivery, "closing": checks.closing,
    "resolution": checks.resolution,
    "lookup_speed": desk.lookup_speed, "wrong_record": desk.wrong_record,
    "kb_lookup": desk.kb_lookup, "hold_button": desk.hold_button, "wrap_up": desk.wrap_up,
}


def score(timeline: Timeline, scenario: Scenario, bank: Phrasebank, rubric: Rubric | None = None,
          call_id: str = "", ui_lang: str | None = None) -> Scorecard:
    """`ui_lang`: the language of the card's human text ('en'/'zh'); the call's own by default."""
    lang = ui_lang or str(scenario.language)
    _ = translator(lang).gettext
    base = rubric or DEFAULT_RUBRIC
    where = scenario.path or f"scenario {scenario.id}"
    rules = base.for_scenario(scenario.rubric, where)
    pass_mark = rules.pass_mark if rules.pass_mark is not None else scenario.pass_mark
    turns, visits = derive_visits(timeline)
    outcome = next((v.outcome for v in reversed(visits) if v.outcome), None)

    def card(status: Status, total: float, passed: bool, reason: str, failed: tuple[str, ...],
             results: tuple[ItemResult, ...]) -> Scorecard:
        return Scorecard(call_id, scenario.id, str(scenario.language), status, total, passed,
                         pass_mark, reason, failed, outcome, results, tuple(turns), rules.source, lang)

    why_not = _not_scored(timeline, scenario, turns, visits, lang)
    if why_not:
        return card("not_scored", 0.0, False, why_not, (), ())

    call = CallFacts(scenario, bank.with_extra(scenario.phrases), rules.settings, turns, visits,
                     tuple(timeline), lang)
    findings: dict[str, Finding] = {item.id: EVALUATORS[item.id](call) for item in rules.items}
    max_points = rescale(rules.weights(), {k for k, f in findings.items() if f.applicable})
    results = tuple(
        ItemResult(item.id, str(item.kind), f.applicable and f.credit >= 1.0 - 1e-9,
                   f.credit * max_points[item.id], max_points[item.id], f.applicable,
                   f.explanation, f.evidence)
        for item in rules.items for f in (findings[item.id],)
    )
    total = round(sum(r.points for r in results), 1)
    failed = tuple(rule for rule in rules.auto_fail for f in findings.values() if rule in f.auto_fail)
    failed = tuple(dict.fromkeys(failed))
    passed = not failed and total >= pass_mark
    if failed:
        reason = _(AUTO_FAIL) + _("; ").join(
            f.explanation for f in findings.values() if any(r in f.auto_fail for r in failed))
    elif not passed:
        reason = _("score {total:g} is below the pass mark {pass_mark:g}").format(total=total, pass_mark=pass_mark)
    else:
        reason = ""
    return card("scored", total, passed, reason, failed, results)


# The reason's prefix, which the terminal view strips to show the auto-fail explanations alone.
AUTO_FAIL = N_("auto-fail: ")


def _not_scored(timeline: Timeline, scenario: Scenario, turns: list[Turn], visits: list[Any], lang: str) -> str:
    _ = translator(lang).gettext
    if len(timeline) == 0:
        return _("the timeline is empty: nothing was recorded")
    started = timeline.payloads(CallStarted)
    if started and started[0].scenario not in ("", scenario.id):
        return _("the timeline is of scenario {found!r}, not {expected!r}").format(
            found=started[0].scenario, expected=scenario.id)
    errors = [(v.node, msg) for v in visits for msg in v.asr_errors]
    if errors:
        node, msg = errors[0]
        more = _(" (and {count} more)").format(count=len(errors) - 1) if len(errors) > 1 else ""
        return _("speech recognition failed at node {node!r}: {message}{more}").format(
            node=node, message=msg, more=more)
    if not any(t.speaker == "trainee" and t.text.strip() for t in turns):
        return _("no trainee speech was recognised in the whole call: check the microphone and input device")
    return ""
