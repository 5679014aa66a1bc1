"""Scoring throughput: timelines scored per second, one process and a pool of 2.

    python bench/score_throughput.py [-n 500] [--write-docs]

Builds N synthetic, realistic calls (seeded): the five-node broadband call of
tests/scoring_builders.py in English and Chinese, answers drawn from good and poor
phrasings with fillers, talk-over, slow answers, holds, ASR partials and word times (about
40-50 events per call). Scores them with the shipped phrasebank, as QA re-scoring does, and
reports timelines/s. `--write-docs` puts the figures under "## Scoring" in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from multiprocessing import get_context
from pathlib import Path

from docs_section import write_section  # bench/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from scoring_builders import Script, broadband_scenario

from phrasebank import load_phrasebank
from roleplay.model.events import EventKind, Timeline
from scoring.scorecard import score

SECTION = "## Scoring"
ANSWERS = {
    "en": {
        "greet": ["Good morning, thank you for calling Skyline, my name is Sam. How can I help you today?",
                  "Yeah, um, what is the problem?", "Hello, this is Amy speaking, uh, how can I help?"],
        "lookup": ["Could you confirm the name on the account? Thank you. One moment, let me check that for you.",
                   "Um, hold on.", "Let me check that for you, please hold."],
        "back": ["Thank you for waiting. You are on Fibre 50 at the moment.",
                 "You are on Fibre 100, I think.", "Thanks for holding, you are on the Fibre 50 plan."],
        "complaint": ["I am so sorry about that, I understand how frustrating it is. The faster plan is 49 dollars a month.",
                      "Calm down, you know, the faster plan is 59 dollars.",
                      "I apologize for the trouble. Our upgrade costs 49 dollars and it is twice as fast."],
        "wrap_up": ["Is there anything else I can help you with? Have a nice day, goodbye.", "OK.",
                    "Anything else today? Goodbye."],
    },
    "zh": {
        "greet": ["您好，欢迎致电天际宽带，我是小王，工号1024。", "嗯，什么事？", "您好，我是小李，很高兴为您服务。"],
        "lookup": ["好的，我先核实一下您的身份。请稍等，我帮您查询一下。", "那个，等一下。", "请您稍等，我帮您查询一下。"],
        "back": ["让您久等了，您现在是光纤50套餐。", "您是光纤100吧。", "感谢您的耐心等待，您是光纤50套餐。"],
        "complaint": ["非常抱歉给您带来不便，理解您的心情。升级套餐每月49元。", "不归我管，升级要59元。",
                      "对不起，我理解。升级套餐49元，速度快很多。"],
        "wrap_up": ["请问还有什么可以帮您的吗？祝您生活愉快，再见。", "好。", "还有什么可以帮您？再见。"],
    },
}
LINES = {"greet": "Hi, my internet is slow.", "lookup": "My account is 88001234. What plan am I on?",
         "complaint": "That is too slow, I am angry!", "wrap_up": "OK, thanks.", "bye": "Bye."}


def synthetic_call(rng: random.Random, language: str) -> Timeline:
    pick = ANSWERS[language]
    unit_ms = rng.randint(200, 280) if language == "zh" else rng.randint(320, 480)
    s = Script(f"broadband-{language}", language)

    def answer(node: str, text: str) -> None:
        s.answer(node, text, rng.choice([-600, 700, 1200, 2500, 4500, 7000]), unit_ms)
        for _ in range(rng.randint(0, 3)):    # partials the recogniser sent while listening
            s.add(EventKind.ASR_PARTIAL, t_ms=s.t - 200, node=node, text=text[:8])

    for node, after in (("greet", "lookup"), ("lookup", "complaint"), ("complaint", "wrap_up"), ("wrap_up", "bye")):
        mood = rng.choice([2.0, 5.0, 7.5])
        s.line(node, LINES[node], rng.randint(1500, 3500), mood)
        answer(node, rng.choice(pick[node]))
        if node == "lookup":
            s.hold(node, rng.randint(5_000, 80_000))
            s.after_hold(node, rng.choice(pick["back"]))
        s.next(node, after, mood=mood)
    return s.end("bye", LINES["bye"], rng.choice(["resolved", "resolved", "escalated", "hung_up"])).timeline


def make_calls(count: int, seed: int = 1) -> list[tuple[str, Timeline]]:
    rng = random.Random(seed)
    return [(lang, synthetic_call(rng, lang)) for lang in (rng.choice(["en", "en", "zh"]) for _ in range(count))]


_CONTEXT: dict[str, tuple[object, object]] = {}


def _setup() -> None:
    for lang in ("en", "zh"):
        _CONTEXT[lang] = (broadband_scenario(lang), load_phrasebank(lang))


def _score_one(item: tuple[str, Timeline]) -> float:
    lang, timeline = item
    scenario, bank = _CONTEXT[lang]
    return score(timeline, scenario, bank).score  # type: ignore[arg-type]


def run(count: int, workers: int) -> dict[str, float]:
    calls = make_calls(count)
    _setup()
    load = os.getloadavg()[0]
    t0, cpu0 = time.perf_counter(), time.process_time()
    single = [_score_one(c) for c in calls]
    one, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    with get_context("fork").Pool(workers, initializer=_setup) as pool:
        pool.map(_score_one, calls[:workers * 2])          # warm the workers
        t0 = time.perf_counter()
        pooled = pool.map(_score_one, calls, chunksize=max(1, count // (workers * 8)))
        many = time.perf_counter() - t0
    assert pooled == single, "scores differ between processes: scoring is not deterministic"
    return {"calls": count, "events": sum(len(t) for _, t in calls) / count, "one_per_s": count / one,
            "pool_per_s": count / many, "workers": workers, "mean_score": sum(single) / count,
            "cpu_per_s": count / cpu, "load": load}


def write_docs(text: str) -> None:
    write_section(SECTION, text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--calls", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    r = run(args.calls, args.workers)
    text = (
        f"{SECTION}\n\n"
        f"`python bench/score_throughput.py -n {args.calls} --workers {args.workers}` on "
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPU(s). "
        f"{r['calls']:.0f} synthetic calls (en and zh, {r['events']:.0f} events each on average, "
        f"good and poor answers, holds, talk-over), scored with the shipped phrasebank; "
        f"mean score {r['mean_score']:.1f}.\n\n"
        "| measure | timelines/s |\n|---|---|\n"
        f"| `score()`, one process | {r['one_per_s']:.0f} |\n"
        f"| `score()`, pool of {r['workers']} processes | {r['pool_per_s']:.0f} |\n"
        f"| `score()`, one process, per CPU-second (independent of machine load) | {r['cpu_per_s']:.0f} |\n\n"
        f"Load average when the run started: {r['load']:.1f}. The pool's scores are checked equal to "
        "the single process's (determinism). Nearly all the time is `find_phrases` (one call per "
        "trainee turn, plus one per extra forbidden/filler occurrence): scoring's own work is a "
        "few percent of it.\n"
    )
    print(text)
    if args.write_docs:
        write_docs(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
