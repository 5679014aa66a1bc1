"""Every page of `roleplay serve` in Chinese, in a real browser (Debian's chromium, locale
zh-CN, so Accept-Language: zh-CN): the start page, sign-in, the desktop through a whole call
(CRM results and a record, a KB article, on hold, the wrap-up, the scorecard), the scenario
library, the editor with a problem shown and its graph, Try it, the curriculum with roster and
assignments, the QA call search with filters, a call's evaluation page with its review history,
calibration. On each: no English word in what a reader sees (the text, and the titles,
placeholders and labels of the controls) beyond the page's data and the short allowlist below;
the glyphs are real (no tofu); a screenshot goes to tests/artifacts/zh-pages/ (kept by CI,
ignored by git; $ROLEPLAY_TEST_ARTIFACTS moves it)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_web_browser import (  # noqa: F401  (browser: the fixture, shared)
    ROOT,
    TIMEOUT_MS,
    _answers,
    _free_port,
    _type_answer,
    browser,
)
from test_web_zh_browser import DOCS_SHOT, _assert_real_glyphs

from roleplay.authoring.graphview import graph_view
from roleplay.authoring.library import shipped_library
from roleplay.authoring.loader import load_scenario

pytestmark = pytest.mark.slow
SCENARIO = "card-lookup-zh"
TRAINEE = "小王"
REVIEWER = "质检小李"
ARTEFACTS = Path(os.environ.get("ROLEPLAY_TEST_ARTIFACTS", ROOT / "tests" / "artifacts")) / "zh-pages"
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")
SECONDS = re.compile(r"\d ?s\b")            # "1.5 s" is "1.5 秒" to a Chinese reader
HALF_WIDTH = re.compile(r"[\u4e00-\u9fff][,:;()!?]|[,:;()!?][\u4e00-\u9fff]")   # "文件夹:" is not Chinese type
# Latin a Chinese reader expects to see as is, and why:
ALLOWED = {
    "English",            # the language switch names the other language in that language
    "CSV", "xAPI",        # the export formats' own names
    "YAML",               # the scenario file's format, named as the editor's label
    "UTC",                # the time zone of the library's and versions' times
}
# A Chinese scenario with the whole desk: card-lookup-zh (CRM) with a knowledge base.
KB = """
kb:
  - id: grace-period
    title: 免息还款期
    body: "信用卡消费后最长可享受五十天免息还款期，按时全额还款不收利息。"
    tags: [免息, 还款]
