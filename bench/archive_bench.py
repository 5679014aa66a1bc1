"""Archive and records throughput: how fast QA can read archived calls back.

Writes N synthetic calls (a realistic two-turn timeline with ASR partials and word times,
and a scorecard) with CallWriter, then measures:
  - read + parse (read_call over iter_calls): the first pass (scenario YAML parsed once)
    and a warm pass, in calls per second;
  - recording those calls into a fresh SQLite records database, attempts per second.
The QA target later is re-scoring >= 200 calls/s text-only on 2 cores; reading must be well
above that. `--write-docs` puts the figures under "## Archive and records" in
docs/benchmarks.md (other sections are left alone).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from docs_section import write_section  # bench/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from qa_calls import EN_SCENARIO, make_scorecard, make_timeline

from roleplay.archive.calls import ArchivedCall, CallWriter, iter_calls
from roleplay.authoring.loader import load_scenario
from roleplay.records.store import open_store

SECTION = "## Archive and records"


def write_calls(root: Path, count: int, partials: int, turns: int) -> int:
    scenario = load_scenario(EN_SCENARIO)
    events = 0
    for n in range(count):
        writer = CallWriter(root, scenario, f"trainee-{n % 20}", call_id=f"call-{n:05d}")
        timeline = make_timeline("en", partials=partials, sink=writer.event, turns=turns)
        writer.finish(timeline, make_scorecard(writer.call_id))
        events += len(timeline)
    return events // count


def read_all(root: Path) -> tuple[list[ArchivedCall], float]:
    started = time.perf_counter()
    calls = [c for c in iter_calls([root]) if isinstance(c, ArchivedCall)]
    return calls, time.perf_counter() - started


def run(count: int, partials: int, turns: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="archive-bench-") as tmp:
        root = Path(tmp) / "calls"
        per_call = write_calls(root, count, partials, turns)
        first, cold_s = read_all(root)
        again, warm_s = read_all(root)
        assert len(first) == len(again) == count, "every written call must read back"
        with open_store(f"sqlite:///{tmp}/records.db") as store:
            started = time.perf_counter()
            for call in again:
                store.record_attempt(call.raw)
            record_s = time.perf_counter() - started
        size = sum(p.stat().st_size for p in root.glob("*/call.json")) / count
    return {"calls": count, "events_per_call": per_call, "call_json_kb": size / 1024,
            "cold_per_s": count / cold_s, "warm_per_s": count / warm_s,
            "record_per_s": count / record_s}


def write_docs(text: str) -> None:
    write_section(SECTION, text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--calls", type=int, default=1000)
    parser.add_argument("--partials", type=int, default=12, help="ASR partials per answer")
    parser.add_argument("--turns", type=int, default=10, help="exchanges per call")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()[0]  # other work on the machine skews every figure below
    r = run(args.calls, args.partials, args.turns)
    text = (
        f"{SECTION}\n\n"
        f"`python bench/archive_bench.py -n {args.calls} --turns {args.turns} "
        f"--partials {args.partials}` on "
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPU(s), "
        f"one process, load average {load:.1f} at start. {r['calls']:.0f} calls of {r['events_per_call']:.0f} events "
        f"({r['call_json_kb']:.1f} KiB call.json each).\n\n"
        "| measure | calls/s |\n|---|---|\n"
        f"| read + parse, first pass (`iter_calls`, scenario YAML parsed once) | {r['cold_per_s']:.0f} |\n"
        f"| read + parse, warm page cache | {r['warm_per_s']:.0f} |\n"
        f"| record into SQLite (`record_attempt`, one transaction per call) | {r['record_per_s']:.0f} |\n\n"
        f"QA re-scoring must reach 200 calls/s (text only, 2 cores): at this reading speed the "
        f"archive read alone takes {100 * 200 / (2 * r['warm_per_s']):.0f}% of those 2 cores. "
        "Most of it is building Event objects (`Timeline.from_json`) and parsing JSON "
        "(orjson is used when installed: about 2x faster than the stdlib parser).\n"
    )
    print(text)
    if args.write_docs:
        write_docs(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
