"""A trainee's skill record and the leaderboard, from the records database.

`record_call` puts an archived call into the database (roleplay/store.py) together with a
summary of its scorecard evidence, kept in this module's own `attempt_summaries` table
(badges and re-training need the missed phrase categories and lookup times, which the
store's item rows do not hold). The reports themselves are pure over `CallRecord`s.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import mean
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, MetaData, String, Table, Text, select

from roleplay.authoring.library import library_dir
from roleplay.authoring.yamlmarks import did_you_mean
from roleplay.model.errors import RoleplayError
from roleplay.model.i18n import N_, localise, translator
from roleplay.model.message import Msg
from roleplay.records.reviews import effective_scores
from roleplay.records.store import AttemptRecord, Store, attempt_record, open_store
from roleplay.training.badges import (
    BadgeProgress,
    CallRecord,
    CallSummary,
    ItemMark,
    badge_progress,
    summarise,
)
from roleplay.training.curriculum import (
    Curriculum,
    LevelStatus,
    Retraining,
    Tier,
    level_status,
    load_curriculum,
    retraining_due,
    tier,
)
from scoring.view import ITEM_TITLES, cells, pad_cells

if TYPE_CHECKING:
    from roleplay.archive.calls import ArchivedCall

_meta = MetaData()
summaries = Table(
    "attempt_summaries", _meta,
    Column("call_id", String(200), primary_key=True),    # attempts.call_id
    Column("summary", Text, nullable=False),             # CallSummary.to_json()
)


# --- recording ------------------------------------------------------------------------------
@dataclass(frozen=True)
class RecordedCall:
    """What the database keeps of one archived call (its attempt, items and evidence
    summary), made from the call alone: a re-scoring worker builds it, the parent writes."""
    attempt: AttemptRecord
    summary: CallSummary

    @property
    def call_id(self) -> str:
        return str(self.attempt.attempt["call_id"])


def recorded_call(call: ArchivedCall, card: dict[str, Any] | None = None) -> RecordedCall:
    """The record of `call` with `card` (default: its current scorecard)."""
    card = call.scorecard if card is None else card
    raw = {**call.raw, "call_id": call.call_id, "trainee": call.trainee or call.raw.get("trainee"),
           "scorecard": card}
    return RecordedCall(attempt_record(raw), summarise(card, call.scenario) if card else CallSummary())


def write_recorded(store: Store, calls: list[RecordedCall]) -> None:
    """Write a batch of calls (attempts, items, summaries) to the records database."""
    store.record_attempts([c.attempt for c in calls])
    store.ensure_tables(_meta)   # under the schema lock: stations' first calls race otherwise
    with store.write() as conn:
        ids = [c.call_id for c in calls]
        conn.execute(summaries.delete().where(summaries.c.call_id.in_(ids)))
        conn.execute(summaries.insert(), [
            {"call_id": c.call_id, "summary": json.dumps(c.summary.to_json(), ensure_ascii=False)}
            for c in calls])


def record_call(call_dir: Path, db_url: str | None = None, store: Store | None = None) -> None:
    """Record one archived call (and its evidence summary). Recording a call again (after
    a re-score) refreshes it."""
    from roleplay.archive.calls import read_call

    record = recorded_call(read_call(call_dir))
    if store is None:
        with open_store(db_url) as own:
            write_recorded(own, [record])
    else:
        write_recorded(store, [record])


def load_records(store: Store, trainee: str | None = None, language: str | None = None) -> list[CallRecord]:
    """Every attempt (of one trainee, in one language) as a CallRecord, oldest first, with
    the reviews applied: the score a trainee is judged on is the call's effective score."""
    store.ensure_tables(_meta)
    with store.read() as conn:
        found = {r.call_id: CallSummary.from_json(json.loads(r.summary))
                 for r in conn.execute(select(summaries))}
    records = []
    for a, items, e in effective_scores(store, trainee).values():
        if language is not None and a.language != language:
            continue
        # An overridden item passes when the reviewer gave it full points.
        marks = tuple(ItemMark(i.item_id, i.points, i.max_points,
                               i.points >= i.max_points - 1e-9 if i.reviewer else auto.passed)
                      for i, auto in zip(e.items, items, strict=True))
        records.append(CallRecord(a.call_id, a.trainee, a.scenario_id, a.language, a.stage,
                                  a.started_at.isoformat(), e.score if a.status == "scored" else None,
                                  bool(e.passed), marks, found.get(a.call_id, CallSummary())))
    return records


