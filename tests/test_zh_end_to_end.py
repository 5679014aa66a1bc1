"""A Chinese call from end to end reads as Chinese: a typed call (piped answers), a simulated
call, its `score`, a QA review, the `review` listing and the `report` page. What may stay in
Latin letters: the scenario's own ids (nodes, facts, CRM tables), the call and trainee ids,
file paths, and units that Chinese writes in Latin (none so far)."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import cli
from roleplay.authoring.loader import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios/zh/card-lookup.yaml"
ANSWERS = ROOT / "scenarios/zh/answers/card-lookup-good.yaml"
TYPED = "您好，感谢致电，我是客服小张。请您提供一下持卡人姓名和卡号后四位。\n好的，请您稍等。\n再见。\n"
PATHS = re.compile(r"(/|[A-Za-z]:\\)[^\s：，。）)\"'<]+|\b\d{8}-\d{6}-[\w-]+|sqlite:///\S+|\b[0-9a-f]{12}\b")  # paths, call ids, URLs, version hashes
BRANDS: set[str] = set()


def _allowed(trainee: str) -> set[str]:
    """The scenario's ids (and their parts), which a Chinese sentence quotes as written."""
    scenario = load_scenario(SCENARIO)
    ids = {scenario.id, trainee, *scenario.nodes, *(f for f in scenario.knowledge),
           *(t for t in scenario.crm), *(f for t in scenario.crm.values() for r in t.records for f in r)}
    return {w for i in ids for w in re.findall(r"[A-Za-z]+", i)} | BRANDS


def english_words(text: str, allowed: set[str]) -> list[str]:
    """Latin words left in human text, each with its line, after paths and ids are set aside."""
    found = []
    for line in text.splitlines():
        bare = PATHS.sub("", line)
        words = set(re.findall(r"[A-Za-z]{2,}", bare)) - allowed
        found += [f"{w} in {line.strip()!r}" for w in sorted(words)]
    return found


def page_text(page: str) -> str:
    """What a reader sees on the page: no scripts, styles, tags or attribute values."""
    page = re.sub(r"<script.*?</script>|<style.*?</style>", "", page, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", "\n", page))


@pytest.mark.slow
def test_a_chinese_typed_call_and_a_simulated_call_read_as_chinese(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'records.db'}"
    env = {k: v for k, v in os.environ.items() if k != "ROLEPLAY_UI_LANG"}
    typed = subprocess.run([sys.executable, "-m", "roleplay", "run", str(SCENARIO), "--typed", "--no-tts",
                            "--trainee", "li", "--out", str(tmp_path / "typed"), "--db", db],
                           input=TYPED, capture_output=True, text=True, cwd=ROOT, env=env, timeout=120, check=False)
    assert typed.returncode == 0, typed.stderr
    allowed = _allowed("li") | {"wang"}     # the trainee's and the reviewer's ids
    assert "你>" in typed.stdout and "总分" in typed.stdout
    assert english_words(typed.stdout + typed.stderr, allowed) == []

    assert cli.main(["simulate", str(SCENARIO), "--answers", str(ANSWERS), "--out", str(tmp_path / "sim"),
                     "--trainee", "li", "--db", db]) == 0
    (call,) = (tmp_path / "sim").iterdir()
    assert cli.main(["score", str(call)]) == 0
    assert cli.main(["review", str(call), "--item", "empathy", "--points", "0", "--reviewer", "wang",
                     "--comment", "没有共情", "--db", db]) == 0
    assert cli.main(["review", str(call), "--fail", "--reviewer", "wang", "--comment", "语气生硬", "--db", db]) == 0
    assert cli.main(["review", str(call), "--db", db]) == 0
    out = capsys.readouterr()
    assert english_words(out.out + out.err, allowed) == []
    assert "评分卡" in out.out and "历史" in out.out

    page = tmp_path / "report.html"
    assert cli.main(["report", str(call), "--html", str(page), "--db", db]) == 0
    out = capsys.readouterr()
    text = page_text(page.read_text(encoding="utf-8"))
    assert "复核" in text and "没有共情" in text
    assert english_words(text + out.out + out.err, allowed) == []

    table = tmp_path / "calls.csv"
    assert cli.main(["export", "--csv", str(table), "--db", db, "--ui-lang", "zh"]) == 0
    header = table.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:3] == ["通话编号", "学员", "场景编号"] and english_words(" ".join(header), allowed) == []
    assert english_words(capsys.readouterr().err, allowed) == []
    assert cli.main(["export", "--csv", str(table), "--db", db]) == 0      # English: the ids tools read
    assert table.read_text(encoding="utf-8").startswith("call_id,trainee,scenario_id,")
