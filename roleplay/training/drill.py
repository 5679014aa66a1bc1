"""`roleplay drill`: one courtesy phrase category, drilled until it comes without thinking.

Each round the customer says one short line (roleplay/drill_prompts.yaml) and the trainee
answers; the round is right when the answer holds a phrase of the category, no forbidden
phrase, and started within the time limit. The drill stops once the trainee is fluent
(`fluent` right answers in a row) or the rounds run out. The answer source is a small
Protocol: typed lines from stdin (`--typed`, scriptable like `roleplay run --typed`), or
speech on the headset (audio/drill_voice.py: the TTS customer says the line, the answer time
runs from the end of the line to the trainee's speech onset, Vosk gives the words).
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from statistics import mean
from typing import TYPE_CHECKING, Any, Protocol, TextIO

import yaml

from phrasebank import Phrasebank, load_phrasebank
from roleplay.engine.keys import read_typed_line
from roleplay.model.clock import Clock, SystemClock
from roleplay.model.errors import RoleplayError
from roleplay.model.i18n import translator
from roleplay.model.message import Msg
from roleplay.training.curriculum import DRILLABLE
from scoring.items import CATEGORY_LABELS
from scoring.phrases import find_phrases

if TYPE_CHECKING:
    from roleplay.training.drill_voice import HeadsetSetup

PROMPTS = resources.files("roleplay.training") / "drill_prompts.yaml"  # package data


@cache
def drill_prompts(language: str, category: str) -> tuple[str, ...]:
    raw = yaml.safe_load(PROMPTS.read_text(encoding="utf-8")) or {}
    lines = (raw.get(language) or {}).get(category) or []
    if not lines:
        have = ", ".join(sorted(raw.get(language) or {})) or "none"
        raise RoleplayError(Msg("{PROMPTS}: no drill lines for {category} in {language!r}; categories there: {have}", PROMPTS=PROMPTS, category=category, language=language, have=have))
    return tuple(str(line) for line in lines)


@dataclass(frozen=True)
class DrillRound:
    index: int
    prompt: str
    answer: str
    elapsed_ms: int
    phrase: str | None                 # the phrase of the category that was found
    forbidden: tuple[str, ...]         # forbidden phrases said
    limit_ms: int

    @property
    def in_time(self) -> bool:
        return self.elapsed_ms <= self.limit_ms

    @property
    def correct(self) -> bool:
        return self.phrase is not None and not self.forbidden and self.in_time

    def verdict(self, lang: str = "en") -> str:
        _ = translator(lang).gettext
        if self.correct:
            return _('right: "{phrase}" in {seconds:.1f} s').format(phrase=self.phrase, seconds=self.elapsed_ms / 1000)
        if not self.answer:
            return _("wrong: no answer")
        why = []
        if self.phrase is None:
            why.append(_("no phrase of the category"))
        if self.forbidden:
            why.append(_("forbidden: {phrases}").format(phrases=_(", ").join(_quoted(f, lang) for f in self.forbidden)))
        if not self.in_time:
            why.append(_("too slow ({seconds:.1f} s, limit {limit:g} s)").format(
                seconds=self.elapsed_ms / 1000, limit=self.limit_ms / 1000))
        return _("wrong: {why}").format(why=_("; ").join(why))


@dataclass(frozen=True)
class DrillResult:
    category: str
    language: str
    rounds: tuple[DrillRound, ...]
    fluent_after: int                  # right answers in a row that count as fluent
    examples: tuple[str, ...]          # phrases of the category, to show on a miss
    mode: str = "typed"                # how the answers came: "typed" or "spoken"

    @property
    def correct(self) -> int:
        return sum(r.correct for r in self.rounds)

    @property
    def best_streak(self) -> int:
        best = run = 0
        for r in self.rounds:
            run = run + 1 if r.correct else 0
            best = max(best, run)
        return best

    @property
    def fluent(self) -> bool:
        return self.best_streak >= self.fluent_after

    def to_json(self) -> dict[str, Any]:
        answered = [r.elapsed_ms for r in self.rounds if r.answer]
        return {
            "category": self.category, "language": self.language, "mode": self.mode, "fluent": self.fluent,
            "fluent_after": self.fluent_after, "rounds": len(self.rounds), "correct": self.correct,
            "best_streak": self.best_streak,
            "mean_answer_s": round(mean(answered) / 1000, 2) if answered else None,
            "items": [{"prompt": r.prompt, "answer": r.answer, "elapsed_s": r.elapsed_ms / 1000,
                       "phrase": r.phrase, "forbidden": list(r.forbidden), "in_time": r.in_time,
                       "correct": r.correct} for r in self.rounds],
        }


class AnswerSource(Protocol):
    def ask(self, prompt: str) -> tuple[str, int] | None:
        """Say `prompt`; the trainee's answer and how long it took to start (ms); None: no more."""
        ...


class TypedSource:
    """Prints the customer's line and reads one typed line; the time runs from the print to the
    first keystroke at a terminal, to the line read when the input is piped."""

    mode = "typed"

    def __init__(self, stream: TextIO, out: TextIO, clock: Clock, lang: str = "en") -> None:
        self.stream = stream
        self.out = out
        self.clock = clock
        self.interactive = stream.isatty()
        _ = translator(lang).gettext
        self.customer, self.prompt = _("customer: "), _("you> ")

    def ask(self, prompt: str) -> tuple[str, int] | None:
        print(f"\n{self.customer}{prompt}", file=self.out, flush=True)
        start = self.clock.now_ms()
        if self.interactive:   # timed to the first keystroke: typing is not a slow start
            typed = read_typed_line(self.stream.fileno(), self.out, self.clock, self.prompt)
            if typed.ended:
                return None
            onset = typed.onset_ms if typed.onset_ms is not None else typed.offset_ms
            return typed.text.strip(), onset - start
        line = self.stream.readline()
        if not line:
            return None
        text = line.strip()
        if not self.interactive:
            print(f"{self.prompt}{text}", file=self.out, flush=True)
        return text, self.clock.now_ms() - start


