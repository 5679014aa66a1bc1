"""Precision / recall / F1 of phrase detection on the labelled corpus, per language and input kind.

    python bench/phrase_f1.py [--errors]

Each sentence counts one decision per category: found and labelled (true positive), found and
not labelled (false positive), labelled and not found (false negative). The corpus is
tests/corpus/phrases_<lang>*.yaml; tests/test_phrases.py asserts the same figures.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from phrasebank import Phrasebank, load_phrasebank
from scoring.phrases import find_phrases

CORPUS = ROOT / "tests" / "corpus"


@dataclass(frozen=True)
class Sample:
    kind: str
    text: str
    expect: frozenset[str]


@dataclass(frozen=True)
class Scores:
    tp: int
    fp: int
    fn: int
    sentences: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Miss:
    sample: Sample
    found: frozenset[str]


def load_corpus(language: str) -> list[Sample]:
    samples = []
    for path in sorted(CORPUS.glob(f"phrases_{language}*.yaml")):
        for row in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            samples.append(Sample(row["kind"], row["text"], frozenset(row.get("expect") or ())))
    return samples


def evaluate(samples: Iterable[Sample], bank: Phrasebank) -> tuple[dict[str, Scores], list[Miss]]:
    """Scores per kind plus "all" ("text" = every kind typed or corrupted by hand), and the misses."""
    counts: dict[str, list[int]] = {}
    misses = []
    for sample in samples:
        found = frozenset(m.category for m in find_phrases(sample.text, bank))
        tp, fp, fn = len(found & sample.expect), len(found - sample.expect), len(sample.expect - found)
        groups = [sample.kind, "all"] + (["text"] if sample.kind != "whisper" else [])
        for group in groups:
            row = counts.setdefault(group, [0, 0, 0, 0])
            row[0] += tp
            row[1] += fp
            row[2] += fn
            row[3] += 1
        if fp or fn:
            misses.append(Miss(sample, found))
    return {k: Scores(*v) for k, v in counts.items()}, misses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list every sentence with a wrong category")
    args = parser.parse_args(argv)
    print(f"{'lang':5}{'kind':10}{'n':>5}{'P':>8}{'R':>8}{'F1':>8}")
    for language in ("en", "zh"):
        scores, misses = evaluate(load_corpus(language), load_phrasebank(language))
        for kind in ("clean", "asr", "negative", "whisper", "text", "all"):
            if kind in scores:
                s = scores[kind]
                print(f"{language:5}{kind:10}{s.sentences:5}{s.precision:8.3f}{s.recall:8.3f}{s.f1:8.3f}")
        if args.errors:
            for miss in misses:
                extra = sorted(miss.found - miss.sample.expect)
                lost = sorted(miss.sample.expect - miss.found)
                print(f"  [{miss.sample.kind}] {miss.sample.text!r}  +{extra} -{lost}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
