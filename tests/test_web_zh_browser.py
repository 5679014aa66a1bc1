"""The Chinese interface in a real browser (Debian's chromium, locale zh-CN): the scenario
list, the desktop during a Chinese call, the archive and the call's report, each with a
screenshot under the test's tmp dir; and the glyphs are real (not tofu boxes: two different
characters must draw differently). docs/img/desk-zh.png is refreshed by
tests/test_web_zh_pages_browser.py (UPDATE_SCREENSHOT=1), whose desk has CRM and KB both."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_web_browser import (  # noqa: F401  (browser, served: the fixtures, shared)
    ARGS,
    CHROMIUM,
    TIMEOUT_MS,
    Served,
    _answers,
    _type_answer,
    browser,
    served,
)
from test_web_zh import _english_left

from roleplay.authoring.library import shipped_library
from roleplay.authoring.loader import load_scenario

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
DOCS_SHOT = ROOT / "docs" / "img" / "desk-zh.png"
# Two characters drawn big in the page's own font stack: with no CJK font both are the same
# .notdef box, so equal pictures mean tofu.
GLYPHS_JS = """() => {
  for (const [id, ch] of [["glyph-a", "中"], ["glyph-b", "文"]]) {
    const s = document.createElement("span");
    s.id = id; s.textContent = ch; s.style.cssText = "font-size:64px;display:inline-block;background:#fff;color:#000";
    document.body.append(s);
  }
}"""


def _glyphs_differ(page: object, tmp_path: Path) -> bool:
    page.evaluate(GLYPHS_JS)
    a = page.locator("#glyph-a").screenshot(path=str(tmp_path / "glyph-a.png"))
    b = page.locator("#glyph-b").screenshot(path=str(tmp_path / "glyph-b.png"))
    return a != b


def _assert_real_glyphs(page: object, tmp_path: Path) -> None:
    assert _glyphs_differ(page, tmp_path), \
        "中 and 文 draw the same picture: no CJK font (tofu); `make test` installs fonts-noto-cjk"
    page.evaluate("() => { document.getElementById('glyph-a').remove(); document.getElementById('glyph-b').remove(); }")


def _no_english(page: object, data: set[str]) -> None:
    shown = str(page.inner_text("body"))
    left = _english_left(shown.splitlines(), data)
    assert not left, f"English on a zh page: {left}"


def test_the_chinese_interface_in_the_browser(served: Served, browser: object, tmp_path: Path) -> None:  # noqa: F811
    scenario = load_scenario(shipped_library() / "zh" / "card-lookup.yaml")
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.goto(served.url + "/")
    assert page.inner_text("h1") == "练习通话"
    _assert_real_glyphs(page, tmp_path)
    page.screenshot(path=str(tmp_path / "index-zh.png"), full_page=True)

    page.fill("#trainee", "web-zh-ui")
    page.click(f"button[data-scenario='{scenario.id}']")
    page.wait_for_url("**/desk/*", timeout=TIMEOUT_MS)
    call_id = page.url.rsplit("/", 1)[1]
    page.wait_for_function("document.getElementById('customer-line').textContent.length > 0", timeout=TIMEOUT_MS)
    lines = _answers("zh")
    _type_answer(page, lines[0])
    _type_answer(page, lines[1])
    holder = scenario.crm["card"].record["holder"]
    page.fill("#crm-q", holder)
    page.click("#crm-form button")
    page.wait_for_selector("#crm-results tr.hit", timeout=TIMEOUT_MS)
    page.click("#hold")
    page.wait_for_selector("#status[data-status='on_hold']", timeout=TIMEOUT_MS)
    assert page.inner_text("#status") == "保持中"
    page.evaluate("act('POST', '/hold')")                # already on hold (a second station's press):
    page.wait_for_function("document.getElementById('message').textContent === '客户已在保持中'",  # in Chinese
                           timeout=TIMEOUT_MS)
    assert page.inner_text("#transcript").startswith("客户：")
    _no_english(page, {call_id, scenario.id})      # (record fields are values here: no column names)
    _assert_real_glyphs(page, tmp_path)
    page.screenshot(path=str(tmp_path / "desk-zh.png"))

    page.click("#resume")
    page.wait_for_function("document.getElementById('status').dataset.status !== 'on_hold'", timeout=TIMEOUT_MS)
    page.click("#end")
    page.wait_for_selector("#wrapup:not([hidden])", timeout=TIMEOUT_MS)
    assert page.inner_text("#status") == "话后小结"
    page.click("#submit-wrapup")
    page.wait_for_selector("#scorecard:not([hidden])", timeout=TIMEOUT_MS)
    assert "/ 100 分，" in page.inner_text("#score")
    assert "查询速度" in page.inner_text("#items")           # the items by name, not by id
    page.screenshot(path=str(tmp_path / "scorecard-zh.png"), full_page=True)

    page.click("#report-link")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert "时间线" in page.inner_text("body") and "评分卡" in page.inner_text("body")
    _assert_real_glyphs(page, tmp_path)
    page.screenshot(path=str(tmp_path / "report-zh.png"), full_page=True)

    page.goto(served.url + "/archive")
    page.wait_for_selector(f"#calls a:text('{call_id}')", timeout=TIMEOUT_MS)
    assert page.inner_text("#calls thead").split() == ["通话", "学员", "场景", "得分", "评审后", "合格", "评审状态"]
    _no_english(page, {call_id, scenario.id, "web-zh-ui"})
    page.screenshot(path=str(tmp_path / "archive-zh.png"), full_page=True)
    context.close()


def test_the_committed_screenshot_is_small() -> None:
    assert DOCS_SHOT.is_file() and DOCS_SHOT.stat().st_size < 200_000


def test_the_glyph_check_sees_tofu_without_a_cjk_font(browser: object, tmp_path: Path) -> None:  # noqa: F811
    """The check above can fail: the same page with fontconfig seeing only DejaVu (no CJK)."""
    config = tmp_path / "fonts.conf"
    config.write_text('<?xml version="1.0"?><fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir>'
                      f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>", encoding="utf-8")
    for env, real in (({"FONTCONFIG_FILE": str(config)}, False), ({}, True)):
        b = browser.browser_type.launch(executable_path=str(CHROMIUM), args=ARGS, env={**os.environ, **env})
        page = b.new_page()
        page.set_content('<body style="font-family: system-ui, \'Noto Sans CJK SC\', sans-serif"></body>')
        assert _glyphs_differ(page, tmp_path) is real
        b.close()
