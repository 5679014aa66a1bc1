"""The web pages in Chinese: every page a zh-CN browser opens speaks Chinese (no English word
left in the page's own text or in the words its scripts show), errors a station sees are
Chinese too, and an account's own language comes after the station's switch."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from starlette.testclient import TestClient
from web_helpers import client

from roleplay.authoring.library import shipped_library
from roleplay.authoring.loader import load_scenario
from roleplay.records.store import open_store
from roleplay.web.accounts import Accounts

ZH = {"accept-language": "zh-CN,zh;q=0.9,en;q=0.8"}
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
HALF_WIDTH_BESIDE_CHINESE = re.compile(r"[\u4e00-\u9fff][,:;()!?]|[,:;()!?][\u4e00-\u9fff]")
# Latin that may stand on a zh page: the switch to English names itself in English; CRM is
# written out in Chinese beside nothing else.
ALLOWED = {"English", "CSV", "xAPI"}   # the names of the export formats


class PageText(HTMLParser):
    """What a reader sees: text outside scripts and styles, placeholders and button titles;
    and the scripts' words (the JSON blobs the template wrote)."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.messages: dict[str, str] = {}
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self._in = found.get("id") if tag == "script" and found.get("type") == "application/json" else tag
        if found.get("placeholder"):
            self.texts.append(str(found["placeholder"]))

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in in ("messages", "common-messages"):
            self.messages.update(json.loads(data))
        elif self._in not in ("script", "style") and data.strip():
            self.texts.append(data.strip())


def _read(html: str) -> PageText:
    page = PageText()
    page.feed(html)
    return page


def _english_left(texts: list[str], data: set[str]) -> list[str]:
    """English words in the page's own text, once the scenario's data (titles, ids, names that
    the author wrote in the scenario's language) and {placeholders} are taken out."""
    left = []
    for text in texts:
        for value in sorted(data, key=len, reverse=True):
            text = text.replace(value, " ")
        text = re.sub(r"\{\w+\}", " ", text)
        left += [w for w in ENGLISH_WORD.findall(text) if w not in ALLOWED]
    return left


def _assert_chinese(html: str, data: set[str], must: tuple[str, ...]) -> PageText:
    assert 'lang="zh-CN"' in html
    page = _read(html)
    words = [v for v in page.messages.values() if isinstance(v, str)]
    words += [w for v in page.messages.values() if isinstance(v, dict) for w in v.values()]   # item titles
    shown = page.texts + words
    assert not _english_left(shown, data), _english_left(shown, data)
    for text in shown:
        assert not HALF_WIDTH_BESIDE_CHINESE.search(text), f"half-width punctuation beside Chinese: {text!r}"
    for word in must:
        assert word in " ".join(shown), word
    return page


def _scenario_data(c: TestClient) -> set[str]:
    scenarios = c.get("/api/scenarios").json()
    return {s["title"] for s in scenarios} | {s["id"] for s in scenarios}


def test_the_scenario_list_in_chinese(tmp_path: Path) -> None:
    c = client(tmp_path)
    html = c.get("/", headers=ZH).text
    _assert_chinese(html, _scenario_data(c), ("练习通话", "场景", "关卡", "开始", "咨询", "投诉", "英语"))
    # The same page in English keeps its English (the test above can fail).
    assert _english_left(_read(c.get("/", headers={"accept-language": "en"}).text).texts, _scenario_data(c))


def test_the_desktop_of_a_chinese_call_in_chinese(tmp_path: Path) -> None:
    c = client(tmp_path)
    started = c.post("/api/calls", json={"scenario": "card-lookup-zh", "trainee": "ann"}, headers=ZH)
    assert started.status_code == 201, started.text
    cid = started.json()["call_id"]
    scenario = load_scenario(shipped_library() / "zh" / "card-lookup.yaml")
    html = c.get(f"/desk/{cid}", headers=ZH).text
    page = _assert_chinese(html, {cid, scenario.id}, ("保持", "恢复通话", "挂断", "客户资料", "话后小结", "处理结果"))
    assert page.messages["on_hold"] == "保持中" and page.messages["your_turn"] == "轮到你"
    assert page.messages["customer_said"] == "客户：{text}"
    assert page.messages["item_titles"]["lookup_speed"] == "查询速度"
    # The errors the desk shows come back in the station's language.
    assert c.post(f"/api/calls/{cid}/hold", headers=ZH).status_code == 200
    again = c.post(f"/api/calls/{cid}/hold", headers=ZH)
    assert again.status_code == 409 and again.json()["error"] == "客户已在保持中"
    assert c.post(f"/api/calls/{cid}/hold").json()["error"] == "the customer is already on hold"
    c.post(f"/api/calls/{cid}/hangup")


