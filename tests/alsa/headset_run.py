"""`roleplay run` in a subprocess on the virtual headset, with a trainee who answers in time.

The trainee does not follow a fixed script of times: how long the process takes to start (the
Vosk model, the customer's TTS) and how far the recogniser lags behind real time on a busy
machine both vary. So the trainee listens to the call the way a person does, by watching the
archive's events.jsonl, and starts each answer `delay_ms` after the customer's line ends.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from alsa.fifo_mic import CHUNK, FifoMicrophone

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = Path(__file__).resolve().parent / "asoundrc.template"


@dataclass(frozen=True)
class VirtualHeadset:
    rc: Path
    in_raw: Path   # the microphone (a FIFO for live calls)
    out_raw: Path  # where the headphones' audio lands

    @classmethod
    def make(cls, folder: Path, in_raw: Path | None = None) -> VirtualHeadset:
        """Every output stream opened truncates OUT_RAW, and the customer opens one per line:
        with `truncate false` each open gets a new file instead (OUT_RAW, OUT_RAW.0001, ...)."""
        headset = cls(folder / "asoundrc", in_raw or folder / "in.raw", folder / "out.raw")
        text = TEMPLATE.read_text().replace('file "@OUT_RAW@"', 'file "@OUT_RAW@"\n        truncate false')
        text = text.replace("@OUT_RAW@", str(headset.out_raw))
        headset.rc.write_text(text.replace("@IN_RAW@", str(headset.in_raw)))
        return headset

    def played(self) -> list[bytes]:
        """What each output stream played, in order (format checks open and leave empty files)."""
        def order(path: Path) -> int:
            return int(path.suffix[1:]) if path.suffix[1:].isdigit() else 0

        files = sorted(self.out_raw.parent.glob(self.out_raw.name + "*"), key=order)
        return [data for data in (f.read_bytes() for f in files) if data]

    def env(self) -> dict[str, str]:
        """PortAudio reads ALSA's configuration once per process: hence a subprocess."""
        return {**os.environ, "ALSA_CONFIG_PATH": f"/usr/share/alsa/alsa.conf:{self.rc}",
                "PYTHONUNBUFFERED": "1"}


@dataclass
class LiveCall:
    """One `roleplay run`: its process, its archive folder as it grows, and the trainee."""

    headset: VirtualHeadset
    mic: FifoMicrophone
    out_dir: Path
    answers: list[np.ndarray]
    delay_ms: int = 600
    events: list[dict[str, Any]] = field(default_factory=list)
    answered_at: list[int] = field(default_factory=list)  # feeder sample where each answer starts
    process: subprocess.Popen[str] | None = None

    def start(self, scenario: Path, model: Path, *extra: str) -> None:
        argv = [sys.executable, "-m", "roleplay", "run", str(scenario), "--input", "roleplay_test",
                "--output", "roleplay_test", "--out", str(self.out_dir), "--model", str(model), *extra]
        self.process = subprocess.Popen(argv, cwd=ROOT, env=self.headset.env(), text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    @property
    def call_dir(self) -> Path | None:
        found = sorted(p for p in self.out_dir.glob("*") if p.is_dir())
        return found[0] if found else None

    def _poll_events(self) -> None:
        folder = self.call_dir
        if folder is None or not (folder / "events.jsonl").exists():
            return
        lines = (folder / "events.jsonl").read_text(encoding="utf-8").splitlines()
        for line in lines[len(self.events):]:
            if not line.endswith("}"):
                break  # a line being written
            event = json.loads(line)
            self.events.append(event)
            if event["kind"] == "customer_line_ended" and self.answers:
                self.answered_at.append(self.mic.say(self.answers.pop(0), self.delay_ms))

    def follow(self, until: Callable[[list[dict[str, Any]]], bool] | None = None,
               timeout_s: float = 90) -> None:
        """Answer the customer until the process ends or `until(events)` holds."""
        assert self.process is not None
        deadline = time.monotonic() + timeout_s
        while self.process.poll() is None and time.monotonic() < deadline:
            self._poll_events()
            if until and until(self.events):
                return
            time.sleep(0.02)
        self._poll_events()
        if self.process.poll() is None:
            raise AssertionError(f"the call did not finish in {timeout_s:g} s; events: {self.events}")

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def output(self) -> tuple[int, str, str]:
        assert self.process is not None
        out, err = self.process.communicate(timeout=30)
        return self.process.returncode, out, err

    def stream_index(self, feeder_sample: int) -> int:
        """Where a feeder sample sits in what the microphone delivered (`mic.fed`)."""
        fed_at = np.asarray(self.mic.fed_at)
        chunk = int(np.searchsorted(fed_at, feeder_sample, side="right")) - 1
        assert chunk >= 0 and feeder_sample - fed_at[chunk] < CHUNK, "that audio was never fed"
        return chunk * CHUNK + feeder_sample - int(fed_at[chunk])
