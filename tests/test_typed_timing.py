"""Typed answers are timed from the first keystroke to Enter, and every mode writes a timeline in
call order (issue 11, defects 1 and 2). The terminal path is driven for real through a pty."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from roleplay.archive.calls import read_call
from roleplay.frontends.simulate import simulate
from roleplay.model.events import EventKind
from scoring.turns import derive_turns

ROOT = Path(__file__).resolve().parent.parent
GOOD_EN = ROOT / "scenarios/en/answers/broadband-slow-good.yaml"


class Terminal:
    """`python -m roleplay ...` on the slave side of a pty; we are the keyboard and the screen."""

    def __init__(self, *args: str, cwd: Path, stdout: int | None = None) -> None:
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen([sys.executable, "-m", "roleplay", *args], stdin=slave,
                                     stdout=slave if stdout is None else stdout, stderr=slave, cwd=cwd,
                                     close_fds=True)
        os.close(slave)
        self.screen = ""

    def wait_for(self, text: str, times: int = 1, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while self.screen.count(text) < times:
            assert self.proc.poll() is None or self._read(0), f"exited before {text!r}:\n{self.screen}"
            assert time.monotonic() < deadline, f"no {text!r} on the screen:\n{self.screen}"
            self._read(0.2)

    def _read(self, wait_s: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], wait_s)
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 4096)
        except OSError:   # the child closed the terminal
            return False
        self.screen += chunk.decode("utf-8", "replace")
        return bool(chunk)

    def type(self, keys: str, pause_s: float = 0.05) -> None:
        for key in keys:
            os.write(self.master, key.encode("utf-8"))
            time.sleep(pause_s)

    def finish(self, timeout_s: float = 60) -> int:
        deadline = time.monotonic() + timeout_s
        while self.proc.poll() is None and time.monotonic() < deadline:
            self._read(0.2)
        while self._read(0.1):
            pass
        os.close(self.master)
        return self.proc.wait(timeout=5)


def assert_in_call_order(events: list[dict]) -> None:
    times = [e["t_ms"] for e in events]
    assert times == sorted(times), [(e["t_ms"], e["kind"]) for e in events]


def test_a_typed_answer_at_a_terminal_runs_from_its_first_keystroke_to_enter(tmp_path: Path) -> None:
    term = Terminal("run", "broadband-slow-en", "--typed", "--no-tts", "--out", str(tmp_path), cwd=tmp_path)
    term.wait_for("you> ")
    # A slow typist who corrects a typo: the time typing is the answer, not a delay before it.
    term.type("Good morning, thank you for calling Skyline, my name is Alx")
    term.type("\x7fex. How can I help?", pause_s=0.1)
    time.sleep(1.0)
    term.type("\r")
    term.wait_for("you> ", times=2)
    term.type("\x04")              # Ctrl-D: nothing more to say; the customer gives up
    assert term.finish() == 0, term.screen
    assert "you> Good morning, thank you for calling Skyline, my name is Alx\b \bex." in term.screen
    [call_dir] = [p.parent for p in tmp_path.glob("*/call.json")]
    events = json.loads((call_dir / "call.json").read_text(encoding="utf-8"))["timeline"]
    assert_in_call_order(events)
    onset = next(e["t_ms"] for e in events if e["kind"] == "trainee_speech_started")
    offset = next(e["t_ms"] for e in events if e["kind"] == "trainee_speech_ended")
    final = next(e for e in events if e["kind"] == "asr_final")
    assert final["text"] == "Good morning, thank you for calling Skyline, my name is Alex. How can I help?"
    # Dozens of keystrokes and a second's pause lie between the first key and Enter.
    assert offset - onset >= 1000
    line_end = next(e["t_ms"] for e in events if e["kind"] == "customer_line_ended")
    assert line_end <= onset
    turns = derive_turns(read_call(call_dir).timeline)
    assert [t.index for t in turns] == list(range(len(turns)))
    assert [t.speaker for t in turns[:2]] == ["customer", "trainee"]


def _typed_script(answers: Path) -> str:
    return "".join(f"{step.get('say', '')}\n" for step in yaml.safe_load(answers.read_text(encoding="utf-8")))


def test_a_piped_typed_call_is_in_call_order(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "roleplay", "run", "broadband-slow-en", "--typed", "--no-tts",
                           "--out", str(tmp_path)], input=_typed_script(GOOD_EN), capture_output=True,
                          text=True, cwd=tmp_path, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    [call_json] = tmp_path.glob("*/call.json")
    events = json.loads(call_json.read_text(encoding="utf-8"))["timeline"]
    assert_in_call_order(events)
    turns = derive_turns(read_call(call_json.parent).timeline)
    customer_lines = [t.text for t in turns if t.speaker == "customer"]
    logged_lines = [e["text"] for e in events if e["kind"] == "customer_line_started"]
    assert customer_lines == logged_lines     # the report's order is the call's order
    trainee = [t for t in turns if t.speaker == "trainee"]
    assert trainee and all(t.text for t in trainee)
    assert sum(e["kind"] == EventKind.TRAINEE_SPEECH_STARTED for e in events) == len(trainee)


@pytest.mark.parametrize("answers", [
    "en/answers/broadband-slow-good.yaml", "en/answers/broadband-slow-poor.yaml",
    "zh/answers/broadband-slow-good.yaml", "en/answers/card-lookup-good.yaml",
])
def test_a_text_simulated_call_is_in_call_order(tmp_path: Path, answers: str) -> None:
    scenario = Path(answers).name.rsplit("-", 1)[0] + "-" + Path(answers).parts[0]
    result = simulate(scenario, ROOT / "scenarios" / answers, "text", None, tmp_path)
    assert result.call_dir is not None
    events = json.loads((result.call_dir / "call.json").read_text(encoding="utf-8"))["timeline"]
    assert_in_call_order(events)


def test_talking_over_the_customer_keeps_the_timeline_in_order(tmp_path: Path) -> None:
    answers = tmp_path / "over.yaml"
    answers.write_text(yaml.safe_dump([
        {"say": "Good morning, thank you for calling, my name is Alex.", "delay": -1.5},
        {"say": "The 100 megabit plan is 49 dollars a month.", "delay": 0.5}]), encoding="utf-8")
    result = simulate("broadband-slow-en", answers, "text", None, tmp_path)
    assert result.call_dir is not None
    events = json.loads((result.call_dir / "call.json").read_text(encoding="utf-8"))["timeline"]
    assert_in_call_order(events)
    assert any(e["kind"] == "talk_over" for e in events)


def test_a_typed_drill_answer_at_a_terminal_is_timed_to_its_first_keystroke(tmp_path: Path) -> None:
    term = Terminal("drill", "--typed", "--json", "--category", "hold_request", "--rounds", "1",
                    "--fluent", "1", "--seed", "1", cwd=tmp_path, stdout=subprocess.PIPE)
    term.wait_for("you> ")
    began = time.monotonic()
    term.type("One moment please, ", pause_s=0.1)
    time.sleep(1.5)
    term.type("let me check that for you.\r", pause_s=0.05)
    typing_s = time.monotonic() - began
    assert term.finish() == 0, term.screen
    assert term.proc.stdout is not None
    result = json.loads(term.proc.stdout.read())
    [item] = result["items"]
    assert item["answer"] == "One moment please, let me check that for you." and item["correct"]
    # Enter came typing_s after the prompt was seen; the first key right after it.
    assert item["elapsed_s"] < typing_s - 1.5   # the 1.5 s pause came after the first key


def test_a_hold_in_a_typed_call_is_judged_announced_and_thanked(tmp_path: Path) -> None:
    """Defect 3: "one moment please" then "thank you for waiting", typed, was credited in
    required phrases while dead_air said "not announced, not thanked after"."""
    script = _typed_script(ROOT / "scenarios/en/answers/card-lookup-good.yaml")
    done = subprocess.run([sys.executable, "-m", "roleplay", "run", "card-lookup-en", "--typed", "--no-tts",
                           "--out", str(tmp_path)], input=script, capture_output=True, text=True,
                          cwd=tmp_path, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    [call_json] = tmp_path.glob("*/call.json")
    card = json.loads(call_json.read_text(encoding="utf-8"))["scorecard"]
    items = {item["id"]: item for item in card["items"]}
    [hold] = [e for e in items["dead_air"]["evidence"] if e.get("hold")]
    assert hold["problems"] == [], hold
    assert hold["announced"]["category"] == "hold_request"
    assert hold["thanked"]["category"] == "thanks_for_waiting"
    assert items["dead_air"]["passed"]
