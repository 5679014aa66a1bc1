"""QA call search over a big archive: 20,000 recorded calls (200 trainees, 16 scenarios, 5%
auto-failed, 3% reviewed) in a SQLite records file, then random filter combinations of
GET /api/archive (trainee, scenario, date range, score range, auto-fail, reviewed, sort,
page) through the real app in process, and the same queries straight on search_archive.

    .venv/bin/python bench/archive_search_bench.py [--calls 20000] [--queries 300]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from qa_calls import make_scorecard
from web_helpers import client

from roleplay.records.archive_search import ArchiveQuery, search_archive
from roleplay.records.reviews import override_item
from roleplay.records.store import attempt_record, open_store

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def fill(url: str, calls: int, rng: random.Random) -> None:
    with open_store(url) as store:
        batch = []
        for n in range(calls):
            card = make_scorecard(f"c{n:05d}")
            card["score"] = round(rng.uniform(20, 100), 1)
            card["passed"] = card["score"] >= 70
            if rng.random() < 0.05:
                card["auto_failed"], card["passed"] = ["forbidden"], False
            started = T0 + timedelta(minutes=17 * n)
            batch.append(attempt_record({
                "schema": 1, "call_id": f"c{n:05d}", "trainee": f"t{rng.randrange(200):03d}",
                "started_at": started.isoformat(),
                "scenario": {"id": f"s{rng.randrange(16):02d}", "version": "v1", "language": "en",
                             "title": "", "stage": "lookup", "level": 1, "pass_mark": 70},
                "scorecard": card}))
            if len(batch) == 1000:
                store.record_attempts(batch)
                batch = []
        store.record_attempts(batch)
        for n in rng.sample(range(calls), calls * 3 // 100):
            override_item(store, f"c{n:05d}", "courtesy", "qa", 10.0, "")


def random_params(rng: random.Random, calls: int) -> dict[str, str]:
    params: dict[str, str] = {}
    if rng.random() < 0.5:
        params["trainee"] = f"t{rng.randrange(200):03d}"
    if rng.random() < 0.4:
        params["scenario"] = f"s{rng.randrange(16):02d}"
    if rng.random() < 0.4:
        start = T0 + timedelta(minutes=17 * rng.randrange(calls))
        params["from"], params["to"] = start.isoformat(), (start + timedelta(days=30)).isoformat()
    if rng.random() < 0.4:
        lo = rng.uniform(20, 80)
        params["min_score"], params["max_score"] = f"{lo:.0f}", f"{lo + 20:.0f}"
    if rng.random() < 0.2:
        params["auto_fail"] = rng.choice(["yes", "no"])
    if rng.random() < 0.2:
        params["reviewed"] = rng.choice(["yes", "no"])
    params["sort"] = rng.choice(["newest", "oldest", "score", "-score"])
    params["page"] = str(rng.choice([1, 1, 1, 2, 5]))
    return params


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=20_000)
    ap.add_argument("--queries", type=int, default=300)
    args = ap.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/records.db"
        t0 = time.perf_counter()
        fill(url, args.calls, rng)
        filled = time.perf_counter() - t0
        c = client(Path(tmp))
        queries = [random_params(rng, args.calls) for _ in range(args.queries)]
        http = []
        for params in queries:
            t0 = time.perf_counter()
            r = c.get("/api/archive", params=params)
            http.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, r.text
        direct = []
        with open_store(url) as store:
            for params in queries:
                query = ArchiveQuery(
                    trainee=params.get("trainee"), scenario=params.get("scenario"),
                    since=datetime.fromisoformat(params["from"]) if "from" in params else None,
                    until=datetime.fromisoformat(params["to"]) if "to" in params else None,
                    min_score=float(params["min_score"]) if "min_score" in params else None,
                    max_score=float(params["max_score"]) if "max_score" in params else None,
                    auto_fail={"yes": True, "no": False}.get(params.get("auto_fail", "")),
                    reviewed=params.get("reviewed"),  # type: ignore[arg-type]
                    sort=params["sort"], page=int(params["page"]))
                t0 = time.perf_counter()
                search_archive(store, query)
                direct.append((time.perf_counter() - t0) * 1000)
    print(f"{args.calls} calls recorded in {filled:.1f} s; load average {os.getloadavg()[0]:.1f}")
    print(f"GET /api/archive, {args.queries} random filter sets: median {statistics.median(http):.1f} ms, "
          f"p95 {p95(http):.1f} ms (target p95 <= 200 ms)")
    print(f"search_archive alone: median {statistics.median(direct):.1f} ms, p95 {p95(direct):.1f} ms")


if __name__ == "__main__":
    main()