def shipped_curricula(folder: Path | None = None) -> list[Curriculum]:
    """Every curriculum in the library's curriculum/ folder."""
    where = (folder or library_dir()) / "curriculum"
    return [load_curriculum(p) for p in sorted(where.glob("*.y*ml"))] if where.is_dir() else []


# --- the progress report --------------------------------------------------------------------
@dataclass(frozen=True)
class ItemTrend:
    item: str
    first: float        # average share of the item's points over the first N calls it applied to
    last: float         # ... and over the last N
    calls: int


@dataclass(frozen=True)
class CurriculumProgress:
    curriculum: Curriculum
    levels: tuple[LevelStatus, ...]
    badges: tuple[BadgeProgress, ...]
    tier: Tier | None
    retraining: tuple[Retraining, ...]

    @property
    def levels_passed(self) -> int:
        return sum(s.status == "passed" for s in self.levels)


@dataclass(frozen=True)
class Progress:
    trainee: str
    attempts: int
    scored: int
    passed: int
    average: float | None
    curricula: tuple[CurriculumProgress, ...]
    trends: tuple[ItemTrend, ...]
    weakest: tuple[tuple[str, float], ...]


def item_series(records: Sequence[CallRecord]) -> dict[str, list[float]]:
    """Per item, the share of its points won in each scored call it applied to, oldest first:
    the trend, the weakest skills and the trainer's sparklines all read this."""
    ratios: dict[str, list[float]] = defaultdict(list)
    for r in sorted(records, key=lambda r: r.started_at):
        for mark in r.items if r.scored else ():
            if mark.ratio is not None:
                ratios[mark.id].append(mark.ratio)
    return dict(ratios)


def item_trends(records: Sequence[CallRecord], window: int = 3) -> list[ItemTrend]:
    return [ItemTrend(item, mean(v[:window]), mean(v[-window:]), len(v)) for item, v in item_series(records).items()]


def weakest_skills(records: Sequence[CallRecord], n: int = 3) -> list[tuple[str, float]]:
    """The items with the lowest average share of points (only where they applied)."""
    averages = sorted(((mean(v), item) for item, v in item_series(records).items()))
    return [(item, avg) for avg, item in averages[:n] if avg < 1.0]


def curriculum_progress(curriculum: Curriculum, records: Sequence[CallRecord]) -> CurriculumProgress:
    mine = [r for r in records if r.language in ("", curriculum.language)]
    return CurriculumProgress(curriculum, tuple(level_status(curriculum, mine)),
                              tuple(badge_progress(curriculum.badges, mine)), tier(curriculum, mine),
                              tuple(retraining_due(curriculum, mine)))


def build_progress(trainee: str, records: Sequence[CallRecord], curricula: Sequence[Curriculum],
                   window: int = 3) -> Progress:
    scored = [r.score for r in records if r.score is not None]
    languages = {r.language for r in records}
    return Progress(
        trainee, len(records), len(scored), sum(r.passed for r in records),
        round(mean(scored), 1) if scored else None,
        tuple(curriculum_progress(c, records) for c in curricula if c.language in languages),
        tuple(item_trends(records, window)), tuple(weakest_skills(records)))


def trainee_progress(trainee: str, db_url: str | None = None, curriculum: Path | None = None,
                     window: int = 3) -> Progress:
    with open_store(db_url) as store:
        records = load_records(store, trainee)
        if not records:
            known = store.trainees()
            raise RoleplayError(Msg("no attempts by trainee '{trainee}' in {url}{known}; `roleplay leaderboard` lists trainees", trainee=trainee, url=store.url, known=did_you_mean(trainee, known)))
    curricula = [load_curriculum(curriculum)] if curriculum else shipped_curricula()
    return build_progress(trainee, records, curricula, window)


