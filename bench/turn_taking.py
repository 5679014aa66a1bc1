"""Turn-taking: does a pause inside an answer hand the turn over, and how long after the
trainee stops does their turn end? The VAD-only endpointer and Silero + Smart Turn, side by
side on the same answers.

Material: answers of two or three sentences, each sentence rendered apart by espeak-ng
(English en-us, Mandarin cmn) and joined by pauses of 0.3-1.5 s, then 4 s of line; "clean"
(a -70 dBFS hiss) and "phone" (300-3400 Hz, through 8 kHz, noise at 17 dB SNR). Each answer
is fed in 20 ms frames like a microphone.
- cut: the turn ended before the last sentence finished (the answer was cut in two).
- turn gap: the end of the last sentence -> the stream time at which the turn ended.

    python bench/turn_taking.py [--pauses 0.3 0.6 0.9 1.2 1.5] [--patience 2.5]
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import speechgen

from audio.endpoint import (
    Endpointer,
    SmartTurnConfig,
    SmartTurnEndpointer,
    VadEndpointer,
)
from audio.turn_model import download_turn_model
from audio.wavio import read_wav, write_wav

RATE = 16000
FRAME = RATE * 20 // 1000
TAIL_S = 4.0
SNR_DB = 17.0
ANSWERS = {
    "en": [
        ["I can see your account here.", "The payment went through on Monday."],
        ["Thank you for waiting.", "I have checked the line.", "It looks fine from our side."],
        ["Your refund has been approved.", "It should reach your card within five days."],
        ["I am sorry about the delay.", "Let me put a note on your file."],
        ["The engineer can come on Friday morning.", "Does that work for you?"],
        ["I understand why you are upset.", "I will send you a new router today.",
         "You will have it by Thursday."],
    ],
    "zh": [
        ["我已经看到您的账户了。", "您的付款星期一已经到账。"],
        ["谢谢您的耐心等待。", "我检查了您的线路。", "我们这边看起来是正常的。"],
        ["您的退款已经批准了。", "五天之内会退回到您的卡上。"],
        ["很抱歉让您久等了。", "我会在您的档案里记录一下。"],
        ["工程师星期五上午可以上门。", "这个时间您方便吗？"],
        ["我理解您为什么不高兴。", "我今天就给您寄一个新的路由器。", "星期四之前您就能收到。"],
    ],
}
VOICES = {"en": "en-us", "zh": "cmn"}


def held(text: str) -> str:
    """The sentence said as one that keeps the floor: a comma's continuation intonation."""
    return text[:-1] + ("，" if text.endswith("。") else ",")


def sentence(text: str, language: str, cache: Path) -> np.ndarray:
    """One sentence, trimmed to its speech; rendered once and kept in `cache`."""
    path = cache / f"{language}-{hashlib.sha256(text.encode()).hexdigest()[:16]}.wav"
    if not path.exists():
        from roleplay.frontends.spoken import trim_silence

        cache.mkdir(parents=True, exist_ok=True)
        write_wav(path, trim_silence(speechgen.render(text, voice=VOICES[language])))
    return read_wav(path)[0]


@dataclass(frozen=True)
class Answer:
    signal: np.ndarray
    last_start_ms: int  # where the last sentence starts
    end_ms: int         # where it ends: the trainee stops


