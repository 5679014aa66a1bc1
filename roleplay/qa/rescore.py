"""Batch re-scoring of archived calls with the current phrasebank and rubric (QA).

Each call is read, scored and saved inside a worker process, so the parent only walks the
folders: reading a call in the parent as well would parse every call.json twice. The
previous scorecard stays in the call's history (save_scorecard, source "rescore").
A broken call becomes a failed result with a one-line reason; the batch goes on.

With `retranscribe="whisper"` the trainee's answers are first heard again from call.wav
(roleplay/retranscribe.py) and the call is scored on that text (source "rescore+whisper");
a model that cannot load stops the batch, since no call could be done without it.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from roleplay.archive.calls import (
    ArchivedCall,
    is_call_dir,
    read_call,
    save_scorecard,
    sub_folders,
)
from roleplay.model.errors import RoleplayError
from roleplay.model.i18n import translator
from roleplay.model.message import Msg

if TYPE_CHECKING:
    from roleplay.qa.retranscribe import Retranscription
    from roleplay.records.progress import RecordedCall

SOURCE = "rescore"
_PR_SET_PDEATHSIG = 1   # linux/prctl.h


@dataclass(frozen=True)
class Options:
    rubric: Path | None = None
    save: bool = True
    retranscribe: str | None = None        # "whisper": hear the trainee channel again
    model: Path | None = None              # the faster-whisper model folder for it


@dataclass(frozen=True)
class Result:
    path: str
    call_id: str
    old: float | None
    new: float | None
    status: str = ""                       # the new card's status; "" when failed
    error: str = ""
    turns: int | None = None               # re-transcribed turns (None: scored on stored text)
    turns_changed: int | None = None       # of those, the ones whose text is not the live text
    # What the records database keeps of the re-scored call, for the parent to write.
    record: RecordedCall | None = field(default=None, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def delta(self) -> float | None:
        return None if self.old is None or self.new is None else round(self.new - self.old, 1)

    def line(self, lang: str = "en") -> str:
        """One line for the terminal, its words in `lang`."""
        _ = translator(lang).gettext
        if self.error:
            return _("{call} FAILED: {error}").format(call=self.call_id, error=self.error)
        old = "-" if self.old is None else f"{self.old:g}"
        new = _("not scored") if self.status == "not_scored" else f"{self.new:g}"
        delta = "" if self.delta is None else f" ({self.delta:+g})"
        heard = "" if self.turns is None else _(", {changed} of {turns} turns changed").format(
            changed=self.turns_changed, turns=self.turns)
        return f"{self.call_id} {old} -> {new}{delta}{heard}"

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "call_id": self.call_id, "old": self.old, "new": self.new,
                "delta": self.delta, "status": self.status, "error": self.error,
                "turns": self.turns, "turns_changed": self.turns_changed}


def call_dirs(paths: Iterable[Path]) -> Iterator[Path | RoleplayError]:
    """Call folders under `paths`, in name order (same walk as archive.iter_calls, no reads)."""
    for path in map(Path, paths):
        if not path.is_dir():
            yield RoleplayError(Msg("{path}: no such call folder", path=path))
        elif is_call_dir(path):
            yield path
        else:
            yield from call_dirs(sub_folders(path))   # symlinked folders are not followed


# Per process: the phrasebank per language and the rubric are loaded once, not per call.
_CACHE: dict[Any, Any] = {}


def _cached(key: Any, make: Callable[[], Any]) -> Any:
    if key not in _CACHE:
        _CACHE[key] = make()
    return _CACHE[key]


def _bank(language: str) -> Any:
    from phrasebank import load_phrasebank

    return _cached(("bank", language), lambda: load_phrasebank(language))


def _rubric(path: Path | None) -> Any:
    from scoring.rubric import load_rubric

    return _cached(("rubric", path), lambda: load_rubric(path))


def _old_score(card: dict[str, Any] | None) -> float | None:
    if not card or card.get("status") == "not_scored":
        return None
    value = card.get("score")
    return float(value) if isinstance(value, int | float) else None


def rescore_call(call_dir: Path, options: Options = Options()) -> Result:
    """Score one archived call again; never raises for a broken call (the Result says why).
    With options.retranscribe, a Whisper model that cannot load raises ModelError instead."""
    from scoring.scorecard import score

    if options.retranscribe:
        from roleplay.qa.retranscribe import load_whisper

        assert options.model is not None  # rescore_all checked it
        load_whisper(options.model)  # a ModelError here is not this call's fault: it stops the batch
    heard: Retranscription | None = None
    try:
        call = read_call(call_dir)
        bank, rubric = _bank(str(call.scenario.language)), _rubric(options.rubric)
        timeline = call.timeline
        if options.retranscribe:
            heard = _retranscribe(call, options)
            timeline = heard.timeline
        card = score(timeline, call.scenario, bank, rubric, call_id=call.call_id)
        record = _save(call, card.to_json(), heard, options) if options.save else None
    except RoleplayError as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        return Result(str(call_dir), Path(call_dir).name, None, None, error=first)
    except OSError as error:
        return Result(str(call_dir), Path(call_dir).name, None, None,
                      error=f"{call_dir}: {error.strerror or error}")
    except Exception as error:  # noqa: BLE001 - one hostile call must not stop the batch
        # RecursionError, MemoryError, a scorer bug on a timeline nobody foresaw: this call
        # is left as it was; the others go on.
        what = f"{type(error).__name__}: {str(error)[:80]}".rstrip(": ")
        return Result(str(call_dir), Path(call_dir).name, None, None,
                      error=f"{call_dir}: cannot be re-scored ({what}); left unchanged, "
                            "check its call.json and events.jsonl")
    new = card.score if card.status == "scored" else None
    turns = None if heard is None else len(heard.turns)
    return Result(str(call_dir), call.call_id, _old_score(call.scorecard), new, card.status,
                  turns=turns, turns_changed=None if heard is None else heard.changed, record=record)


def _retranscribe(call: ArchivedCall, options: Options) -> Retranscription:
    from roleplay.qa.retranscribe import retranscribe_call, whisper_transcriber

    assert options.model is not None
    transcribe = whisper_transcriber(options.model, str(call.scenario.language), call.dir)
    return retranscribe_call(call, transcribe)


def _save(call: ArchivedCall, card: dict[str, Any], heard: Retranscription | None,
          options: Options) -> RecordedCall | None:
    """Save the new card in the call's folder; returns its record for the database (None
    when the call's ids cannot be recorded: the folder is saved all the same)."""
    if heard is None:
        save_scorecard(call.dir, card, SOURCE)
    else:
        from roleplay.qa.retranscribe import provenance, save_sidecar

        backend, model = str(options.retranscribe), Path(str(options.model))
        # The sidecar first: a card that says it was scored from a re-transcription always has one.
        save_sidecar(call.dir, heard, backend, model, str(call.scenario.language))
        card = {**card, "transcript": provenance(heard, backend, model)}
        save_scorecard(call.dir, card, f"{SOURCE}+{backend}")
    from roleplay.records.progress import recorded_call

    try:
        return recorded_call(call, card)
    except RoleplayError:
        return None


