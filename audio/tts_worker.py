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
from collections.abc import Iterable
from typing import Any, TextIO


def _voice_id(engine: Any, voice: str) -> str:
    """The espeak-ng identifier for `voice` (an id, a language code like en-gb, or a name),
    keeping a "+variant". pyttsx3 queues setProperty and swallows its failure inside
    runAndWait, so an unknown voice has to be caught here, before it silently speaks English."""
    base, plus, variant = voice.partition("+")
    wanted = base.strip().lower()
    for candidate in engine.getProperty("voices"):
        names = {candidate.id.lower(), candidate.id.lower().rsplit("/", 1)[-1], str(candidate.name).lower(),
                 *(str(lang).lower() for lang in candidate.languages)}
        if wanted in names:
            return candidate.id + plus + variant
    raise ValueError(f"espeak-ng has no voice {voice!r}")


def _render(engine: Any, request: dict[str, Any]) -> None:
    engine.setProperty("voice", _voice_id(engine, request["voice"]))
    engine.setProperty("rate", int(request["rate_wpm"]))
    engine.setProperty("pitch", int(request["pitch"]))
    engine.save_to_file(request["text"], request["out"])
    engine.runAndWait()
    if not os.path.exists(request["out"]) or os.path.getsize(request["out"]) <= 44:
        raise RuntimeError("pyttsx3 wrote no audio")


def serve(requests: Iterable[str], replies: TextIO) -> None:
    import pyttsx3

    engine = pyttsx3.init("espeak")
    for raw in requests:
        if not raw.strip():
            continue
        try:
            _render(engine, json.loads(raw))
            reply: dict[str, Any] = {"ok": True}
        except Exception as error:  # noqa: BLE001 - any failure is reported, the parent decides
            reply = {"ok": False, "error": f"{type(error).__name__}: {error}"}
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


def protocol_channel() -> TextIO:
    """pyttsx3 prints "Audio saved to ..." on stdout: keep the replies on a private copy of
    the real stdout and send everything else to stderr."""
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return replies


def main() -> int:
    replies = protocol_channel()
    try:
        serve(sys.stdin, replies)
    except Exception as error:  # noqa: BLE001 - e.g. pyttsx3 or libespeak-ng missing
        replies.write(json.dumps({"ok": False, "error": f"{type(error).__name__}: {error}"}) + "\n")
        replies.flush()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
