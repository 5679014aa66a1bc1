"""Hostile call folders at the command line: `replay` with audio never waits past the
recording, and an unexpected failure in `score`, `replay` or `report` is one line naming the
call folder, exit 2 (the traceback only with ROLEPLAY_DEBUG=1)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import cli
from audio.wavio import write_wav

ROOT = Path(__file__).resolve().parent.parent
POOR = ROOT / "scenarios/en/answers/broadband-slow-poor.yaml"
RECORDING_S = 40   # longer than the simulated call


@pytest.fixture(scope="module")
def good_call(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("calls")
    assert cli.main(["simulate", "broadband-slow-en", "--answers", str(POOR), "--asr", "text",
                     "--out", str(out)]) == 0
    (call,) = [p for p in out.iterdir() if p.is_dir()]
    write_wav(call / "call.wav", np.zeros(RECORDING_S * 8000), 8000)
    return call


def huge_time_call(good_call: Path, root: Path) -> Path:
    call = root / "huge-time"
    shutil.copytree(good_call, call)
    raw = json.loads((call / "call.json").read_text(encoding="utf-8"))
    last_line = max(i for i, e in enumerate(raw["timeline"]) if e["kind"] == "customer_line_started")
    for event in raw["timeline"][last_line:]:
        event["t_ms"] = 10**15            # the last customer line and all after it
    (call / "call.json").write_text(json.dumps(raw), encoding="utf-8")
    return call


class FakeSink:
    """Headphones on a fake clock: played_ms is the time slept so far, up to the recording."""

    def __init__(self, length_ms: int) -> None:
        self.length_ms = length_ms
        self.slept_s = 0.0

    def played_ms(self) -> int:
        return min(self.length_ms, round(self.slept_s * 1000))

    def wait(self, timeout_s: float | None = None) -> bool:
        return True

    def close(self) -> None:
        pass


def test_replay_with_audio_waits_no_longer_than_the_recording(good_call: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    call = huge_time_call(good_call, tmp_path)
    sink = FakeSink(RECORDING_S * 1000)

    def sleep(seconds: float) -> None:
        sink.slept_s += seconds

    monkeypatch.setattr("roleplay.qa.replay.play_audio_from",
                        lambda wav, start_ms, device=None: (sink, RECORDING_S * 1000 - start_ms))
    monkeypatch.setattr("roleplay.qa.replay.time.sleep", sleep)
    assert cli.main(["replay", str(call)]) == 0
    assert sink.slept_s <= RECORDING_S + 1          # not 10**12 seconds
    assert "speak to your supervisor" in capsys.readouterr().out  # the late line is still shown


@pytest.mark.parametrize("command", ["score", "replay", "report"])
def test_an_unexpected_failure_is_one_line_naming_the_call(good_call: Path, tmp_path: Path, command: str,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    # No hostile folder found so far gets past read_call's checks; this stands for the next one.
    def broken(*_args: object, **_kwargs: object) -> None:
        raise ValueError("invalid literal for int() with base 10: 'ten'\nsecond line")

    monkeypatch.setattr("roleplay.archive.calls.read_call", broken)
    monkeypatch.delenv("ROLEPLAY_DEBUG", raising=False)
    args = {"score": ["score", str(good_call)], "replay": ["replay", str(good_call), "--no-audio"],
            "report": ["report", str(good_call), "--html", str(tmp_path / "r.html")]}[command]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith(f"roleplay: {good_call}: cannot read this call (ValueError: invalid literal")
    assert "the folder may be damaged" in err and "Traceback" not in err


def test_roleplay_debug_keeps_the_real_traceback(good_call: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise ValueError("boom")

    monkeypatch.setattr("roleplay.archive.calls.read_call", broken)
    monkeypatch.setenv("ROLEPLAY_DEBUG", "1")
    with pytest.raises(ValueError, match="boom"):
        cli.main(["score", str(good_call)])
