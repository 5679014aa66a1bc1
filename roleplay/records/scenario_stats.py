"""How often each scenario was played and how it went: the trainer's library table."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from roleplay.records.store import Store, attempts


@dataclass(frozen=True)
class Played:
    calls: int
    average_score: float | None    # over the scored calls; None when none was scored


def played_by_scenario(store: Store) -> dict[str, Played]:
    query = (select(attempts.c.scenario_id, func.count(), func.avg(attempts.c.score))
             .group_by(attempts.c.scenario_id))
    with store.read() as conn:
        rows = conn.execute(query).all()
    return {r[0]: Played(int(r[1]), None if r[2] is None else round(float(r[2]), 1)) for r in rows}
