"""QA benchmark: batch re-scoring throughput over N archived text calls (2 processes), and the
time to build one HTML report.

    .venv/bin/python bench/rescore_bench.py [--calls 400] [--jobs 2] [--report CALL_DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from roleplay.archive import read_call
from roleplay.report import build_report
from roleplay.rescore import Options, rescore_all


def make_calls(root: Path, n: int) -> None:
    """Simulate one text call, then copy its folder n times under new call ids."""
    seed = root / "seed"
    subprocess.run([sys.executable, "-m", "roleplay", "simulate", "broadband-slow-en", "--answers",
                    str(ROOT / "scenarios/en/answers/broadband-slow-poor.yaml"), "--asr", "text",
                    "--out", str(seed)], check=True, capture_output=True, cwd=ROOT)
    (call,) = [p for p in seed.iterdir() if p.is_dir()]
    raw = json.loads((call / "call.json").read_text())
    calls = root / "calls"
    for i in range(n):
        target = calls / f"{call.name}-{i:04d}"
        shutil.copytree(call, target)
        raw["call_id"] = target.name
        (target / "call.json").write_text(json.dumps(raw))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--report", type=Path, help="a call folder (with call.wav) to time the report on")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        make_calls(Path(tmp), args.calls)
        started = time.perf_counter()
        results = list(rescore_all([Path(tmp) / "calls"], Options(), jobs=args.jobs))
        took = time.perf_counter() - started
        failed = sum(not r.ok for r in results)
        print(f"rescore: {len(results)} calls, {failed} failed, {args.jobs} processes: "
              f"{took:.2f} s = {len(results) / took:.0f} calls/s")
        call_dir = args.report or next((Path(tmp) / "calls").iterdir())
    call = read_call(call_dir)
    started = time.perf_counter()
    page = build_report(call)
    took = time.perf_counter() - started
    wav = call.wav_path.stat().st_size if call.wav_path else 0
    print(f"report: {call.call_id}: {took * 1000:.0f} ms, {len(page) / 1e6:.1f} MB page "
          f"({wav / 1e6:.1f} MB call.wav)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