def progress_json(p: Progress) -> dict[str, Any]:
    return {
        "trainee": p.trainee, "attempts": p.attempts, "scored": p.scored, "passed": p.passed,
        "average_score": p.average,
        "curricula": [curriculum_progress_json(c) for c in p.curricula],
        "trends": [{"item": t.item, "first": round(t.first, 3), "last": round(t.last, 3), "calls": t.calls}
                   for t in p.trends],
        "weakest": weakest_json(p.weakest),
    }


def curriculum_progress_json(c: CurriculumProgress) -> dict[str, Any]:
    return {
        "id": c.curriculum.id, "language": c.curriculum.language, "tier": c.tier,
        "certificate": c.curriculum.certification.get(c.tier or "", None),
        "levels": [{"id": s.level.id, "title": s.level.title, "tier": s.level.tier, "status": s.status,
                    "pass_mark": s.level.pass_mark, "best": s.best, "passed_scenarios": list(s.passed_scenarios)}
                   for s in c.levels],
        "badges": [{"id": b.badge.id, "title": b.badge.title, "earned": b.earned, "have": b.have, "need": b.need}
                   for b in c.badges],
        "retraining": [{"scenario": r.scenario_id, "call_id": r.call_id, "level": r.level,
                        "scenarios": list(r.scenarios), "categories": list(r.categories),
                        "facts": list(r.facts), "failed_items": list(r.failed_items),
                        "drills": r.drills(c.curriculum.language)} for r in c.retraining],
    }


def weakest_json(weakest: Sequence[tuple[str, float]]) -> list[dict[str, Any]]:
    return [{"item": item, "average": round(avg, 3)} for item, avg in weakest]


MARKS = {"passed": "[x]", "unlocked": "[ ]", "locked": "[-]"}
STATUS_LABELS = {"passed": N_("passed"), "unlocked": N_("unlocked"), "locked": N_("locked")}


def render_progress(p: Progress, window: int = 3, lang: str = "en") -> str:
    """The record for a person; `lang` the labels' language (ids, titles and numbers as they are)."""
    _ = translator(lang).gettext
    sep = _(", ")
    avg = "-" if p.average is None else f"{p.average:g}"
    out = [_("{trainee}: {attempts} attempt(s), {scored} scored, {passed} passed, average {average}").format(
        trainee=p.trainee, attempts=p.attempts, scored=p.scored, passed=p.passed, average=avg)]
    for c in p.curricula:
        cert = (_("certified {tier}: {certificate}").format(tier=c.tier, certificate=c.curriculum.certification.get(c.tier, c.tier))
                if c.tier else _("not certified yet"))
        out += ["", f"{c.curriculum.title} ({c.curriculum.language}) - {cert}"]
        for s in c.levels:
            best = sep.join(f"{sid} {'-' if b is None else f'{b:g}'}" for sid, b in s.best.items())
            mark = _(", pass {pass_mark}").format(pass_mark=f"{s.level.pass_mark:g}") if s.level.pass_mark is not None else ""
            status = pad_cells(_(STATUS_LABELS.get(s.status, s.status)), 8)
            out.append(f"  {MARKS[s.status]} {s.level.id:22} {status} {s.level.tier}{mark}: {best}")
        earned = [b.badge.title for b in c.badges if b.earned]
        pending = [f"{b.badge.title} {b.have}/{b.need}" for b in c.badges if not b.earned]
        line = "  " + _("badges: {earned}").format(earned=sep.join(earned) or _("none yet"))
        out.append(line + ("  " + _("(next: {pending})").format(pending=_("; ").join(pending)) if pending else ""))
        for r in c.retraining:
            due = _("re-training due for {scenario}: practise {scenarios}").format(
                scenario=r.scenario_id, scenarios=sep.join(r.scenarios))
            if r.categories:
                due += _("; drill {categories}").format(categories=sep.join(r.categories))
            if r.facts:
                due += _("; facts {facts}").format(facts=sep.join(r.facts))
            out.append("  " + due)
            out += [f"      {cmd}" for cmd in r.drills(c.curriculum.language)]
    if p.trends:
        out += ["", _("trend per item (first {window} vs last {window} calls it applied to):").format(window=window)]
        out += [f"  {pad_cells(_(ITEM_TITLES.get(t.item, t.item)), 18)} {t.first:5.0%} -> {t.last:5.0%}  "
                f"({(t.last - t.first) * 100:+.0f})" for t in p.trends]
    if p.weakest:
        out.append(_("weakest skills: {items}").format(
            items=sep.join(f"{_(ITEM_TITLES.get(item, item))} {avg:.0%}" for item, avg in p.weakest)))
    return "\n".join(out) + "\n"


