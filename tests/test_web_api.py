"""The HTTP API of `roleplay serve`, whole and in-process (Starlette's TestClient), on the
real engine, a real SQLite records file and a real call archive."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from starlette.testclient import TestClient
from web_helpers import client

from roleplay.archive.calls import read_call
from roleplay.authoring.library import shipped_library
from roleplay.authoring.loader import load_scenario
from roleplay.records.store import open_store
from roleplay.web.accounts import Accounts, check_password, hash_password
from roleplay.web.search import CrmIndex

LINES = [
    "Good morning, my name is Sam. May I have your full name and date of birth to verify?",
    "Thank you for waiting: your credit limit is 5000 dollars, due June 20.",
    "The late fee is 35 dollars.", "Is there anything else I can help you with?",
    "Thank you for calling, goodbye.",
]


def _start(c: TestClient, scenario: str = "card-lookup-en", trainee: str = "ann") -> str:
    r = c.post("/api/calls", json={"scenario": scenario, "trainee": trainee, "mode": "typed"})
    assert r.status_code == 201, r.text
    assert r.json()["customer_line"] and r.json()["status"] in ("customer_speaking", "your_turn")
    return str(r.json()["call_id"])


def test_a_whole_lookup_call_through_the_api(tmp_path: Path) -> None:
    play_a_whole_lookup_call(client(tmp_path), tmp_path)


def play_a_whole_lookup_call(c: TestClient, tmp_path: Path, trainee: str = "ann") -> None:
    """Search, a wrong record, the right one, hold, resume, answers, wrap-up, scorecard, the
    archive, the records and a review (run on SQLite here, on PostgreSQL in test_store_postgres)."""
    assert c.get("/api/health").json() == {"ok": True}
    assert "card-lookup-en" in [s["id"] for s in c.get("/api/scenarios").json()]
    cid = _start(c, trainee=trainee)
    base = f"/api/calls/{cid}"
    first = c.post(f"{base}/answer", json={"text": LINES[0], "typing_ms": 1200}).json()
    assert "4417" in first["customer_line"] and first["transcript"][-2]["speaker"] == "trainee"
    found = c.get(f"{base}/crm", params={"q": "44 17"}).json()["records"]
    assert [r["key"] for r in found] == ["4417"]
    patels = c.get(f"{base}/crm", params={"q": "patel"}).json()["records"]
    assert len(patels) >= 3 and {"4417", "4416"} <= {r["key"] for r in patels}
    assert c.post(f"{base}/crm/open", json={"table": "card", "key": "4416"}).json()["fields"]["standing"] == "closed"
    assert c.post(f"{base}/crm/open", json={"table": "card", "key": "4417"}).status_code == 200
    assert c.post(f"{base}/hold").json()["status"] == "on_hold"
    held = c.post(f"{base}/answer", json={"text": "hello", "typing_ms": 10})
    assert held.status_code == 409 and "Resume" in held.json()["error"]
    assert c.post(f"{base}/hold").status_code == 409
    assert c.post(f"{base}/resume").json()["status"] != "on_hold"
    for line in LINES[1:]:
        state = c.post(f"{base}/answer", json={"text": line, "typing_ms": 900}).json()
    assert state["status"] == "wrap_up"
    assert c.post(f"{base}/wrapup", json={"disposition": "nonsense", "notes": ""}).status_code == 400
    done = c.post(f"{base}/wrapup", json={"disposition": "resolved", "notes": "limit 5000, due June 20"}).json()
    assert done["status"] == "ended"
    items = {i["id"]: i for i in done["scorecard"]["items"]}
    assert items["lookup_speed"]["applicable"] and items["wrap_up"]["passed"]
    assert any(e.get("wrong_record") for e in items["wrong_record"]["evidence"])
    assert items["hold_button"]["applicable"]
    # Archived (events and scorecard) and in the records.
    call = read_call(tmp_path / "calls" / cid)
    kinds = {e.kind for e in call.timeline}
    assert {"crm_searched", "crm_record_opened", "hold_pressed", "hold_resumed", "wrapup_submitted"} <= kinds
    assert call.scorecard and call.scorecard["score"] == done["scorecard"]["score"]
    listed = c.get("/api/archive", params={"trainee": trainee}).json()
    assert [x["call_id"] for x in listed["calls"]] == [cid]
    assert c.get(listed["calls"][0]["report"]).status_code == 200
    assert c.post(f"{base}/hold").status_code == 409   # the call has ended
    r = c.post(f"/api/archive/{cid}/reviews", json={"item": "wrap_up", "points": 5, "reviewer": "qa1", "comment": "ok"})
    assert r.status_code == 201


def test_an_inquiry_uses_the_knowledge_base(tmp_path: Path) -> None:
    c = client(tmp_path)
    base = f"/api/calls/{_start(c, 'card-inquiry-en')}"
    hits = c.get(f"{base}/kb", params={"q": "abroad fee"}).json()["articles"]
    assert hits and hits[0]["id"] == "card-abroad" and hits[0]["snippet"]
    article = c.get(f"{base}/kb/card-abroad").json()
    assert "3 percent" in article["body"]
    assert c.get(f"{base}/kb/nope").status_code == 404
    c.post(f"{base}/hangup")
    state = c.get(base).json()
    assert state["status"] == "wrap_up" and state["outcome"] == "hung_up"


def test_garbage_gets_one_clear_4xx(tmp_path: Path) -> None:
    c = client(tmp_path)
    cases = [
        (c.post("/api/calls", content=b"{not json"), 400, "not JSON"),
        (c.post("/api/calls", json=[1]), 400, "JSON object"),
        (c.post("/api/calls", json={"scenario": 5}), 400, "'scenario' must be text"),
        (c.post("/api/calls", json={"scenario": "nope"}), 404, "no scenario 'nope'"),
        (c.post("/api/calls", json={"scenario": "card-lookup-en", "mode": "video"}), 400, "mode"),
        (c.get("/api/calls/nope"), 404, "no live call"),
    ]
    cid = _start(c)
    cases += [
        (c.post(f"/api/calls/{cid}/answer", json={"text": "hi", "typing_ms": "soon"}), 400, "whole number"),
        (c.post(f"/api/calls/{cid}/answer", json={"text": "  "}), 400, "empty"),
        (c.post(f"/api/calls/{cid}/crm/open", json={"table": "card", "key": "0000"}), 404, "no such record"),
        (c.post(f"/api/calls/{cid}/wrapup", json={"disposition": "resolved"}), 409, "wrap-up opens"),
        (c.post("/api/archive/x/reviews", json={"item": "opening", "points": "many"}), 400, "number"),
        (c.get("/api/archive", params={"min_score": "high"}), 400, "number"),
    ]
    for response, status, words in cases:
        assert response.status_code == status, response.text
        assert set(response.json()) == {"error"} and words in response.json()["error"]
    no_csrf = TestClient(c.app)
    assert no_csrf.post("/api/calls", json={"scenario": "card-lookup-en"}).status_code == 403
    c.post(f"/api/calls/{cid}/hangup")


def test_a_station_that_disappears_hangs_up_and_is_archived(tmp_path: Path) -> None:
    c = client(tmp_path, abandon_s=1.0)
    cid = _start(c)
    c.post(f"/api/calls/{cid}/answer", json={"text": LINES[0], "typing_ms": 500})
    deadline = time.monotonic() + 20
    recorded: list[str] = []
    while not recorded and time.monotonic() < deadline:
        time.sleep(0.2)          # nobody polls: the station is gone; call.json comes first, then the record
        if (tmp_path / "records.db").is_file():
            with open_store(f"sqlite:///{tmp_path / 'records.db'}") as store:
                recorded = [a.call_id for a in store.attempts("ann")]
    assert recorded == [cid]
    call = read_call(tmp_path / "calls" / cid)
    assert call.raw["outcome"] == "hung_up"
    assert [e.payload.reason for e in call.timeline if e.kind == "call_ended"] == ["the station was lost (no contact)"]
    assert any(e.kind == "wrapup_submitted" and e.payload.timed_out for e in call.timeline)


def test_an_invalid_scenario_shows_its_errors_and_is_not_playable(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    shutil.copytree(shipped_library() / "en", folder / "en")
    bad = folder / "en" / "card-lookup.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("goto: upset", "goto: upsett", 1), encoding="utf-8")
    c = client(tmp_path, scenarios=folder)
    page = c.get("/").text
    assert "Not playable" in page and "card-lookup.yaml:" in page and "upsett" in page
    assert "card-lookup-en" not in [s["id"] for s in c.get("/api/scenarios").json()]
    r = c.post("/api/calls", json={"scenario": "card-lookup"})
    assert r.status_code == 422 and "does not validate" in r.json()["error"]
    errors = c.post("/api/scenarios/validate", content=bad.read_bytes()).json()["errors"]
    assert errors and errors[0]["message"].startswith("node 'greet'") or "upsett" in json.dumps(errors)


def test_beyond_the_loopback_stations_sign_in(tmp_path: Path) -> None:
    c = client(tmp_path, require_login=True)
    assert c.get("/api/scenarios").status_code == 401
    assert c.get("/", follow_redirects=False).headers["location"] == "/login"
    accounts: Accounts = c.app.state.server.accounts
    accounts.add("ann", "trainee", "correct horse")
    assert c.post("/login", data={"username": "ann", "password": "wrong one!", "csrf": c.headers["X-CSRF-Token"]}).status_code == 401
    assert c.post("/login", data={"username": "ann", "password": "correct horse"}, headers={"X-CSRF-Token": ""}).status_code == 403
    ok = c.post("/login", data={"username": "ann", "password": "correct horse", "csrf": c.headers["X-CSRF-Token"]},
                follow_redirects=False)
    assert ok.status_code == 303
    cid = _start(c)
    assert c.get(f"/api/calls/{cid}").json()["trainee"] == "ann"   # the account, not the body
    assert c.post(f"/api/archive/{cid}/reviews", json={"item": "opening", "points": 1}).status_code == 403
    c.post(f"/api/calls/{cid}/hangup")


def test_passwords_are_salted_scrypt() -> None:
    a, b = hash_password("secret-pw"), hash_password("secret-pw")
    assert a != b and a.startswith("scrypt$") and check_password("secret-pw", a) and not check_password("x", a)


def test_crm_search_digits_partial_and_pinyin() -> None:
    zh = load_scenario(shipped_library() / "zh" / "card-lookup.yaml")
    index = CrmIndex(zh.crm)
    mine = zh.crm["card"].record
    assert mine["last_four"] in [h.key for h in index.search("sunhao")]
    assert mine["last_four"] in [h.key for h in index.search("sun hao")]
    assert mine["last_four"] in [h.key for h in index.search("孙浩")]
    phone = mine["phone"]
    spaced = f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    assert [h.key for h in index.search(spaced)] == [mine["last_four"]]
    assert index.search("6") == []          # one digit is not a search


def test_a_call_in_progress_when_the_server_stops_is_ended_and_kept(tmp_path: Path) -> None:
    import os
    import signal
    import socket
    import subprocess
    import sys

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    root = Path(__file__).resolve().parent.parent
    command = [sys.executable, "-m", "roleplay", "serve", "--port", str(port), "--calls", str(tmp_path / "calls"),
               "--db", f"sqlite:///{tmp_path / 'records.db'}"]

    def serve() -> subprocess.Popen[str]:
        server = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert server.stdout is not None
        for line in server.stdout:
            if line.startswith("serving on"):
                return server
        raise AssertionError(f"serve did not start: exit {server.wait()}")

    server = serve()
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as c:
        c.get("/api/health")
        c.headers["X-CSRF-Token"] = c.cookies["roleplay_csrf"]
        cid = c.post("/api/calls", json={"scenario": "card-lookup-en", "trainee": "ann", "mode": "typed"}).json()["call_id"]
        c.post(f"/api/calls/{cid}/answer", json={"text": LINES[0], "typing_ms": 900})
    os.kill(server.pid, signal.SIGKILL)   # no chance to finish anything
    server.wait()
    assert not (tmp_path / "calls" / cid / "call.json").exists()
    server = serve()
    server.terminate()
    server.wait()
    call = read_call(tmp_path / "calls" / cid)
    assert call.complete and call.scorecard and call.scorecard["outcome"] == "hung_up"
    assert LINES[0] in [t["text"] for t in call.scorecard["turns"]]
    with open_store(f"sqlite:///{tmp_path / 'records.db'}") as store:
        assert store.attempt(cid).status == "scored"


def test_pages_speak_the_browser_language_and_the_switch_remembers_a_choice(tmp_path: Path) -> None:
    c = client(tmp_path)
    assert "通话档案" in c.get("/", headers={"accept-language": "zh-CN,zh;q=0.9,en;q=0.8"}).text
    assert "通话档案" not in c.get("/", headers={"accept-language": "fr,en;q=0.5"}).text
    switched = c.get("/lang/zh?next=/archive", follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/archive"
    page = c.get("/archive", headers={"accept-language": "en"}).text
    assert 'lang="zh-CN"' in page and "通话档案" in page        # the station's choice beats the browser
    assert c.get("/lang/en?next=//evil.example", follow_redirects=False).headers["location"] == "/"
    assert c.get("/lang/fr").status_code == 404
