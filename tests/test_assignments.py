"""Assignments in the records database (collected again on PostgreSQL by test_store_postgres):
the table appears on an existing records file, and the attempts used are the trainee's
recorded calls of the scenario since it was assigned."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from roleplay.model.errors import RoleplayError
from roleplay.records.assignments import AssignmentRequest, assign, assignment_status, check_request
from roleplay.records.store import open_store

ASSIGNED = datetime(2026, 3, 2, 9, 0, 0, 700_000, tzinfo=UTC)


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path}/records.db"


def _call(call_id: str, trainee: str, scenario: str, started_at: str) -> dict:
    return {"call_id": call_id, "trainee": trainee, "scenario": {"id": scenario, "language": "en"},
            "started_at": started_at}


def test_an_assignment_on_an_existing_records_file_counts_the_calls_since(db_url):
    with open_store(db_url) as store:            # a records file from before assignments existed
        store.record_attempt(_call("before", "ann", "card-inquiry-en", "2026-03-01T10:00:00+00:00"))
    with open_store(db_url) as store:
        made = assign(store, AssignmentRequest(("ann", "bob", "ann"), ("card-inquiry-en", "card-lookup-en"),
                                               date(2026, 3, 9), 2, "tess"), now=ASSIGNED)
        assert sorted((a.trainee, a.scenario_id) for a in made) == [
            ("ann", "card-inquiry-en"), ("ann", "card-lookup-en"), ("bob", "card-inquiry-en"), ("bob", "card-lookup-en")]
        # The same second as the assignment counts (call times are kept to the second); after, too.
        store.record_attempt(_call("same-second", "ann", "card-inquiry-en", "2026-03-02T09:00:00+00:00"))
        store.record_attempt(_call("later", "ann", "card-inquiry-en", "2026-03-04T15:00:00+00:00"))
        store.record_attempt(_call("other", "ann", "card-complaint-en", "2026-03-04T16:00:00+00:00"))
        ann = {s.assignment.scenario_id: s for s in assignment_status(store, "ann", today=date(2026, 3, 10))}
        assert (ann["card-inquiry-en"].used, ann["card-inquiry-en"].attempts_left) == (2, 0)
        assert not ann["card-inquiry-en"].open and not ann["card-inquiry-en"].overdue   # done in time
        assert ann["card-lookup-en"].attempts_left == 2 and ann["card-lookup-en"].overdue
        bob = assignment_status(store, "bob", today=date(2026, 3, 9))
        assert [s.used for s in bob] == [0, 0] and not any(s.overdue for s in bob)     # due today: not late
        assert len(store.attempts()) == 4 and len(assignment_status(store)) == 4


@pytest.mark.parametrize(("request_", "words"), [
    (AssignmentRequest((), ("s",), date(2026, 3, 9), 1), "'trainees': give at least one"),
    (AssignmentRequest(("ann\n",), ("s",), date(2026, 3, 9), 1), "control character"),
    (AssignmentRequest(("ann",), (), date(2026, 3, 9), 1), "'scenarios': give at least one"),
    (AssignmentRequest(("ann",), ("s",), date(2026, 3, 9), 101), "between 1 and 100"),
])
def test_a_bad_request_is_one_clear_line(request_, words):
    with pytest.raises(RoleplayError, match=words):
        check_request(request_)