def _run_one(job: tuple[str, Options]) -> Result:
    return rescore_call(Path(job[0]), job[1])


def rescore_all(paths: Iterable[Path], options: Options = Options(), jobs: int = 2,
                chunksize: int | None = None) -> Iterator[Result]:
    """Results in folder order; bad paths come out as failed results. A retranscribe option
    with no usable model raises a ModelError before any call is touched."""
    if options.retranscribe is not None:
        from roleplay.qa.retranscribe import BACKENDS, check_model

        if options.retranscribe not in BACKENDS:
            raise RoleplayError(Msg("--retranscribe {retranscribe}: use one of: {BACKENDS}", retranscribe=options.retranscribe, BACKENDS=', '.join(BACKENDS)))
        check_model(options.model)
    return _results(paths, options, jobs, chunksize)


def _results(paths: Iterable[Path], options: Options, jobs: int, chunksize: int | None) -> Iterator[Result]:
    found = list(call_dirs(paths))
    work = [(str(p), options) for p in found if isinstance(p, Path)]
    if options.retranscribe and chunksize is None:
        chunksize = 1  # seconds of Whisper per call: balance the cores, pickling is nothing
    done = iter(_map(work, jobs, chunksize))
    for item in found:
        if isinstance(item, Path):
            yield next(done)
        else:
            yield Result(str(item).split(":")[0], str(item).split(":")[0], None, None, error=str(item))


