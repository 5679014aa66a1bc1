"""The trainer console's curriculum page and the assignments API, in-process on the real
engine and a real SQLite records file: calls played through the API count against an
assignment, trainees are kept out, bad input gets one clear 4xx."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from starlette.testclient import TestClient
from web_helpers import client

from roleplay.authoring.library import shipped_library
from roleplay.authoring.loader import load_scenario
from roleplay.records.assignments import AssignmentRequest, assign
from roleplay.records.store import open_store
from roleplay.web.sparkline import sparkline

SCENARIO = "card-inquiry-en"
IN_A_WEEK = (date.today() + timedelta(days=7)).isoformat()


def _hung_up_call(c: TestClient, trainee: str) -> str:
    """A greeting, then the trainee hangs up: scored (and failed), archived and recorded."""
    r = c.post("/api/calls", json={"scenario": SCENARIO, "trainee": trainee, "mode": "typed"})
    assert r.status_code == 201, r.text
    cid = str(r.json()["call_id"])
    c.post(f"/api/calls/{cid}/answer", json={"text": "Good morning, my name is Sam.", "typing_ms": 800})
    c.post(f"/api/calls/{cid}/hangup")
    disposition = load_scenario(shipped_library() / "en" / "card-inquiry.yaml").desk.dispositions[0]
    done = c.post(f"/api/calls/{cid}/wrapup", json={"disposition": disposition, "notes": ""}).json()
    assert done["status"] == "ended" and done["scorecard"]["passed"] is False
    return cid


def _mine(c: TestClient, trainee: str) -> list[dict]:
    r = c.get("/api/assignments", params={"trainee": trainee})
    assert r.status_code == 200, r.text
    return list(r.json()["assignments"])


def _login(c: TestClient, user: str) -> None:
    r = c.post("/login", data={"username": user, "password": "correct horse", "csrf": c.headers["X-CSRF-Token"]},
               follow_redirects=False)
    assert r.status_code == 303, r.text


def test_attempts_left_go_down_as_the_trainees_calls_are_recorded(tmp_path: Path) -> None:
    c = client(tmp_path)
    with open_store(f"sqlite:///{tmp_path / 'records.db'}") as store:   # a call before the assignment
        store.record_attempt({"call_id": "old-call", "trainee": "ann", "scenario": {"id": SCENARIO, "language": "en"},
                              "started_at": "2026-01-05T10:00:00+00:00"})
    r = c.post("/api/assignments", json={"trainees": ["ann", "bob"], "scenarios": [SCENARIO, "card-lookup-en"],
                                         "due": IN_A_WEEK, "attempts": 2, "assigned_by": "tess"})
    assert r.status_code == 201, r.text
    made = r.json()["assignments"]
    assert {(a["trainee"], a["scenario"]) for a in made} == {
        ("ann", SCENARIO), ("bob", SCENARIO), ("ann", "card-lookup-en"), ("bob", "card-lookup-en")}
    assert len({a["batch"] for a in made}) == 1 and made[0]["assigned_by"] == "tess"
    left = {a["scenario"]: a["attempts_left"] for a in _mine(c, "ann")}
    assert left == {SCENARIO: 2, "card-lookup-en": 2}          # the older call does not count

    _hung_up_call(c, "ann")
    ann = {a["scenario"]: a for a in _mine(c, "ann")}
    assert (ann[SCENARIO]["used"], ann[SCENARIO]["attempts_left"], ann[SCENARIO]["open"]) == (1, 1, True)
    assert ann["card-lookup-en"]["attempts_left"] == 2
    assert [a["attempts_left"] for a in _mine(c, "bob")] == [2, 2]   # another trainee's call is not bob's
    start = c.get("/", params={"trainee": "ann"}).text
    assert "Your assignments" in start and "1 of 2" in start and "Using a debit card abroad" in start

    _hung_up_call(c, "ann")
    ann = {a["scenario"]: a for a in _mine(c, "ann")}
    assert (ann[SCENARIO]["attempts_left"], ann[SCENARIO]["open"]) == (0, False)
    start = c.get("/", params={"trainee": "ann"}).text
    assert f'data-scenario="{SCENARIO}"' not in start.split('id="my-assignments"')[1].split("</section>")[0]

    # The trainer's page: ann in the roster, a sparkline per item, re-training due after two fails.
    page = c.get("/trainer/curriculum", params={"c": "agent-path-en"})
    assert page.status_code == 200
    row = page.text.split('data-trainee="ann"')[1].split("</tr>")[0]
    assert '<svg class="spark"' in row and "polyline" in row
    assert f"<b>{SCENARIO}</b>: practise" in row                     # two failed calls in a row
    assert "card-lookup-en: 2 of 2 left" in row
    assert "Pass mark" in page.text and "First pass" in page.text    # levels and badges
    twin = c.get("/api/curriculum", params={"c": "agent-path-en"}).json()     # the page's JSON twin
    [ann_json] = [t for t in twin["trainees"] if t["trainee"] == "ann"]
    assert ann_json["attempts"] == 3 and ann_json["level"] == 1 and twin["levels"][0]["pass_mark"] == 70
    assert ann_json["series"]["opening"] and len(ann_json["series"]["opening"]) == 2   # the unscored one has none
    assert [r["scenario"] for r in ann_json["retraining"]] == [SCENARIO]
    zh = c.get("/trainer/curriculum", params={"c": "agent-path-en"}, headers={"accept-language": "zh-CN"}).text
    assert "学员名册" in zh and "剩余 2/2 次" in zh


def test_an_assignment_past_its_due_day_and_still_open_is_overdue(tmp_path: Path) -> None:
    c = client(tmp_path)
    with open_store(f"sqlite:///{tmp_path / 'records.db'}") as store:
        assign(store, AssignmentRequest(("ann",), (SCENARIO,), date(2026, 1, 9), 3, "tess"),
               now=datetime(2026, 1, 2, tzinfo=UTC))
    [given] = _mine(c, "ann")
    assert given["overdue"] and given["open"] and given["due"] == "2026-01-09"
    start = c.get("/", params={"trainee": "ann"}).text
    assert 'class="assignment overdue"' in start and "overdue" in start
    assert "<b>overdue</b>" in c.get("/trainer/curriculum").text


def test_trainee_accounts_get_403_and_see_only_their_own(tmp_path: Path) -> None:
    c = client(tmp_path, require_login=True)
    accounts = c.app.state.server.accounts
    accounts.add("ann", "trainee", "correct horse")
    accounts.add("tess", "trainer", "correct horse")
    assert c.get("/trainer/curriculum", follow_redirects=False).status_code == 303     # sign in first
    _login(c, "ann")
    assert c.get("/trainer/curriculum").status_code == 403
    assert c.get("/api/curriculum").status_code == 403
    denied = c.post("/api/assignments", json={"trainees": ["ann"], "scenarios": [SCENARIO], "due": IN_A_WEEK})
    assert denied.status_code == 403 and "only trainers and QA" in denied.json()["error"]
    assert "/trainer/curriculum" not in c.get("/").text                 # no link to it either
    _login(c, "tess")
    made = c.post("/api/assignments", json={"trainees": ["ann", "bob"], "scenarios": [SCENARIO], "due": IN_A_WEEK})
    assert made.status_code == 201 and made.json()["assignments"][0]["assigned_by"] == "tess"
    assert c.get("/trainer/curriculum").status_code == 200
    _login(c, "ann")
    assert [a["trainee"] for a in _mine(c, "bob")] == ["ann"]            # asked for bob, given ann's own
    assert SCENARIO in c.get("/").text.split('id="my-assignments"')[1]


def test_bad_assignments_get_one_clear_4xx(tmp_path: Path) -> None:
    c = client(tmp_path)
    good = {"trainees": ["ann"], "scenarios": [SCENARIO], "due": IN_A_WEEK, "attempts": 2}
    cases = [
        ({**good, "scenarios": ["card-inquiry"]}, "no scenario 'card-inquiry'"),
        ({**good, "scenarios": []}, "'scenarios': give at least one"),
        ({**good, "scenarios": "card-inquiry-en,x"}, "'scenarios' must be a list of ids"),
        ({"trainee": "ann", "scenarios": ["card-inquiry-en", "nope-en"], "due": IN_A_WEEK}, "no scenario 'nope-en'"),
        ({**good, "due": "31/12/2026"}, "'due' must be a date like"),
        ({**good, "due": "2026-02-30"}, "'due' must be a date like"),
        ({**good, "due": "2020-01-01"}, "already past"),
        ({**good, "due": None}, "'due' is required"),
        ({**good, "attempts": 0}, "'attempts' must be between 1 and 100"),
        ({**good, "attempts": "3"}, "'attempts' must be a whole number"),
        ({**good, "trainees": []}, "'trainees': give at least one trainee id"),
        ({**good, "trainees": [5]}, "'trainees' must be a list of ids"),
        ({**good, "trainees": ["x" * 300]}, "too long"),
    ]
    for body, words in cases:
        r = c.post("/api/assignments", json=body)
        assert r.status_code == 400, (body, r.text)
        assert set(r.json()) == {"error"} and words in r.json()["error"], (body, r.json())
    assert c.get("/api/assignments").json() == {"assignments": []}      # nothing half-made
    one = c.post("/api/assignments", json={"trainee": "ann", "scenarios": [SCENARIO], "due": IN_A_WEEK})
    assert one.status_code == 201 and [a["attempts"] for a in one.json()["assignments"]] == [1]   # one by default


def test_a_sparkline_is_a_plain_svg_of_the_values() -> None:
    svg = str(sparkline([0.0, 0.5, 1.0], "opening: <3 calls>"))
    assert svg.startswith('<svg class="spark"') and 'points="2.0,16.0 36.0,9.0 70.0,2.0"' in svg
    assert '<circle cx="70.0" cy="2.0"' in svg and "<title>opening: &lt;3 calls&gt;</title>" in svg
    assert 'points="2.0,9.0"' in str(sparkline([0.5], "one call")) and str(sparkline([], "none")) == ""


def test_a_curriculum_that_does_not_load_is_named_on_the_page(tmp_path: Path) -> None:
    import shutil

    lib = tmp_path / "lib"
    shutil.copytree(shipped_library() / "en", lib / "en")
    shutil.copytree(shipped_library() / "curriculum", lib / "curriculum")
    (lib / "curriculum" / "zh.yaml").unlink()
    (lib / "en" / "card-lookup.yaml").unlink()          # the English path plays it at level 4
    c = client(tmp_path, scenarios=lib)
    page = c.get("/trainer/curriculum")
    assert page.status_code == 200 and "A curriculum does not load" in page.text
    assert "en.yaml:" in page.text and "no scenario &#39;card-lookup-en&#39;" in page.text
    twin = c.get("/api/curriculum")
    assert twin.status_code == 404 and "card-lookup-en" in twin.json()["error"]
