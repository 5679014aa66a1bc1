"""Headset practice on the agent desktop: `roleplay serve --headset` at the station, the
customer through the station's headphones, the trainee into its microphone (the virtual ALSA
headset, real PortAudio, real Vosk: the Korean model, mechanics only), the page's API showing
the call; then the wrap-up, the scorecard, a stereo call.wav and the records."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import speechgen
from alsa.fifo_mic import FifoMicrophone
from alsa.headset_run import ROOT, LiveCall, VirtualHeadset

from roleplay.archive.calls import read_call
from roleplay.frontends.spoken import trim_silence
from roleplay.records.store import open_store

pytestmark = pytest.mark.slow

FIXTURES = ROOT / "tests" / "fixtures" / "headset"
ANSWERS = ("Good morning thank you for calling this is Sam", "You are welcome have a nice day")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class HeadsetStation(LiveCall):
    """`roleplay serve --headset` on the virtual headset; the trainee answers each customer
    line as LiveCall's trainee does, by watching the call's events.jsonl."""

    def serve(self, model: Path, db: Path) -> str:
        port = free_port()
        argv = [sys.executable, "-m", "roleplay", "serve", "--port", str(port), "--headset",
                "--input", "roleplay_test", "--output", "roleplay_test", "--model", str(model),
                "--scenarios", str(FIXTURES), "--calls", str(self.out_dir), "--db", f"sqlite:///{db}"]
        self.process = subprocess.Popen(argv, cwd=ROOT, env=self.headset.env(), text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("serving on"):
                return f"http://127.0.0.1:{port}"
        raise AssertionError(f"serve did not start: exit {self.process.wait()}")

    def answer_until(self, done: Callable[[list[dict[str, Any]]], bool], timeout_s: float = 90) -> None:
        deadline = time.monotonic() + timeout_s
        while not done(self.events) and time.monotonic() < deadline:
            self._poll_events()
            time.sleep(0.02)
        assert done(self.events), f"the call did not get there in {timeout_s:g} s: {self.events}"


@pytest.fixture
def station(tmp_path: Path, espeak: str) -> Iterator[HeadsetStation]:
    audio = [trim_silence(speechgen.render(text, espeak, voice="en-gb", speed_wpm=170)) for text in ANSWERS]
    headset = VirtualHeadset.make(tmp_path, in_raw=tmp_path / "mic.fifo")
    mic = FifoMicrophone(headset.in_raw)
    call = HeadsetStation(headset, mic, tmp_path / "calls", list(audio), 600)
    yield call
    if call.process and call.process.poll() is None:
        call.process.terminate()
        call.process.wait(timeout=20)
    mic.close()


def test_a_desk_call_answered_on_the_station_headset(station: HeadsetStation, vosk_model_path: Path,
                                                     tmp_path: Path) -> None:
    base = station.serve(vosk_model_path, tmp_path / "records.db")
    with httpx.Client(base_url=base, timeout=60) as c:
        assert "headset" in c.get("/").text               # the start page offers it
        c.headers["X-CSRF-Token"] = c.cookies["roleplay_csrf"]
        started = c.post("/api/calls", json={"scenario": "headset-two-turn-en", "trainee": "sam",
                                             "mode": "headset"})
        assert started.status_code == 201, started.text
        call = started.json()
        cid = call["call_id"]
        assert call["mode"] == "headset"
        typed = c.post(f"/api/calls/{cid}/answer", json={"text": "hello", "typing_ms": 100})
        assert typed.status_code == 409 and "headset" in typed.json()["error"]
        busy = c.post("/api/calls", json={"scenario": "headset-two-turn-en", "mode": "headset"})
        assert busy.status_code == 409 and "headset" in busy.json()["error"]

        def ended(events: list[dict[str, Any]]) -> bool:
            c.get(f"/api/calls/{cid}")                  # the page keeps polling: the station is there
            return any(e["kind"] == "call_ended" for e in events)

        station.answer_until(ended)
        deadline = time.monotonic() + 20
        while (state := c.get(f"/api/calls/{cid}").json())["status"] != "wrap_up" and time.monotonic() < deadline:
            time.sleep(0.1)              # the engine's thread opens the wrap-up just after the end
        heard = [t for t in state["transcript"] if t["speaker"] == "trainee"]
        assert len(heard) == 2 and all(t["text"] for t in heard), [(e["t_ms"], e["kind"], e.get("node"), e.get("reason", "")) for e in station.events]
        assert state["status"] == "wrap_up"
        done = c.post(f"/api/calls/{cid}/wrapup", json={"disposition": "resolved", "notes": "bill question"})
        assert done.status_code == 200, done.text
        assert done.json()["scorecard"]["items"]

    folder = tmp_path / "calls" / cid
    archived = read_call(folder)
    assert archived.raw["outcome"] == "resolved" and archived.raw["mode"] == "desk"
    kinds = [e.kind for e in archived.timeline]
    assert kinds.count("trainee_speech_started") == 2 and kinds.count("customer_line_ended") == 2
    with (folder / "call.wav").open("rb") as fh:
        import wave

        with wave.open(fh) as wav:
            assert wav.getnchannels() == 2
            stereo = np.frombuffer(wav.readframes(wav.getnframes()), "<i2").reshape(-1, 2)
    assert np.count_nonzero(stereo[:, 0]) > 16000 and np.count_nonzero(stereo[:, 1]) > 16000
    assert len(station.headset.played()) == 2                        # both lines on the headphones
    with open_store(f"sqlite:///{tmp_path / 'records.db'}") as store:
        assert [a.call_id for a in store.attempts("sam")] == [cid]
    assert json.loads((folder / "call.json").read_text())["scorecard"]["call_id"] == cid


def test_a_server_without_a_headset_says_how_to_get_one(tmp_path: Path) -> None:
    from web_helpers import client

    c = client(tmp_path)
    refused = c.post("/api/calls", json={"scenario": "card-lookup-en", "mode": "headset"})
    assert refused.status_code == 400 and "roleplay serve --headset" in refused.json()["error"]
    assert not (tmp_path / "calls").exists() or not any((tmp_path / "calls").iterdir())
