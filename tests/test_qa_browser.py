"""The QA console in a real browser (Playwright driving Debian's chromium): a reviewer finds a
call by filters, overrides an item with a comment on a turn and shares the review; the
trainee disputes it; the reviewer makes it final; the export carries the final score.
docs/img/qa-call.png is refreshed with UPDATE_SCREENSHOT=1."""

from __future__ import annotations

import csv
import io
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from qa_console import plant, simulated_call
from test_web_browser import (
    TIMEOUT_MS,
    browser,  # noqa: F401 - the desk tests' chromium fixture, shared
)

from roleplay.web.app import ServerConfig, create_app

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with sign-in required (as beyond the loopback), on a free loopback port."""
    import uvicorn

    tmp = tmp_path_factory.mktemp("qa-serve")
    db_url = f"sqlite:///{tmp / 'records.db'}"
    source = simulated_call(tmp / "sim")
    plant(source, tmp / "calls", db_url, "call-ann-1", "ann", minutes=1)
    plant(source, tmp / "calls", db_url, "call-bob-1", "bob", minutes=2)
    app = create_app(ServerConfig(calls_dir=tmp / "calls", db_url=db_url, require_login=True))
    for name, role in (("qa1", "qa"), ("ann", "trainee")):
        app.state.server.accounts.add(name, role, PASSWORD)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def chromium(request: pytest.FixtureRequest) -> object:
    return request.getfixturevalue("browser")


def _sign_in(chromium: object, url: str, username: str) -> object:
    page = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True).new_page()
    page.goto(url + "/api/health")          # the CSRF cookie first: the login form carries it
    page.goto(url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button")
    page.wait_for_url(url + "/", timeout=TIMEOUT_MS)
    return page


def _state_is(page: object, state: str) -> None:
    page.wait_for_selector(f"#state[data-state='{state}']", timeout=TIMEOUT_MS)


def test_review_share_dispute_finalise_and_export(served: str, chromium: object, tmp_path: Path) -> None:
    qa = _sign_in(chromium, served, "qa1")
    qa.goto(served + "/archive")
    qa.fill("#filter input[name=trainee]", "ann")
    qa.select_option("#state-filter", "none")
    qa.click("#filter button")
    qa.wait_for_function("document.querySelectorAll('#calls tbody tr').length === 1"
                         " && document.querySelector('#calls tbody tr').dataset.call === 'call-ann-1'",
                         timeout=TIMEOUT_MS)
    qa.click("#calls a:text('call-ann-1')")
    qa.wait_for_url("**/qa/calls/call-ann-1", timeout=TIMEOUT_MS)
    _state_is(qa, "none")
    assert qa.locator("#mood polyline.mood-curve").count() == 1
    automatic = float(qa.inner_text("#automatic-score"))
    qa.select_option("#ov-item", "closing")
    qa.fill("#ov-points", "6.25")
    qa.select_option("#ov-turn", "3")
    qa.fill("#ov-comment", "Offered more help before closing")
    qa.click("#ov-save")
    qa.wait_for_selector("#review-items tr.overridden[data-item='closing']", timeout=TIMEOUT_MS)
    _state_is(qa, "draft")
    reviewed = float(qa.inner_text("#effective-score"))
    assert reviewed == pytest.approx(automatic + 6.25, abs=0.01)
    assert "#3" in qa.inner_text("#review-items tr[data-item='closing']")
    qa.evaluate("window.scrollTo(0, 0)")
    qa.screenshot(path=str(tmp_path / "qa-call.png"))
    if os.environ.get("UPDATE_SCREENSHOT"):
        shutil.copy(tmp_path / "qa-call.png", ROOT / "docs" / "img" / "qa-call.png")
    qa.click("#move-shared")
    _state_is(qa, "shared")

    ann = _sign_in(chromium, served, "ann")
    ann.goto(served + "/qa/calls/call-ann-1")
    _state_is(ann, "shared")
    assert float(ann.inner_text("#effective-score")) == reviewed
    assert ann.locator("#override-form").count() == 0          # a trainee does not score
    ann.fill("#dispute-comment", "I closed the call politely")
    ann.click("#move-disputed")
    _state_is(ann, "disputed")

    qa.reload()
    _state_is(qa, "disputed")
    assert "I closed the call politely" in qa.inner_text("#history")
    qa.click("#move-final")
    _state_is(qa, "final")
    assert qa.locator("#override-form").count() == 0

    qa.goto(served + "/archive")
    qa.fill("#filter input[name=trainee]", "ann")
    qa.select_option("#state-filter", "final")
    qa.click("#filter button")
    qa.wait_for_function("document.querySelector('#calls tbody tr[data-call=\"call-ann-1\"]') !== null"
                         " && document.getElementById('export-csv').href.includes('state=final')", timeout=TIMEOUT_MS)
    with qa.expect_download(timeout=TIMEOUT_MS) as download:
        qa.click("#export-csv")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert [(r["call_id"], float(r["effective_score"])) for r in rows] == [("call-ann-1", reviewed)]
    qa.context.close()
    ann.context.close()
