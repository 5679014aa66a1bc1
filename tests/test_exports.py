"""CSV and xAPI exports from the records database, and `roleplay export`."""

from __future__ import annotations

import csv
import json
import re
import uuid
from datetime import UTC, datetime

import pytest
from qa_calls import make_call_json

import cli
from roleplay.records.exports import (
    ATTEMPT_COLUMNS,
    ITEM_COLUMNS,
    iso_duration,
    write_attempts_csv,
    write_items_csv,
    xapi_statements,
)
from roleplay.records.reviews import override_item
from roleplay.records.store import open_store


@pytest.fixture
def db_url(tmp_path):
    url = f"sqlite:///{tmp_path}/r.db"
    with open_store(url) as s:
        s.record_attempt(make_call_json("c-zh", trainee="王小明", language="zh", title="宽带资费咨询"))
        s.record_attempt(make_call_json("c-en", trainee="anna@example.com", minutes=5))
        s.record_attempt(make_call_json("c-none", trainee="王小明", scorecard=None, minutes=9))
        override_item(s, "c-en", "fibre_price", "qa-lee", 0.0, "价格说错了",
                      at=datetime(2020, 1, 1, tzinfo=UTC))
    return url


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_attempts_csv(tmp_path, db_url):
    out = tmp_path / "attempts.csv"
    with open_store(db_url) as store:
        assert write_attempts_csv(store, out) == 3
    header, *rows = read_csv(out)
    assert tuple(header) == ATTEMPT_COLUMNS
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    assert [r[0] for r in rows] == ["c-zh", "c-en", "c-none"]  # time order
    assert (by_id["c-zh"]["trainee"], by_id["c-zh"]["scenario_title"]) == ("王小明", "宽带资费咨询")
    assert by_id["c-zh"]["started_at"] == "2026-11-22T15:30:12Z"
    assert (by_id["c-en"]["score"], by_id["c-en"]["effective_score"]) == ("75", "45")
    assert (by_id["c-en"]["passed"], by_id["c-en"]["effective_passed"], by_id["c-en"]["reviewed"]) == (
        "true", "false", "true")
    assert (by_id["c-none"]["status"], by_id["c-none"]["score"]) == ("not_scored", "")


def test_items_csv_and_trainee_filter(tmp_path, db_url):
    out = tmp_path / "items.csv"
    with open_store(db_url) as store:
        assert write_items_csv(store, out, trainee="anna@example.com", excel=True) == 4
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Chinese
    assert "价格说错了".encode() in raw
    header, *rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert tuple(header) == ITEM_COLUMNS
    fibre = dict(zip(header, next(r for r in rows if r[3] == "fibre_price"), strict=True))
    assert (fibre["points"], fibre["effective_points"], fibre["reviewer"]) == ("30", "0", "qa-lee")
    assert {r[0] for r in rows} == {"c-en"}


IRI = re.compile(r"^[a-z][a-z0-9+.-]*:[^\s]+$")
DURATION = re.compile(r"^P(?:\d+(?:\.\d+)?[YMWD])*(?:T(?:\d+(?:\.\d+)?[HMS])+)?$")
LANGMAP_KEY = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def check_statement(s: dict) -> None:
    """The xAPI 1.0.3 rules a Learning Record Store enforces on what we send."""
    assert uuid.UUID(s["id"]).version == 5
    actor = s["actor"]
    ifis = [k for k in ("mbox", "mbox_sha1sum", "openid", "account") if k in actor]
    assert len(ifis) == 1, "an Agent has exactly one inverse functional identifier"
    if "mbox" in actor:
        assert actor["mbox"].startswith("mailto:")
    else:
        assert IRI.match(actor["account"]["homePage"]) and actor["account"]["name"]
    assert IRI.match(s["verb"]["id"]) and s["verb"]["id"].startswith("http://adlnet.gov/expapi/verbs/")
    assert all(LANGMAP_KEY.match(k) for k in s["verb"]["display"])
    obj = s["object"]
    assert obj.get("objectType", "Activity") == "Activity" and IRI.match(obj["id"])
    assert all(LANGMAP_KEY.match(k) for k in obj["definition"]["name"])
    result = s["result"]
    if "score" in result:
        score = result["score"]
        assert -1 <= score["scaled"] <= 1 and score["min"] <= score["raw"] <= score["max"]
        assert isinstance(result["success"], bool)
    assert DURATION.match(result["duration"]) and isinstance(result["completion"], bool)
    assert datetime.fromisoformat(s["timestamp"]).tzinfo is not None
    assert all(IRI.match(k) for k in s["context"]["extensions"])


def test_xapi_statements_have_the_required_shape(db_url):
    with open_store(db_url) as store:
        statements = xapi_statements(store, base_iri="https://lms.example.org/cc/")
    for s in statements:
        check_statement(s)
    by_call = {s["context"]["extensions"]["https://lms.example.org/cc/extensions/call-id"]: s
               for s in statements}
    zh, en, none = by_call["c-zh"], by_call["c-en"], by_call["c-none"]
    assert zh["actor"]["account"] == {"homePage": "https://lms.example.org/cc", "name": "王小明"}
    assert en["actor"] == {"objectType": "Agent", "mbox": "mailto:anna@example.com"}
    assert zh["verb"]["id"].endswith("/passed") and zh["result"]["score"]["scaled"] == 0.75
    assert en["verb"]["id"].endswith("/failed") and en["result"]["score"]["raw"] == 45  # QA override
    assert none["verb"]["id"].endswith("/completed") and "score" not in none["result"]
    assert zh["object"]["id"] == "https://lms.example.org/cc/scenarios/tiny-en"
    assert zh["object"]["definition"]["name"] == {"zh-CN": "宽带资费咨询"}
    assert zh["timestamp"] == "2026-11-22T15:30:12Z"
    with open_store(db_url) as store:  # the same call always gets the same statement id
        assert [s["id"] for s in xapi_statements(store)] == [s["id"] for s in statements]


@pytest.mark.parametrize("seconds, text", [(95.2, "PT95.2S"), (60, "PT60S"), (0.004, "PT0S"),
                                           (12.345, "PT12.35S")])
def test_iso_duration(seconds, text):
    assert iso_duration(seconds) == text


def test_export_command(tmp_path, db_url, capsys):
    files = {"--csv": tmp_path / "a.csv", "--items-csv": tmp_path / "i.csv", "--xapi": tmp_path / "x.json"}
    argv = ["export", "--db", db_url, "--trainee", "王小明"]
    assert cli.main([*argv, *(str(a) for pair in files.items() for a in pair)]) == 0
    assert len(read_csv(files["--csv"])) == 1 + 2
    assert len(read_csv(files["--items-csv"])) == 1 + 4
    assert [s["actor"]["account"]["name"] for s in json.loads(files["--xapi"].read_text())] == ["王小明"] * 2
    assert "2 attempt(s)" in capsys.readouterr().err


def test_export_command_errors(tmp_path, capsys):
    assert cli.main(["export", "--db", f"sqlite:///{tmp_path}/r.db"]) == 2
    assert "--csv" in capsys.readouterr().err
    assert cli.main(["export", "--db", "nonsense", "--csv", str(tmp_path / "a.csv")]) == 2
    assert "not a database URL" in capsys.readouterr().err
