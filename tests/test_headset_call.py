"""A whole live call (`roleplay run`) on the virtual ALSA headset, through the real PortAudio
microphone and headphones, real Vosk (the Korean model: mechanics, never words), the stereo
recorder, the archive, the scorecard and the records database.

The microphone is a FIFO fed in real time (tests/alsa/fifo_mic.py: ALSA's null slave does not
pace capture); the trainee answers `DELAY_MS` after each customer line ends
(tests/alsa/headset_run.py). Everything the microphone delivered is kept (`mic.fed`), so the
recording's trainee channel can be checked sample for sample.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import speechgen
from alsa.fifo_mic import FifoMicrophone
from alsa.headset_run import ROOT, LiveCall, VirtualHeadset

from roleplay.archive.calls import read_call
from roleplay.frontends.spoken import trim_silence

pytestmark = pytest.mark.slow

SCENARIO = ROOT / "tests" / "fixtures" / "headset" / "two-turn-en.yaml"
LINES = {"greet": "Hi, I have a question about my bill.", "bye": "Great, thanks for your help."}
# One phrase each, no full stop: espeak-ng's pause there is longer than the endpointer waits.
ANSWERS = ("Good morning thank you for calling this is Sam", "You are welcome have a nice day")
DELAY_MS = 600
RATE = 16000


@pytest.fixture(scope="module")
def answer_audio(espeak: str) -> list[np.ndarray]:
    return [trim_silence(speechgen.render(text, espeak, voice="en-gb", speed_wpm=170)) for text in ANSWERS]


@pytest.fixture
def live(tmp_path: Path, answer_audio: list[np.ndarray]) -> Iterator[LiveCall]:
    headset = VirtualHeadset.make(tmp_path, in_raw=tmp_path / "mic.fifo")
    mic = FifoMicrophone(headset.in_raw)
    call = LiveCall(headset, mic, tmp_path / "calls", list(answer_audio), DELAY_MS)
    yield call
    if call.process and call.process.poll() is None:
        call.kill()
    mic.close()


def of_kind(events: list[dict[str, Any]], kind: str, node: str | None = None) -> list[dict[str, Any]]:
    return [e for e in events if e["kind"] == kind and (node is None or e.get("node") == node)]


def read_stereo(path: Path) -> np.ndarray:
    with wave.open(str(path)) as wav:  # the stdlib reader trusts the header: a torn one fails here
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (2, 2, RATE)
        frames = wav.readframes(wav.getnframes())
    assert len(frames) == wav.getnframes() * 4
    return np.frombuffer(frames, "<i2").reshape(-1, 2)


def trainee_origin(right: np.ndarray, fed: np.ndarray) -> int:
    """The recording frame where the microphone's first sample was placed."""
    head = fed[:RATE // 10]
    starts = [i for i in np.flatnonzero(right[: 5 * RATE] == head[0]) if np.array_equal(right[i:i + len(head)], head)]
    assert len(starts) == 1, "the microphone's audio is not in the right channel"
    return int(starts[0])


def check_trainee_channel(call: LiveCall, stereo: np.ndarray) -> int:
    """The right channel is the microphone's stream, sample for sample, from the listener's
    origin; returns that origin (ms of call time)."""
    fed = np.frombuffer(bytes(call.mic.fed), "<i2")
    origin = trainee_origin(stereo[:, 1], fed)
    recorded = stereo[origin:, 1]
    n = min(len(recorded), len(fed))
    assert n > RATE and np.array_equal(recorded[:n], fed[:n])
    assert not stereo[:origin, 1].any()
    return origin * 1000 // RATE


def test_a_whole_call_on_the_headset(live: LiveCall, vosk_model_path: Path,
                                     answer_audio: list[np.ndarray]) -> None:
    live.start(SCENARIO, vosk_model_path, "--trainee", "headset-tester")
    live.follow()
    code, out, err = live.output()
    assert code == 0, err
    assert "Traceback" not in err and "archived in" in out
    call_dir = live.call_dir
    assert call_dir is not None and {"call.json", "call.wav", "events.jsonl", "meta.json"} <= {
        p.name for p in call_dir.iterdir()}
    events = [json.loads(line) for line in (call_dir / "events.jsonl").read_text().splitlines()]
    saved = json.loads((call_dir / "call.json").read_text())
    assert [e["kind"] for e in saved["timeline"]] == [e["kind"] for e in events]
    assert saved["outcome"] == "resolved" and saved["scorecard"]["items"]
    assert of_kind(events, "call_ended")[0]["outcome"] == "resolved"

    # The customer said both lines, in full; the trainee spoke once after each, never over them.
    started = {e["node"]: e for e in of_kind(events, "customer_line_started")}
    ended = {e["node"]: e for e in of_kind(events, "customer_line_ended")}
    assert {n: e["text"] for n, e in started.items()} == LINES
    assert not any(e["cut"] for e in ended.values()) and not of_kind(events, "talk_over")
    stereo = read_stereo(call_dir / "call.wav")
    origin_ms = check_trainee_channel(live, stereo)
    fed_samples = len(live.mic.fed) // 2
    for node, said_at, audio in zip(LINES, live.answered_at, answer_audio, strict=True):
        onset = of_kind(events, "trainee_speech_started", node)
        assert len(onset) == 1
        line_end = ended[node]["t_ms"]
        assert onset[0]["t_ms"] >= line_end + DELAY_MS - 100  # answered after the line, not before
        # The onset is where the answer really is in the microphone's stream (VAD latency only).
        spoken_ms = origin_ms + live.stream_index(said_at) * 1000 // RATE
        assert -60 <= onset[0]["t_ms"] - spoken_ms <= 250, (onset, spoken_ms)
        final = of_kind(events, "asr_final", node)
        assert len(final) == 1 and final[0]["words"] and of_kind(events, "asr_partial", node)
        speech_end = of_kind(events, "trainee_speech_ended", node)[0]
        assert spoken_ms - 100 <= final[0]["words"][0]["start_ms"] <= speech_end["t_ms"]
        assert final[0]["t_ms"] == speech_end["endpoint_ms"] >= speech_end["t_ms"]
        assert speech_end["t_ms"] - onset[0]["t_ms"] >= 0.6 * len(audio) * 1000 / RATE
        assert (origin_ms + fed_samples * 1000 // RATE) >= speech_end["t_ms"]
    # The scorecard judged the answer time the timeline shows (4 s allowed at greet).
    waited_ms = of_kind(events, "trainee_speech_started", "greet")[0]["t_ms"] - ended["greet"]["t_ms"]
    latency = next(item for item in saved["scorecard"]["items"] if item["id"] == "latency")
    assert latency["passed"] == (waited_ms <= 4000) and f"{waited_ms / 1000:.1f} s" in json.dumps(latency)

    # Left channel: the customer's lines exactly as the headphones played them, at their times.
    played = live.headset.played()
    assert len(played) == len(LINES)  # one output stream per line
    for node, stream in zip(LINES, played, strict=True):
        start, end = started[node]["t_ms"] * RATE // 1000, ended[node]["t_ms"] * RATE // 1000
        line = np.trim_zeros(stereo[start - RATE // 100 : end + RATE // 100, 0])
        assert len(line) > 0.8 * (end - start)
        heard = np.trim_zeros(np.frombuffer(stream, "<i2"))  # PortAudio primes with silence
        assert np.array_equal(heard, line), f"the {node} line in call.wav is not what was played"
        assert not stereo[end + RATE // 100 : end + RATE // 2, 0].any()  # the customer waits
    assert sum(np.count_nonzero(np.frombuffer(s, "<i2")) for s in played) == np.count_nonzero(stereo[:, 0])

    from roleplay.records.store import open_store

    with open_store() as store:  # $ROLEPLAY_DB, set by conftest for this test
        attempts = store.attempts(trainee="headset-tester")
    assert [a.call_id for a in attempts] == [call_dir.name]


def test_a_call_killed_mid_way_leaves_a_playable_wav_and_its_timeline(
    live: LiveCall, vosk_model_path: Path
) -> None:
    live.start(SCENARIO, vosk_model_path)
    live.follow(until=lambda events: bool(of_kind(events, "asr_final", "greet")))
    live.kill()  # SIGKILL: no handler runs, nothing is closed
    call_dir = live.call_dir
    assert call_dir is not None and not (call_dir / "call.json").exists()
    stereo = read_stereo(call_dir / "call.wav")  # the header counts what was flushed
    check_trainee_channel(live, stereo)
    final_ms = of_kind(live.events, "asr_final", "greet")[0]["t_ms"]
    assert len(stereo) * 1000 // RATE >= final_ms - 400  # at most the hold-back and a flush behind
    assert np.count_nonzero(stereo[:, 0]) > RATE  # the customer's first line

    recovered = read_call(call_dir)
    assert not recovered.complete and recovered.scorecard is None
    kinds = [e.kind.value for e in recovered.timeline.events]
    assert kinds[:3] == ["call_started", "node_entered", "customer_line_started"]
    assert "trainee_speech_started" in kinds and "asr_final" in kinds
    done = subprocess.run([sys.executable, "-m", "roleplay", "replay", str(call_dir), "--no-audio"],
                          check=False, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert LINES["greet"] in done.stdout


def test_a_microphone_that_stops_mid_call_ends_it_with_one_line_and_keeps_it(
    live: LiveCall, vosk_model_path: Path
) -> None:
    live.start(SCENARIO, vosk_model_path)
    live.follow(until=lambda events: bool(of_kind(events, "asr_final", "greet")))
    live.mic.stall()  # the FIFO stays open and silent: PortAudio's capture thread blocks
    live.follow(timeout_s=30)
    code, _, err = live.output()
    assert code == 2 and "Traceback" not in err
    assert err.count("\n") == 1, err
    call_dir = live.call_dir
    assert call_dir is not None
    assert "microphone" in err and "--typed" in err and str(call_dir) in err
    saved = json.loads((call_dir / "call.json").read_text())
    assert saved["outcome"] == "interrupted" and "no audio" in saved["error"]
    assert saved["scorecard"] is None
    kinds = [e["kind"] for e in saved["timeline"]]
    assert "asr_final" in kinds and "call_ended" not in kinds
    stereo = read_stereo(call_dir / "call.wav")
    check_trainee_channel(live, stereo)
    # All the microphone delivered is in the recording, and the customer's second line too.
    assert len(stereo) * 1000 // RATE >= saved["timeline"][-1]["t_ms"]
    assert "customer_line_started" in kinds[kinds.index("asr_final"):]


@pytest.mark.parametrize("case", ["wrong name", "no infile", "gone before the call"])
def test_a_headset_that_cannot_be_had_is_one_line_suggesting_typed(
    tmp_path: Path, vosk_model_path: Path, case: str
) -> None:
    headset = VirtualHeadset.make(tmp_path)
    if case != "no infile":
        headset.in_raw.touch()
    device = "sennheiser" if case == "wrong name" else "roleplay_test"
    run = subprocess.Popen(
        [sys.executable, "-m", "roleplay", "run", str(SCENARIO), "--input", device, "--output", "roleplay_test",
         "--out", str(tmp_path / "calls"), "--model", str(vosk_model_path)],
        cwd=ROOT, env=headset.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if case == "gone before the call":
        # Both devices are picked (and remembered) before the model loads: unplug in between.
        station = Path(os.environ["ROLEPLAY_CONFIG"]) / "station.json"
        deadline = time.monotonic() + 30
        while "output_device" not in (station.read_text() if station.exists() else ""):
            assert time.monotonic() < deadline and run.poll() is None
            time.sleep(0.01)
        headset.in_raw.unlink()
    _, err = run.communicate(timeout=60)
    assert run.returncode == 2 and "Traceback" not in err
    assert err.count("\n") == 1 and "--typed" in err and "microphone" in err, err  # no ALSA chatter
    if case == "wrong name":  # the devices there are, to pick from
        assert "'sennheiser'" in err and "'roleplay_test'" in err
    if case == "gone before the call":
        assert "could not start" in err
    assert not (tmp_path / "calls").exists()  # nothing started, so no empty call is left
