"""The records tests again, on a throwaway PostgreSQL server (tests/pg.py).

In CI the server must start: a missing `postgresql` package or a server that will not start
is a failure with the reason. On a developer machine without PostgreSQL they skip."""

from __future__ import annotations

import pg
import pytest
from conftest import IN_CI
from test_store import (  # noqa: F401  (collected here again, with this module's db_url)
    test_a_call_without_a_scorecard_is_not_scored,
    test_an_attempt_and_its_items_are_recorded,
    test_attempts_filter_by_trainee_and_come_in_time_order,
    test_four_stations_write_at_once,
    test_recording_is_idempotent_and_a_rescore_refreshes,
    test_reviews_sit_beside_the_automatic_scores,
    test_unknown_call_and_missing_call_id_are_clear_errors,
)

from roleplay.records.store import open_store


@pytest.fixture(scope="module")
def server():
    try:
        pg.find_bindir()
    except pg.PostgresUnavailable as error:
        if IN_CI:
            pytest.fail(f"{error} (CI must install it)")
        pytest.skip(str(error))
    try:
        server = pg.start()
    except pg.PostgresUnavailable as error:
        pytest.fail(str(error))
    yield server
    server.stop()


@pytest.fixture
def db_url(server):
    return server.create_database()


@pytest.fixture
def store(db_url):
    with open_store(db_url) as s:
        yield s


def test_postgres_really_is_the_backend(store):
    assert store.engine.dialect.name == "postgresql"
    with store.read() as conn:
        assert conn.exec_driver_sql("SHOW server_encoding").scalar() == "UTF8"
