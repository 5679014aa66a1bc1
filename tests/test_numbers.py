"""Stated quantities in canonical units, English and Chinese (table-driven)."""

from __future__ import annotations

import pytest

from scoring.numbers import Family, extract_quantities, parse_quantity


@pytest.mark.parametrize(("text", "value", "family"), [
    ("forty-nine dollars", 49, Family.MONEY),
    ("$49", 49, Family.MONEY),
    ("it is $49.99 a month", 49.99, Family.MONEY),
    ("九十九元", 99, Family.MONEY),
    ("99元", 99, Family.MONEY),
    ("一百兆", 100, Family.SPEED),
    ("100M", 100, Family.SPEED),
    ("100 Mbps", 100, Family.SPEED),
    ("one hundred megabits per second", 100, Family.SPEED),
    ("千兆宽带", 1000, Family.SPEED),
    ("one gigabit", 1000, Family.SPEED),
    ("two point five gigabytes", 2.5, Family.DATA),
    ("二十G流量", 20, Family.DATA),
    ("March fifteenth", 315, Family.DATE),
    ("三月十五日", 315, Family.DATE),
    ("3月15号", 315, Family.DATE),
    ("3/15", 315, Family.DATE),
    ("15 March", 315, Family.DATE),
    ("the fifteenth of March", 315, Family.DATE),
    ("fifty percent", 50, Family.PERCENT),
    ("百分之五十", 50, Family.PERCENT),
    ("three business days", 3 * 1440, Family.TIME),
    ("三个工作日", 3 * 1440, Family.TIME),
    ("两个小时", 120, Family.TIME),
    ("48 hours", 2 * 1440, Family.TIME),
    ("两台", 2, Family.COUNT),
    ("account eight eight zero zero", 8800, Family.NUMBER),
])
def test_extract_one_quantity(text, value, family):
    found = extract_quantities(text)
    assert [(q.family, round(q.value, 4)) for q in found] == [(family, value)]
    q = found[0]
    assert text[q.start:q.end] == q.text and q.text.strip()


def test_several_quantities_in_order_with_offsets():
    text = "Your plan is one hundred Mbps for forty-nine dollars until March 3rd."
    found = extract_quantities(text)
    assert [(q.family, q.value) for q in found] == [(Family.SPEED, 100), (Family.MONEY, 49), (Family.DATE, 303)]
    assert [q.text for q in found] == ["one hundred Mbps", "forty-nine dollars", "March 3rd"]


def test_words_that_only_look_like_numbers_stay_words():
    assert extract_quantities("我帮您查一下，统一处理，万一有问题") == []
    assert extract_quantities("give me a second, someone will call") == []


@pytest.mark.parametrize(("value", "unit", "expected"), [
    ("49", "dollars", (Family.MONEY, 49)),
    ("39 dollars", "", (Family.MONEY, 39)),
    ("100", "Mbps", (Family.SPEED, 100)),
    ("88001234", "", (Family.NUMBER, 88001234)),
    ("Fibre 100", "", None),
    ("Emily Chen", "", None),
])
def test_parse_fact_quantity(value, unit, expected):
    q = parse_quantity(value, unit)
    assert (None if q is None else (q.family, q.value)) == expected