def build(parts: list[np.ndarray], pause_s: float, phone: bool, seed: int) -> Answer:
    gap = np.zeros(round(pause_s * RATE), np.int16)
    pieces: list[np.ndarray] = []
    for part in parts[:-1]:
        pieces += [part, gap]
    last_start = sum(len(p) for p in pieces)
    pieces += [parts[-1], np.zeros(round(TAIL_S * RATE), np.int16)]
    lead = np.zeros(RATE // 2, np.int16)  # half a second of line before the answer
    x = np.concatenate([lead, *pieces])
    if phone:
        x = speechgen.add_noise(speechgen.telephone_band(x), SNR_DB, seed)
    else:
        hiss = np.random.default_rng(seed).standard_normal(len(x)) * 32768 * 10 ** (-70 / 20)
        x = np.clip(np.round(x + hiss), -32768, 32767).astype(np.int16)
    end = len(lead) + last_start + len(parts[-1])
    return Answer(x, (len(lead) + last_start) * 1000 // RATE, end * 1000 // RATE)


def turn_end_ms(endpointer: Endpointer, signal: np.ndarray) -> int | None:
    """Stream time at which the endpointer ended the turn (None: it never did)."""
    endpointer.reset()
    for start in range(0, len(signal) - FRAME + 1, FRAME):
        if endpointer.feed(signal[start : start + FRAME].tobytes()).turn_end:
            return (start + FRAME) * 1000 // RATE
    return None


@dataclass
class Tally:
    cuts: dict[float, list[bool]]
    gaps: list[int]
    seconds: float = 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pauses", type=float, nargs="+", default=[0.3, 0.6, 0.9, 1.2, 1.5])
    parser.add_argument("--patience", type=float, default=2.5, help="hard cap on a pause, s")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "roleplay" / "bench-turns")
    args = parser.parse_args()
    endpointers: dict[str, Endpointer] = {
        "vad-only (300 ms)": VadEndpointer(),
        # For scale: what waiting out every pause up to 1.2 s costs without a model.
        "vad-only (1300 ms)": VadEndpointer(hangover_ms=1300),
        "silero+smart-turn": SmartTurnEndpointer(
            download_turn_model(), SmartTurnConfig(patience_ms=round(args.patience * 1000))),
    }
    tallies = {name: Tally({p: [] for p in args.pauses}, []) for name in endpointers}
    sections = {f"{lang} {line} {style}": (lang, line == "phone", style == "held")
                for style in ("falling", "held") for lang in ANSWERS for line in ("clean", "phone")}
    per_section: dict[str, dict[str, Tally]] = {}
    count = 0
    for label, (language, phone, keep_floor) in sections.items():
        per_section[label] = {name: Tally({p: [] for p in args.pauses}, []) for name in endpointers}
        for i, texts in enumerate(ANSWERS[language]):
            said = [held(t) for t in texts[:-1]] + texts[-1:] if keep_floor else texts
            parts = [sentence(t, language, args.cache) for t in said]
            for pause in args.pauses:
                answer = build(parts, pause, phone, seed=i)
                count += 1
                for name, endpointer in endpointers.items():
                    started = time.perf_counter()
                    ended = turn_end_ms(endpointer, answer.signal)
                    seconds = time.perf_counter() - started
                    cut = ended is not None and ended < answer.end_ms
                    for tally in (tallies[name], per_section[label][name]):
                        tally.cuts[pause].append(cut)
                        tally.seconds += seconds
                        if not cut and ended is not None:
                            tally.gaps.append(ended - answer.end_ms)
    names = list(endpointers)
    print(f"{count} answers ({sum(len(a) for a in ANSWERS.values())} texts x {len(args.pauses)} pauses "
          f"x clean/phone at {SNR_DB:.0f} dB SNR), en-us and cmn espeak-ng; patience {args.patience} s")
    print(f"{'':24}" + "".join(f"{n:>22}" for n in names))
    for pause in args.pauses:
        row = [f"{100 * sum(t.cuts[pause]) / len(t.cuts[pause]):.0f}% cut" for t in tallies.values()]
        print(f"{f'pause {pause:.1f} s':24}" + "".join(f"{r:>22}" for r in row))
    print(f"{'median turn gap':24}" + "".join(f"{_gap(t.gaps):>22}" for t in tallies.values()))
    print(f"{'p90 turn gap':24}" + "".join(f"{_gap(t.gaps, 0.9):>22}" for t in tallies.values()))
    print(f"{'cpu per answer':24}" + "".join(
        f"{1000 * t.seconds / count:>19.0f} ms" for t in tallies.values()))
    print("by material (cut rate over all pauses; median gap):")
    for label, by_name in per_section.items():
        cells = []
        for t in by_name.values():
            cuts = [c for v in t.cuts.values() for c in v]
            cells.append(f"{100 * sum(cuts) / len(cuts):.0f}% / {_gap(t.gaps)}")
        print(f"  {label:22}" + "".join(f"{c:>22}" for c in cells))
    return 0


def _gap(gaps: list[int], q: float = 0.5) -> str:
    if not gaps:
        return "-"
    if q == 0.5:
        return f"{statistics.median(gaps):.0f} ms"
    return f"{sorted(gaps)[min(len(gaps) - 1, int(q * len(gaps)))]:.0f} ms"


if __name__ == "__main__":
    sys.exit(main())
