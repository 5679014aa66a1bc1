"""What the terminal shows of a call: the trainee's answers as it goes (what was said, its
latency, phrases), and the result at the end."""

from __future__ import annotations

import io
import json
from typing import TextIO

from roleplay.engine.call import TurnObserver
from roleplay.engine.turn import TurnAnalysis
from roleplay.frontends.session import SessionResult
from roleplay.frontends.typed import mood_label
from roleplay.model.i18n import translator
from roleplay.model.ports import Answer
from roleplay.model.scenario import Node


def transcript_printer(out: TextIO, lang: str = "en") -> TurnObserver:
    """Each answer as it is scored; `lang`: the labels' language (phrase categories named in it)."""
    from scoring.items import CATEGORY_LABELS

    _ = translator(lang).gettext

    def show(node: Node, answer: Answer, turn: TurnAnalysis, mood: float) -> None:
        said = answer.text or _("(silence)")
        latency = "" if turn.latency_ms is None else _("  +{seconds:.1f}s").format(seconds=turn.latency_ms / 1000)
        found = _(", ").join(_(CATEGORY_LABELS.get(p, p)) for p in sorted(turn.phrases)) or "-"
        print(_("trainee{latency}\n  {said}\n  phrases: {found}").format(latency=latency, said=said, found=found),
              file=out, flush=True)

    return show


class NullStream(io.StringIO):
    """A view nobody reads (a quiet simulation): writes are dropped, not kept."""

    def write(self, text: str) -> int:
        return len(text)


def print_call_result(result: SessionResult, as_json: bool) -> int:
    """The scorecard as JSON, or the outcome, the scorecard and where the call is kept."""
    from scoring.view import render_scorecard

    if as_json:
        print(json.dumps(result.scorecard.to_json(), ensure_ascii=False))
        return 0
    from scoring.items import OUTCOME_LABELS

    call, lang = result.call, result.scorecard.ui_lang
    _ = translator(lang).gettext
    outcome = _(OUTCOME_LABELS.get(str(call.outcome), str(call.outcome)))
    print("\n" + _("call ended: {outcome} at {node}, mood {mood}").format(
        outcome=outcome, node=call.end_node, mood=mood_label(call.mood, lang)))
    print(render_scorecard(result.scorecard))
    if result.call_dir:
        print(_("archived in {folder}").format(folder=result.call_dir))
    return 0
