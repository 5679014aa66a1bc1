"""roleplay rescore --retranscribe whisper: a real spoken call (espeak-ng answers heard by
Whisper tiny.en) whose stored trainee text is then spoiled; hearing call.wav again must bring
the score back into the good band while the live transcript stays in the archive as it was."""

from __future__ import annotations

import json
import re
import shutil
import wave
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

import cli
from roleplay.archive.calls import read_call
from roleplay.frontends.simulate import simulate
from roleplay.model.errors import RoleplayError
from roleplay.model.events import (
    AsrFinal,
    Timeline,
    TraineeSpeechEnded,
    TraineeSpeechStarted,
)
from roleplay.qa.rescore import Options, rescore_all, rescore_call
from roleplay.qa.retranscribe import (
    PRE_ROLL_MS,
    SIDECAR,
    TAIL_MS,
    retranscribe_call,
    trainee_cuts,
    whisper_transcriber,
)

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "scenarios/en/answers/broadband-slow-good.yaml"
POOR_TEXT = ROOT / "scenarios/en/answers/broadband-slow-poor.yaml"
SPOILED = "mm"
pytestmark = pytest.mark.slow  # every test but the last one uses the spoken call
GOOD_MIN = 70.0   # the spoken-library good band (tests/test_library_speech.py)
POOR_MAX = 50.0


@pytest.fixture(scope="module")
def speech_call(tmp_path_factory: pytest.TempPathFactory, whisper_model_path: Path, espeak: str) -> Path:
    out = tmp_path_factory.mktemp("speech")
    result = simulate("broadband-slow-en", GOOD, asr="whisper", model=whisper_model_path, out_dir=out)
    assert result.call_dir is not None and (result.call_dir / "call.wav").exists()
    return result.call_dir


def _spoiled_copy(call: Path, target: Path) -> Path:
    """The call as if the live recogniser had heard only mumbling: every trainee final says
    "mm", in call.json and in events.jsonl alike."""
    shutil.copytree(call, target)
    raw = json.loads((target / "call.json").read_text(encoding="utf-8"))
    for event in raw["timeline"]:
        if event["kind"] == "asr_final":
            event.update(text=SPOILED, words=[])
    (target / "call.json").write_text(json.dumps(raw), encoding="utf-8")
    lines = [json.loads(line) for line in (target / "events.jsonl").read_text(encoding="utf-8").splitlines()]
    for event in lines:
        if event["kind"] == "asr_final":
            event.update(text=SPOILED, words=[])
    (target / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in lines), encoding="utf-8")
    return target


def _stored_finals(call: Path) -> list[str]:
    return [final.text for final in read_call(call).timeline.payloads(AsrFinal)]


def test_whisper_restores_the_score_and_keeps_the_live_text(speech_call: Path, tmp_path: Path,
                                                             whisper_model_path: Path) -> None:
    call = _spoiled_copy(speech_call, tmp_path / "spoiled")
    from_text = rescore_call(call, Options(save=False))
    assert from_text.ok and from_text.new is not None and from_text.new < POOR_MAX, from_text

    options = Options(retranscribe="whisper", model=whisper_model_path)
    result = rescore_call(call, options)
    assert result.ok, result.error
    assert result.new is not None and result.new >= GOOD_MIN, result
    trainee_turns = len(_stored_finals(speech_call))
    assert result.turns == trainee_turns == result.turns_changed  # every "mm" was heard anew
    assert result.line().endswith(f", {trainee_turns} of {trainee_turns} turns changed")
    assert f"-> {result.new:g}" in result.line()

    saved = read_call(call)
    assert _stored_finals(call) == [SPOILED] * trainee_turns  # the recorded timeline is untouched
    assert [h["source"] for h in saved.scorecards] == ["live", "rescore+whisper"]
    assert saved.scorecards[0]["scorecard"] == read_call(speech_call).scorecard
    assert saved.scorecard is not None
    assert saved.scorecard["transcript"]["source"] == "whisper"
    assert saved.scorecard["transcript"]["turns_changed"] == trainee_turns
    heard = " ".join(t["text"].lower() for t in saved.scorecard["turns"] if t["speaker"] == "trainee")
    assert "thank you for calling" in heard and "goodbye" in heard

    sidecar = json.loads((call / SIDECAR).read_text(encoding="utf-8"))
    assert [t["live_text"] for t in sidecar["turns"]] == [SPOILED] * trainee_turns
    assert all(t["changed"] and t["text"] for t in sidecar["turns"])
    for turn in sidecar["turns"]:  # word times are on the call clock, inside their cut
        assert turn["words"] and turn["start_ms"] <= turn["words"][0]["start_ms"] <= turn["end_ms"]