"""
TEXTS_JS = """(skip) => {
  const hidden = skip ? [...document.querySelectorAll(skip)] : [];
  hidden.forEach(e => { e.dataset.hideText = e.style.visibility; e.style.visibility = "hidden"; });
  const texts = [document.title, document.body.innerText];
  hidden.forEach(e => { e.style.visibility = e.dataset.hideText; });
  for (const e of document.querySelectorAll("input, textarea, select, button, [aria-label]"))
    for (const a of ["title", "placeholder", "aria-label"]) if (e.getAttribute(a)) texts.push(e.getAttribute(a));
  // What a box holds as the page gives it (a default name ...), but not the editor's YAML.
  for (const e of document.querySelectorAll("input:not([type=hidden])")) texts.push(e.value);
  return texts.join("\\n");
}"""


@dataclass
class Library:
    url: str
    tmp: Path


@pytest.fixture(scope="module")
def zh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    tmp = tmp_path_factory.mktemp("zh-pages")
    lib = tmp / "lib"
    shutil.copytree(shipped_library() / "zh", lib / "zh")
    (lib / "curriculum").mkdir()
    shutil.copy(shipped_library() / "curriculum" / "zh.yaml", lib / "curriculum" / "zh.yaml")
    card = lib / "zh" / "card-lookup.yaml"
    card.write_text(card.read_text(encoding="utf-8").replace("\ndesk:", KB + "\ndesk:", 1), encoding="utf-8")
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "roleplay", "serve", "--port", str(port), "--calls", str(tmp / "calls"),
         "--db", f"sqlite:///{tmp / 'records.db'}", "--scenarios", str(lib), "--abandon-s", "30"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp, env=env)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == f"serving on http://127.0.0.1:{port}"
    yield Library(f"http://127.0.0.1:{port}", tmp)
    proc.terminate()
    proc.wait(10)


def card_yaml(served: Library) -> bytes:
    return (served.tmp / "lib" / "zh" / "card-lookup.yaml").read_bytes()


def english_left(text: str, data: set[str]) -> list[str]:
    text = re.sub(r"\{[\w.]+(\}|…)", " ", text)     # a customer line's {card.holder}: the YAML's template
    for value in sorted(filter(None, data), key=len, reverse=True):    # ("" would split every word)
        text = text.replace(value, " ")
    text = re.sub(r"\b[0-9a-f]{12}\b", " ", text)      # a scenario version (its content hash)
    return [w for w in ENGLISH_WORD.findall(text) if w not in ALLOWED] + SECONDS.findall(text)


class Pages:
    """Checks and photographs each page as the test walks through them."""

    def __init__(self, page: object, data: set[str], tmp: Path) -> None:
        self.page, self.data, self.tmp = page, data, tmp
        self.found: dict[str, list[str]] = {}
        ARTEFACTS.mkdir(parents=True, exist_ok=True)

    def check(self, name: str, skip: str = "", full_page: bool = True) -> None:
        page = self.page
        page.wait_for_load_state()
        assert page.get_attribute("html", "lang") == "zh-CN", name
        shown = str(page.evaluate(TEXTS_JS, skip)).splitlines()
        left = [line.strip() for line in shown if english_left(line, self.data) or HALF_WIDTH.search(line)]
        if left:
            self.found[name] = left
        _assert_real_glyphs(page, self.tmp)
        page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=full_page)


def _api(page: object, method: str, url: str, body: object = None) -> object:
    return page.evaluate("([m, u, b]) => api(m, u, b === null ? undefined : b)", [method, url, body])


def test_every_page_in_chinese(zh_server: Library, browser: object, tmp_path: Path) -> None:  # noqa: F811
    scenario = load_scenario(zh_server.tmp / "lib" / "zh" / "card-lookup.yaml")
    mine = scenario.crm["card"].record
    library = [load_scenario(p) for p in sorted((zh_server.tmp / "lib" / "zh").glob("*.yaml"))]
    # The page's data: what the author or the station wrote (ids of scenarios, nodes, facts,
    # CRM tables, a scenario's domain, the curriculum; names; the library's folder), and a
    # branch's condition as the YAML writes it ("silence_over: 8"), drawn on the graph.
    conditions = {e.condition for e in graph_view(card_yaml(zh_server)).edges}
    data = {TRAINEE, REVIEWER, "card-lookup.yaml", "agent-path-zh", str(zh_server.tmp / "lib"), *conditions,
            *(s.id for s in library), *(s.domain for s in library), *scenario.nodes, *scenario.knowledge,
            *scenario.crm}
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    pages = Pages(page, data, tmp_path)
    url = zh_server.url

    page.goto(url + "/login")
    pages.check("login")
    page.goto(url + "/")
    pages.check("index-first-visit")
    _api(page, "POST", "/api/assignments", {"trainees": [TRAINEE], "scenarios": [SCENARIO], "due": "2099-12-31",
                                            "attempts": 3})
    page.goto(url + "/?trainee=" + TRAINEE)
    page.wait_for_selector("#my-assignments tr.assignment")
    pages.check("index")

    # The desktop through a whole call.
    page.click(f"button[data-scenario='{SCENARIO}']")
    page.wait_for_url("**/desk/*", timeout=TIMEOUT_MS)
    call_id = page.url.rsplit("/", 1)[1]
    pages.data.add(call_id)
    page.wait_for_function("document.getElementById('customer-line').textContent.length > 0", timeout=TIMEOUT_MS)
    lines = _answers("zh")
    _type_answer(page, lines[0])
    _type_answer(page, lines[1])
    page.fill("#crm-q", mine["holder"])
    page.click("#crm-form button")
    page.wait_for_selector("#crm-results tr.hit", timeout=TIMEOUT_MS)
    page.click(f"#crm-results tr.hit[data-key='{mine['last_four']}']")
    page.wait_for_selector("#crm-record dl", timeout=TIMEOUT_MS)
    assert "卡号后四位" in page.inner_text("#crm-record") and "信用额度" in page.inner_text("#crm-record")
    page.fill("#kb-q", "免息")
    page.click("#kb-form button")
    page.click("#kb-results li.article", timeout=TIMEOUT_MS)
    page.wait_for_selector("#kb-article h4", timeout=TIMEOUT_MS)
    page.click("#hold")
    page.wait_for_selector("#status[data-status='on_hold']", timeout=TIMEOUT_MS)
    pages.check("desk-on-hold", full_page=False)
    if os.environ.get("UPDATE_SCREENSHOT"):
        page.screenshot(path=str(DOCS_SHOT))
    page.click("#resume")
    page.wait_for_function("document.getElementById('status').dataset.status !== 'on_hold'", timeout=TIMEOUT_MS)
    page.click("#end")
    page.wait_for_selector("#wrapup:not([hidden])", timeout=TIMEOUT_MS)
    page.fill("#notes", f"{mine['limit']} {mine['due']}")
    pages.check("desk-wrap-up")
    page.click("#submit-wrapup")
    page.wait_for_selector("#scorecard:not([hidden])", timeout=TIMEOUT_MS)
    pages.check("desk-scorecard")

    # The trainer's console.
    page.goto(url + "/trainer")
    pages.check("trainer-library")
    page.goto(url + f"/trainer/scenarios/{SCENARIO}")
    page.wait_for_selector("#graph svg", timeout=TIMEOUT_MS)
    box = page.locator("#yaml")
    box.fill(str(box.input_value()).replace("goto: upset", "goto: upsett", 1))
    page.wait_for_selector("#problems li", timeout=TIMEOUT_MS)
    pages.data.add("goto")  # a problem names the YAML key it is about, as the author wrote it
    pages.check("editor-problem")
    page.goto(url + f"/api/scenarios/{SCENARIO}/graph.svg")
    # What the picture shows (its <text>; the <title>s are Graphviz's node ids). A branch's
    # condition is drawn as the YAML writes it ("silence_over: 8"): the author's own source.
    svg_text = str(page.evaluate("() => [...document.querySelectorAll('text')].map(t => t.textContent).join('\\n')"))
    assert "否则" in svg_text
    assert not english_left(svg_text, pages.data), english_left(svg_text, pages.data)
    page.screenshot(path=str(ARTEFACTS / "graph.png"))
    page.goto(url + f"/trainer/scenarios/{SCENARIO}")
    page.wait_for_selector("#graph svg", timeout=TIMEOUT_MS)
    with context.expect_page() as tried:
        page.click("#try")
    desk = tried.value
    desk.wait_for_url("**/desk/*", timeout=TIMEOUT_MS)
    pages.data.add(desk.url.rsplit("/", 1)[1])
    desk.wait_for_function("document.getElementById('customer-line').textContent.length > 0", timeout=TIMEOUT_MS)
    Pages(desk, pages.data, tmp_path).check("try-it", full_page=False)
    desk.click("#end")
    desk.close()
    page.goto(url + "/trainer/curriculum")
    page.wait_for_selector("#roster tr.trainee", timeout=TIMEOUT_MS)
    pages.check("curriculum")

    # The QA console.
    _api(page, "POST", f"/api/archive/{call_id}/reviews", {"item": "lookup_speed", "points": 5,
                                                          "reviewer": REVIEWER, "comment": "查询稍慢", "turn": 1})
    page.goto(url + "/archive")
    page.fill("#filter input[name=trainee]", TRAINEE)
    page.select_option("#state-filter", "draft")
    page.click("#filter button")
    page.wait_for_selector(f"#calls tr[data-call='{call_id}']", timeout=TIMEOUT_MS)
    pages.check("qa-search")
    page.goto(url + f"/qa/calls/{call_id}?reviewer={REVIEWER}")
    page.wait_for_selector("#history li", timeout=TIMEOUT_MS)
    pages.check("qa-call")
    page.goto(url + "/qa/calibration")
    pages.check("qa-calibration")
    context.close()
    assert not pages.found, f"English on zh pages: {pages.found}"


def test_the_check_sees_english() -> None:
    assert english_left("查询速度 lookup_speed 5 / 10", set()) == ["lookup", "speed"]
    assert english_left("应答 1.5 s", set()) == ["5 s"] and english_left("应答 1.5 秒", set()) == []
    assert english_left("导出 CSV，卡号 card-lookup-zh", {"card-lookup-zh"}) == []
    assert english_left("学员 trainee", {""}) == ["trainee"]
