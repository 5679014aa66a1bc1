"""Devices: picking and remembering, the microphone's failure modes, resampling, and the real
sounddevice path on a virtual ALSA headset (docs/architecture.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

import audio.devices as devices_module
from audio.devices import DeviceInfo, MicrophoneSource, StreamResampler, list_devices, pick_device
from audio.wavio import read_wav, resample
from roleplay.model.errors import AudioError

ROOT = Path(__file__).resolve().parent.parent
ALSA_DIR = Path(__file__).resolve().parent / "alsa"
MIC = DeviceInfo(0, "Built-in Microphone", 2, 0, 48000, is_default_in=True)
SPEAKERS = DeviceInfo(1, "Built-in Speakers", 0, 2, 48000, is_default_out=True)
HEADSET = DeviceInfo(2, "Jabra USB Headset", 1, 2, 16000)
HEADSET_TOO = DeviceInfo(3, "USB", 1, 1, 44100)
ALL = [MIC, SPEAKERS, HEADSET, HEADSET_TOO]


@pytest.fixture(autouse=True)
def station(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ROLEPLAY_CONFIG", str(tmp_path / "config"))
    return tmp_path / "config" / "station.json"


def test_pick_by_index_or_name_substring_and_remember_it(station: Path) -> None:
    assert pick_device(None, "input", ALL) == MIC  # nothing remembered: the system default
    assert pick_device(None, "output", ALL) == SPEAKERS
    assert pick_device("2", "input", ALL) == HEADSET
    assert pick_device("jabra", "output", ALL) == HEADSET
    assert pick_device("usb", "input", ALL) == HEADSET_TOO  # an exact name beats a substring
    assert json.loads(station.read_text()) == {"input_device": "USB", "output_device": "Jabra USB Headset"}
    # The next run, with no flags, uses the same headset ...
    assert pick_device(None, "input", ALL) == HEADSET_TOO
    assert pick_device(None, "output", ALL) == HEADSET
    # ... unless it is unplugged.
    assert pick_device(None, "input", [MIC, SPEAKERS]) == MIC


def test_unknown_device_is_one_clear_line(station: Path) -> None:
    with pytest.raises(AudioError) as caught:
        pick_device("sennheiser", "input", ALL)
    message = str(caught.value)
    assert "\n" not in message and "'sennheiser'" in message and "--typed" in message
    assert "0 'Built-in Microphone'" in message and "Speakers" not in message  # inputs only
    with pytest.raises(AudioError, match="no headphones"):
        pick_device("7", "output", ALL)
    assert not station.exists()  # a failed pick remembers nothing


def test_no_input_device_at_all_suggests_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = SimpleNamespace(
        query_devices=lambda: [{"index": 0, "name": "HDMI", "max_input_channels": 0,
                                "max_output_channels": 2, "default_samplerate": 48000.0}],
        default=SimpleNamespace(device=(-1, 0)), PortAudioError=RuntimeError,
    )
    monkeypatch.setattr(devices_module, "sounddevice_module", lambda: fake)
    found = list_devices()
    assert [(d.name, d.inputs, d.is_default_out) for d in found] == [("HDMI", 0, True)]
    with pytest.raises(AudioError, match=r"no microphone \(input\) device found.*--typed"):
        pick_device(None, "input")


def test_stream_resampler_is_continuous_and_band_limited() -> None:
    rate = 48000
    t = np.arange(rate) / rate
    speechy = (6000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    whole = StreamResampler(rate, 16000).process(speechy)
    chunked = StreamResampler(rate, 16000)
    pieces = np.concatenate([chunked.process(speechy[i : i + 937]) for i in range(0, rate, 937)])
    assert np.array_equal(whole, pieces)  # chunk boundaries leave no trace
    assert abs(len(whole) - 16000) <= 40  # less only the filter's delay
    spectrum = np.abs(np.fft.rfft(whole[200:16000 - 200]))
    assert abs(np.argmax(spectrum) * 16000 / len(whole[200:-200]) - 440) < 5
    assert 5000 < np.max(np.abs(whole[200:])) < 7000  # the level survives
    # A 12 kHz tone cannot exist at 16 kHz: it must be filtered, not aliased to 4 kHz.
    hiss = (6000 * np.sin(2 * np.pi * 12000 * t)).astype(np.int16)
    assert np.max(np.abs(StreamResampler(rate, 16000).process(hiss)[200:])) < 200


class FakeStream:
    """A PortAudio input stream that delivers `chunks` blocks, then stays silent or ends."""

    def __init__(self, chunks: int, then_end: bool, **kwargs: Any) -> None:
        self.kwargs, self.chunks, self.then_end = kwargs, chunks, then_end

    def start(self) -> None:
        for _ in range(self.chunks):
            self.kwargs["callback"](bytes(640), 320, None, 0)
        if self.then_end:
            self.kwargs["finished_callback"]()

    def abort(self) -> None: ...

    def close(self) -> None: ...


def fake_portaudio(chunks: int, then_end: bool) -> SimpleNamespace:
    return SimpleNamespace(
        RawInputStream=lambda **kw: FakeStream(chunks, then_end, **kw),
        check_input_settings=lambda **kw: None, PortAudioError=RuntimeError,
    )


@pytest.mark.parametrize(("then_end", "reason"), [(False, "no audio for 0.3 s"), (True, "the stream ended")])
def test_a_microphone_that_goes_away_raises_audio_error(
    monkeypatch: pytest.MonkeyPatch, then_end: bool, reason: str
) -> None:
    monkeypatch.setattr(devices_module, "sounddevice_module", lambda: fake_portaudio(3, then_end))
    mic = MicrophoneSource(HEADSET, stall_s=0.3)
    assert [len(mic.read(0.1)) for _ in range(3)] == [640, 640, 640]
    started = time.monotonic()
    with pytest.raises(AudioError, match=f"microphone 2 'Jabra USB Headset' stopped: {reason}.*--typed"):
        while time.monotonic() - started < 5:
            assert mic.read(0.05) == b""  # a quiet poll is not an error until the stall
    mic.close()


class FakeOutput:
    """A PortAudio output stream whose callback the test drives block by block."""

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs, self.aborted, self.stopped = kwargs, False, False
        OUTPUTS.append(self)

    def pull(self, frames: int) -> bytes:
        block = bytearray(frames * 2 * self.kwargs["channels"])
        try:
            self.kwargs["callback"](block, frames, None, 0)
        except CallbackStop:
            self.stopped = True
        return bytes(block)

    def start(self) -> None: ...

    def abort(self) -> None:
        self.aborted = True

    def close(self) -> None: ...


OUTPUTS: list[FakeOutput] = []


class CallbackStop(Exception):
    pass


def fake_output_portaudio(rates: set[int], channels: set[int]) -> SimpleNamespace:
    def check(**kw: Any) -> None:
        if kw["samplerate"] not in rates or kw["channels"] not in channels:
            raise RuntimeError("Invalid sample rate")

    return SimpleNamespace(RawOutputStream=FakeOutput, check_output_settings=check,
                           PortAudioError=RuntimeError, CallbackStop=CallbackStop)


def test_speaker_sink_barge_in_and_device_rates(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from audio.playback import NullSink, SpeakerSink
    from audio.wavio import write_wav

    wav = tmp_path / "line.wav"
    write_wav(wav, np.full(16000, 1000, np.int16))  # one second at 16 kHz: 50 blocks of 20 ms
    monkeypatch.setattr(devices_module, "sounddevice_module", lambda: fake_output_portaudio({16000}, {1}))
    import audio.playback as playback_module

    monkeypatch.setattr(playback_module, "sounddevice_module", lambda: fake_output_portaudio({16000}, {1}))
    sink = SpeakerSink(HEADSET)
    assert sink.play(wav) == 1000 and sink.playing
    for _ in range(10):
        assert OUTPUTS[-1].pull(320) == np.full(320, 1000, "<i2").tobytes()
    assert sink.stop() == 200 and not sink.playing and OUTPUTS[-1].aborted  # cut after 200 ms
    # Played to the end: the last block is padded with silence and the stream stops itself.
    sink.play(wav)
    blocks = [OUTPUTS[-1].pull(300) for _ in range(54)]
    assert not any(b == bytes(600) for b in blocks[:53]) and OUTPUTS[-1].stopped
    assert blocks[53] == np.full(100, 1000, "<i2").tobytes() + bytes(400)
    OUTPUTS[-1].kwargs["finished_callback"]()
    assert sink.wait(0) and sink.played_ms() == 1000
    # A device that takes neither 16 kHz nor mono gets stereo at its own rate.
    monkeypatch.setattr(playback_module, "sounddevice_module", lambda: fake_output_portaudio({48000}, {2}))
    stereo = SpeakerSink(DeviceInfo(5, "HDMI", 0, 2, 48000))
    assert stereo.play(wav) == 1000
    assert (OUTPUTS[-1].kwargs["samplerate"], OUTPUTS[-1].kwargs["channels"]) == (48000, 2)
    frames = np.frombuffer(OUTPUTS[-1].pull(4800), "<i2").reshape(-1, 2)
    assert np.array_equal(frames[:, 0], frames[:, 1]) and abs(int(frames[2400, 0]) - 1000) < 5
    null = NullSink()
    assert null.play(wav) == 1000 and null.wait() and null.played == [wav]


# --- the real PortAudio path on a virtual ALSA device --------------------------------------
@pytest.fixture
def virtual_headset(tmp_path: Path) -> dict[str, Path]:
    paths = {"in": tmp_path / "in.raw", "out": tmp_path / "out.raw", "rc": tmp_path / "asoundrc"}
    template = (ALSA_DIR / "asoundrc.template").read_text()
    paths["rc"].write_text(template.replace("@OUT_RAW@", str(paths["out"])).replace("@IN_RAW@", str(paths["in"])))
    paths["in"].touch()  # without its infile the PCM offers no capture channels
    return paths


def run_with_alsa(headset: dict[str, Path], *argv: str) -> subprocess.CompletedProcess[str]:
    """PortAudio reads ALSA's configuration once per process: hence a fresh one per check."""
    env = {**os.environ, "ALSA_CONFIG_PATH": f"/usr/share/alsa/alsa.conf:{headset['rc']}"}
    return subprocess.run([sys.executable, *argv], check=False, env=env, capture_output=True, text=True, timeout=60)


