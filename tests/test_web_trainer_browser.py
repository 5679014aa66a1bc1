"""The scenario editor in a real browser (Debian's chromium through Playwright) against
`roleplay serve --scenarios` on a copy of the library: a trainer opens a broken scenario,
finds the error at its line, fixes it as the message says, saves, and sees the graph.
UPDATE_SCREENSHOT=1 refreshes the README's docs/img/trainer-editor.png."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_web_browser import ARGS, CHROMIUM, ROOT, TIMEOUT_MS, _free_port

from roleplay.authoring.library import shipped_library

pytestmark = pytest.mark.slow
SCENARIO = "card-lookup-en"


@pytest.fixture(scope="module")
def library_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    tmp = tmp_path_factory.mktemp("trainer")
    shutil.copytree(shipped_library() / "en", tmp / "lib" / "en")
    file = tmp / "lib" / "en" / "card-lookup.yaml"
    file.write_text(file.read_text(encoding="utf-8").replace("goto: upset", "goto: upsett", 1), encoding="utf-8")
    port = _free_port()
    command = [sys.executable, "-m", "roleplay", "serve", "--port", str(port), "--calls", str(tmp / "calls"),
               "--db", f"sqlite:///{tmp / 'records.db'}", "--scenarios", str(tmp / "lib")]
    # This checkout's roleplay, whatever the working folder: the server runs in `tmp`.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp, env=env)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == f"serving on http://127.0.0.1:{port}"
    yield f"http://127.0.0.1:{port}", file
    proc.terminate()
    proc.wait(10)


def _png_colours(png: bytes) -> int:
    """How many different byte values the image's pixels use (a blank shot has one or two)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    at, data = 8, b""
    while at < len(png):
        size, kind = struct.unpack(">I4s", png[at:at + 8])
        if kind == b"IDAT":
            data += png[at + 8:at + 8 + size]
        at += 12 + size
    return len(set(zlib.decompress(data)))


def _selected_line(page: object) -> int:
    return int(page.evaluate("() => { const b = document.getElementById('yaml');"
                             " return b.value.slice(0, b.selectionStart).split('\\n').length; }"))


def test_a_trainer_fixes_a_broken_scenario_by_its_inline_error_and_saves(
        library_server: tuple[str, Path], tmp_path: Path) -> None:
    url, file = library_server
    broken = file.read_text(encoding="utf-8")
    line = broken.splitlines().index("        goto: upsett") + 1
    goodbye = broken.splitlines().index("  goodbye:") + 1
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto(url + "/trainer")
        page.click(f"tr[data-scenario='{SCENARIO}'] a.edit")
        page.wait_for_url(f"**/trainer/scenarios/{SCENARIO}", timeout=TIMEOUT_MS)
        # The error is listed, and marked in the gutter at its line; saving is not possible.
        problem = page.wait_for_selector("#problems li.problem", timeout=TIMEOUT_MS)
        assert problem.get_attribute("data-line") == str(line)
        assert "did you mean 'upset'" in problem.inner_text()
        assert page.get_attribute(f"#gutter span[data-line='{line}']", "class") == "bad"
        assert page.is_disabled("#save")
        # Its button selects the faulty value: typing the suggestion fixes it.
        page.click("#problems li.problem button.jump")
        assert _selected_line(page) == line
        assert page.evaluate("() => { const b = document.getElementById('yaml');"
                             " return b.value.slice(b.selectionStart, b.selectionEnd); }") == "upsett"
        page.keyboard.type("upset")
        page.wait_for_function("document.querySelectorAll('#problems li').length === 0"
                               " && !document.getElementById('save').disabled", timeout=TIMEOUT_MS)
        assert page.query_selector("#gutter span.bad") is None
        page.click("#save")
        page.wait_for_selector("#status[data-kind=ok]:has-text('Saved as version')", timeout=TIMEOUT_MS)
        assert page.locator("#versions li").count() == 1
        assert "goto: upsett" not in file.read_text(encoding="utf-8")
        assert [p.read_text(encoding="utf-8") for p in (file.parents[1] / ".versions").rglob("*.yaml")] == [broken]
        # The graph: every node drawn; a click on one goes to its line.
        page.wait_for_function("document.querySelectorAll('#graph svg g.node').length >= 9", timeout=TIMEOUT_MS)
        assert page.locator("#graph svg g.node.unreachable").count() == 0
        page.click("#graph svg g#node_goodbye")
        assert _selected_line(page) == goodbye
        shot = tmp_path / "trainer-editor.png"
        page.screenshot(path=str(shot))
        graph_shot = page.locator("#graph").screenshot()
        assert _png_colours(shot.read_bytes()) > 20 and _png_colours(graph_shot) > 20
        if os.environ.get("UPDATE_SCREENSHOT"):
            (ROOT / "docs" / "img").mkdir(exist_ok=True)
            shutil.copy(shot, ROOT / "docs" / "img" / "trainer-editor.png")
        # Try it: the saved scenario in the desktop, in a new tab.
        with context.expect_page(timeout=TIMEOUT_MS) as opened:
            page.click("#try")
        desk = opened.value
        desk.wait_for_url("**/desk/*", timeout=TIMEOUT_MS)
        desk.wait_for_function("document.getElementById('customer-line').textContent.length > 0",
                               timeout=TIMEOUT_MS)
        context.close()
        browser.close()
