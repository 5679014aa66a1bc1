"""A scorecard as plain text for the terminal: one line per item, its evidence indented."""

from __future__ import annotations

import unicodedata

from roleplay.model.i18n import N_, translator
from scoring.items import OUTCOME_LABELS
from scoring.scorecard import AUTO_FAIL, Scorecard

WIDTH = 72

# The rubric items and auto-fail rules as a reader names them; English shows the ids.
ITEM_TITLES = {i: i for i in (
    N_("opening"), N_("required_phrases"), N_("knowledge"), N_("verification"), N_("empathy"),
    N_("forbidden"), N_("latency"), N_("dead_air"), N_("delivery"), N_("closing"), N_("resolution"),
    N_("lookup_speed"), N_("wrong_record"), N_("kb_lookup"), N_("hold_button"), N_("wrap_up"),
    N_("critical_fact"))}


def cells(text: str) -> int:
    """Terminal columns: a CJK character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad_cells(text: str, width: int) -> str:
    return text + " " * max(0, width - cells(text))


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
    not_applicable = pad_cells(_("n/a"), 3)
    titles = {item.id: _(ITEM_TITLES.get(item.id, item.id)) for item in card.items}
    id_width = max((cells(t) for t in titles.values()), default=8)
    for item in card.items:
        title = pad_cells(titles[item.id], id_width)
        if not item.applicable:
            lines.append(f"  -  {title}      {not_applicable}   {item.explanation}")
            continue
        mark = "✓" if item.passed else "✗"
        points = f"{item.points:5.1f}/{item.max_points:4.1f}"
        lines.append(f"  {mark}  {title}  {points}  {item.explanation}")
        if evidence:
            lines += [f"{' ' * 8}{'·'} {entry.note}" for entry in item.evidence]
    lines.append("-" * WIDTH)
    lines.append(_("Total  {score:5.1f} / 100   pass mark {pass_mark:g}   {verdict}").format(
        score=card.score, pass_mark=card.pass_mark, verdict=_verdict(card, lang)))
    if card.auto_failed:
        reason = card.reason.removeprefix(translator(card.ui_lang).gettext(AUTO_FAIL))
        lines.append(_("Auto-fail ({rules}): {reason}").format(rules=_(", ").join(_(ITEM_TITLES.get(r, r)) for r in card.auto_failed), reason=reason))
    elif card.reason:
        lines.append(card.reason)
    if card.outcome:
        lines.append(_("Outcome: {outcome}").format(outcome=_(OUTCOME_LABELS.get(card.outcome, card.outcome))))
    return "\n".join(lines) + "\n"