# --- leaderboard ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Standing:
    rank: int
    trainee: str
    levels_passed: int
    average: float | None
    badges: int
    attempts: int


def rank(records: Sequence[CallRecord], curricula: Sequence[Curriculum]) -> list[Standing]:
    """Trainees by levels passed, then average score, then badges."""
    by_trainee: dict[str, list[CallRecord]] = defaultdict(list)
    for r in records:
        by_trainee[r.trainee].append(r)
    rows = []
    for trainee, mine in by_trainee.items():
        p = build_progress(trainee, mine, curricula)
        badges = sum(b.earned for c in p.curricula for b in c.badges)
        rows.append((trainee, sum(c.levels_passed for c in p.curricula), p.average, badges, len(mine)))
    rows.sort(key=lambda r: (-r[1], -(r[2] or 0.0), -r[3], r[0]))
    return [Standing(i, *row) for i, row in enumerate(rows, start=1)]


def leaderboard(db_url: str | None = None, language: str | None = None,
                curriculum: Path | None = None) -> list[Standing]:
    with open_store(db_url) as store:
        records = load_records(store, language=language)
    curricula = [load_curriculum(curriculum)] if curriculum else shipped_curricula()
    return rank(records, [c for c in curricula if language in (None, c.language)])


def render_leaderboard(rows: Sequence[Standing], lang: str = "en") -> str:
    _ = translator(lang).gettext
    if not rows:
        return _("no attempts recorded yet") + "\n"
    heads = [_("trainee"), _("levels"), _("average"), _("badges"), _("calls")]
    out = [f"{'#':>3}  {pad_cells(heads[0], 20)} " + " ".join(
        " " * max(0, width - cells(h)) + h for h, width in zip(heads[1:], (6, 7, 6, 5), strict=True))]
    for s in rows:
        avg = "-" if s.average is None else f"{s.average:g}"
        out.append(f"{s.rank:>3}  {s.trainee:20} {s.levels_passed:>6} {avg:>7} {s.badges:>6} {s.attempts:>5}")
    return "\n".join(out) + "\n"


def record_attempt(call_dir: Path, db_url: str | None, lang: str | None = None) -> None:
    """A database that cannot be reached costs the record, never the archived call."""
    try:
        record_call(call_dir, db_url)
    except RoleplayError as error:
        told = Msg("the call is archived in {folder} but not recorded: {error}", folder=call_dir,
                   error=localise(error, lang))
        print(f"roleplay: {localise(told, lang)}", file=sys.stderr)


class RecordBatch:
    """Re-scored calls written to the records database in batches (one transaction each).
    A database that cannot be reached costs the records, never the re-scored folders: one
    line says so and the batch goes on."""

    def __init__(self, db_url: str | None, size: int = 200) -> None:
        self.db_url, self.size = db_url, size
        self.pending: list[RecordedCall] = []
        self.store: Store | None = None
        self.failed = ""

    def add(self, call: RecordedCall) -> None:
        self.pending.append(call)
        if len(self.pending) >= self.size:
            self.flush()

    def flush(self) -> None:
        batch, self.pending = self.pending, []
        if not batch or self.failed:
            return
        try:
            self.store = self.store or open_store(self.db_url)
            write_recorded(self.store, batch)
        except RoleplayError as error:
            self.failed = str(error)
            print(f"roleplay: re-scored calls are saved in their folders but not recorded: {error}",
                  file=sys.stderr)

    def close(self) -> None:
        self.flush()
        if self.store is not None:
            self.store.close()
