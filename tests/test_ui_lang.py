"""The interface's language in the CLI: --ui-lang, else $ROLEPLAY_UI_LANG, else each call's own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ZH_ANSWERS = "scenarios/zh/answers/broadband-slow-poor.yaml"
EN_ANSWERS = "scenarios/en/answers/broadband-slow-good.yaml"


def roleplay(*args: str, ui_env: str | None = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "ROLEPLAY_UI_LANG"}
    if ui_env is not None:
        env["ROLEPLAY_UI_LANG"] = ui_env
    return subprocess.run([sys.executable, "-m", "roleplay", *args], check=False, input=stdin,
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


def test_a_chinese_call_can_be_shown_in_english(tmp_path: Path) -> None:
    done = roleplay("--ui-lang", "en", "run", "broadband-slow-zh", "--typed", "--no-tts", "--out", str(tmp_path),
                    stdin="喂，什么事？\n")
    assert done.returncode == 0, done.stderr
    assert "customer [" in done.stdout and "you> 喂，什么事？" in done.stdout
    assert "Total" in done.stdout and "of 2 opening phrases" in done.stdout and "总分" not in done.stdout


def test_the_environment_chooses_chinese_and_the_flag_after_the_command_wins() -> None:
    zh = roleplay("simulate", "broadband-slow-en", "--answers", EN_ANSWERS, ui_env="zh-CN")
    assert zh.returncode == 0, zh.stderr
    assert "评分卡" in zh.stdout and "合格线" in zh.stdout and "客户 [" in zh.stdout
    en = roleplay("simulate", "broadband-slow-en", "--answers", EN_ANSWERS, "--ui-lang", "en", ui_env="zh")
    assert "Scorecard" in en.stdout and "评分卡" not in en.stdout


def test_json_keeps_english_keys_and_ids_with_chinese_text() -> None:
    done = roleplay("simulate", "broadband-slow-zh", "--answers", ZH_ANSWERS, "--json")
    assert done.returncode == 0, done.stderr
    card = json.loads(done.stdout)
    assert [i["id"] for i in card["items"]][:2] == ["opening", "required_phrases"]
    assert card["items"][0]["explanation"] == "开场用语 2 项中完成 0 项；缺少问候语、自我介绍"
    assert card["reason"].startswith("直接不合格：说了禁语")


def test_a_bad_language_in_the_environment_is_one_clear_line() -> None:
    done = roleplay("list", ui_env="fr")
    assert done.returncode == 2
    assert done.stderr.strip() == "roleplay: ROLEPLAY_UI_LANG='fr': use one of en, zh (or unset it)"
    flag = roleplay("--ui-lang", "fr", "list")
    assert flag.returncode == 2 and "invalid choice: 'fr'" in flag.stderr
