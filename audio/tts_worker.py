"""The pyttsx3 render loop, run as `python -m audio.tts_worker` by audio/tts.py.

pyttsx3's runAndWait can hang for good on repeated use; living in its own process, a hung
render is killed by the parent instead of freezing the call. Protocol: one JSON request per
line on stdin ({"text", "voice", "rate_wpm", "pitch", "out"}), one JSON reply per line on
the original stdout ({"ok": true} or {"ok": false, "error": "..."}). The WAV at "out" is
espeak-ng's native 22050 Hz mono 16-bit; the parent resamples it.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any, TextIO


def voice_table(engine: Any) -> dict[str, str]:
    """Every name a voice answers to (id, id tail, name, language codes) -> its id.

    Listed once, at start-up: calling espeak-ng's ListVoices between renders makes the odd
    render come out empty (seen about 1 in 150)."""
    table: dict[str, str] = {}
    for voice in engine.getProperty("voices"):
        for name in (voice.id, voice.id.rsplit("/", 1)[-1], voice.name, *voice.languages):
            table.setdefault(str(name).lower(), voice.id)
    return table


def _voice_id(voices: dict[str, str], voice: str) -> str:
    """The espeak-ng id for `voice`, keeping a "+variant". pyttsx3 queues setProperty and
    swallows its failure inside runAndWait, so an unknown voice must be caught here, before
    it silently speaks in the default voice."""
    base, plus, variant = voice.partition("+")
    found = voices.get(base.strip().lower())
    if found is None:
        raise ValueError(f"espeak-ng has no voice {voice!r}")
    return found + plus + variant


def _render(engine: Any, voices: dict[str, str], request: dict[str, Any]) -> None:
    engine.setProperty("voice", _voice_id(voices, request["voice"]))
    engine.setProperty("rate", int(request["rate_wpm"]))
    engine.setProperty("pitch", int(request["pitch"]))
    # About 1 render in 100 (more often a worker's first) comes out as an empty WAV; the
    # same request again succeeds, so try twice before reporting it.
    for _attempt in range(2):
        engine.save_to_file(request["text"], request["out"])
        engine.runAndWait()
        if os.path.exists(request["out"]) and os.path.getsize(request["out"]) > 44:
            return
    raise RuntimeError("pyttsx3 wrote no audio, twice")


def answer(requests: Iterable[str], replies: TextIO, handle: Callable[[dict[str, Any]], None]) -> None:
    """The line protocol: `handle` each JSON request, reply ok or the error it raised."""
    for raw in requests:
        if not raw.strip():
            continue
        try:
            handle(json.loads(raw))
            reply: dict[str, Any] = {"ok": True}
        except Exception as error:  # noqa: BLE001 - any failure is reported, the parent decides
            reply = {"ok": False, "error": f"{type(error).__name__}: {error}"}
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


def serve(requests: Iterable[str], replies: TextIO) -> None:
    import pyttsx3

    engine = pyttsx3.init("espeak")
    voices = voice_table(engine)
    answer(requests, replies, lambda request: _render(engine, voices, request))


def protocol_channel() -> TextIO:
    """pyttsx3 prints "Audio saved to ..." on stdout: keep the replies on a private copy of
    the real stdout and send everything else to stderr."""
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return replies


def run(serve: Callable[[Iterable[str], TextIO], None]) -> int:
    """A worker's main: serve stdin; a failure to start is the one reply."""
    replies = protocol_channel()
    try:
        serve(sys.stdin, replies)
    except Exception as error:  # noqa: BLE001 - e.g. the engine or its library missing
        replies.write(json.dumps({"ok": False, "error": f"{type(error).__name__}: {error}"}) + "\n")
        replies.flush()
        return 1
    return 0


def main() -> int:
    return run(serve)


if __name__ == "__main__":
    sys.exit(main())
