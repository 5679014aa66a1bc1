"""Assignments: a trainer gives a trainee (or a group of them) scenarios to play, by a due
date, a number of times each.

Kept in the records database, in this module's own `assignments` table (created under the
store's schema lock, so it appears on an existing database without touching the others).
One row per trainee and scenario; the rows one trainer's request made share a `batch`. The
attempts a trainee has used are their recorded calls of that scenario since it was assigned:
nothing is written when a call is played, so the count cannot drift from the records.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Column, Date, DateTime, Integer, MetaData, String, Table, select

from roleplay.model.errors import RoleplayError
from roleplay.model.ids import MAX_ID_CHARS, check_id
from roleplay.model.message import Msg
from roleplay.records.store import Store, _utc, attempts

MAX_ATTEMPTS = 100
MAX_GROUP = 500       # trainees in one request
MAX_SCENARIOS = 50    # scenarios in one request

_meta = MetaData()
assignments = Table(
    "assignments", _meta,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("batch", String(40), nullable=False, index=True),
    Column("trainee_id", String(MAX_ID_CHARS), nullable=False, index=True),
    Column("scenario_id", String(200), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("assigned_by", String(MAX_ID_CHARS), nullable=False, default=""),
    Column("assigned_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class AssignmentRequest:
    trainees: tuple[str, ...]
    scenarios: tuple[str, ...]
    due_on: date
    attempts: int
    assigned_by: str = ""


@dataclass(frozen=True)
class Assignment:
    id: int
    batch: str
    trainee: str
    scenario_id: str
    due_on: date
    attempts: int
    assigned_by: str
    assigned_at: datetime


@dataclass(frozen=True)
class AssignmentStatus:
    assignment: Assignment
    used: int            # the trainee's recorded calls of the scenario since it was assigned
    today: date

    @property
    def attempts_left(self) -> int:
        return max(0, self.assignment.attempts - self.used)

    @property
    def open(self) -> bool:
        return self.attempts_left > 0

    @property
    def overdue(self) -> bool:
        """Still open after its due day (a day of the server's local calendar)."""
        return self.open and self.today > self.assignment.due_on


def check_request(request: AssignmentRequest) -> AssignmentRequest:
    """The request, or one line saying which field to change."""
    if not request.trainees:
        raise RoleplayError(Msg("'trainees': give at least one trainee id"))
    if len(request.trainees) > MAX_GROUP:
        raise RoleplayError(Msg("'trainees': at most {MAX_GROUP} trainees at once", MAX_GROUP=MAX_GROUP))
    for trainee in request.trainees:
        check_id(trainee, f"'trainees': trainee '{trainee[:40]}'")
    if not request.scenarios:
        raise RoleplayError(Msg("'scenarios': give at least one scenario id"))
    if len(request.scenarios) > MAX_SCENARIOS:
        raise RoleplayError(Msg("'scenarios': at most {MAX_SCENARIOS} scenarios at once", MAX_SCENARIOS=MAX_SCENARIOS))
    if not 1 <= request.attempts <= MAX_ATTEMPTS:
        raise RoleplayError(Msg("'attempts' must be between 1 and {MAX_ATTEMPTS}", MAX_ATTEMPTS=MAX_ATTEMPTS))
    return request


def assign(store: Store, request: AssignmentRequest, now: datetime | None = None) -> list[Assignment]:
    """One assignment per trainee and scenario of the request, in one transaction."""
    check_request(request)
    store.ensure_tables(_meta)
    # Whole seconds, as a call's started_at is kept: a call begun the same second counts.
    at = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    batch = secrets.token_hex(8)
    rows = [{"batch": batch, "trainee_id": t, "scenario_id": s, "due_on": request.due_on,
             "attempts": request.attempts, "assigned_by": request.assigned_by, "assigned_at": at}
            for t in dict.fromkeys(request.trainees) for s in dict.fromkeys(request.scenarios)]
    with store.write() as conn:
        conn.execute(assignments.insert(), rows)
    return [a for a in _read(store, None) if a.batch == batch]


def assignment_status(store: Store, trainee: str | None = None, today: date | None = None) -> list[AssignmentStatus]:
    """Every assignment (of one trainee), by due date, with the attempts used so far."""
    store.ensure_tables(_meta)
    given = _read(store, trainee)
    calls: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    if given:
        query = select(attempts.c.trainee_id, attempts.c.scenario_id, attempts.c.started_at).where(
            attempts.c.trainee_id.in_({a.trainee for a in given}),
            attempts.c.scenario_id.in_({a.scenario_id for a in given}))
        with store.read() as conn:
            for row in conn.execute(query):
                calls[(row.trainee_id, row.scenario_id)].append(_utc(row.started_at))
    day = today or date.today()     # the centre's own day: the server runs where the stations are
    return [AssignmentStatus(a, sum(t >= a.assigned_at for t in calls[(a.trainee, a.scenario_id)]), day)
            for a in given]


def _read(store: Store, trainee: str | None) -> list[Assignment]:
    query = select(assignments).order_by(assignments.c.due_on, assignments.c.id)
    if trainee is not None:
        query = query.where(assignments.c.trainee_id == trainee)
    with store.read() as conn:
        return [Assignment(r.id, r.batch, r.trainee_id, r.scenario_id, r.due_on, r.attempts, r.assigned_by,
                           _utc(r.assigned_at)) for r in conn.execute(query)]

