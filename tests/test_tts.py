"""TTS: prosody, the silent fake, the cache, and the real pyttsx3/espeak-ng worker with its
hang -> retry -> espeak-ng binary -> AudioError ladder."""

from __future__ import annotations

import os
import sys
import textwrap
import wave
from pathlib import Path

import numpy as np
import pytest

from audio.tts import EspeakSynth, Line, SilentSynth, default_cache_dir, default_voice, mood_prosody
from audio.wavio import read_wav
from roleplay.model.errors import AudioError

ROOT = Path(__file__).resolve().parent.parent


def wav_facts(path: Path) -> tuple[int, int, float]:
    with wave.open(str(path)) as w:
        return w.getnchannels(), w.getframerate(), w.getnframes() / w.getframerate()


def test_mood_prosody_angrier_is_faster_and_higher_but_bounded() -> None:
    calm, cross, furious = mood_prosody(160, 0), mood_prosody(160, 5), mood_prosody(160, 10)
    assert calm[0] < cross[0] < furious[0] and calm[1] < cross[1] < furious[1]
    assert calm == (160, 50)
    assert mood_prosody(160, 99) == furious  # clamped at 10
    assert mood_prosody(160, -3) == calm
    assert furious[0] <= 160 * 1.3 + 1 and furious[1] <= 99


def test_default_voices_and_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert (default_voice("en"), default_voice("zh")) == ("en-us", "cmn")
    monkeypatch.setenv("ROLEPLAY_CACHE", str(tmp_path))
    assert default_cache_dir() == tmp_path / "tts"


def test_silent_synth_length_follows_words_and_rate(tmp_path: Path) -> None:
    synth = SilentSynth(tmp_path, ms_per_word=300)
    four = synth.render("one two three four", "en-us", 160, 50)
    eight = synth.render("one two three four five six seven eight", "en-us", 160, 50)
    fast = synth.render("one two three four", "en-us", 320, 50)
    chinese = synth.render("您好请问", "cmn", 160, 50)  # CJK: a word per character
    assert wav_facts(four) == (1, 16000, 1.2)
    assert wav_facts(eight)[2] == pytest.approx(2 * wav_facts(four)[2])
    assert wav_facts(fast)[2] == pytest.approx(wav_facts(four)[2] / 2)
    assert wav_facts(chinese)[2] == pytest.approx(1.2)
    assert not read_wav(eight)[0].any()


def test_cache_key_covers_every_field_and_is_reused(tmp_path: Path) -> None:
    synth = SilentSynth(tmp_path)
    base = Line("hello there", "en-us", 160, 50)
    variants = [base, Line("hello there!", "en-us", 160, 50), Line("hello there", "en-gb", 160, 50),
                Line("hello there", "en-us", 170, 50), Line("hello there", "en-us", 160, 60)]
    paths = synth.prerender(variants)
    assert len(set(paths.values())) == len(variants)
    first = paths[base]
    first.write_bytes(first.read_bytes())  # touch: a cached entry must not be rewritten
    before = first.stat().st_mtime_ns
    assert synth.render("hello there", "en-us", 160, 50) == first
    assert first.stat().st_mtime_ns == before
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".wav"] * len(variants)  # no tmp left


@pytest.mark.slow
def test_espeak_renders_english_and_chinese_at_16k(tmp_path: Path, espeak: str) -> None:
    synth = EspeakSynth(tmp_path)
    lines = [Line("Hello, I have a question about my bill."),
             Line("Why is it so high this month?", "en-us", *mood_prosody(160, 8)),
             Line("你好，我的账单有问题。", "cmn", 160, 50)]
    paths = synth.prerender(lines)
    # pyttsx3 itself very rarely renders a line empty twice; the binary then covers for it.
    assert len(synth.render_ms) == 3 and synth.fallbacks <= 1 and "timeout" not in synth.worker_errors
    for line in lines:
        channels, rate, seconds = wav_facts(paths[line])
        assert (channels, rate) == (1, 16000)
        assert 0.8 < seconds < 6
        samples = read_wav(paths[line])[0].astype(float)
        assert np.sqrt(np.mean(samples**2)) > 300  # speech, not silence
    # Angrier prosody is faster: the same words take less time.
    calm = synth.render("Why is it so high this month?", "en-us", 160, 50)
    assert wav_facts(paths[lines[1]])[2] < wav_facts(calm)[2]
    assert len(synth.render_ms) == 4  # the cached lines were not rendered again


def sleeper(pid_file: Path) -> list[str]:
    """A worker that never answers, and notes its pid so the test can see it was killed."""
    code = f"import os, time; open({str(pid_file)!r}, 'a').write(f'{{os.getpid()}}\\n'); time.sleep(60)"
    return [sys.executable, "-c", code]


def assert_all_dead(pid_file: Path, expected: int) -> None:
    pids = [int(p) for p in pid_file.read_text().split()]
    assert len(pids) == expected
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


@pytest.mark.slow
def test_hung_worker_is_killed_retried_once_then_binary(tmp_path: Path, espeak: str) -> None:
    pids = tmp_path / "pids"
    synth = EspeakSynth(tmp_path / "cache", timeout_s=0.5, worker_command=sleeper(pids))
    path = synth.render("Are you still there?", "en-us", 160, 50)
    assert synth.fallbacks == 1
    assert wav_facts(path)[:2] == (1, 16000) and read_wav(path)[0].any()
    assert_all_dead(pids, expected=2)


@pytest.mark.slow
def test_worker_hanging_on_one_line_spares_the_others(tmp_path: Path, espeak: str) -> None:
    script = tmp_path / "flaky_worker.py"
    script.write_text(textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from audio import tts_worker

        def requests():
            for raw in sys.stdin:
                if "HANG" in raw:
                    time.sleep(60)
                yield raw

        tts_worker.serve(requests(), tts_worker.protocol_channel())
    """))
    synth = EspeakSynth(tmp_path / "cache", timeout_s=2, worker_command=[sys.executable, str(script)])
    lines = [Line("first line"), Line("HANG here"), Line("third line")]
    paths = synth.prerender(lines)
    assert synth.worker_errors.count("timeout") == 2  # the hanging line, tried twice ...
    assert 1 <= synth.fallbacks <= 2  # ... then the binary (pyttsx3's rare empty render aside)
    assert all(read_wav(paths[line])[0].any() for line in lines)


def test_everything_failing_is_one_audio_error(tmp_path: Path) -> None:
    synth = EspeakSynth(tmp_path / "cache", timeout_s=0.3, worker_command=sleeper(tmp_path / "pids"),
                        espeak_binary=str(tmp_path / "no-espeak-ng"))
    with pytest.raises(AudioError, match="apt-get install espeak-ng") as caught:
        synth.render("hello", "en-us", 160, 50)
    assert "timeout" in str(caught.value) and "\n" not in str(caught.value)
    assert not list((tmp_path / "cache").glob("*.wav"))
    assert_all_dead(tmp_path / "pids", expected=2)


@pytest.mark.slow
def test_unknown_voice_names_the_voice(tmp_path: Path, espeak: str) -> None:
    synth = EspeakSynth(tmp_path)
    with pytest.raises(AudioError, match="'nonsense'.*espeak-ng --voices"):
        synth.render("hello", "nonsense", 160, 50)
    # A language code pyttsx3's lookup misses is found by its language, without the binary.
    assert any("no voice 'nonsense'" in error for error in synth.worker_errors)
    assert read_wav(synth.render("hello", "en-gb", 160, 50))[0].any()
    assert not any("en-gb" in error for error in synth.worker_errors)
