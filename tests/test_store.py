"""The records database. The tests taking `db_url` run on SQLite here and on a throwaway
PostgreSQL server in test_store_postgres.py (same code path, different URL)."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime

import pytest
from qa_calls import make_call_json, make_scorecard

from roleplay.model.errors import RoleplayError
from roleplay.records.store import attempts, open_store


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path}/records.db"


@pytest.fixture
def store(db_url):
    with open_store(db_url) as s:
        yield s


def test_an_attempt_and_its_items_are_recorded(store):
    call = make_call_json("c1", trainee="王小明", language="zh", title="宽带资费咨询")
    store.record_attempt(call)
    [attempt] = store.attempts(trainee="王小明")
    assert (attempt.call_id, attempt.trainee, attempt.scenario_title) == ("c1", "王小明", "宽带资费咨询")
    assert (attempt.scenario_id, attempt.scenario_version, attempt.language) == ("tiny-en", "v1", "zh")
    assert (attempt.stage, attempt.level, attempt.pass_mark) == ("inquiry", 1, 70)
    assert attempt.started_at == datetime(2026, 11, 22, 15, 30, 12, tzinfo=UTC)
    assert attempt.duration_s == call["timeline"][-1]["t_ms"] / 1000
    card = call["scorecard"]
    assert (attempt.status, attempt.score, attempt.passed) == ("scored", card["score"], card["passed"])
    items = store.item_scores("c1")
    assert [(i.item_id, i.kind, i.points, i.max_points, i.passed) for i in items] == [
        (i["id"], i["kind"], i["points"], i["max_points"], i["passed"]) for i in card["items"]]
    assert store.trainees() == ["王小明"]


def test_recording_is_idempotent_and_a_rescore_refreshes(store):
    call = make_call_json("c1")
    first = store.record_attempt(call)
    assert store.record_attempt(call) == first
    assert len(store.attempts()) == 1 and len(store.item_scores("c1")) == 4
    store.add_review("c1", "greeting", "qa-lee", 5.0, "too curt")
    rescored = {**call, "scorecard": make_scorecard("c1", items=(("greeting", "phrase", 4.0, 10.0),))}
    assert store.record_attempt(rescored) == first
    [attempt] = store.attempts()
    assert (attempt.score, attempt.passed) == (40.0, False)
    assert [(i.item_id, i.points) for i in store.item_scores("c1")] == [("greeting", 4.0)]
    assert [r.comment for r in store.reviews("c1")] == ["too curt"]  # reviews survive a rescore


def test_a_call_without_a_scorecard_is_not_scored(store):
    store.record_attempt(make_call_json("c2", scorecard=None))
    attempt = store.attempt("c2")
    assert (attempt.status, attempt.score, attempt.passed) == ("not_scored", None, None)
    assert store.item_scores("c2") == []


def test_attempts_filter_by_trainee_and_come_in_time_order(store):
    for n, who in enumerate(["amy", "bo", "amy", "amy"]):
        store.record_attempt(make_call_json(f"c{n}", trainee=who, minutes=10 - n))
    assert [a.call_id for a in store.attempts(trainee="amy")] == ["c3", "c2", "c0"]
    assert [a.call_id for a in store.attempts(scenario_id="tiny-en")] == ["c3", "c2", "c1", "c0"]
    assert [i.call_id for i in store.item_scores(trainee="bo")] == ["c1"] * 4
    assert store.attempts(trainee="nobody") == []


def test_reviews_sit_beside_the_automatic_scores(store):
    store.record_attempt(make_call_json("c1"))
    at = datetime(2020, 11, 23, 9, 0, tzinfo=UTC)  # before "now", the second review
    review = store.add_review("c1", "fibre_price", "qa-lee", 40.0, "said 49 dollars, ASR misheard", at)
    store.add_review("c1", "greeting", "qa-wu", None, "fine")
    assert store.reviews("c1", reviewer="qa-lee") == [review]
    assert review.created_at == at and review.points == 40.0
    assert [r.reviewer for r in store.reviews()] == ["qa-lee", "qa-wu"]
    assert {i.item_id: i.points for i in store.item_scores("c1")}["fibre_price"] == 30.0


def test_unknown_call_and_missing_call_id_are_clear_errors(store):
    with pytest.raises(RoleplayError, match="nope: no such call"):
        store.attempt("nope")
    with pytest.raises(RoleplayError, match="no call_id"):
        store.record_attempt({"trainee": "x"})


def _write_attempts(url: str, worker: int) -> int:
    with open_store(url) as store:
        for n in range(50):
            store.record_attempt(make_call_json(f"w{worker}-{n:02d}", trainee=f"t{worker}", minutes=n))
    return worker


def test_four_stations_write_at_once(db_url):
    # Each process opens the (maybe not yet created) database itself, as stations do.
    with ProcessPoolExecutor(4, mp_context=multiprocessing.get_context("fork")) as pool:
        assert sorted(pool.map(_write_attempts, [db_url] * 4, range(4))) == [0, 1, 2, 3]
    with open_store(db_url) as store:
        call_ids = {a.call_id for a in store.attempts()}
        assert call_ids == {f"w{w}-{n:02d}" for w in range(4) for n in range(50)}
        assert len(store.item_scores()) == 4 * 50 * 4
        assert store.trainees() == ["t0", "t1", "t2", "t3"]


def test_ids_are_bounded_the_same_on_both_backends(db_url):
    with open_store(db_url) as store:
        with pytest.raises(RoleplayError, match="201 characters is too long; use at most 200"):
            store.record_attempt(make_call_json("c-long", trainee="x" * 201))
        with pytest.raises(RoleplayError, match="control character"):
            store.record_attempt(make_call_json("c-nl", trainee="anna\nrubric: x"))
        store.record_attempt(make_call_json("c-ok", trainee="x" * 200))
        assert [a.call_id for a in store.attempts()] == ["c-ok"]


def test_every_driver_error_is_one_clear_line(db_url):
    with open_store(db_url) as store:
        store.record_attempt(make_call_json("c1"))
        with pytest.raises(RoleplayError, match="database error") as error, store.write() as conn:
            conn.execute(attempts.insert().values(call_id="c1", trainee_id="nobody", scenario_id="s",
                                                  started_at=datetime.now(UTC), status="scored"))
        assert "\n" not in str(error.value)


# --- SQLite only ---------------------------------------------------------------------------
def test_sqlite_is_shared_safely(tmp_path):
    with open_store(f"sqlite:///{tmp_path}/r.db") as store, store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_writer_waits_for_another_stations_lock(tmp_path):
    path = tmp_path / "r.db"
    store = open_store(f"sqlite:///{path}")
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another station is mid-write
    releaser = threading.Timer(0.5, lambda: other.execute("COMMIT"))
    releaser.start()
    started = time.monotonic()
    store.record_attempt(make_call_json("c1"))
    assert time.monotonic() - started >= 0.4
    releaser.join()
    other.close()
    assert [a.call_id for a in store.attempts()] == ["c1"]
    store.close()


def test_default_location_and_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("ROLEPLAY_DB", raising=False)
    open_store().close()
    assert (tmp_path / ".local/share/roleplay/records.db").exists()
    monkeypatch.setenv("ROLEPLAY_DB", f"sqlite:///{tmp_path}/elsewhere/r.db")
    open_store().close()
    assert (tmp_path / "elsewhere/r.db").exists()


def test_a_bad_url_is_one_line(tmp_path):
    with pytest.raises(RoleplayError, match="not a database URL"):
        open_store("records.db")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(RoleplayError, match="cannot create the database folder"):
        open_store(f"sqlite:///{blocker}/sub/r.db")


def test_a_hostile_level_in_call_json_is_not_written_to_the_database(db_url):
    call = make_call_json("c-big")
    call["scenario"]["level"] = 2**63
    with open_store(db_url) as store:
        store.record_attempt(call)
        assert store.attempt("c-big").level is None
