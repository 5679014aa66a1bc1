"""The HTML report of a Chinese call speaks Chinese: lang="zh-CN", a CJK font stack, labels
from the catalogue; the same report in English keeps English labels; the web route follows
the station's language."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from test_web_zh import ZH, _read
from web_helpers import client

import cli
from roleplay.archive.calls import ArchivedCall, read_call
from roleplay.qa.report import build_report

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "scenarios/zh/answers/card-lookup-good.yaml"
CJK_FONTS = '"Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei","PingFang SC","Microsoft YaHei"'
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]*")


@pytest.fixture(scope="module")
def zh_call_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("calls")
    assert cli.main(["simulate", "card-lookup-zh", "--answers", str(GOOD), "--asr", "text", "--out", str(out)]) == 0
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    return folder


def _ids(call: ArchivedCall) -> set[str]:
    """Latin a Chinese report may show: ids of items, nodes, facts, tables, the call, the trainee."""
    s = call.scenario
    card = call.scorecard or {}
    return ({i["id"] for i in card.get("items", [])} | set(s.nodes) | set(s.knowledge) | set(s.crm)
            | {call.call_id, call.trainee, s.id, call.scenario_version, "roleplay", "score", "save"})


def english_words(html: str, ids: set[str]) -> list[str]:
    words = []
    for text in _read(html).texts:
        words += [t for t in TOKEN.findall(text) if t not in ids and len(re.sub(r"[^A-Za-z]", "", t)) >= 3]
    return words


def test_a_chinese_call_reports_in_chinese(zh_call_dir: Path) -> None:
    call = read_call(zh_call_dir)
    html = build_report(call)
    assert '<html lang="zh-CN">' in html and CJK_FONTS in html
    for label in ("时间线", "通话记录", "评分卡", "点击任一字词即可收听该处录音。", "合格线", "项目", "依据", "秒"):
        assert label in html, label
    assert not english_words(html, _ids(call)), english_words(html, _ids(call))
    english = build_report(call, lang="en")
    assert '<html lang="en">' in english and "Timeline" in english and "时间线" not in english
    assert '<div id="transcript" lang="zh-CN">' in english       # the call's own words stay marked Chinese
    assert {"Timeline", "Transcript", "Scorecard"} <= set(english_words(english, _ids(call)))


def test_the_report_page_follows_the_station_language(zh_call_dir: Path, tmp_path: Path) -> None:
    c = client(tmp_path)
    shutil.copytree(zh_call_dir, tmp_path / "calls" / zh_call_dir.name)
    url = f"/calls/{zh_call_dir.name}/report"
    assert "<h2>时间线</h2>" in c.get(url, headers=ZH).text
    assert "<h2>Timeline</h2>" in c.get(url, headers={"accept-language": "en"}).text
