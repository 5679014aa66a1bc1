"""roleplay replay: the transcript in time with score markers, and --from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import cli
from roleplay.archive.calls import read_call
from roleplay.model.errors import RoleplayError
from roleplay.qa.replay import build_script, play_script, render

ROOT = Path(__file__).resolve().parent.parent
POOR = ROOT / "scenarios/en/answers/broadband-slow-poor.yaml"


@pytest.fixture(scope="module")
def call(tmp_path_factory):
    out = tmp_path_factory.mktemp("calls")
    assert cli.main(["simulate", "broadband-slow-en", "--answers", str(POOR), "--asr", "text",
                     "--out", str(out)]) == 0
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    return read_call(folder)


def _turn_lines(text: str) -> dict[int, str]:
    return {int(m.group(1)): line for line in text.splitlines() if (m := re.match(r"#(\d+)\s", line))}


def test_no_audio_prints_every_turn_with_markers_where_earned(call, capsys):
    assert cli.main(["replay", str(call.dir), "--no-audio"]) == 0
    out = capsys.readouterr().out
    lines = _turn_lines(out)
    turns = [t for t in call.scorecard["turns"]]
    assert sorted(lines) == [t["index"] for t in turns]
    for t in turns:  # every turn's words, in order, on its own line
        words = [w for w in re.sub(r"\s+\[[^\]]*\]", "", lines[t["index"]]).split()]
        assert " ".join(words).endswith(t["text"].strip()), (words, t["text"])
    forbidden = [e for i in call.scorecard["items"] if i["id"] == "forbidden" for e in i["evidence"]]
    assert forbidden, "the poor answers say forbidden phrases"
    for e in forbidden:
        line = lines[e["turn"]]
        mark = f'[- forbidden "{e["text"]}"]'
        assert mark in line
        # the marker comes right after the last word of the phrase, not at the turn's start
        last = e["words"][-1]["word"]
        assert line.index(mark) > line.index(last)
    first_trainee = min(t["index"] for t in turns if t["speaker"] == "trainee")
    assert "[- opening greeting]" in lines[first_trainee]
    assert re.search(r"\[- dead_air \d+\.\d s\] \S", lines[first_trainee])  # before the words


def test_from_starts_at_the_turn(call, capsys):
    assert cli.main(["replay", str(call.dir), "--no-audio", "--from", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("#3 ")
    assert min(_turn_lines(out)) == 3 and "#2 " not in out
    with pytest.raises(RoleplayError, match="no turn 99"):
        build_script(call, from_turn=99)


def test_playing_waits_for_each_word_time_scaled_by_speed(call, monkeypatch):
    cues = build_script(call, from_turn=3)
    fake_s = [100.0]
    printed_at: list[float] = []
    out = _Sink(lambda: printed_at.append(fake_s[0]))
    monkeypatch.setattr("roleplay.qa.replay.time.monotonic", lambda: fake_s[0])

    def sleep(s: float) -> None:
        fake_s[0] += s

    play_script(cues, out=out, speed=2.0, sleep=sleep)
    assert out.text.strip() == render(cues).strip()
    span_s = (cues[-1].t_ms - cues[0].t_ms) / 1000
    assert span_s > 5
    assert abs((fake_s[0] - 100.0) - span_s / 2) < 0.01  # twice as fast
    for cue, at in zip(cues, printed_at, strict=False):  # never early
        assert at - 100.0 >= (cue.t_ms - cues[0].t_ms) / 2000 - 1e-6


class _Sink:
    def __init__(self, on_write) -> None:
        self.text = ""
        self.on_write = on_write

    def write(self, s: str) -> None:
        self.text += s
        self.on_write()

    def flush(self) -> None:
        pass


def test_a_silent_turn_gets_a_marker_not_a_crash() -> None:
    # A silent turn's latency evidence has latency_ms None: replay once divided it by 1000.
    from scoring_builders import BANKS, Script, broadband_scenario

    from roleplay.qa.replay import marker
    from scoring.evidence import AnswerTime, read_evidence
    from scoring.scorecard import score

    s = Script(scenario="broadband-en").line("greet", "Hi.")
    s.answer("greet", "Hello, thank you for calling, my name is Sam.", delay_ms=600)
    s.next("greet", "lookup").line("lookup", "What plan am I on?").silent("lookup", 6000)
    s.next("lookup", "bye").end("bye", "Bye.")
    card = score(s.timeline, broadband_scenario(), BANKS["en"]).to_json()
    (latency,) = [i for i in card["items"] if i["id"] == "latency"]
    silent = [e for e in read_evidence(latency) if isinstance(e, AnswerTime) and e.latency_ms is None]
    assert silent and marker(latency, silent[0]) == "[- latency no answer]"
