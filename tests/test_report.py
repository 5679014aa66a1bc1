"""roleplay report: one self-contained HTML page, escaped, and a word click seeks the audio
(checked in headless Chromium)."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import cli
from audio.wavio import write_wav
from roleplay.archive.calls import read_call
from roleplay.qa.report import build_report

ROOT = Path(__file__).resolve().parent.parent
POOR = ROOT / "scenarios/en/answers/broadband-slow-poor.yaml"
EVIL = "<script>alert(1)</script>"
EVIL_NAME = '<img src=x onerror="alert(2)">'


@pytest.fixture(scope="module")
def call_dir(tmp_path_factory) -> Path:
    """A text call with a recording added and hostile text in the transcript and trainee name."""
    out = tmp_path_factory.mktemp("calls")
    assert cli.main(["simulate", "broadband-slow-en", "--answers", str(POOR), "--asr", "text",
                     "--out", str(out)]) == 0
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    raw = json.loads((folder / "call.json").read_text())
    final = next(e for e in raw["timeline"] if e["kind"] == "asr_final")
    final["words"][1]["word"] = EVIL
    final["text"] = final["text"] + " " + EVIL
    raw["trainee"] = EVIL_NAME
    (folder / "call.json").write_text(json.dumps(raw))
    end_ms = max(e["t_ms"] for e in raw["timeline"])
    rate = 8000
    write_wav(folder / "call.wav", np.zeros(rate * (end_ms // 1000 + 1), dtype=np.int16), rate)
    return folder


@pytest.fixture(scope="module")
def page(call_dir, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report") / "call.html"
    assert cli.main(["report", str(call_dir), "--html", str(path)]) == 0
    return path


def test_the_page_is_self_contained_and_escaped(page, call_dir):
    text = page.read_text(encoding="utf-8")
    assert re.findall(r"<script\b", text) == ["<script"]  # ours only
    assert html.escape(EVIL) in text and EVIL not in text
    assert "<img" not in text and html.escape(EVIL_NAME) in text
    assert not re.search(r'(src|href)="(https?:|//|file:)', text)  # nothing fetched from outside
    wav = (call_dir / "call.wav").read_bytes()
    import base64

    assert f"data:audio/wav;base64,{base64.b64encode(wav).decode()}" in text


def test_every_word_seeks_and_phrase_hits_are_marked(call_dir):
    call = read_call(call_dir)
    text = build_report(call)
    spans = re.findall(r'<span data-t="([0-9.]+)"', text)
    words = sum(len(t["text"].split()) for t in call.scorecard["turns"] if t["speaker"] == "customer")
    trainee_words = sum(len(e["words"]) for e in call.timeline.to_json() if e["kind"] == "asr_final")
    assert len(spans) == words + trainee_words
    forbidden = [e for i in call.scorecard["items"] if i["id"] == "forbidden" for e in i["evidence"]]
    for e in forbidden:
        for w in e["words"]:
            assert re.search(rf'<span data-t="{w["start"]:.2f}" class="bad"[^>]*>{re.escape(html.escape(w["word"]))}<', text)
    # the timeline picture: one bar per turn, latency labels, the dead air
    assert text.count('class="bar ') == len(call.scorecard["turns"])
    latencies = [t["latency_ms"] for t in call.scorecard["turns"] if t["latency_ms"] is not None]
    assert re.findall(r'class="latency"[^>]*>\+([0-9.]+) s', text) == [f"{ms / 1000:.1f}" for ms in latencies]
    assert text.count('class="dead-air"') == sum(
        1 for i in call.scorecard["items"] if i["id"] == "dead_air" for _ in i["evidence"])


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("chromium is not installed: apt-get install -y chromium")
    return found


def test_clicking_a_word_seeks_the_audio_in_chromium(page, tmp_path):
    text = page.read_text(encoding="utf-8")
    third = re.findall(r'<span data-t="([0-9.]+)"', text)[2]
    run = subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
         "--virtual-time-budget=5000", "--dump-dom", page.as_uri() + "#selftest"],
        capture_output=True, text=True, timeout=90, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    title = re.search(r"<title>([^<]*)</title>", run.stdout)
    assert title is not None and title.group(1).startswith("seek:"), run.stdout[:500]
    assert abs(float(title.group(1)[5:]) - float(third)) < 1e-3
    assert "Uncaught" not in run.stderr and "ERROR:CONSOLE" not in run.stderr
    assert "alert(1)" not in re.sub(r"&lt;script&gt;alert\(1\)&lt;/script&gt;", "", run.stdout)