def _map(work: list[tuple[str, Options]], jobs: int, chunksize: int | None) -> Iterator[Result]:
    if jobs <= 1 or len(work) < 2:
        yield from map(_run_one, work)
        return
    # Chunks big enough to amortise the pickling, small enough to keep both cores busy.
    size = chunksize or max(1, min(32, len(work) // (jobs * 16)))
    # Whisper workers are spawned, not forked: a fork of a process that has a CTranslate2
    # model loaded (its thread pool) can hang for ever; a fresh worker costs ~1 s, once.
    context = multiprocessing.get_context("spawn") if work[0][1].retranscribe else None
    if context is None:
        _warm_up(work[0][1])
    done = 0
    while done < len(work):
        try:
            with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=die_with_parent,
                                     initargs=(os.getpid(),)) as pool:
                for result in pool.map(_run_one, work[done:], chunksize=size):
                    done += 1
                    yield result
        except BrokenProcessPool:
            # A worker died (out of memory, killed). The first call without a result runs
            # again alone, which tells the culprit from a bystander; a fresh pool takes the rest.
            done += 1
            yield _alone(work[done - 1], context)


def _alone(job: tuple[str, Options], context: Any) -> Result:
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=die_with_parent,
                                 initargs=(os.getpid(),)) as pool:
            return pool.submit(_run_one, job).result()
    except BrokenProcessPool:
        path = job[0]
        return Result(path, Path(path).name, None, None,
                      error=f"{path}: the worker re-scoring it died (out of memory or killed); "
                            "left unchanged, check its call.json and events.jsonl")


def die_with_parent(parent_pid: int) -> None:
    """Pool worker initializer: a worker whose parent is killed exits too, instead of
    re-scoring on as an orphan. The kernel signals it (Linux PR_SET_PDEATHSIG); a watchdog
    thread covers other systems and a parent that died before the prctl call."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent_pid:
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def _warm_up(options: Options) -> None:
    """Load the phrasebanks, their compiled patterns and the rubric once in the parent: forked
    workers inherit them instead of each paying ~0.5 s of imports and YAML."""
    from scoring.phrase_search import patterns_of

    for language in ("en", "zh"):
        patterns_of(_bank(language))
    _rubric(options.rubric)
    import scoring.scorecard  # noqa: F401


class Progress:
    """A plain-text progress bar on stderr, redrawn in place on a terminal."""

    def __init__(self, total: int, out: TextIO | None = None, width: int = 30) -> None:
        self.total, self.out, self.width, self.done = total, out or sys.stderr, width, 0
        self.tty = self.out.isatty()

    def step(self) -> None:
        self.done += 1
        if not self.tty and self.done not in (self.total, 1) and self.done % 50:
            return  # a log file gets a line every 50 calls, not one per call
        filled = self.width * self.done // max(self.total, 1)
        bar = f"[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total}"
        self.out.write(("\r" + bar) if self.tty else bar + "\n")
        if self.tty and self.done == self.total:
            self.out.write("\n")
        self.out.flush()
