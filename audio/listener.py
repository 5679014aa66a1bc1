"""The trainee's side of a spoken call: frames in, one answer out.

The same loop serves the headset (MicrophoneSource on the system clock) and simulation
(SimulatedSource on the virtual clock): time is counted in samples read, so onsets and
latencies do not depend on when the recogniser finishes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TextIO

from audio.asr import AsrUpdate, Recognizer, Transcript, join_transcripts
from audio.endpoint import Endpointer
from audio.vad import VadEvent
from roleplay.model.clock import Clock
from roleplay.model.errors import ModelError
from roleplay.model.events import (
    AsrError,
    AsrFinal,
    AsrPartial,
    Event,
    SpokenWord,
    TalkOver,
    Timeline,
    TraineeSilent,
    TraineeSpeechEnded,
    TraineeSpeechStarted,
)
from roleplay.model.ports import Answer, Line, record_silence
from roleplay.model.scenario import Node

MAX_UTTERANCE_MS = 60_000   # a trainee who never pauses is cut into 60 s answers
READ_TIMEOUT_S = 2.0


class PartialPrinter:
    """A timeline sink: the trainee's words appear while they speak, the line rewritten in
    place. `live` defaults to whether `view` is a terminal; elsewhere (a pipe, a log) only the
    final answer is printed, by the caller."""

    def __init__(self, view: TextIO, live: bool | None = None) -> None:
        self.view = view
        self.live = view.isatty() if live is None else live

    def __call__(self, event: Event) -> None:
        if not self.live:
            return
        if isinstance(event.payload, AsrPartial):
            print(f"\r  … {event.payload.text[-70:]:70}", end="", file=self.view, flush=True)
        elif isinstance(event.payload, AsrFinal | TraineeSilent | AsrError):
            print("\r" + " " * 76 + "\r", end="", file=self.view, flush=True)


class FrameSource(Protocol):
    sample_rate_hz: int

    def read(self, timeout_s: float) -> bytes:
        """The next few ms of mono int16 audio (the headset, or a simulated trainee)."""
        ...


class TraineeAudioSink(Protocol):
    def trainee(self, t_ms: int, pcm16: bytes) -> None: ...


class AnswerContent(Protocol):
    def complete(self, node: Node, utterances: Sequence[str]) -> bool | None:
        """Whether the utterances closed so far (one per pause) finish the answer to `node`:
        everything it asks for, ending on a hand-over; None: the words give no cue."""
        ...


class Listener:
    def __init__(
        self,
        source: FrameSource,
        recognizer: Recognizer,
        timeline: Timeline,
        clock: Clock,
        recorder: TraineeAudioSink | None = None,
        barge_in: Callable[[], None] | None = None,
        origin_ms: int = 0,
        endpointer: Endpointer | None = None,
        content: AnswerContent | None = None,
    ) -> None:
        self.source = source
        self.recognizer = recognizer
        self.timeline = timeline
        self.clock = clock
        self.recorder = recorder
        self.barge_in = barge_in      # stops the customer's playback when the scenario allows it
        self.stream_ms = origin_ms    # call time at the end of the audio read so far
        self.samples_read = 0
        self.origin_ms = origin_ms
        # None: the recogniser's own endpoint ends the turn (its VAD's 300 ms offset).
        self.endpointer = endpointer
        self.content = content        # tells the endpointer whether the answer is complete yet
        self._parts: list[Transcript] = []  # what the recogniser closed at pauses in this turn

    def _read(self, timeout_s: float = READ_TIMEOUT_S) -> tuple[int, bytes]:
        pcm = self.source.read(timeout_s)  # AudioError (unplugged) ends the call; the archive keeps it
        start = self.stream_ms
        self.samples_read += len(pcm) // 2
        self.stream_ms = self.origin_ms + self.samples_read * 1000 // self.source.sample_rate_hz
        if self.recorder:
            self.recorder.trainee(start, pcm)
        return start, pcm

    def skip_until(self, t_ms: int) -> None:
        """Read (and record) without listening up to call time `t_ms` (a simulated source)."""
        while self.stream_ms < t_ms:
            self._read()

    def drain(self) -> None:
        """Read (and record) without listening what a live microphone has queued, so that
        `stream_ms` is "now" on the stream's own time: a drill starts each customer line
        there, and audio queued between rounds is not part of the next answer."""
        while self._read(0.0)[1]:
            pass

    def answer(self, node: Node, line: Line | None, after_ms: int, timeout_ms: int) -> Answer:
        self.recognizer.reset()
        if self.endpointer:
            self.endpointer.reset()
        self._parts = []
        self._hear_content(node)
        turn_origin = self.stream_ms
        onset: int | None = None
        offset: int | None = None
        partial = ""
        while True:
            _, pcm = self._read()
            now = self.stream_ms
            if line and not line.ended and now >= line.end_ms:
                line.finish()
            try:
                update = self.recognizer.accept(pcm)
                events, turn_end = self._turn_events(node, update, pcm)
            except (ModelError, RuntimeError) as error:
                return self._failed(node, now, str(error))
            for event in events:
                at = turn_origin + event.t_ms
                if event.kind == "onset" and onset is None:
                    onset = at
                    self.timeline.append(at, TraineeSpeechStarted(node=node.id))
                    if line and not line.ended and at < line.end_ms:
                        # Speech that began before the line (the rest of an answer cut at a
                        # pause, heard late by a lagging recogniser) overlaps from the line's start.
                        over = max(at, line.start_ms)
                        self.timeline.append(over, TalkOver(node=node.id, overlap_ms=line.end_ms - over))
                        if self.barge_in:
                            self.barge_in()
                            line.finish(over, cut=True)
                elif event.kind == "offset" and onset is not None:
                    offset = at
            if update.partial and update.partial != partial and onset is not None:
                partial = update.partial
                self.timeline.append(now, AsrPartial(node=node.id, text=partial))
            if onset is not None and (turn_end or now - onset > MAX_UTTERANCE_MS):
                return self._final(node, turn_origin, onset, offset or now, now)
            if onset is None and now >= after_ms + timeout_ms:
                if line:
                    line.finish()
                return record_silence(self.timeline, node.id, now, now - after_ms)

    def _turn_events(self, node: Node, update: AsrUpdate, pcm: bytes) -> tuple[tuple[VadEvent, ...], bool]:
        """The onsets/offsets and whether the turn ended: the recogniser's own, or the
        endpointer's. With an endpointer, an utterance the recogniser closes at a pause is
        kept and the turn goes on: the answer is all of them joined."""
        if self.endpointer is None:
            return update.vad_events, update.endpoint
        if update.endpoint:
            self._parts.append(self.recognizer.final())
            self._hear_content(node)
        decision = self.endpointer.feed(pcm)
        return decision.events, decision.turn_end

    def _hear_content(self, node: Node) -> None:
        if self.endpointer and self.content:
            said = [part.text for part in self._parts]
            self.endpointer.hear_content(self.content.complete(node, said))

    def _final(self, node: Node, turn_origin: int, onset: int, offset: int, now: int) -> Answer:
        # Logged before the recogniser's flush so the turn gap can be measured from here.
        self.timeline.append(offset, TraineeSpeechEnded(node=node.id, endpoint_ms=now))
        try:
            last: Transcript = self.recognizer.final()
            transcript = join_transcripts([*self._parts, last], last.duration_s)
        except (ModelError, RuntimeError) as error:
            return self._failed(node, now, str(error))
        words = tuple(
            SpokenWord(w.word, turn_origin + round(w.start_s * 1000),
                       turn_origin + round(w.end_s * 1000), round(w.conf, 3))
            for w in transcript.words
        )
        self.timeline.append(now, AsrFinal(node=node.id, text=transcript.text, words=words))
        return Answer(transcript.text, onset, offset, words)

    def _failed(self, node: Node, now: int, message: str) -> Answer:
        self.timeline.append(now, AsrError(node=node.id, message=message))
        return Answer("", error=message)

    def close(self) -> None:
        pass