def test_the_archive_and_sign_in_in_chinese(tmp_path: Path) -> None:
    c = client(tmp_path)
    _assert_chinese(c.get("/archive", headers=ZH).text, set(), ("筛选", "得分", "合格", "是", "否"))
    login = client(tmp_path / "login", require_login=True)
    _assert_chinese(login.get("/login", headers=ZH).text, set(), ("登录", "用户名", "密码"))
    wrong = login.post("/login", headers=ZH, data={"username": "x", "password": "y", "csrf": login.headers["X-CSRF-Token"]})
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text
    assert login.get("/api/scenarios", headers=ZH).json()["error"] == "请先登录"


def _sign_in(c: TestClient, user: str) -> None:
    ok = c.post("/login", data={"username": user, "password": "correct horse", "csrf": c.headers["X-CSRF-Token"]},
                follow_redirects=False)
    assert ok.status_code == 303


def test_an_account_language_comes_after_the_switch_and_before_the_browser(tmp_path: Path) -> None:
    c = client(tmp_path, require_login=True)
    accounts: Accounts = c.app.state.server.accounts
    accounts.add("li", "trainee", "correct horse", lang="zh")
    accounts.add("sam", "trainer", "correct horse")
    _sign_in(c, "li")
    assert 'lang="zh-CN"' in c.get("/", headers={"accept-language": "en"}).text     # account > browser
    c.get("/lang/en")
    assert 'lang="en"' in c.get("/", headers=ZH).text                               # switch > account
    c.cookies.delete("roleplay_lang")
    assert c.post("/api/account/lang", json={"lang": "en"}).json() == {"username": "li", "lang": "en"}
    assert 'lang="en"' in c.get("/", headers=ZH).text                               # the new setting, at once
    assert c.post("/api/account/lang", json={"lang": None}).status_code == 200
    assert 'lang="zh-CN"' in c.get("/", headers=ZH).text                            # back to the browser's
    assert c.post("/api/account/lang", json={"lang": "fr"}).status_code == 400
    c.post("/logout")
    _sign_in(c, "sam")
    assert 'lang="en"' in c.get("/", headers={"accept-language": "en"}).text


def test_an_older_accounts_table_gets_the_language_column(tmp_path: Path) -> None:
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'old.db'}"
    with open_store(url) as store, store.write() as conn:
        conn.execute(text("CREATE TABLE web_accounts (username VARCHAR(80) PRIMARY KEY, role VARCHAR(16) NOT NULL, "
                          "password_hash VARCHAR(300) NOT NULL)"))
    with open_store(url) as store:
        accounts = Accounts(store)
        accounts.add("li", "trainee", "correct horse", lang="zh")
        token = accounts.login("li", "correct horse")
        assert accounts.session(token).lang == "zh"


def test_roleplay_accounts_add_sets_the_language(tmp_path: Path, capsys) -> None:
    import cli

    url = f"sqlite:///{tmp_path / 'records.db'}"
    assert cli.main(["accounts", "add", "li", "--role", "trainee", "--lang", "zh", "--password", "correct horse",
                     "--db", url]) == 0
    assert "account li (trainee, zh) saved" in capsys.readouterr().out
    with open_store(url) as store:
        accounts = Accounts(store)
        assert accounts.session(accounts.login("li", "correct horse")).lang == "zh"


