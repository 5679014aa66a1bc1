"""What the recognition benchmarks share: the shipped answer lines, and one pass of a Whisper
model over them giving the error rate (in the caller's units: words or characters), phrase
F1 against the written text, and the real-time factor."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from phrase_f1 import Sample, Scores, evaluate
from rapidfuzz.distance import Levenshtein

from audio.asr_whisper import transcribe_samples
from audio.wavio import ASR_RATE_HZ
from phrasebank import load_phrasebank
from roleplay.authoring.answers import load_answers
from scoring.phrases import find_phrases


def answer_lines(folder: Path) -> list[str]:
    """Every distinct line the shipped answers files in `folder` say, in file order."""
    lines: list[str] = []
    for path in sorted(folder.glob("*.yaml")):
        lines += [step.say for step in load_answers(path) if step.say]
    return list(dict.fromkeys(lines))


@dataclass(frozen=True)
class Measured:
    error_rate: float      # edit distance over reference length, in the caller's units
    phrases: Scores
    rtf: float             # recognition time over audio time
    misses: list[str]      # each line not heard exactly: the text, then what was heard


def measure(model: Path, language: str, label: str, texts: list[str], speech: list[np.ndarray],
            line: Callable[[np.ndarray], np.ndarray],
            units: Callable[[str], list[str] | str]) -> Measured:
    bank = load_phrasebank(language)
    errors = length = 0
    asr_s = audio_s = 0.0
    samples, misses = [], []
    for text, clean in zip(texts, speech, strict=True):
        heard = line(clean)
        started = time.perf_counter()
        said = transcribe_samples(model, language, heard, ASR_RATE_HZ).text
        asr_s += time.perf_counter() - started
        audio_s += len(heard) / ASR_RATE_HZ
        ref, hyp = units(text), units(said)
        errors += Levenshtein.distance(ref, hyp)
        length += len(ref)
        expect = frozenset(m.category for m in find_phrases(text, bank))
        samples.append(Sample(label, said, expect))
        if ref != hyp:
            misses.append(f"  {text}\n  {said}")
    scores, _ = evaluate(samples, bank)
    return Measured(errors / max(length, 1), scores["all"], asr_s / max(audio_s, 1e-9), misses)
