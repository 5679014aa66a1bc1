"""The trainer's roster: every trainee of a curriculum's language with what `roleplay progress`
reports of them (levels, badges, tier, re-training due, weakest skills) and the per-item
series behind the trend, for the trainer console's sparklines."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from roleplay.records.progress import (
    CurriculumProgress,
    build_progress,
    curriculum_progress_json,
    item_series,
    load_records,
    weakest_json,
)
from roleplay.records.store import Store
from roleplay.training.badges import CallRecord
from roleplay.training.curriculum import Curriculum, LevelStatus


@dataclass(frozen=True)
class RosterRow:
    trainee: str
    attempts: int
    average: float | None
    progress: CurriculumProgress
    series: dict[str, tuple[float, ...]]      # item -> share of its points per call, oldest first
    weakest: tuple[tuple[str, float], ...]

    @property
    def current(self) -> LevelStatus | None:
        """The level being worked on; None once every level is passed."""
        return next((s for s in self.progress.levels if s.status == "unlocked"), None)

    @property
    def level_number(self) -> int:
        return self.progress.levels_passed + (1 if self.current else 0)


def roster(curriculum: Curriculum, records: list[CallRecord]) -> list[RosterRow]:
    """One row per trainee with calls in the curriculum's language, by name."""
    by_trainee: dict[str, list[CallRecord]] = defaultdict(list)
    for r in records:
        if r.language == curriculum.language:
            by_trainee[r.trainee].append(r)
    rows = []
    for trainee, mine in sorted(by_trainee.items()):
        p = build_progress(trainee, mine, [curriculum])
        rows.append(RosterRow(trainee, p.attempts, p.average, p.curricula[0],
                              {item: tuple(v) for item, v in item_series(mine).items()}, p.weakest))
    return rows


def curriculum_roster(store: Store, curriculum: Curriculum) -> list[RosterRow]:
    return roster(curriculum, load_records(store, language=curriculum.language))


def roster_json(row: RosterRow) -> dict[str, Any]:
    """A row as `roleplay progress --json` shows a curriculum, with the per-item series."""
    return {"trainee": row.trainee, "attempts": row.attempts, "average_score": row.average,
            "level": row.level_number, **curriculum_progress_json(row.progress),
            "series": {item: [round(v, 3) for v in values] for item, values in row.series.items()},
            "weakest": weakest_json(row.weakest)}
