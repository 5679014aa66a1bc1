"""The stereo call recording: placement in time, barge-in cuts, and surviving a SIGKILL."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import wave
from pathlib import Path

import numpy as np

from audio.recorder import StereoRecorder

ROOT = Path(__file__).resolve().parent.parent
RATE = 16000
HOLDBACK_S = 0.25  # StereoRecorder's default


def tone(ms: int, hz: float, amplitude: int = 8000) -> bytes:
    t = np.arange(RATE * ms // 1000) / RATE
    return (amplitude * np.sin(2 * np.pi * hz * t)).astype("<i2").tobytes()


def read_stereo(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (2, 2, RATE)
        frames = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, 2)
    return frames[:, 0], frames[:, 1]


def loud(samples: np.ndarray, start_ms: int, end_ms: int) -> bool:
    part = samples[start_ms * RATE // 1000 : end_ms * RATE // 1000].astype(float)
    return len(part) > 0 and float(np.sqrt(np.mean(part**2))) > 1000


def quiet(samples: np.ndarray, start_ms: int, end_ms: int) -> bool:
    return not np.any(samples[start_ms * RATE // 1000 : end_ms * RATE // 1000])


def test_customer_left_trainee_right_with_gaps_and_a_cut(tmp_path: Path) -> None:
    path = tmp_path / "call.wav"
    with StereoRecorder(path) as rec:
        rec.customer(0, tone(1000, 300))           # scheduled ahead of any trainee audio
        for t in range(0, 1500, 20):                # the microphone hears silence meanwhile
            rec.trainee(t, bytes(640))
        for t in range(1500, 2500, 20):
            rec.trainee(t, tone(20, 700))
        rec.customer(2500, tone(2000, 300))          # customer starts a 2 s line ...
        for t in range(2500, 3000, 20):
            rec.trainee(t, bytes(640))
        rec.cut_customer(3000)                       # ... and the trainee barges in at 3 s
        rec.advance(3500)
    left, right = read_stereo(path)
    assert len(left) == 3500 * RATE // 1000
    assert loud(left, 0, 1000) and quiet(left, 1000, 2500)
    assert loud(left, 2500, 3000) and quiet(left, 3000, 3500)
    assert quiet(right, 0, 1500) and loud(right, 1500, 2500) and quiet(right, 2500, 3500)
    # The placement is sample-exact: the customer's line is the tone itself.
    assert np.array_equal(left[:RATE], np.frombuffer(tone(1000, 300), "<i2"))


def test_close_writes_the_rest_of_a_customer_line_and_mixes_overlaps(tmp_path: Path) -> None:
    path = tmp_path / "call.wav"
    rec = StereoRecorder(path)
    rec.customer(500, tone(1000, 300, amplitude=20000))
    rec.customer(1000, tone(1000, 300, amplitude=20000))  # overlaps: summed and clipped
    rec.trainee(0, tone(200, 700))
    rec.close()
    left, right = read_stereo(path)
    assert len(left) == 2000 * RATE // 1000
    assert left.max() == 32767 and quiet(left, 0, 500) and loud(right, 0, 200)


def test_a_customer_line_stamped_a_little_behind_the_microphone_is_kept_whole(tmp_path: Path) -> None:
    # Under load the microphone's stream can run a few ms ahead of the clock that stamps the
    # customer's line: the line's first samples must not be dropped.
    rec = StereoRecorder(tmp_path / "call.wav", flush_ms=100)
    for t in range(0, 1000, 20):
        rec.trainee(t, bytes(640))
    line = tone(300, 300)
    rec.customer(990, line)
    rec.close()
    left, _ = read_stereo(tmp_path / "call.wav")
    assert rec.late_frames == 0
    assert np.array_equal(left[990 * RATE // 1000 :], np.frombuffer(line, "<i2"))


def test_audio_for_an_already_written_time_is_counted_not_misplaced(tmp_path: Path) -> None:
    rec = StereoRecorder(tmp_path / "call.wav", flush_ms=100, holdback_ms=200)
    rec.advance(1000)  # written up to 800 ms
    rec.customer(700, tone(200, 300))  # 100 ms of it is in the past
    rec.close()
    left, _ = read_stereo(tmp_path / "call.wav")
    assert rec.late_frames == 100 * RATE // 1000
    assert quiet(left, 0, 800) and loud(left, 800, 900) and len(left) == 1000 * RATE // 1000


WRITER = """
import sys, time
sys.path.insert(0, {root!r})
import numpy as np
from audio.recorder import StereoRecorder

def tone(ms, hz):
    t = np.arange(16000 * ms // 1000) / 16000
    return (8000 * np.sin(2 * np.pi * hz * t)).astype("<i2").tobytes()

rec = StereoRecorder({path!r}, flush_ms=100)
rec.customer(0, tone(1000, 300))
rec.customer(2500, tone(2000, 300))    # runs past the kill: only its start is written
for t in range(0, 3010, 20):           # trainee audio up to 3.02 s, speaking from 1 s
    rec.trainee(t, tone(20, 700) if t >= 1000 else bytes(640))
print("half a call", flush=True)
time.sleep(60)
"""


def test_a_killed_call_leaves_a_playable_wav_up_to_the_kill(tmp_path: Path) -> None:
    path = tmp_path / "call.wav"
    script = textwrap.dedent(WRITER.format(root=str(ROOT), path=str(path)))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "half a call"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with wave.open(str(path)) as w:
        seconds = w.getnframes() / w.getframerate()
    # everything up to the kill, less the hold-back and at most one flush
    assert 3.02 - HOLDBACK_S - 0.1 <= seconds <= 3.02
    left, right = read_stereo(path)
    assert loud(left, 0, 1000) and quiet(left, 1000, 2500) and loud(left, 2500, 2650)
    assert quiet(right, 0, 1000) and loud(right, 1000, 2650)
