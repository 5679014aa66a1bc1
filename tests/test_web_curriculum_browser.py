"""The trainer's curriculum page in a real browser (Debian's chromium through Playwright):
calls played over HTTP put a trainee in the roster with a sparkline per item; the trainer
assigns a scenario with the page's form and the trainee's start page lists it. The screenshot
docs/img/trainer-curriculum.png is refreshed with UPDATE_SCREENSHOT=1."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import httpx
import pytest
import yaml
from test_web_browser import ROOT, TIMEOUT_MS, Served, browser, served  # noqa: F401  (fixtures)

from roleplay.authoring.library import shipped_library
from roleplay.authoring.loader import load_scenario

pytestmark = pytest.mark.slow
SCREENSHOT = ROOT / "docs" / "img" / "trainer-curriculum.png"
TRAINEE = "web-curric"
ANSWERS = shipped_library() / "en" / "answers" / "card-inquiry-good.yaml"


def _play_calls(url: str, answers: int) -> None:
    """Calls of card-inquiry-en answered better each time (1, 3, then all of the good answers;
    a call not over is hung up): scored, archived and recorded by the server."""
    lines = [step["say"] for step in yaml.safe_load(ANSWERS.read_text(encoding="utf-8")) if "say" in step]
    disposition = load_scenario(shipped_library() / "en" / "card-inquiry.yaml").desk.dispositions[0]
    with httpx.Client(base_url=url, timeout=30) as c:
        c.get("/api/health")
        c.headers["X-CSRF-Token"] = c.cookies["roleplay_csrf"]
        for n in (1, 3, len(lines))[:answers]:
            state = c.post("/api/calls", json={"scenario": "card-inquiry-en", "trainee": TRAINEE, "mode": "typed"}).json()
            cid = state["call_id"]
            for text in lines[:n]:
                if state["status"] == "wrap_up":
                    break
                state = c.post(f"/api/calls/{cid}/answer", json={"text": text, "typing_ms": 700}).json()
            if state["status"] != "wrap_up":
                c.post(f"/api/calls/{cid}/hangup")
            done = c.post(f"/api/calls/{cid}/wrapup", json={"disposition": disposition, "notes": "3 percent"}).json()
            assert done["status"] == "ended" and done["scorecard"]["status"] == "scored"


def test_the_curriculum_page_shows_a_trainee_with_sparklines_and_an_assignment(
        served: Served, browser: object, tmp_path: Path) -> None:  # noqa: F811
    _play_calls(served.url, 3)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(served.url + "/trainer/curriculum?c=agent-path-en")
    row = f"tr.trainee[data-trainee='{TRAINEE}']"
    page.wait_for_selector(row, timeout=TIMEOUT_MS)
    # One line per item over the three calls it applied to.
    points = page.locator(f"{row} svg.spark polyline").evaluate_all("ls => ls.map(l => l.points.numberOfItems)")
    assert points and max(points) == 3
    page.fill("#assign-trainees", f"{TRAINEE}, {TRAINEE}-2")
    page.select_option("#assign-scenarios", ["card-lookup-en"])
    page.fill("#assign-attempts", "2")
    page.click("#assign-send")
    page.wait_for_selector(f"{row} .assignment", timeout=TIMEOUT_MS)
    assert "card-lookup-en: 2 of 2 left" in page.inner_text(f"{row} .assignment")
    assert page.locator("#assignments tbody tr").count() == 2          # the group: one row per trainee
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(tmp_path / "trainer-curriculum.png"))
    if os.environ.get("UPDATE_SCREENSHOT"):
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copy(tmp_path / "trainer-curriculum.png", SCREENSHOT)
    assert SCREENSHOT.stat().st_size < 200_000

    page.goto(f"{served.url}/?trainee={TRAINEE}")
    mine = page.inner_text("#my-assignments")
    assert "Credit card limit and due date" in mine and "2 of 2" in mine
    page.close()