def probe(headset: dict[str, Path], *argv: str) -> dict[str, Any]:
    done = run_with_alsa(headset, str(ALSA_DIR / "device_probe.py"), *argv)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


@pytest.mark.slow
def test_microphone_captures_the_trainee_wav_exactly(virtual_headset: dict[str, Path], espeak: str,
                                                     tmp_path: Path) -> None:
    wav = tmp_path / "trainee.wav"
    subprocess.run([espeak, "-v", "en-us+m3", "-w", str(wav), "Thank you for calling."], check=True)
    trainee = read_wav(wav)[0]  # 16 kHz, as the microphone will deliver it
    trainee.astype("<i2").tofile(virtual_headset["in"])
    frames = len(trainee) // 320
    result = probe(virtual_headset, "capture", str(virtual_headset["in"]), str(frames))
    captured = np.frombuffer(bytes.fromhex(result["pcm_hex"]), dtype="<i2")
    assert (result["device"], result["rate"]) == ("roleplay_test", 16000)
    assert np.array_equal(captured[: frames * 320], trainee[: frames * 320])


@pytest.mark.slow
def test_microphone_at_a_native_48k_rate_is_resampled_to_16k(virtual_headset: dict[str, Path]) -> None:
    t = np.arange(48000) / 48000
    (6000 * np.sin(2 * np.pi * 440 * t)).astype("<i2").tofile(virtual_headset["in"])
    result = probe(virtual_headset, "capture", str(virtual_headset["in"]), "40", "48000")
    captured = np.frombuffer(bytes.fromhex(result["pcm_hex"]), dtype="<i2")[200:]
    assert result["rate"] == 48000 and len(captured) == 40 * 320 - 200
    peak_hz = np.argmax(np.abs(np.fft.rfft(captured))) * 16000 / len(captured)
    assert abs(peak_hz - 440) < 5 and 5000 < np.max(np.abs(captured)) < 7000