def test_errors_that_carry_values_come_back_in_the_station_language(tmp_path: Path) -> None:
    c = client(tmp_path)
    missing = c.get("/api/calls/nope", headers=ZH)
    assert missing.status_code == 404 and missing.json()["error"] == "没有进行中的通话“nope”"
    assert c.get("/api/calls/nope").json()["error"] == "no live call 'nope'"        # English as it was
    cid = c.post("/api/calls", json={"scenario": "card-lookup-zh", "trainee": "ann"}).json()["call_id"]
    long = c.post(f"/api/calls/{cid}/answer", json={"text": "x" * 4001}, headers=ZH).json()["error"]
    assert long == "“text”超过 4000 个字符"
    assert c.post(f"/api/calls/{cid}/answer", json={"text": 1}, headers=ZH).json()["error"] == "“text”必须是文本"
    nobody = c.post("/api/calls", json={"scenario": "no-such"}, headers=ZH).json()["error"]
    assert nobody == "没有场景“no-such”；GET /api/scenarios 可列出全部场景"
    c.post(f"/api/calls/{cid}/hangup")
    bad = c.post(f"/api/calls/{cid}/wrapup", json={"disposition": "lost"}, headers=ZH)
    assert bad.status_code == 400 and bad.json()["error"] == "处理结果“lost”不在可选项中：已解决、待回访、已升级"
    assert c.post(f"/api/calls/{cid}/wrapup", json={"disposition": "lost"}).json()["error"] == \
        "disposition 'lost' is not one of 已解决, 待回访, 已升级"
    assert c.get("/api/archive?min_score=abc", headers=ZH).json()["error"] == "“min_score”必须是数字"
    assert c.get("/lang/fr", headers=ZH).json()["error"] == "没有界面语言“fr”"


def test_crm_fields_tables_and_dispositions_have_labels_in_the_page_language(tmp_path: Path) -> None:
    from roleplay.web.crm_labels import desk_labels, field_label

    assert field_label("last_four", "zh") == "卡号后四位" and field_label("last_four", "en") == "Last four digits"
    assert field_label("refund_window", "zh") == "Refund window"        # an unknown id, humanised
    c = client(tmp_path)
    cid = c.post("/api/calls", json={"scenario": "pharmacy-lookup-zh", "trainee": "ann"}).json()["call_id"]
    page = _read(c.get(f"/desk/{cid}", headers=ZH).text)
    assert page.messages["crm_fields"]["patient"] == "患者" and page.messages["crm_fields"]["phone"] == "电话"
    assert page.messages["crm_tables"] == {"order": "订单"}
    # The wrap-up codes this scenario takes by default are shown in Chinese; the value sent stays the code.
    assert '<option value="follow_up">待回访</option>' in c.get(f"/desk/{cid}", headers=ZH).text
    en = _read(c.get(f"/desk/{cid}", headers={"accept-language": "en"}).text)
    assert en.messages["crm_fields"]["patient"] == "Patient"
    scenario = load_scenario(shipped_library() / "zh" / "card-lookup.yaml")
    labels = desk_labels(scenario, "zh")
    assert labels.dispositions == {"已解决": "已解决", "待回访": "待回访", "已升级": "已升级"}   # the author's own words
    c.post(f"/api/calls/{cid}/hangup")


def test_validation_problems_in_the_page_language(tmp_path: Path) -> None:
    library = tmp_path / "library"
    library.mkdir()
    (library / "broken.yaml").write_text("id: broken\nlang: zh\n", encoding="utf-8")
    c = client(tmp_path, scenarios=library)
    checked = c.post("/api/scenarios/validate", content=b"id: x\nlang: zh\n", headers=ZH).json()["errors"]
    # Only the quoted YAML keys and ids stay as written.
    assert checked and not any(re.search(r"[A-Za-z]", re.sub(r"“[^”]*”", "", e["message"])) for e in checked), checked
    english = c.post("/api/scenarios/validate", content=b"id: x\nlang: zh\n").json()["errors"]
    assert "missing required key" in english[0]["message"]
    index = c.get("/", headers=ZH).text
    assert "broken.yaml:1:1: " in index and "missing required key" not in index
    assert "missing required key" in c.get("/").text
