"""QA overrides and calibration across reviewers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from qa_calls import DEFAULT_ITEMS, make_call_json

from roleplay.records.reviews import (
    ReviewError,
    calibration_report,
    effective_score,
    override_item,
)
from roleplay.records.store import open_store

T = datetime(2020, 1, 1, tzinfo=UTC)
AUTO = 100 * sum(p for _, _, p, _ in DEFAULT_ITEMS) / sum(m for *_, m in DEFAULT_ITEMS)  # 75.0


@pytest.fixture
def store(tmp_path):
    with open_store(f"sqlite:///{tmp_path}/r.db") as s:
        for n in range(3):
            s.record_attempt(make_call_json(f"c{n}", minutes=n))
        yield s


def test_no_review_means_the_automatic_score(store):
    result = effective_score(store, "c0")
    assert result.score == result.automatic == AUTO and result.passed is True
    assert not result.overridden and all(i.points == i.automatic for i in result.items)


def test_an_override_moves_the_score_and_keeps_the_automatic_one(store):
    override_item(store, "c0", "fibre_price", "qa-lee", 0.0, "quoted the wrong price", at=T)
    result = effective_score(store, "c0")
    fibre = next(i for i in result.items if i.item_id == "fibre_price")
    assert (fibre.automatic, fibre.points, fibre.reviewer, fibre.comment) == (
        30.0, 0.0, "qa-lee", "quoted the wrong price")
    total = sum(m for *_, m in DEFAULT_ITEMS)
    assert result.automatic == AUTO and result.score == pytest.approx(AUTO - 30 * 100 / total)
    assert result.passed is False  # 75 -> 48 falls under the pass mark of 70
    assert store.item_scores("c0")[1].points == 30.0  # the stored automatic points are untouched


def test_the_newest_override_of_an_item_wins(store):
    override_item(store, "c1", "courtesy", "qa-lee", 0.0, "first look", at=T)
    override_item(store, "c1", "courtesy", "qa-wu", 30.0, "listened again", at=T + timedelta(hours=1))
    courtesy = next(i for i in effective_score(store, "c1").items if i.item_id == "courtesy")
    assert (courtesy.points, courtesy.reviewer) == (30.0, "qa-wu")


@pytest.mark.parametrize("item, points, reviewer, message", [
    ("nope", 1.0, "qa", "no item 'nope' to override"),
    ("greeting", 11.0, "qa", "greeting takes 0 to 10 points, not 11"),
    ("greeting", -1.0, "qa", "not -1"),
    ("greeting", 5.0, "  ", "needs the reviewer's name"),
])
def test_bad_overrides_are_refused(store, item, points, reviewer, message):
    with pytest.raises(ReviewError, match=message):
        override_item(store, "c0", item, reviewer, points, "")
    assert store.reviews() == []


def test_calibration_across_reviewers(store):
    # c0: lee and wu both review; they differ by 10 courtesy points (of 100 total -> 10 score
    # points): within tolerance. c1: they differ by the whole fibre item: outside it.
    # c2: only lee, who agrees with the machine (a comment-only review).
    override_item(store, "c0", "courtesy", "qa-lee", 20.0, "", at=T)
    override_item(store, "c0", "courtesy", "qa-wu", 30.0, "", at=T)
    override_item(store, "c1", "fibre_price", "qa-lee", 0.0, "", at=T)
    override_item(store, "c1", "fibre_price", "qa-wu", 40.0, "", at=T)
    store.add_review("c2", "greeting", "qa-lee", None, "fine", at=T)
    report = calibration_report(store)
    assert (report.calls_reviewed, report.calls_multi_reviewed) == (3, 2)
    assert report.reviewers_agree == pytest.approx(1 / 2)
    # c0: lee +5, wu +15 -> wu is out; c1: lee -30, wu +10 -> out; c2: exact.
    assert report.automatic_agree == pytest.approx(1 / 3)
    by_item = {d.item_id: d for d in report.items}
    assert report.items[0].item_id == "fibre_price"
    # fibre: pairs on c0 (both left it: 0) and c1 (0 vs 40) -> mean 20 over 2 pairs
    assert (by_item["fibre_price"].between_reviewers, by_item["fibre_price"].pairs) == (20.0, 2)
    assert (by_item["courtesy"].between_reviewers, by_item["courtesy"].pairs) == (5.0, 2)
    assert by_item["greeting"].between_reviewers == 0.0
    assert by_item["fibre_price"].vs_automatic == pytest.approx((30 + 10) / 5)
    assert by_item["fibre_price"].reviews == 5  # c0 x2, c1 x2, c2 x1 reviewer-calls


def test_calibration_with_no_reviews(store):
    report = calibration_report(store)
    assert (report.calls_reviewed, report.reviewers_agree, report.automatic_agree) == (0, None, None)
    assert report.items == ()


def test_review_command(tmp_path, capsys):
    import cli

    url = f"sqlite:///{tmp_path}/r.db"
    with open_store(url) as s:
        s.record_attempt(make_call_json("c9"))
    argv = ["review", "c9", "--db", url, "--item", "greeting", "--points", "2", "--reviewer", "qa-lee",
            "--comment", "没有问候"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "automatic 75.0, effective 67.0, passed False" in out and "<- qa-lee: 没有问候" in out
    assert cli.main(["review", "--calibration", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "1 call(s) reviewed, 0 by 2+ reviewers" in out and "within ±10 of automatic: 100%" in out
    assert cli.main(["review", "c9", "--db", url, "--item", "greeting", "--points", "99",
                     "--reviewer", "qa"]) == 2
    assert "greeting takes 0 to 10 points" in capsys.readouterr().err
    assert cli.main(["review", "c9", "--db", url, "--item", "greeting"]) == 2
