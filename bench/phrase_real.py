"""Phrase detection on real agents' lines: F1 on labelled lines (dev and held-out) and false
positives on neutral lines (the negative set), per language.

    python bench/phrase_real.py [--jd PATH] [--errors dev|heldout|all]

English lines are stored in tests/corpus/real_agents_en.yaml. The Mandarin lines' text is not
stored (their source has no licence): --jd names a fetched copy of
EndlessLethe/jddc2019-3th-retrieve-model data/chat_0.1per.txt (or set JDDC_CHAT); without it the
Mandarin figures come from our paraphrases (tests/corpus/real_agents_zh_paraphrased.yaml).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from phrase_f1 import Sample, Scores, evaluate

from phrasebank import load_phrasebank

CORPUS = ROOT / "tests" / "corpus"


@dataclass(frozen=True)
class Figures:
    labelled: Scores          # lines with at least one category
    negatives: Scores         # neutral lines: every category found is a false positive
    noisy_negatives: int      # neutral lines with any category found


def _rows(name: str) -> list[dict[str, object]]:
    return list(yaml.safe_load((CORPUS / name).read_text(encoding="utf-8")) or [])


def jd_texts(path: Path) -> dict[int, str]:
    """Agent text by 1-based line number of chat_0.1per.txt (7th tab-separated column)."""
    texts = {}
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            columns = line.rstrip("\n").split("\t")
            if len(columns) >= 7 and columns[2] == "1":
                texts[number] = columns[6].strip()
    return texts


def load_real(language: str, jd: Path | None = None) -> list[Sample]:
    """Samples of kind "dev" or "heldout"; Mandarin from the fetched copy, else the paraphrases."""
    if language == "en":
        return [Sample(str(r["split"]), str(r["text"]), frozenset(r["expect"] or ()))  # type: ignore[arg-type]
                for r in _rows("real_agents_en.yaml")]
    if jd is None:
        return [Sample(str(r["split"]), str(r["text"]), frozenset(r["expect"] or ()))  # type: ignore[arg-type]
                for r in _rows("real_agents_zh_paraphrased.yaml")]
    texts = jd_texts(jd)
    samples = []
    for row in _rows("real_agents_zh.yaml"):
        text = texts.get(int(row["line"]))  # type: ignore[call-overload]
        if text is None or hashlib.sha1(text.encode()).hexdigest()[:12] != row["sha1"]:
            raise SystemExit(f"{jd}: line {row['line']} is not the labelled line; fetch the file named in the docstring")
        samples.append(Sample(str(row["split"]), text, frozenset(row["expect"] or ())))  # type: ignore[arg-type]
    return samples


def figures(samples: list[Sample], language: str, split: str) -> tuple[Figures, list[str]]:
    bank = load_phrasebank(language)
    chosen = [s for s in samples if split == "all" or s.kind == split]
    labelled, errors = evaluate([s for s in chosen if s.expect], bank)
    negatives, noisy = evaluate([s for s in chosen if not s.expect], bank)
    lines = [f"  {m.sample.text!r}  +{sorted(m.found - m.sample.expect)} -{sorted(m.sample.expect - m.found)}"
             for m in errors + noisy]
    empty = Scores(0, 0, 0, 0)
    return Figures(labelled.get("all", empty), negatives.get("all", empty), len(noisy)), lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jd", type=Path, default=os.environ.get("JDDC_CHAT") or None,
                        help="a fetched copy of data/chat_0.1per.txt (JDDC 2019)")
    parser.add_argument("--errors", choices=("dev", "heldout", "all"), help="list the wrong lines of a split")
    args = parser.parse_args(argv)
    print(f"{'lang':5}{'split':9}{'source':12}{'lines':>6}{'P':>7}{'R':>7}{'F1':>7}{'neg':>6}{'neg FP':>8}")
    for language in ("en", "zh"):
        source = "real" if language == "en" or args.jd else "paraphrase"
        samples = load_real(language, args.jd)
        for split in ("dev", "heldout", "all"):
            f, lines = figures(samples, language, split)
            s = f.labelled
            print(f"{language:5}{split:9}{source:12}{s.sentences:6}{s.precision:7.3f}{s.recall:7.3f}{s.f1:7.3f}"
                  f"{f.negatives.sentences:6}{f.negatives.fp:8}")
            if args.errors == split:
                print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
