"""The records tests again, on a throwaway PostgreSQL server (tests/pg.py).

In CI the server must start: a missing `postgresql` package or a server that will not start
is a failure with the reason. On a developer machine without PostgreSQL they skip."""

from __future__ import annotations

import json
import multiprocessing
import shutil
from pathlib import Path
from typing import Any

import pg
import pytest
from conftest import IN_CI
from test_assignments import test_an_assignment_on_an_existing_records_file_counts_the_calls_since  # noqa: F401
from test_store import (  # noqa: F401  (collected here again, with this module's db_url)
    test_a_call_without_a_scorecard_is_not_scored,
    test_a_hostile_level_in_call_json_is_not_written_to_the_database,
    test_an_attempt_and_its_items_are_recorded,
    test_attempts_filter_by_trainee_and_come_in_time_order,
    test_every_driver_error_is_one_clear_line,
    test_four_stations_write_at_once,
    test_ids_are_bounded_the_same_on_both_backends,
    test_recording_is_idempotent_and_a_rescore_refreshes,
    test_reviews_sit_beside_the_automatic_scores,
    test_unknown_call_and_missing_call_id_are_clear_errors,
)

import cli
from roleplay.records.progress import load_records, record_call
from roleplay.records.store import open_store

POOR = Path(__file__).resolve().parent.parent / "scenarios/en/answers/broadband-slow-poor.yaml"


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


def _first_call(url: str, call_dir: str, start: Any) -> None:
    start.wait()   # all eight stations at once, on a database nobody has opened yet
    record_call(Path(call_dir), url)


def test_eight_stations_first_calls_on_a_fresh_database(server, tmp_path):
    """Each station's first call creates the tables (attempt_summaries too) under one lock."""
    out = tmp_path / "calls"
    assert cli.main(["simulate", "broadband-slow-en", "--answers", str(POOR), "--asr", "text",
                     "--out", str(out)]) == 0
    (call,) = list(out.iterdir())
    calls = []
    for n in range(8):
        target = tmp_path / f"station-{n}"
        shutil.copytree(call, target)
        raw = json.loads((target / "call.json").read_text(encoding="utf-8"))
        (target / "call.json").write_text(json.dumps({**raw, "call_id": f"s{n}"}), encoding="utf-8")
        calls.append(str(target))
    context = multiprocessing.get_context("fork")
    for _round in range(3):
        url = server.create_database()
        start = context.Barrier(8)
        stations = [context.Process(target=_first_call, args=(url, c, start)) for c in calls]
        for p in stations:
            p.start()
        for p in stations:
            p.join(60)
        assert [p.exitcode for p in stations] == [0] * 8
        with open_store(url) as store:
            assert len(load_records(store)) == 8
            assert {a.call_id for a in store.attempts()} == {f"s{n}" for n in range(8)}


def test_a_whole_desk_call_on_postgres(db_url, tmp_path):
    from test_web_api import play_a_whole_lookup_call
    from web_helpers import client

    play_a_whole_lookup_call(client(tmp_path, db_url=db_url), tmp_path)
    with open_store(db_url) as store:
        (attempt,) = store.attempts(trainee="ann")
        assert attempt.status == "scored" and store.reviews(attempt.call_id)[0].reviewer == "qa1"


def test_two_desk_stations_at_once_on_postgres(db_url, tmp_path):
    import threading

    from test_web_api import play_a_whole_lookup_call
    from web_helpers import client

    errors: list[BaseException] = []

    def station(n: int) -> None:
        try:
            folder = tmp_path / f"station-{n}"
            play_a_whole_lookup_call(client(folder, db_url=db_url), folder, trainee=f"station-{n}")
        except BaseException as error:  # noqa: BLE001 - reported by the assert below
            errors.append(error)

    threads = [threading.Thread(target=station, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with open_store(db_url) as store:
        assert {a.trainee for a in store.attempts()} == {"station-0", "station-1"}


def test_review_states_and_calibration_on_postgres(store):
    from test_qa_console import check_calibration_and_states

    check_calibration_and_states(store)
