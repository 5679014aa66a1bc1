"""Hand-built calls for the archive, records and QA tests (and bench/archive_bench.py):
realistic timelines and scorecards without the call engine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from roleplay.model.events import (
    AsrFinal,
    AsrPartial,
    CallEnded,
    CallStarted,
    CustomerLineEnded,
    CustomerLineStarted,
    NodeEntered,
    SpokenWord,
    Timeline,
    TraineeSpeechEnded,
    TraineeSpeechStarted,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "qa"
EN_SCENARIO = FIXTURES / "tiny-en.yaml"
ZH_SCENARIO = FIXTURES / "tiny-zh.yaml"
T0 = datetime(2026, 11, 22, 15, 30, 12, tzinfo=UTC)

ANSWERS = {
    "en": ["Good morning, thank you for calling, this is Anna.", "The fibre plan is 49 dollars a month."],
    "zh": ["您好，很高兴为您服务，我是小王。", "光纤套餐每月四十九元。"],
}


def make_timeline(language: str = "en", partials: int = 4, sink: Any = None,
                  turns: int = 2) -> Timeline:
    """A call of `turns` exchanges (customer line, trainee answer with partials and word
    times), then the end."""
    timeline = Timeline(sink=sink)
    timeline.append(0, CallStarted(scenario=f"tiny-{language}", language=language,
                    trainee="trainee-1"))
    t = 0
    for turn in range(turns):
        node, answer = ("greet", "bye")[turn % 2], ANSWERS[language][turn % 2]
        timeline.append(t, NodeEntered(node=node))
        timeline.append(t, CustomerLineStarted(node=node, text="...", mood=2.0))
        t += 2500
        timeline.append(t, CustomerLineEnded(node=node, cut=False))
        t += 900 + 300 * (turn % 2)
        timeline.append(t, TraineeSpeechStarted(node=node))
        words = answer.split() if language == "en" else list(answer)
        for p in range(1, partials + 1):
            timeline.append(t + 400 * p, AsrPartial(node=node,
                            text=" ".join(words[: len(words) * p // (partials + 1)])))
        timed = tuple(SpokenWord(w, t + 250 * i, t + 250 * i + 200, 0.9) for i, w in enumerate(words))
        t += 250 * len(words)
        timeline.append(t, TraineeSpeechEnded(node=node))
        timeline.append(t + 300, AsrFinal(node=node, text=answer, words=timed))
        t += 600
    timeline.append(t, CallEnded(node="bye", outcome="resolved"))
    return timeline


DEFAULT_ITEMS = (("greeting", "phrase", 10.0, 10.0), ("fibre_price", "fact", 30.0, 40.0),
                 ("latency", "timing", 20.0, 20.0), ("courtesy", "phrase", 15.0, 30.0))


def make_scorecard(call_id: str, score: float | None = None,
                   items: tuple[tuple[str, str, float, float], ...] = DEFAULT_ITEMS,
                   pass_mark: float = 70.0) -> dict[str, Any]:
    total = sum(m for *_, m in items)
    score = round(100 * sum(p for _, _, p, _ in items) / total, 2) if score is None else score
    return {
        "call_id": call_id, "scenario": "tiny-en", "score": score, "passed": score >= pass_mark,
        "pass_mark": pass_mark,
        "items": [{"id": i, "kind": k, "passed": p >= m / 2, "points": p, "max_points": m,
                   "evidence": [{"event": 7, "text": "thank you for calling"}]}
                  for i, k, p, m in items],
        "turns": [],
    }


def make_call_json(call_id: str, trainee: str = "trainee-1", language: str = "en",
                   scorecard: dict[str, Any] | None | bool = True, minutes: int = 0,
                   scenario_id: str = "tiny-en", title: str = "Tiny broadband question") -> dict[str, Any]:
    """A call.json dict as the archive writes it (for the records tests, no folder needed)."""
    card = make_scorecard(call_id) if scorecard is True else scorecard or None
    return {
        "schema": 1, "call_id": call_id, "trainee": trainee,
        "started_at": (T0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z"),
        "scenario": {"id": scenario_id, "version": "v1", "path": "x.yaml", "language": language,
                     "title": title, "stage": "inquiry", "level": 1, "pass_mark": 70},
        "timeline": make_timeline(language, partials=1).to_json(),
        "scorecard": card, "scorecards": [],
    }
