"""Whole simulated calls through the real speech stack: espeak-ng voices on both sides,
the answers fed as a microphone stream on the virtual clock, Vosk or Whisper listening."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest
import yaml

from roleplay.frontends.simulate import simulate
from roleplay.model.events import EventKind, Timeline

ROOT = Path(__file__).resolve().parent.parent
GOOD_EN = ROOT / "scenarios/en/answers/broadband-slow-good.yaml"

pytestmark = pytest.mark.slow


def events(call_dir: Path) -> Timeline:
    from roleplay.archive.calls import read_call

    return read_call(call_dir).timeline


def onsets_and_line_ends(timeline: Timeline) -> list[tuple[int, int]]:
    """(customer line end, trainee onset) for each answered customer line."""
    pairs, line_end = [], None
    for e in timeline:
        if e.kind is EventKind.CUSTOMER_LINE_ENDED:
            line_end = e.t_ms
        elif e.kind is EventKind.TRAINEE_SPEECH_STARTED and line_end is not None:
            pairs.append((line_end, e.t_ms))
            line_end = None
    return pairs


def test_whisper_call_in_english_is_resolved_and_recorded(tmp_path: Path, whisper_model_path: Path) -> None:
    result = simulate("broadband-slow-en", GOOD_EN, asr="whisper", model=whisper_model_path, out_dir=tmp_path)
    assert str(result.call.outcome) == "resolved"
    card = result.scorecard.to_json()
    assert card["passed"], card
    texts = " ".join(t["text"].lower() for t in card["turns"] if t["speaker"] == "trainee")
    assert "thank you for calling" in texts and "49" in texts
    with wave.open(str(result.call_dir / "call.wav")) as wav:
        assert wav.getnchannels() == 2
        seconds = wav.getnframes() / wav.getframerate()
    call_end_s = result.scorecard.to_json()["turns"][-1]["end"]
    assert abs(seconds - call_end_s) < 1.5


def test_vosk_streaming_call_mechanics(tmp_path: Path, vosk_model_path: Path) -> None:
    """The Korean model's words mean nothing here: check timing and streaming, not text."""
    steps = yaml.safe_load(GOOD_EN.read_text(encoding="utf-8"))
    result = simulate("broadband-slow-en", GOOD_EN, asr="vosk", model=vosk_model_path, out_dir=tmp_path)
    timeline = events(result.call_dir)
    pairs = onsets_and_line_ends(timeline)
    assert len(pairs) >= 2
    for (line_end, onset), step in zip(pairs, steps, strict=False):
        # The answer starts `delay` after the line; VAD onset within 60 ms of it.
        assert abs((onset - line_end) - step["delay"] * 1000) <= 60
    finals = timeline.of_kind(EventKind.ASR_FINAL)
    offsets = timeline.of_kind(EventKind.TRAINEE_SPEECH_ENDED)
    partials = timeline.of_kind(EventKind.ASR_PARTIAL)
    assert partials and partials[0].t_ms < finals[0].t_ms  # words appear while the trainee speaks
    for final, offset in zip(finals, offsets, strict=False):
        assert 0 <= final.t_ms - offset.t_ms <= 500  # endpointing: final soon after speech stops
        for word in final.payload.words:
            assert word.start_ms <= word.end_ms


def test_talk_over_is_an_event_and_barge_in_cuts_the_line(tmp_path: Path, vosk_model_path: Path) -> None:
    scenario = yaml.safe_load((ROOT / "scenarios/en/broadband-slow.yaml").read_text(encoding="utf-8"))
    scenario["barge_in"] = True
    path = tmp_path / "barge.yaml"
    path.write_text(yaml.safe_dump(scenario, allow_unicode=True), encoding="utf-8")
    answers = tmp_path / "answers.yaml"
    answers.write_text('- say: "Hello, my name is Alex."\n  delay: -1.5\n', encoding="utf-8")
    result = simulate(str(path), answers, asr="vosk", model=vosk_model_path, out_dir=tmp_path / "calls")
    timeline = events(result.call_dir)
    talk_over = timeline.of_kind(EventKind.TALK_OVER)
    assert talk_over and 1200 <= talk_over[0].payload.overlap_ms <= 1600
    first_end = timeline.of_kind(EventKind.CUSTOMER_LINE_ENDED)[0]
    assert first_end.payload.cut is True
    assert first_end.t_ms == timeline.of_kind(EventKind.TRAINEE_SPEECH_STARTED)[0].t_ms
