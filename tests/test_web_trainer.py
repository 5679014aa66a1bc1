"""The trainer console's API and pages, in-process on a copy of the shipped library: saves
refused while the scenario does not validate, every save versioned, trainees kept out, no
path outside the library, and the graph picture drawn by Debian's graphviz."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from web_helpers import client

from roleplay.authoring.library import shipped_library
from roleplay.training.validate import validate_paths

SCENARIO = "card-lookup-en"
ORPHAN = '\n  orphan:\n    say: "Nobody ever gets here."\n    end: resolved\n'


def _library(tmp_path: Path) -> Path:
    folder = tmp_path / "lib"
    shutil.copytree(shipped_library() / "en", folder / "en")
    return folder


def _trainer(tmp_path: Path) -> tuple[TestClient, Path]:
    folder = _library(tmp_path)
    return client(tmp_path, scenarios=folder), folder / "en" / "card-lookup.yaml"


def _sign_in(c: TestClient, name: str, role: str) -> None:
    c.app.state.server.accounts.add(name, role, "correct horse")
    ok = c.post("/login", data={"username": name, "password": "correct horse", "csrf": c.headers["X-CSRF-Token"]},
                follow_redirects=False)
    assert ok.status_code == 303


def test_a_save_that_does_not_validate_is_refused_with_its_located_problems(tmp_path: Path) -> None:
    c, file = _trainer(tmp_path)
    before = file.read_bytes()
    broken = before.decode().replace("goto: upset", "goto: upsett", 1)
    line = broken.splitlines().index("        goto: upsett") + 1
    assert c.post("/api/scenarios/validate", content=broken).json()["errors"][0]["line"] == line
    r = c.put(f"/api/scenarios/{SCENARIO}", content=broken)
    assert r.status_code == 422
    assert r.json()["error"].startswith(f"not saved: line {line}:15: goto: no node named 'upsett'")
    assert [e["line"] for e in r.json()["errors"]] == [line]
    assert file.read_bytes() == before and not (file.parent.parent / ".versions").exists()
    assert c.put(f"/api/scenarios/{SCENARIO}", content=b"id: [").status_code == 422


def test_every_save_keeps_the_version_it_replaces_and_the_library_reloads(tmp_path: Path) -> None:
    c, file = _trainer(tmp_path)
    first = file.read_bytes()
    # A call started before the save keeps the scenario it was played with.
    call = c.post("/api/calls", json={"scenario": SCENARIO, "trainee": "ann", "mode": "typed"}).json()["call_id"]
    second = first.replace(b"level: 2", b"level: 3")
    r = c.put(f"/api/scenarios/{SCENARIO}", content=second)
    assert r.status_code == 200 and r.json()["changed"], r.text
    assert file.read_bytes() == second
    assert [s["level"] for s in c.get("/api/scenarios").json() if s["id"] == SCENARIO] == [3]
    third = second.replace(b"pass_mark: 70", b"pass_mark: 75")
    assert c.put(f"/api/scenarios/{SCENARIO}", content=third).json()["changed"]
    assert not c.put(f"/api/scenarios/{SCENARIO}", content=third).json()["changed"]   # nothing new
    versions = c.get(f"/api/scenarios/{SCENARIO}").json()["versions"]
    assert len(versions) == 2
    names = [v["name"] for v in versions]
    assert [c.get(f"/api/scenarios/{SCENARIO}/versions/{n}").content for n in names] == [second, first]
    folder = file.parent.parent / ".versions" / "en" / "card-lookup"
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)
    page = c.get(f"/trainer/scenarios/{SCENARIO}").text
    assert all(v["content"] in page for v in versions) and "pass_mark: 75" in page
    # Old versions are not scenarios: neither the library nor `roleplay validate DIR` reads them.
    assert [s["id"] for s in c.get("/api/scenarios").json()].count(SCENARIO) == 1
    errors, checked = validate_paths([file.parent.parent])
    assert not errors and checked == len(list(file.parent.rglob("*.yaml")))
    c.post(f"/api/calls/{call}/hangup")
    assert (tmp_path / "calls" / call / "scenario.yaml").read_bytes() == first


def test_the_library_page_counts_plays_and_links_each_editor(tmp_path: Path) -> None:
    folder = _library(tmp_path)
    (folder / "en" / "card-inquiry.yaml").write_text("id: card-inquiry-en\ntitle: [", encoding="utf-8")
    c = client(tmp_path, scenarios=folder)
    call = c.post("/api/calls", json={"scenario": SCENARIO, "trainee": "ann", "mode": "typed"}).json()["call_id"]
    c.post(f"/api/calls/{call}/hangup")
    done = c.post(f"/api/calls/{call}/wrapup", json={"disposition": "resolved", "notes": "x"}).json()
    score = done["scorecard"]["score"]
    page = c.get("/trainer").text
    row = re.search(rf'<tr data-scenario="{SCENARIO}">.*?</tr>', page, re.DOTALL)
    assert row is not None
    assert '<td class="played">1</td>' in row.group(0) and f'<td class="average">{score:.1f}</td>' in row.group(0)
    assert f'href="/trainer/scenarios/{SCENARIO}"' in row.group(0) and "bank-card" in row.group(0)
    broken = re.search(r'<tr data-scenario="card-inquiry-en" class="invalid">.*?</tr>', page, re.DOTALL)
    assert broken is not None and "does not validate" in broken.group(0)
    assert c.get("/trainer/scenarios/card-inquiry-en").status_code == 200   # broken files open too
    zh = {"Accept-Language": "zh-CN"}
    assert "平均分" in c.get("/trainer", headers=zh).text
    assert "试打一通" in c.get(f"/trainer/scenarios/{SCENARIO}", headers=zh).text


def test_a_trainee_is_kept_out_and_a_trainer_gets_in(tmp_path: Path) -> None:
    folder = _library(tmp_path)
    c = client(tmp_path, require_login=True, scenarios=folder)
    text = (folder / "en" / "card-lookup.yaml").read_bytes()
    _sign_in(c, "ann", "trainee")
    for url in ("/trainer", f"/trainer/scenarios/{SCENARIO}", f"/api/scenarios/{SCENARIO}",
                f"/api/scenarios/{SCENARIO}/graph.svg"):
        assert c.get(url).status_code == 403, url
    r = c.put(f"/api/scenarios/{SCENARIO}", content=text)
    assert r.status_code == 403 and r.json() == {"error": "only trainers edit scenarios"}
    assert "/trainer" not in c.get("/").text          # no menu link for a trainee
    _sign_in(c, "tom", "trainer")
    assert c.get("/trainer").status_code == 200 and 'href="/trainer"' in c.get("/").text
    assert c.put(f"/api/scenarios/{SCENARIO}", content=text).status_code == 200
    assert c.put(f"/api/scenarios/{SCENARIO}", content=text, headers={"X-CSRF-Token": "x"}).status_code == 403


def test_ids_and_files_outside_the_library_are_refused(tmp_path: Path) -> None:
    c, file = _trainer(tmp_path)
    outside = tmp_path / "outside.yaml"
    outside.write_bytes(file.read_bytes().replace(b"id: card-lookup-en", b"id: escaped-en"))
    (file.parent / "escaped.yaml").symlink_to(outside)
    c.app.state.server.library.reload()
    for bad in ("a..b", "%2e%2e", "..%5cx", "x%00"):
        r = c.put(f"/api/scenarios/{bad}", content=file.read_bytes())
        assert r.status_code == 400 and "no '/' or '..'" in r.json()["error"], bad
    assert c.put("/api/scenarios/..%2f..%2fetc", content=b"x").status_code == 404
    r = c.put("/api/scenarios/escaped-en", content=outside.read_bytes().replace(b"level: 2", b"level: 4"))
    assert r.status_code == 403 and "outside the scenario folder" in r.json()["error"]
    assert b"level: 2" in outside.read_bytes()
    assert 'data-scenario="escaped-en"' in c.get("/trainer").text      # listed, not editable
    assert c.get("/trainer/scenarios/escaped-en").status_code == 403
    assert c.get(f"/api/scenarios/{SCENARIO}/versions/..%2f..%2fx.yaml").status_code == 404
    assert c.get(f"/api/scenarios/{SCENARIO}/versions/passwd").status_code == 400
    (file.parents[1] / ".versions").symlink_to(tmp_path, target_is_directory=True)
    r = c.put(f"/api/scenarios/{SCENARIO}", content=file.read_bytes().replace(b"level: 2", b"level: 4"))
    assert r.status_code == 403 and b"level: 2" in file.read_bytes() and not (tmp_path / "en").exists()
    other = file.read_bytes().replace(b"id: card-lookup-en", b"id: card-inquiry-en")
    r = c.put(f"/api/scenarios/{SCENARIO}", content=other)
    assert r.status_code == 409 and "already the id of card-inquiry.yaml" in r.json()["error"]


def test_the_shipped_library_is_read_only(tmp_path: Path) -> None:
    c = client(tmp_path)
    text = (shipped_library() / "en" / "card-lookup.yaml").read_bytes()
    r = c.put(f"/api/scenarios/{SCENARIO}", content=text)
    assert r.status_code == 409 and "read-only" in r.json()["error"]
    assert "disabled" in c.get(f"/trainer/scenarios/{SCENARIO}").text.split('id="save"')[1][:10]


def test_the_graph_picture_has_every_node_and_marks_the_unreachable_one(tmp_path: Path) -> None:
    c, file = _trainer(tmp_path)
    text = file.read_text(encoding="utf-8")
    svg = c.get(f"/api/scenarios/{SCENARIO}/graph.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    nodes = re.findall(r'<g id="node_(\w+)" class="node scenario&#45;node([^"]*)"', svg.text)
    assert {n for n, _ in nodes} == {"greet", "anyone_there", "details", "late_fee", "thanks", "upset",
                                      "goodbye", "supervisor", "hang_up"}
    classes = dict(nodes)
    assert "start" in classes["greet"] and "end&#45;escalated" in classes["supervisor"]
    assert not any("unreachable" in cls for cls in classes.values())
    greet_line = text.splitlines().index("  greet:") + 1
    assert f'xlink:href="#L{greet_line}"' in svg.text
    assert "escalation" in svg.text and "anger ≥ 7" in svg.text and "silence_over: 8" in svg.text
    # A draft with a node nothing leads to: it does not validate, and the picture shows why.
    draft = text.rstrip("\n") + "\n" + ORPHAN
    assert "never reached" in c.post("/api/scenarios/validate", content=draft).text
    drawn = c.post(f"/api/scenarios/{SCENARIO}/graph.svg", content=draft).text
    assert re.search(r'<g id="node_orphan" class="node scenario&#45;node end&#45;resolved unreachable"', drawn)
    assert "never reached" in drawn
    zh = c.post(f"/api/scenarios/{SCENARIO}/graph.svg", content=draft, headers={"Accept-Language": "zh-CN"}).text
    assert "无法到达" in zh and "怒气 ≥ 7" in zh
    assert c.post(f"/api/scenarios/{SCENARIO}/graph.svg", content="id: [").status_code == 422


def test_without_graphviz_the_graph_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    c, _file = _trainer(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    r = c.get(f"/api/scenarios/{SCENARIO}/graph.svg")
    assert r.status_code == 503 and "apt-get install graphviz" in r.json()["error"]