@pytest.mark.slow
@pytest.mark.parametrize("device_rate", [None, 48000])
def test_customer_line_played_lands_in_the_out_file(
    virtual_headset: dict[str, Path], espeak: str, tmp_path: Path, device_rate: int | None
) -> None:
    from audio.tts import EspeakSynth

    wav = EspeakSynth(tmp_path / "tts").render("Hello, I am calling about my bill.", "en-us", 160, 50)
    line = read_wav(wav)[0]
    result = probe(virtual_headset, "play", str(wav), *([str(device_rate)] if device_rate else []))
    out = np.fromfile(virtual_headset["out"], dtype="<i2")
    assert result["finished"] and result["duration_ms"] == round(len(line) / 16)
    expected = line if device_rate is None else resample(line, 16000, device_rate)
    assert result["rate"] == (device_rate or 16000)  # the WAV's own rate when the device takes it
    # PortAudio primes the device with silence before the first callback: find where it ends.
    lead = int(np.flatnonzero(out)[0] - np.flatnonzero(expected)[0])
    assert 0 <= lead < 4096 and not out[:lead].any()
    assert np.array_equal(out[lead : lead + len(expected)], expected)  # sample for sample
    assert not out[lead + len(expected) :].any() and len(out) - lead - len(expected) < 4096


@pytest.mark.slow
def test_roleplay_devices_lists_and_remembers(virtual_headset: dict[str, Path], station: Path) -> None:
    cli = str(ROOT / "cli.py")
    done = run_with_alsa(virtual_headset, cli, "devices", "--input", "ROLEPLAY_TEST")
    assert done.returncode == 0, done.stderr
    row = next(line for line in done.stdout.splitlines() if "roleplay_test" in line)
    assert "remembered in" in row and "remembered out" not in row
    assert json.loads(station.read_text()) == {"input_device": "roleplay_test"}
    done = run_with_alsa(virtual_headset, cli, "devices", "--output", "jabra")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "'jabra'" in done.stderr and "--typed" in done.stderr