def judge(index: int, prompt: str, answer: str, elapsed_ms: int, category: str, bank: Phrasebank,
          limit_ms: int) -> DrillRound:
    found = {m.category: m for m in find_phrases(answer, bank, (category, "forbidden"))} if answer else {}
    hit = found.get(category)
    bad = (found["forbidden"].text,) if "forbidden" in found else ()
    return DrillRound(index, prompt, answer, elapsed_ms, hit.text if hit else None, bad, limit_ms)


@dataclass(frozen=True)
class DrillOptions:
    category: str
    language: str
    rounds: int = 20
    limit_s: float = 5.0            # an answer must start within this
    fluent_after: int = 5           # right answers in a row that end the drill
    seed: int | None = None         # the order of the lines; None: a new order each time
    ui_lang: str | None = None      # the words around the lines; None: the drill's language


def run_drill(options: DrillOptions, source: AnswerSource, *,
              on_round: Callable[[DrillRound], None] | None = None,
              bank: Phrasebank | None = None) -> DrillResult:
    category, language = options.category, options.language
    rounds, limit_s, fluent_after = options.rounds, options.limit_s, options.fluent_after
    if category not in DRILLABLE:
        raise RoleplayError(Msg("no drill for '{category}'; choose one of: {DRILLABLE}", category=category, DRILLABLE=', '.join(DRILLABLE)))
    bank = bank or load_phrasebank(language)
    prompts = list(drill_prompts(language, category))
    order = random.Random(options.seed)
    done: list[DrillRound] = []
    streak = 0
    deck: list[str] = []
    while len(done) < rounds and streak < fluent_after:
        if not deck:                    # every line once before any repeats
            deck = order.sample(prompts, len(prompts))
        prompt = deck.pop()
        reply = source.ask(prompt)
        if reply is None:
            break
        result = judge(len(done) + 1, prompt, reply[0], reply[1], category, bank, int(limit_s * 1000))
        done.append(result)
        streak = streak + 1 if result.correct else 0
        if on_round:
            on_round(result)
    examples = tuple(p for p in bank.categories.get(category, ()) if "*" not in p)[:3]
    mode = str(getattr(source, "mode", "typed"))
    return DrillResult(category, language, tuple(done), fluent_after, examples, mode)


def _quoted(text: str, lang: str) -> str:
    return translator(lang).gettext('"{text}"').format(text=text)


def render_summary(result: DrillResult, lang: str = "en") -> str:
    _ = translator(lang).gettext
    r = result.to_json()
    mean_s = "-" if r["mean_answer_s"] is None else _("{seconds:g} s").format(seconds=r["mean_answer_s"])
    category = _(CATEGORY_LABELS.get(result.category, result.category))
    lines = ["\n" + _("{category} ({language}): {correct} of {rounds} right, best streak {streak}, mean answer"
                      " time {mean}").format(category=category, language=_(result.language), correct=result.correct,
                                             rounds=len(result.rounds), streak=result.best_streak, mean=mean_s),
             _("fluent") if result.fluent else _("not fluent yet: {n} right in a row needed").format(
                 n=result.fluent_after)]
    if not result.fluent and result.examples:
        lines.append(_("try phrases like: {phrases}").format(
            phrases=_(", ").join(_quoted(p, lang) for p in result.examples)))
    return "\n".join(lines) + "\n"


def drill_command(options: DrillOptions, *, as_json: bool = False, stream: TextIO | None = None,
                  out: TextIO | None = None, headset: HeadsetSetup | None = None) -> int:
    """Typed answers from `stream`, or spoken ones on the headset when `headset` is given.
    Exit 0 when the trainee reached fluency, 1 when the rounds ran out first."""
    import json

    category, language, limit_s = options.category, options.language, options.limit_s
    lang = options.ui_lang or language
    _ = translator(lang).gettext
    out = out or sys.stdout
    view = sys.stderr if as_json else out
    bank = load_phrasebank(language)  # before a microphone opens: its stream is the drill's clock
    source: AnswerSource
    if headset is None:
        source = TypedSource(stream or sys.stdin, view, SystemClock(), lang)
        how = _("answer each line")
    else:
        from roleplay.training.drill_voice import open_headset_source

        # Opens and checks everything (microphone, model, voice) before the first round.
        source = open_headset_source(language, drill_prompts(language, category), round(limit_s * 1000),
                                     headset, view, lang)
        how = _("answer each line out loud after the customer")
    print(_("drill: {category} ({language}); {how}, {limit:g} s to start, {n} right in a row to finish").format(
        category=_(CATEGORY_LABELS.get(category, category)), language=_(language), how=how, limit=limit_s,
        n=options.fluent_after), file=view, flush=True)

    def show(r: DrillRound) -> None:
        print(f"  {r.verdict(lang)}", file=view, flush=True)

    try:
        result = run_drill(options, source, on_round=show, bank=bank)
    finally:
        close = getattr(source, "close", None)
        if close:
            close()
    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False), file=out)
    else:
        print(render_summary(result, lang), end="", file=out)
    return 0 if result.fluent else 1
