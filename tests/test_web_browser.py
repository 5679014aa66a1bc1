"""The agent desktop in a real browser: Playwright driving Debian's chromium (never a
downloaded browser) against `roleplay serve` started on a free loopback port. Screenshots
are kept under the test's tmp dir (and docs/desk.png is refreshed with UPDATE_SCREENSHOT=1)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from roleplay.authoring.library import shipped_library
from roleplay.authoring.loader import load_scenario
from roleplay.records.store import open_store

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 20_000


@dataclass
class Served:
    url: str
    tmp: Path
    db_url: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("serve")
    db_url = f"sqlite:///{tmp / 'records.db'}"
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "roleplay", "serve", "--port", str(port), "--calls", str(tmp / "calls"),
         "--db", db_url, "--abandon-s", "30"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == f"serving on http://127.0.0.1:{port}", line
    yield Served(f"http://127.0.0.1:{port}", tmp, db_url)
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _answers(lang: str) -> list[str]:
    raw = yaml.safe_load((shipped_library() / lang / "answers" / "card-lookup-good.yaml").read_text(encoding="utf-8"))
    return [step["say"] for step in raw if "say" in step]


def _type_answer(page: object, text: str) -> None:
    before = page.locator("#transcript li").count()
    page.locator("#answer").click()
    page.keyboard.type(text[:3], delay=30)     # the first keystroke starts the answer's clock
    page.locator("#answer").fill(text)
    page.keyboard.press("Enter")
    # Sent and taken: the box is cleared once the engine has moved on (the next line, a hold's
    # silence or the wrap-up).
    page.wait_for_function(f"document.getElementById('answer').value === ''"
                           f" && document.querySelectorAll('#transcript li').length > {before}", timeout=TIMEOUT_MS)


def _start(page: object, served: Served, scenario: str, trainee: str) -> str:
    page.goto(served.url + "/")
    page.fill("#trainee", trainee)
    page.click(f"button[data-scenario='{scenario}']")
    page.wait_for_url("**/desk/*", timeout=TIMEOUT_MS)
    page.wait_for_function("document.getElementById('customer-line').textContent.length > 0", timeout=TIMEOUT_MS)
    return page.url.rsplit("/", 1)[1]


def _search(page: object, query: str) -> list[str]:
    page.fill("#crm-q", query)
    page.click("#crm-form button")
    page.wait_for_selector("#crm-results tr", timeout=TIMEOUT_MS)
    return [k for k in page.locator("#crm-results tr.hit").evaluate_all("rows => rows.map(r => r.dataset.key)")]


def _open(page: object, key: str) -> str:
    page.click(f"#crm-results tr.hit[data-key='{key}']")
    page.wait_for_selector(f"#crm-record dl[data-key='{key}']", timeout=TIMEOUT_MS)
    return str(page.inner_text("#crm-record"))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_whole_typed_lookup_call_in_the_browser(lang: str, served: Served, browser: object, tmp_path: Path) -> None:
    scenario = load_scenario(shipped_library() / lang / "card-lookup.yaml")
    table = scenario.crm["card"]
    mine = table.record
    closed = next(r for r in table.records if r["holder"] == mine["holder"] and r is not mine)
    lines = _answers(lang)
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    call_id = _start(page, served, scenario.id, f"web-{lang}")
    _type_answer(page, lines[0])
    assert mine["last_four"] in page.inner_text("#customer-line")
    _type_answer(page, lines[1])                    # "one moment please": the customer waits
    surname = mine["holder"][0] if lang == "zh" else mine["holder"].split()[-1]
    assert len(_search(page, surname)) >= 3         # look-alikes share the surname
    assert closed["last_four"] in _search(page, mine["holder"])
    assert closed["standing"] in _open(page, closed["last_four"])      # the wrong record first
    spaced = f"{mine['last_four'][:2]} {mine['last_four'][2:]}"
    assert mine["last_four"] in _search(page, spaced)
    assert mine["limit"] in _open(page, mine["last_four"])
    page.click("#hold")
    page.wait_for_selector("#status[data-status='on_hold']", timeout=TIMEOUT_MS)
    page.click("#resume")
    page.wait_for_function("document.getElementById('status').dataset.status !== 'on_hold'", timeout=TIMEOUT_MS)
    page.screenshot(path=str(tmp_path / f"desk-{lang}.png"))
    if lang == "en" and os.environ.get("UPDATE_SCREENSHOT"):
        shutil.copy(tmp_path / f"desk-{lang}.png", ROOT / "docs" / "desk.png")
    for text in lines[2:]:
        if page.get_attribute("#status", "data-status") == "wrap_up":
            break
        _type_answer(page, text)
    page.wait_for_selector("#wrapup:not([hidden])", timeout=TIMEOUT_MS)
    page.select_option("#disposition", index=0)
    page.fill("#notes", f"{mine['limit']} {mine['due']}")
    page.click("#submit-wrapup")
    page.wait_for_selector("#scorecard:not([hidden])", timeout=TIMEOUT_MS)
    page.screenshot(path=str(tmp_path / f"scorecard-{lang}.png"), full_page=True)
    shown = page.inner_text("#items")
    items = page.locator("#items tr").evaluate_all("rows => rows.map(r => r.dataset.item)")
    assert {"lookup_speed", "wrong_record", "wrap_up"} <= set(items)
    assert "lookup_speed" in shown      # an English station names the items by id, whatever the call's language
    # The closed account opened is in the evidence, in the call's language.
    assert ("错误" if lang == "zh" else "wrong record") in shown
    page.click("#report-link")
    page.wait_for_load_state()
    assert call_id in page.title()
    page.goto(served.url + "/archive")
    page.wait_for_selector(f"#calls a:text('{call_id}')", timeout=TIMEOUT_MS)
    assert (served.tmp / "calls" / call_id / "call.json").is_file()
    with open_store(served.db_url) as store:
        assert call_id in [a.call_id for a in store.attempts(f"web-{lang}")]
    page.close()


def test_a_station_that_loses_its_connection_comes_back_to_the_same_call(served: Served, browser: object) -> None:
    context = browser.new_context()
    page = context.new_page()
    call_id = _start(page, served, "card-lookup-en", "web-offline")
    lines = _answers("en")
    _type_answer(page, lines[0])
    context.set_offline(True)
    page.wait_for_function("document.getElementById('message').textContent.includes('connection lost')",
                           timeout=TIMEOUT_MS)
    context.set_offline(False)
    page.goto(f"{served.url}/desk/{call_id}")       # the station reloads the desk
    page.wait_for_function("document.querySelectorAll('#transcript li').length >= 3", timeout=TIMEOUT_MS)
    assert lines[0] in page.inner_text("#transcript")
    _type_answer(page, lines[1])
    assert page.locator("#transcript li").count() >= 4
    page.click("#end")
    page.wait_for_selector("#wrapup:not([hidden])", timeout=TIMEOUT_MS)
    context.close()


def test_two_stations_in_two_calls_at_once(served: Served, browser: object) -> None:
    pages = [browser.new_context().new_page() for _ in range(2)]
    ids = [_start(p, served, s, f"web-two-{i}") for i, (p, s) in enumerate(zip(pages, ("card-lookup-en", "card-lookup-zh")))]
    assert ids[0] != ids[1]
    _type_answer(pages[0], _answers("en")[0])
    _type_answer(pages[1], _answers("zh")[0])
    assert _answers("en")[0] in pages[0].inner_text("#transcript")
    assert _answers("zh")[0] in pages[1].inner_text("#transcript")
    assert _answers("en")[0] not in pages[1].inner_text("#transcript")
    for p in pages:
        p.click("#end")
        p.wait_for_selector("#wrapup:not([hidden])", timeout=TIMEOUT_MS)
        p.click("#submit-wrapup")
        p.wait_for_selector("#scorecard:not([hidden])", timeout=TIMEOUT_MS)
        p.context.close()
    for call_id in ids:
        assert (served.tmp / "calls" / call_id / "call.json").is_file()