def test_a_batch_reports_typed_and_truncated_calls_and_goes_on(
        speech_call: Path, tmp_path: Path, whisper_model_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "batch"
    _spoiled_copy(speech_call, batch / "a-spoken")
    assert cli.main(["simulate", "broadband-slow-en", "--answers", str(POOR_TEXT), "--asr", "text",
                     "--out", str(batch / "b-typed")]) == 0
    truncated = _spoiled_copy(speech_call, batch / "c-truncated")
    wav = truncated / "call.wav"
    wav.write_bytes(wav.read_bytes()[: wav.stat().st_size // 2])  # a copy cut off half way
    capsys.readouterr()

    code = cli.main(["rescore", str(batch), "--retranscribe", "whisper", "--model", str(whisper_model_path),
                     "--jobs", "2"])
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert code == 1 and len(lines) == 3, out
    spoken, typed, cut = lines
    assert re.search(r" \d+(\.\d+)? -> \d+(\.\d+)? \([+-]\d+(\.\d+)?\), \d+ of \d+ turns changed$", spoken), spoken
    assert "FAILED" in typed and "call.wav: no recording" in typed and "without --retranscribe" in typed
    assert "FAILED" in cut and str(wav) in cut and "truncated" in cut
    assert "1 re-scored, 2 failed" in err
    assert not (truncated / SIDECAR).exists() and (batch / "a-spoken" / SIDECAR).exists()


def test_a_missing_model_stops_before_the_batch(speech_call: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    call = tmp_path / "calls" / "one"
    shutil.copytree(speech_call, call)
    before = (call / "call.json").read_bytes()
    for extra in (["--model", str(tmp_path / "no-model")], []):
        assert cli.main(["rescore", str(tmp_path / "calls"), "--retranscribe", "whisper", *extra]) == 2
        out, err = capsys.readouterr()
        assert out == "" and len(err.strip().splitlines()) == 1
        assert ("no model.bin" if extra else "needs --model PATH") in err
    assert (call / "call.json").read_bytes() == before and not (call / SIDECAR).exists()
    with pytest.raises(RoleplayError, match="use one of: whisper"):
        rescore_all([call], Options(retranscribe="vosk", model=tmp_path))


def _zh_copy(call: Path, target: Path) -> Path:
    shutil.copytree(call, target)
    shutil.copyfile(ROOT / "scenarios/zh/broadband-slow.yaml", target / "scenario.yaml")
    return target


def test_a_chinese_call_needs_a_multilingual_model(speech_call: Path, tmp_path: Path,
                                                   whisper_model_path: Path) -> None:
    call = _zh_copy(speech_call, tmp_path / "zh")
    result = rescore_call(call, Options(retranscribe="whisper", model=whisper_model_path))
    assert not result.ok and "English-only" in result.error and "multilingual" in result.error
    assert str(call) in result.error and not (call / SIDECAR).exists()


class _FakeMultilingual:
    """Stands in for a multilingual faster-whisper model: records the language it is asked for."""

    def __init__(self) -> None:
        self.model = SimpleNamespace(is_multilingual=True)
        self.languages: list[str] = []

    def transcribe(self, audio: np.ndarray, language: str, **_: Any) -> tuple[list[Any], None]:
        self.languages.append(language)
        end = len(audio) / 16000
        word = SimpleNamespace(word="您好", start=0.1, end=min(0.5, end), probability=0.9)
        return [SimpleNamespace(text="您好", words=[word])], None


def test_a_multilingual_model_is_told_the_call_language(speech_call: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from audio import asr_whisper

    fake, folder = _FakeMultilingual(), tmp_path / "multilingual"
    folder.mkdir()
    monkeypatch.setitem(asr_whisper._MODELS, folder.resolve(), fake)
    call = read_call(_zh_copy(speech_call, tmp_path / "zh"))
    heard = retranscribe_call(call, whisper_transcriber(folder, "zh", call.dir))
    assert fake.languages == ["zh"] * len(heard.turns) and heard.turns
    finals = heard.timeline.payloads(AsrFinal)
    assert [final.text for final in finals] == ["您好"] * len(heard.turns)
    for turn in heard.turns:
        assert turn.words[0].start_ms == turn.cut.start_ms + 100


def test_calls_with_nothing_to_hear_fail_with_a_reason(speech_call: Path, tmp_path: Path,
                                                       whisper_model_path: Path) -> None:
    options = Options(retranscribe="whisper", model=whisper_model_path)
    mute = tmp_path / "mute"
    shutil.copytree(speech_call, mute)
    raw = json.loads((mute / "call.json").read_text(encoding="utf-8"))
    raw["timeline"] = [e for e in raw["timeline"] if not e["kind"].startswith(("trainee_", "asr_"))]
    (mute / "call.json").write_text(json.dumps(raw), encoding="utf-8")
    assert "no trainee speech" in rescore_call(mute, options).error

    silent = tmp_path / "silent"
    shutil.copytree(speech_call, silent)
    with wave.open(str(silent / "call.wav"), "rb") as wav:
        params, frames = wav.getparams(), wav.readframes(wav.getnframes())
    stereo = np.frombuffer(frames, dtype="<i2").reshape(-1, 2).copy()
    stereo[:, 1] = 0
    with wave.open(str(silent / "call.wav"), "wb") as wav:
        wav.setparams(params)
        wav.writeframes(stereo.tobytes())
    error = rescore_call(silent, options).error
    assert "trainee channel (right) is silent" in error and str(silent / "call.wav") in error


def test_cuts_follow_onsets_and_offsets() -> None:
    t = Timeline()
    t.append(1000, TraineeSpeechStarted(node="a"))
    t.append(2500, TraineeSpeechEnded(node="a"))
    t.append(2800, AsrFinal(node="a", text="one", words=()))
    t.append(2900, TraineeSpeechStarted(node="b"))   # pre-roll would reach into "a"
    t.append(4000, TraineeSpeechEnded(node="b"))
    t.append(4300, AsrFinal(node="b", text="two", words=()))
    t.append(9000, TraineeSpeechStarted(node="c"))   # cut at the length limit: no offset
    t.append(70000, AsrFinal(node="c", text="three", words=()))
    cuts = trainee_cuts(t)
    assert [(c.node, c.start_ms, c.end_ms, c.live_text) for c in cuts] == [
        ("a", 1000 - PRE_ROLL_MS, 2500 + TAIL_MS, "one"),
        ("b", 2500 + TAIL_MS, 4000 + TAIL_MS, "two"),
        ("c", 9000 - PRE_ROLL_MS, 70000 + TAIL_MS, "three"),
    ]
    assert [c.event_index for c in cuts] == [2, 5, 7]
