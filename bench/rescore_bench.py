"""QA benchmark: batch re-scoring throughput over N archived text calls (2 processes; 16 kinds of
call, en and zh, good and poor, copied round-robin; the new cards recorded in SQLite as
`roleplay rescore` does), and the
time to build one HTML report.

    .venv/bin/python bench/rescore_bench.py [--calls 400] [--jobs 2] [--report CALL_DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from roleplay.archive.calls import read_call
from roleplay.qa.report import build_report
from roleplay.qa.rescore import Options, rescore_all
from roleplay.records.progress import RecordBatch

# Good and poor answers over both languages and all three kinds of call, so the batch's texts
# vary like a centre's archive does.
SEEDS = [f"{lang}/answers/{stem}-{quality}.yaml" for lang in ("en", "zh")
         for stem in ("broadband-slow", "card-lookup", "pharmacy-complaint", "returns-inquiry")
         for quality in ("good", "poor")]


def make_calls(root: Path, n: int) -> None:
    """Simulate each seed call once (text), then copy the folders round-robin to n calls."""
    seeds = []
    for number, answers in enumerate(SEEDS):
        lang, _, name = answers.partition("/answers/")
        scenario = ROOT / "scenarios" / lang / (name.rsplit("-", 1)[0] + ".yaml")
        out = root / "seed" / str(number)
        subprocess.run([sys.executable, "-m", "roleplay", "simulate", str(scenario), "--answers",
                        str(ROOT / "scenarios" / answers), "--asr", "text", "--out", str(out)],
                       check=True, capture_output=True, cwd=ROOT)
        seeds.extend(p for p in out.iterdir() if p.is_dir())
    calls = root / "calls"
    for i in range(n):
        call = seeds[i % len(seeds)]
        target = calls / f"{call.name}-{i:04d}"
        shutil.copytree(call, target)
        raw = json.loads((call / "call.json").read_text())
        raw["call_id"] = target.name
        (target / "call.json").write_text(json.dumps(raw))


def _cpu_s() -> float:
    """CPU seconds of this process and its finished children (the pool's workers): a figure
    that does not depend on what else the machine is doing."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--report", type=Path, help="a call folder (with call.wav) to time the report on")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        make_calls(Path(tmp), args.calls)
        cpu_before = _cpu_s()
        started = time.perf_counter()
        # As `roleplay rescore` does: every new card also goes to the records database.
        records = RecordBatch(f"sqlite:///{tmp}/records.db")
        results = []
        for result in rescore_all([Path(tmp) / "calls"], Options(), jobs=args.jobs):
            results.append(result)
            if result.record is not None:
                records.add(result.record)
        records.close()
        took = time.perf_counter() - started
        cpu = _cpu_s() - cpu_before
        failed = sum(not r.ok for r in results)
        print(f"rescore: {len(results)} calls ({len(SEEDS)} kinds), {failed} failed, {args.jobs} processes: "
              f"{took:.2f} s = {len(results) / took:.0f} calls/s; "
              f"{cpu * 1000 / len(results):.1f} CPU-ms per call = {len(results) / cpu * args.jobs:.0f} calls/s "
              f"on {args.jobs} idle cores")
        # The report is timed while the batch's folder still exists.
        call = read_call(args.report or next((Path(tmp) / "calls").iterdir()))
        started = time.perf_counter()
        page = build_report(call)
        took = time.perf_counter() - started
    wav = call.wav_path.stat().st_size if call.wav_path else 0
    print(f"report: {call.call_id}: {took * 1000:.0f} ms, {len(page) / 1e6:.1f} MB page "
          f"({wav / 1e6:.1f} MB call.wav)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
