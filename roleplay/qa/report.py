"""One self-contained HTML report of an archived call, for QA: the recording (embedded), a
timeline picture, the transcript (click a word to hear it) with phrase hits highlighted, and
the scorecard with its evidence.

No external file, font or script: the page must open from an e-mail attachment or a USB
stick. Every piece of text from the call goes through html.escape: a transcript is user
input (a trainee can say, and the recogniser can write, anything).

The labels speak `lang` (by default the call's own language, as its scorecard does); the
fonts are a CJK-capable stack of the reader's own, since nothing may be embedded or fetched.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from roleplay.archive.calls import ArchivedCall
from roleplay.archive.safe_io import read_bytes
from roleplay.model.errors import ArchiveError
from roleplay.model.events import CustomerLineStarted, MoodChanged, Timeline
from roleplay.model.i18n import N_, translator
from roleplay.model.message import Msg
from roleplay.qa.replay import turn_words
from scoring.evidence import DeadAirGap, FactResult, HoldEvidence, PhraseFound, read_evidence
from scoring.turns import Turn, derive_turns
from scoring.view import ITEM_TITLES

if TYPE_CHECKING:
    from roleplay.records.reviews import EffectiveScore

CATEGORY_CLASS = {
    "greeting": "c-open", "self_introduction": "c-open", "closing": "c-close",
    "offer_more_help": "c-close", "apology": "c-empathy", "empathy": "c-empathy",
    "verification": "c-verify", "hold_request": "c-hold", "thanks_for_waiting": "c-hold",
}
BAD = "bad"  # forbidden phrases and wrong facts
MAX_TICKS = 20
MAX_WAV_BYTES = 256 * 1024 * 1024   # four hours of 16 kHz stereo; more is not a call recording

STYLE = """
body{font:14px/1.45 system-ui,"Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei","PingFang SC","Microsoft YaHei",sans-serif;margin:1.5em auto;max-width:1100px;color:#222}
h1{font-size:1.3em}h2{font-size:1.1em;margin-top:1.5em}
.turn{margin:.3em 0;padding:.2em .5em;border-left:4px solid #aaa}
.turn.customer{border-color:#6a8caf;background:#f4f7fb}.turn.trainee{border-color:#6aaf7a}
.who{font-weight:600;margin-right:.5em}.when{color:#777;font-size:.85em;margin-right:.5em}
span[data-t]{cursor:pointer}span[data-t]:hover{text-decoration:underline}
.c-open{background:#d8f0d8}.c-close{background:#d8e4f8}.c-empathy{background:#f8ecd0}
.c-verify{background:#e8dcf8}.c-hold{background:#d8f4f4}.c-other{background:#eee}
.bad{background:#f8c8c8;color:#900;font-weight:600}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.25em .5em;vertical-align:top}
td.pass{color:#070}td.fail{color:#a00}ul{margin:0;padding-left:1.2em}
.note{color:#555;font-size:.9em}svg text{font-size:11px}
"""

SCRIPT = """
(function(){
  var audio = document.getElementById('call-audio');
  document.getElementById('transcript').addEventListener('click', function(ev){
    var t = ev.target.getAttribute && ev.target.getAttribute('data-t');
    if (t === null || !audio) { return; }
    audio.currentTime = parseFloat(t);
    var playing = audio.play();
    if (playing && playing.catch) { playing.catch(function(){}); }
  });
  if (location.hash === '#selftest' && audio) {
    audio.addEventListener('seeked', function(){ document.title = 'seek:' + audio.currentTime; });
    var go = function(){ document.querySelectorAll('#transcript span[data-t]')[2].click(); };
    if (audio.readyState >= 1) { go(); } else { audio.addEventListener('loadedmetadata', go); }
  }
})();
"""


@dataclass(frozen=True)
class Mark:
    cls: str
    title: str


def _s(ms: float) -> str:
    return f"{ms / 1000:.2f}"


SPEAKERS = {"customer": N_("customer"), "trainee": N_("trainee")}


def _speaker(speaker: str, lang: str) -> str:
    return translator(lang).gettext(SPEAKERS.get(speaker, speaker))


def _tag(tag: str, text: str) -> str:
    """<tag>text</tag>, escaped (labels are translated outside f-strings: the catalogue's
    extractor does not read inside them)."""
    return f"<{tag}>{escape(text)}</{tag}>"


def _word_marks(card: dict[str, Any]) -> dict[tuple[int, int], Mark]:
    """(turn, word start ms) -> highlight, from the evidence that cites words."""
    marks: dict[tuple[int, int], Mark] = {}
    for item in card.get("items") or []:
        for entry in read_evidence(item):
            if isinstance(entry, PhraseFound):
                bad, category, turn, label = (item.get("id") == "forbidden" or entry.category == "forbidden",
                                              entry.category, entry.turn, entry.phrase)
            elif isinstance(entry, FactResult) and entry.status in ("right", "wrong") and entry.turn is not None:
                bad, category, turn, label = entry.status == "wrong", "", entry.turn, entry.fact
            else:
                continue
            cls = BAD if bad else CATEGORY_CLASS.get(category, "c-other")
            title = entry.note or label or str(item.get("id"))
            for word in entry.words or ():
                key = (turn, round(word.start_s * 1000))
                if key not in marks or cls == BAD:
                    marks[key] = Mark(cls, title)
    return marks


def transcript_html(turns: list[Turn], card: dict[str, Any], lang: str = "en", call_lang: str = "en") -> str:
    _ = translator(lang).gettext
    marks = _word_marks(card)
    out = [f'<div id="transcript" lang="{"zh-CN" if call_lang == "zh" else "en"}">']
    joiner = "" if call_lang == "zh" else " "      # Chinese is written without spaces between words
    for turn in turns:
        spans = []
        for start, word in turn_words(turn):
            mark = marks.get((turn.index, start))
            cls = f' class="{mark.cls}" title="{escape(mark.title)}"' if mark else ""
            spans.append(f'<span data-t="{_s(start)}"{cls}>{escape(word)}</span>')
        when = _("{seconds} s").format(seconds=_s(turn.start_ms))
        if turn.latency_ms is not None:
            when += " +" + _("{seconds} s").format(seconds=f"{turn.latency_ms / 1000:.1f}")
        out.append(f'<div class="turn {turn.speaker}"><span class="when">#{turn.index} {when}'
                   f'</span><span class="who">{escape(_speaker(turn.speaker, lang))}</span>{joiner.join(spans)}</div>')
    out.append("</div>")
    return "\n".join(out)


def _silences(card: dict[str, Any]) -> list[tuple[float, float, bool]]:
    """(start s, end s, is_hold) from the dead_air item's evidence."""
    found = []
    for item in card.get("items") or []:
        if item.get("id") != "dead_air":
            continue
        for e in read_evidence(item):
            if isinstance(e, DeadAirGap | HoldEvidence) and e.start_s is not None and e.end_s is not None:
                found.append((e.start_s, e.end_s, isinstance(e, HoldEvidence)))
    return found


_LEFT, _RIGHT = 70, 10   # the timeline's margins: the mood curve below keeps its time scale
MOOD_MAX = 10.0          # the engine's mood (the customer's anger) is 0 to 10


def _span_ms(turns: list[Turn], end_ms: int) -> int:
    return max(end_ms, max((t.end_ms for t in turns), default=0), 1)


def mood_points(timeline: Timeline) -> list[tuple[int, float]]:
    """(t ms, mood) wherever the customer's mood is known: each line's mood, each change."""
    found: list[tuple[int, float]] = []
    for event in timeline:
        mood = event.payload.mood if isinstance(event.payload, CustomerLineStarted | MoodChanged) else None
        if mood is not None and (not found or found[-1][1] != mood):
            found.append((event.t_ms, float(mood)))
    return found


def mood_svg(points: list[tuple[int, float]], turns: list[Turn], end_ms: int, width: int = 1060,
             lang: str = "en") -> str:
    """The customer's mood over the call as a step curve, on the timeline's time scale."""
    _ = translator(lang).gettext
    if not points:
        return '<p class="note">' + escape(_("No mood recorded in this call.")) + "</p>"
    total, height, top = _span_ms(turns, end_ms), 70, 6
    scale = (width - _LEFT - _RIGHT) / total

    def x(ms: float) -> float:
        return round(_LEFT + min(ms, total) * scale, 1)

    def y(mood: float) -> float:
        return round(top + (height - 2 * top) * (1 - min(max(mood, 0.0), MOOD_MAX) / MOOD_MAX), 1)

    steps: list[str] = []
    for (t, mood), nxt in zip(points, [*points[1:], (total, points[-1][1])], strict=True):
        steps.append(f"{x(t)},{y(mood)} {x(nxt[0])},{y(mood)}")
    tip, aria, top_label, bottom_label = _("{seconds} s: mood {mood}"), _("customer mood"), _("angry"), _("calm")
    dots = "".join(f'<circle cx="{x(t)}" cy="{y(m)}" r="3" fill="#c0392b"><title>{escape(tip.format(seconds=_s(t), mood=f"{m:g}"))}</title></circle>'
                   for t, m in points)
    return (f'<svg id="mood" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(aria)}">'
            f'<text x="4" y="{y(MOOD_MAX) + 8}">{escape(top_label)}</text><text x="4" y="{y(0)}">{escape(bottom_label)}</text>'
            f'<line x1="{_LEFT}" y1="{y(0)}" x2="{width - _RIGHT}" y2="{y(0)}" stroke="#ccc"/>'
            f'<polyline class="mood-curve" points="{" ".join(steps)}" fill="none" stroke="#c0392b" stroke-width="2"/>'
            f"{dots}</svg>")


def timeline_svg(turns: list[Turn], card: dict[str, Any], end_ms: int, width: int = 1060, lang: str = "en") -> str:
    _ = translator(lang).gettext

    def sec(value: float | str) -> str:
        return _("{seconds} s").format(seconds=value)

    aria, silence, talk_over = _("call timeline"), _("silence"), _("talk-over")
    left, right = _LEFT, _RIGHT
    total = _span_ms(turns, end_ms)
    scale = (width - left - right) / total

    def x(ms: float) -> float:
        return round(left + ms * scale, 1)

    rows = {"customer": 22, "trainee": 62}
    svg = (f'<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="{width}" height="130" '
           f'viewBox="0 0 {width} 130" role="img" aria-label="{escape(aria)}">')
    parts = [svg,
             f'<text x="4" y="36">{escape(_speaker("customer", lang))}</text>',
             f'<text x="4" y="76">{escape(_speaker("trainee", lang))}</text>',
             f'<text x="4" y="106">{escape(silence)}</text>']
    for start, end, hold in _silences(card):
        colour, label = ("#7cc", _("hold")) if hold else ("#bbb", _("dead air"))
        parts.append(f'<rect class="{"hold" if hold else "dead-air"}" x="{x(start * 1000)}" y="94" '
                     f'width="{max(x(end * 1000) - x(start * 1000), 1)}" height="16" fill="{colour}">'
                     f'<title>{escape(label)} {sec(f"{start:.2f}-{end:.2f}")}</title></rect>')
    customer = [t for t in turns if t.speaker == "customer"]
    for turn in turns:
        y = rows[turn.speaker]
        colour = "#6a8caf" if turn.speaker == "customer" else "#6aaf7a"
        parts.append(f'<rect class="bar {turn.speaker}" x="{x(turn.start_ms)}" y="{y}" '
                     f'width="{max(x(turn.end_ms) - x(turn.start_ms), 1)}" height="20" fill="{colour}">'
                     f'<title>#{turn.index} {escape(_speaker(turn.speaker, lang))} '
                     f'{sec(f"{_s(turn.start_ms)}-{_s(turn.end_ms)}")}: {escape(turn.text)}</title></rect>')
        if turn.latency_ms is not None:
            parts.append(f'<text class="latency" x="{x(turn.start_ms)}" y="{y + 32}">'
                         f'+{sec(f"{turn.latency_ms / 1000:.1f}")}</text>')
        if turn.speaker == "trainee":
            for line in customer:  # talk-over: the trainee started before the customer finished
                lo, hi = max(turn.start_ms, line.start_ms), min(turn.end_ms, line.end_ms)
                if hi > lo:
                    parts.append(f'<rect class="talk-over" x="{x(lo)}" y="18" width="{max(x(hi) - x(lo), 1)}" '
                                 f'height="68" fill="#e33" opacity="0.45"><title>{escape(talk_over)} '
                                 f'{sec(f"{_s(lo)}-{_s(hi)}")}</title></rect>')
    step = 10_000 if total > 30_000 else 5_000
    step *= -(-total // (step * MAX_TICKS)) or 1   # a timestamp of years must not draw millions
    for tick in range(0, total + 1, step):
        parts.append(f'<text x="{x(tick)}" y="126">{sec(tick // 1000)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _header(*labels: str) -> str:
    return "<table><tr>" + "".join(f"<th>{escape(label)}</th>" for label in labels) + "</tr>"


def scorecard_html(card: dict[str, Any], lang: str = "en") -> str:
    _ = translator(lang).gettext
    if not card:
        return "<p>" + escape(_("This call has no scorecard (run {command}).")).format(
            command="<code>roleplay score --save</code>") + "</p>"
    verdict = _("NOT SCORED") if card.get("status") == "not_scored" else (_("PASS") if card.get("passed") else _("FAIL"))
    head = ("<p><b>" + escape(_("{score} / 100").format(score=card.get("score"))) + "</b> — " + escape(verdict)
            + escape(_(" (pass mark {pass_mark})").format(pass_mark=card.get("pass_mark")))
            + f' {escape(str(card.get("reason") or ""))}</p>')
    rows = [_header(_("item"), _("points"), _("explanation"), _("evidence"))]
    for item in card.get("items") or []:
        cls = "pass" if item.get("passed") else "fail"
        points = (f'{item.get("points", 0):g} / {item.get("max_points", 0):g}' if item.get("applicable", True)
                  else _("n/a"))
        evidence = "".join(f"<li>{escape(str(e.get('note', e) if isinstance(e, dict) else e))}</li>"
                           for e in item.get("evidence") or [])
        item_id = str(item.get("id"))
        title = _(ITEM_TITLES.get(item_id, item_id))
        rows.append(f'<tr><td title="{escape(item_id)}">{escape(title)}</td><td class="{cls}">{escape(points)}</td>'
                    f'<td>{escape(str(item.get("explanation", "")))}</td><td><ul class="note">{evidence}</ul></td></tr>')
    rows.append("</table>")
    return head + "\n".join(rows)


def review_html(standing: EffectiveScore | None, lang: str = "en") -> str:
    """The call's reviewed score beside the automatic one, the overrides and the history."""
    if standing is None or not standing.reviewed:
        return ""
    _ = translator(lang).gettext
    verdict = _("PASS") if standing.passed else _("FAIL")
    why = ""
    if standing.verdict is not None:
        why = " — " + _("failed by {reviewer}: {comment}").format(reviewer=standing.verdict.reviewer,
                                                                  comment=standing.verdict.comment)
    elif standing.auto_failed:
        why = " — " + _("auto-fail stands ({items})").format(
            items=_(", ").join(_(ITEM_TITLES.get(i, i)) for i in standing.auto_failed))
    rows = [_header(_("item"), _("automatic"), _("reviewed"), _("reviewer"), _("comment"))]
    for i in standing.items:
        if i.reviewer:
            rows.append(f'<tr><td title="{escape(i.item_id)}">{escape(_(ITEM_TITLES.get(i.item_id, i.item_id)))}</td>'
                        f"<td>{i.automatic:g} / {i.max_points:g}</td>"
                        f"<td>{i.points:g} / {i.max_points:g}</td><td>{escape(i.reviewer)}</td>"
                        f"<td>{escape(i.comment)}</td></tr>")
    rows.append("</table>")
    items = "".join(f"<li>{escape(line)}</li>" for line in standing.history_lines(lang))
    return (_tag("h2", _("Review")) + "<p><b>"
            + escape(_("Reviewed score {score} / 100").format(score=f"{standing.score:g}")) + f"</b> — {escape(verdict)}"
            + escape(_(" (automatic {score})").format(score=f"{standing.automatic:g}")) + f"{escape(why)}</p>"
            + "\n".join(rows) + _tag("h3", _("History")) + f'<ul class="note">{items}</ul>')


def audio_html(wav: Path | None, lang: str = "en") -> str:
    _ = translator(lang).gettext
    if wav is None:
        return _tag("p", _("No recording (a text-only call)."))
    try:   # never through a symlink: a link to /dev/zero or a secret file is not the call
        data = base64.b64encode(read_bytes(wav, MAX_WAV_BYTES)).decode("ascii")
    except (OSError, ArchiveError) as error:
        reason = str(error) if isinstance(error, ArchiveError) else error.strerror
        return _tag("p", _("The recording is not embedded: {reason}").format(reason=reason))
    return f'<audio id="call-audio" controls preload="auto" src="data:audio/wav;base64,{data}"></audio>'


def build_report(call: ArchivedCall, card: dict[str, Any] | None = None,
                 standing: EffectiveScore | None = None, lang: str | None = None) -> str:
    """The page; `standing` (the records' reviewed score of the call) adds the review; `lang`
    the labels' language (default: the call's)."""
    call_lang = str(call.scenario.language)
    lang = lang or call_lang
    _ = translator(lang).gettext
    card = card if card is not None else (call.scorecard or {})
    turns = derive_turns(call.timeline)
    end_ms = max((e.t_ms for e in call.timeline), default=0)
    title = f"{call.call_id} — {call.scenario.title or call.scenario.id}"
    about = _("trainee {trainee} · started {started} · scenario {scenario} {version}").format(
        trainee=call.trainee, started=call.started_at, scenario=call.scenario.id, version=call.scenario_version)
    return "\n".join([
        "<!DOCTYPE html>", f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>", f"<p>{escape(about)}</p>",
        audio_html(call.wav_path, lang),
        _tag("h2", _("Timeline")), timeline_svg(turns, card, end_ms, lang=lang),
        mood_svg(mood_points(call.timeline), turns, end_ms, lang=lang),
        _tag("h2", _("Transcript")) + '<p class="note">' + escape(_("Click a word to hear it.")) + "</p>",
        transcript_html(turns, card, lang, call_lang),
        review_html(standing, lang),
        _tag("h2", _("Scorecard")), scorecard_html(card, lang),
        f"<script>{SCRIPT}</script>", "</body></html>", ""])


def write_report(call: ArchivedCall, path: Path, standing: EffectiveScore | None = None,
                 lang: str | None = None) -> Path:
    try:
        Path(path).write_text(build_report(call, standing=standing, lang=lang), encoding="utf-8")
    except OSError as error:
        raise ArchiveError(Msg("{path}: cannot write the report ({strerror})", path=path, strerror=error.strerror)) from None
    return Path(path)
