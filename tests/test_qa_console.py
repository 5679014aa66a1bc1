"""The QA console through its HTTP API, in-process: review states and who may move them,
what a trainee sees, blind calibration and its figures, exports and re-scoring of a search."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import time
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import pytest
from qa_calls import make_call_json
from qa_console import plant, simulated_call
from starlette.testclient import TestClient
from web_helpers import client

from roleplay.records import review_states
from roleplay.records.archive_search import ArchiveQuery, matching_call_ids, search_archive
from roleplay.records.calibration import calibration_figures, is_blind, mark_call, submit_review
from roleplay.records.review_states import Actor, ReviewState
from roleplay.records.store import Store, open_store
from roleplay.web.accounts import Accounts
from roleplay.web.qa_access import Viewer, review_view

PASSWORD = "correct horse"


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return simulated_call(tmp_path_factory.mktemp("sim"))


def _db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'records.db'}"


def _signed_in(c: TestClient, username: str) -> TestClient:
    """Another station of the same server, signed in as `username`."""
    station = TestClient(c.app)
    station.get("/api/health")
    station.headers["X-CSRF-Token"] = station.cookies["roleplay_csrf"]
    r = station.post("/login", data={"username": username, "password": PASSWORD, "csrf": station.headers["X-CSRF-Token"]},
                     follow_redirects=False)
    assert r.status_code == 303, r.text
    return station


@pytest.fixture
def stations(tmp_path: Path, source: Path) -> dict[str, TestClient]:
    c = client(tmp_path, require_login=True)
    accounts: Accounts = c.app.state.server.accounts
    for name, role in (("qa1", "qa"), ("ann", "trainee"), ("bob", "trainee")):
        accounts.add(name, role, PASSWORD)
    plant(source, tmp_path / "calls", _db(tmp_path), "c-ann", "ann", minutes=1)
    plant(source, tmp_path / "calls", _db(tmp_path), "c-bob", "bob", minutes=2)
    return {name: _signed_in(c, name) for name in ("qa1", "ann", "bob")}


def test_a_review_goes_draft_shared_disputed_final_by_the_right_people(stations: dict[str, TestClient]) -> None:
    qa, ann, bob = stations["qa1"], stations["ann"], stations["bob"]
    base = "/api/archive/c-ann"
    automatic = qa.get(f"{base}/review").json()["automatic"]
    r = qa.post(f"{base}/reviews", json={"item": "closing", "points": 6.25, "comment": "closed fine", "turn": 3})
    assert r.status_code == 201, r.text
    mine = qa.get(f"{base}/review").json()
    assert mine["state"] == "draft" and mine["score"] > automatic
    closing = next(i for i in mine["items"] if i["id"] == "closing")
    assert (closing["points"], closing["automatic"], closing["turn"], closing["reviewer"]) == (6.25, 0.0, 3, "qa1")
    # A draft is QA's own: the trainee sees the automatic score only; another trainee nothing.
    seen = ann.get(f"{base}/review").json()
    assert seen["hidden"] and seen["score"] == automatic and not seen["reviews"]
    assert [x["effective_score"] for x in ann.get("/api/archive").json()["calls"]] == [automatic]
    assert bob.get(f"{base}/review").status_code == 403
    assert bob.get("/qa/calls/c-ann").status_code == 403
    assert bob.post(f"{base}/state", json={"state": "disputed", "comment": "x"}).status_code == 403
    # Who moves what.
    assert ann.post(f"{base}/state", json={"state": "shared"}).status_code == 403
    assert qa.post(f"{base}/state", json={"state": "disputed", "comment": "x"}).status_code == 409
    assert qa.post(f"{base}/state", json={"state": "shared"}).status_code == 200
    assert ann.get(f"{base}/review").json()["score"] == mine["score"]      # shared: the trainee sees it
    assert qa.post(f"{base}/state", json={"state": "disputed", "comment": "x"}).status_code == 403
    no_comment = ann.post(f"{base}/state", json={"state": "disputed", "comment": "  "})
    assert no_comment.status_code == 409 and "comment" in no_comment.json()["error"]
    assert ann.post(f"{base}/state", json={"state": "disputed", "comment": "I did offer more help"}).status_code == 200
    assert [c["call_id"] for c in qa.get("/api/archive", params={"state": "disputed"}).json()["calls"]] == ["c-ann"]
    assert ann.post(f"{base}/state", json={"state": "final"}).status_code == 403
    done = qa.post(f"{base}/state", json={"state": "final"})
    assert done.status_code == 200
    assert [(h["state"], h["by"], h["role"]) for h in done.json()["history"]] == [
        ("shared", "qa1", "qa"), ("disputed", "ann", "trainee"), ("final", "qa1", "qa")]
    assert done.json()["history"][1]["comment"] == "I did offer more help"
    # Final is settled: no more moves, no more overrides.
    assert qa.post(f"{base}/state", json={"state": "shared"}).status_code == 409
    again = qa.post(f"{base}/reviews", json={"item": "closing", "points": 1, "comment": "no"})
    assert again.status_code == 409 and "final" in again.json()["error"]
    rows = {x["call_id"]: x for x in qa.get("/api/archive").json()["calls"]}
    assert rows["c-ann"]["state"] == "final" and rows["c-bob"]["state"] == "none"
    assert rows["c-ann"]["page"] == "/qa/calls/c-ann"
    assert [c["call_id"] for c in qa.get("/api/archive", params={"state": "none"}).json()["calls"]] == ["c-bob"]
    assert qa.get("/api/archive", params={"state": "lost"}).status_code == 400
    # The pages: the trainee's own call, the automatic and reviewed scores side by side.
    page = ann.get("/qa/calls/c-ann")
    assert page.status_code == 200 and 'id="mood"' in page.text and "I did offer more help" in page.text
    assert 'id="automatic-score">' + f"{automatic:g}" in page.text
    assert ann.get("/qa/calibration").status_code == 403
    assert ann.get("/api/archive/export.csv").status_code == 403


def test_the_call_page_speaks_chinese(stations: dict[str, TestClient]) -> None:
    page = stations["qa1"].get("/qa/calls/c-bob", headers={"accept-language": "zh-CN"}).text
    assert "修改评分项" in page and "客户情绪" in page and "Override an item" not in page
    silent = stations["qa1"].get("/qa/calls/c-bob/audio.wav")      # a text-only call: no recording
    assert silent.status_code == 404 and "no recording" in silent.json()["error"]
    assert stations["qa1"].get("/qa/calls/nope").status_code == 404


def test_an_older_records_file_gets_the_turn_column_and_the_states_table(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with open_store(f"sqlite:///{db}") as store:
        store.record_attempt(make_call_json("c1"))
    with sqlite3.connect(db) as conn:          # as a records file made before either existed
        conn.execute("ALTER TABLE reviews DROP COLUMN turn")
        conn.execute("DROP TABLE IF EXISTS review_state_changes")
    with open_store(f"sqlite:///{db}") as store:
        review = store.add_review("c1", "greeting", "qa-lee", 5.0, "curt", turn=1)
        assert store.reviews("c1")[0].turn == review.turn == 1
        review_states.change_state(store, "c1", "shared", "qa-lee", Actor.QA)
        assert [c.state for c in review_states.history(store, "c1")] == ["shared"]


T = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_calibration_figures_on_a_known_set(tmp_path: Path) -> None:
    with open_store(_db(tmp_path)) as store:
        check_calibration_and_states(store)


def check_calibration_and_states(store: Store) -> None:
    """Items greeting 10/10, fibre_price 30/40, latency 20/20, courtesy 15/30: automatic 75.
    Call a: r1 85, r2 85, r3 65 (20 apart); call b: r1 65, r2 70 (within 10); call c is marked,
    r1 alone; call d (r2 alone, unmarked) is not in the set. (Also run on PostgreSQL.)"""
    for i, call_id in enumerate("abcd"):
        store.record_attempt(make_call_json(call_id, minutes=i))
    for call_id, item, who, points in (
            ("a", "fibre_price", "r1", 40), ("a", "courtesy", "r2", 25), ("a", "greeting", "r3", 0),
            ("b", "latency", "r1", 10), ("b", "latency", "r2", 15), ("c", "greeting", "r1", 5),
            ("d", "greeting", "r2", 0)):
        store.add_review(call_id, item, who, points, "", at=T)
    mark_call(store, "c", "lead")
    f = calibration_figures(store)
    assert f.calls == ("a", "b", "c")
    assert f.report.calls_multi_reviewed == 2 and f.report.reviewers_agree == 0.5
    between = {d.item_id: d.between_reviewers for d in f.report.items}
    assert between == {"fibre_price": 5.0, "greeting": 5.0, "courtesy": 5.0, "latency": 1.25}
    assert [(d.reviewer, d.calls, d.drift, d.abs_drift) for d in f.drift] == [
        ("r3", 1, -20.0, 20.0), ("r1", 2, -1.25, 1.25), ("r2", 2, 1.25, 1.25)]
    # The search's state filter: a shared, a disputed and two drafts.
    review_states.change_state(store, "a", "shared", "r1", Actor.QA)
    review_states.change_state(store, "b", "shared", "r1", Actor.QA)
    review_states.change_state(store, "b", "disputed", "trainee-1", Actor.TRAINEE, "I was right")
    found = {s: [c.attempt.call_id for c in search_archive(store, ArchiveQuery(state=s, sort="oldest")).calls]
             for s in ReviewState}
    assert found == {ReviewState.NONE: [], ReviewState.DRAFT: ["c", "d"], ReviewState.SHARED: ["a"],
                     ReviewState.DISPUTED: ["b"], ReviewState.FINAL: []}
    assert matching_call_ids(store, ArchiveQuery(state=ReviewState.DRAFT, sort="oldest")) == ["c", "d"]


def test_a_calibration_call_is_blind_until_the_reviewer_submits(tmp_path: Path, source: Path) -> None:
    c = client(tmp_path)
    plant(source, tmp_path / "calls", _db(tmp_path), "cal", "ann")
    assert c.post("/api/archive/cal/calibration", json={"by": "lead"}).status_code == 200
    assert c.post("/api/archive/cal/reviews", json={"item": "closing", "points": 6, "reviewer": "r1",
                                                    "comment": "ok"}).status_code == 201
    hidden = c.get("/api/archive/cal/review", params={"reviewer": "r2"}).json()
    assert hidden["blind"] and hidden["reviews"] == [] and hidden["score"] == hidden["automatic"]
    assert c.get("/api/archive/cal/review", params={"reviewer": "r1"}).json()["reviews"][0]["reviewer"] == "r1"
    blind_page = c.get("/qa/calls/cal", params={"reviewer": "r2"}).text
    assert 'id="blind"' in blind_page and 'id="calibration-submit"' in blind_page and "<b>r1</b>" not in blind_page
    assert 'data-item="closing" class="overridden"' not in blind_page
    c.post("/api/archive/cal/reviews", json={"item": "closing", "points": 2, "reviewer": "r2", "comment": "no"})
    assert c.post("/api/archive/cal/calibration/submit", json={"by": "r2"}).status_code == 200
    seen = c.get("/api/archive/cal/review", params={"reviewer": "r2"}).json()
    assert not seen["blind"] and {r["reviewer"] for r in seen["reviews"]} == {"r1", "r2"}
    with open_store(_db(tmp_path)) as store:
        assert is_blind(store, "cal", "r1") and not is_blind(store, "cal", "r2")
        submit_review(store, "cal", "r1")
        view = review_view(store, store.attempt("cal"), Viewer("r1", Actor.QA))
        assert not view.blind and len(view.standing.history) == 2
    figures = c.get("/api/calibration").json()
    assert figures["calls"] == ["cal"] and figures["reviewers_agree"] == 1.0
    assert [d["reviewer"] for d in figures["drift"]] == ["r1", "r2"] and figures["drift"][0]["drift"] == 2.0
    page = c.get("/qa/calibration").text
    assert 'id="agree-share">100%' in page and 'data-reviewer="r2"' in page


def test_exports_follow_the_search_filters(tmp_path: Path, source: Path) -> None:
    c = client(tmp_path)
    plant(source, tmp_path / "calls", _db(tmp_path), "x-ann", "ann", title="=HYPERLINK(\"http://x\")")
    plant(source, tmp_path / "calls", _db(tmp_path), "x-bob", "bob", minutes=1)
    c.post("/api/archive/x-ann/reviews", json={"item": "closing", "points": 6.25, "reviewer": "qa1", "comment": "ok"})
    c.post("/api/archive/x-ann/state", json={"state": "shared", "by": "qa1"})
    rows = list(csv.DictReader(io.StringIO(c.get("/api/archive/export.csv", params={"trainee": "ann"}).text)))
    assert [r["call_id"] for r in rows] == ["x-ann"]
    assert rows[0]["scenario_title"].startswith("'=")            # a formula stays text
    assert float(rows[0]["effective_score"]) > float(rows[0]["score"]) and rows[0]["reviewed"] == "true"
    assert len(list(csv.DictReader(io.StringIO(c.get("/api/archive/export.csv").text)))) == 2
    # A person opening it in a spreadsheet reads the page's language in the header row.
    zh_header = c.get("/api/archive/export.csv", headers={"accept-language": "zh-CN"}).text.splitlines()[0]
    assert "学员" in zh_header and "trainee" not in zh_header
    statements = c.get("/api/archive/export.json", params={"state": "shared"}).json()
    assert [s["context"]["extensions"]["https://roleplay.local/extensions/call-id"] for s in statements] == ["x-ann"]
    assert statements[0]["result"]["score"]["raw"] == float(rows[0]["effective_score"])
    assert c.get("/api/archive/export.json", params={"min_score": "x"}).status_code == 400


def test_rescoring_a_search_runs_in_the_background_with_progress(tmp_path: Path, source: Path) -> None:
    c = client(tmp_path)
    for i, who in enumerate(("ann", "ann", "bob")):
        folder = plant(source, tmp_path / "calls", _db(tmp_path), f"r{i}", who, minutes=i)
        raw = json.loads((folder / "call.json").read_text(encoding="utf-8"))
        raw["scorecard"]["score"] = 99.0             # as if an older rubric had given more
        (folder / "call.json").write_text(json.dumps(raw), encoding="utf-8")
    with open_store(_db(tmp_path)) as store:
        live = store.attempt("r0").score
        for i in range(3):
            store.record_attempt(json.loads((tmp_path / "calls" / f"r{i}" / "call.json").read_text(encoding="utf-8")))
    started = c.post("/api/archive/rescore?trainee=ann")
    assert started.status_code == 202 and started.json()["total"] == 2
    job = started.json()
    deadline = time.monotonic() + 60
    while not job["finished"] and time.monotonic() < deadline:
        time.sleep(0.2)
        job = c.get(f"/api/archive/rescore/{job['id']}").json()
    assert job["finished"] and job["done"] == 2 and job["failed"] == 0 and not job["error"]
    assert sorted(x["call_id"] for x in job["changed"]) == ["r0", "r1"]
    with open_store(_db(tmp_path)) as store:
        assert store.attempt("r0").score == live and store.attempt("r2").score == 99.0   # bob's was not searched
    assert c.get("/api/archive/rescore/nope").status_code == 404


def test_the_mood_curve_follows_the_customer(source: Path) -> None:
    from roleplay.archive.calls import read_call
    from roleplay.qa.report import mood_points, mood_svg
    from scoring.turns import derive_turns

    call = read_call(source)
    points = mood_points(call.timeline)
    lines = [e.payload.mood for e in call.timeline if e.kind == "customer_line_started"]
    assert points[0] == (0, lines[0]) and points[-1][1] == max(lines) > points[0][1]   # a poor call angers
    assert all(a[1] != b[1] for a, b in pairwise(points))          # one point per change
    svg = mood_svg(points, derive_turns(call.timeline), max(e.t_ms for e in call.timeline), lang="zh")
    assert svg.count("<circle") == len(points) and ">愤怒<" in svg and "客户情绪" in svg
    assert "No mood" in mood_svg([], [], 1000)
