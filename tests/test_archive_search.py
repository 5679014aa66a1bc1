"""QA call search (GET /api/archive, roleplay/records/archive_search.py): filters, sort and
pages in SQL, the effective score beside the automatic one."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from qa_calls import make_call_json, make_scorecard
from web_helpers import client

from roleplay.model.errors import RoleplayError
from roleplay.records.archive_search import ArchiveQuery, search_archive
from roleplay.records.reviews import override_item, set_verdict
from roleplay.records.store import open_store


def seeded(url: str) -> None:
    with open_store(url) as store:
        for n in range(12):
            card = make_scorecard(f"c{n:02d}")
            card["score"] = 40 + 5 * n
            card["passed"] = card["score"] >= 70
            if n == 3:
                card["auto_failed"], card["passed"] = ["forbidden"], False
            store.record_attempt({**make_call_json(f"c{n:02d}", trainee=("ann", "bob")[n % 2], minutes=60 * n),
                                  "scorecard": card})
        override_item(store, "c04", "courtesy", "qa-lee", 0.0, "rude")
        set_verdict(store, "c06", "qa-wu", "fail", "promised a refund")


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'records.db'}"
    seeded(url)
    return url


def ids(url: str, **filters) -> list[str]:
    with open_store(url) as store:
        return [f.attempt.call_id for f in search_archive(store, ArchiveQuery(**filters)).calls]


def test_filters_combine(url):
    assert ids(url, trainee="ann", min_score=50, max_score=70) == ["c06", "c04", "c02"]
    assert ids(url, auto_fail=True) == ["c03"]
    assert "c03" not in ids(url, auto_fail=False)
    assert ids(url, reviewed="yes") == ["c06", "c04"]
    assert len(ids(url, reviewed="no")) == 10
    t0 = datetime(2026, 11, 22, 15, 30, 12, tzinfo=UTC)
    assert ids(url, since=t0.replace(hour=17), until=t0.replace(hour=19)) == ["c03", "c02"]


def test_sort_pages_and_the_effective_score(url):
    assert ids(url, sort="-score", per_page=3) == ["c11", "c10", "c09"]
    assert ids(url, sort="score", per_page=2, page=2) == ["c02", "c03"]
    with open_store(url) as store:
        page = search_archive(store, ArchiveQuery(reviewed="yes"))
    assert page.total == 2
    standing = {f.attempt.call_id: f.standing for f in page.calls}
    assert standing["c06"].passed is False and standing["c06"].score == 70
    assert standing["c04"].score < 60


def test_bad_queries_are_refused():
    with pytest.raises(RoleplayError, match="sort"):
        ArchiveQuery(sort="random")
    with pytest.raises(RoleplayError, match="per_page"):
        ArchiveQuery(per_page=10_000)


def test_the_http_api_filters(tmp_path):
    c = client(tmp_path)
    seeded(f"sqlite:///{tmp_path / 'records.db'}")
    body = c.get("/api/archive", params={"trainee": "ann", "reviewed": "yes"}).json()
    assert [x["call_id"] for x in body["calls"]] == ["c06", "c04"] and body["total"] == 2
    assert body["calls"][0]["effective_passed"] is False and body["calls"][0]["passed"] is True
    assert [x["call_id"] for x in c.get("/api/archive", params={"auto_fail": "yes"}).json()["calls"]] == ["c03"]
    for params, word in (({"reviewed": "maybe"}, "reviewed"), ({"from": "yesterday"}, "date"),
                         ({"sort": "up"}, "sort"), ({"max_score": "nan"}, "number")):
        r = c.get("/api/archive", params=params)
        assert r.status_code == 400 and word in r.json()["error"]
