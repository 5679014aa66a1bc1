"""A scorecard as plain text for the terminal: one line per item, its evidence indented."""

from __future__ import annotations

from scoring.scorecard import Scorecard

WIDTH = 72


def _verdict(card: Scorecard) -> str:
    if card.status == "not_scored":
        return "NOT SCORED"
    return "PASS" if card.passed else "FAIL"


def render_scorecard(card: Scorecard, evidence: bool = True) -> str:
    lines = [f"Scorecard  {card.scenario}" + (f"  call {card.call_id}" if card.call_id else "")]
    lines.append("-" * WIDTH)
    if card.status == "not_scored":
        lines += [f"NOT SCORED: {card.reason}", "-" * WIDTH, "Total     -  NOT SCORED"]
        return "\n".join(lines) + "\n"
    id_width = max((len(item.id) for item in card.items), default=8)
    for item in card.items:
        if not item.applicable:
            lines.append(f"  -  {item.id:<{id_width}}      n/a   {item.explanation}")
            continue
        mark = "✓" if item.passed else "✗"
        points = f"{item.points:5.1f}/{item.max_points:4.1f}"
        lines.append(f"  {mark}  {item.id:<{id_width}}  {points}  {item.explanation}")
        if evidence:
            lines += [f"{' ' * 8}{'·'} {entry.note}" for entry in item.evidence]
    lines.append("-" * WIDTH)
    total = f"Total  {card.score:5.1f} / 100   pass mark {card.pass_mark:g}   {_verdict(card)}"
    lines.append(total)
    if card.auto_failed:
        lines.append(f"Auto-fail ({', '.join(card.auto_failed)}): {card.reason.removeprefix('auto-fail: ')}")
    elif card.reason:
        lines.append(card.reason)
    if card.outcome:
        lines.append(f"Outcome: {card.outcome}")
    return "\n".join(lines) + "\n"

