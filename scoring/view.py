"""A scorecard as plain text for the terminal: one line per item, its evidence indented."""

from __future__ import annotations

from roleplay.model.i18n import translator
from scoring.items import OUTCOME_LABELS
from scoring.scorecard import AUTO_FAIL, Scorecard

WIDTH = 72


def _verdict(card: Scorecard, lang: str) -> str:
    _ = translator(lang).gettext
    if card.status == "not_scored":
        return _("NOT SCORED")
    return _("PASS") if card.passed else _("FAIL")


def render_scorecard(card: Scorecard, evidence: bool = True, lang: str | None = None) -> str:
    """`lang`: the labels' language; the card's own (the language its text was written in) by default."""
    lang = lang or card.ui_lang
    _ = translator(lang).gettext
    head = _("Scorecard  {scenario}").format(scenario=card.scenario)
    lines = [head + (_("  call {call_id}").format(call_id=card.call_id) if card.call_id else "")]
    lines.append("-" * WIDTH)
    if card.status == "not_scored":
        lines += [_("NOT SCORED: {reason}").format(reason=card.reason), "-" * WIDTH,
                  _("Total     -  NOT SCORED")]
        return "\n".join(lines) + "\n"
    id_width = max((len(item.id) for item in card.items), default=8)
    for item in card.items:
        if not item.applicable:
            lines.append(f"  -  {item.id:<{id_width}}      {_('n/a')}   {item.explanation}")
            continue
        mark = "✓" if item.passed else "✗"
        points = f"{item.points:5.1f}/{item.max_points:4.1f}"
        lines.append(f"  {mark}  {item.id:<{id_width}}  {points}  {item.explanation}")
        if evidence:
            lines += [f"{' ' * 8}{'·'} {entry.note}" for entry in item.evidence]
    lines.append("-" * WIDTH)
    lines.append(_("Total  {score:5.1f} / 100   pass mark {pass_mark:g}   {verdict}").format(
        score=card.score, pass_mark=card.pass_mark, verdict=_verdict(card, lang)))
    if card.auto_failed:
        reason = card.reason.removeprefix(translator(card.ui_lang).gettext(AUTO_FAIL))
        lines.append(_("Auto-fail ({rules}): {reason}").format(rules=", ".join(card.auto_failed), reason=reason))
    elif card.reason:
        lines.append(card.reason)
    if card.outcome:
        lines.append(_("Outcome: {outcome}").format(outcome=_(OUTCOME_LABELS.get(card.outcome, card.outcome))))
    return "\n".join(lines) + "\n"
