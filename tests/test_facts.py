"""Knowledge accuracy: RIGHT / WRONG / MISSING with evidence (table-driven)."""

from __future__ import annotations

import pytest

from roleplay.model.scenario import Fact
from scoring.facts import FactStatus, check_fact

PRICE = Fact("fibre_price", "49", "dollars", accept=("forty-nine a month",))
SPEED = Fact("speed", "100", "Mbps")
DUE = Fact("due", "March 15")
PLAN = Fact("current_plan", "Fibre 100", crm="account.plan")
HOLDER = Fact("holder", "Emily Chen")
ACCOUNT = Fact("account", "88001234")
ZH_FEE = Fact("fee", "99", "元")


@pytest.mark.parametrize(("fact", "text", "language", "status", "stated"), [
    (PRICE, "It's forty-nine dollars a month.", "en", FactStatus.RIGHT, "forty-nine dollars"),
    (PRICE, "That plan is $49.", "en", FactStatus.RIGHT, "$49"),
    (PRICE, "it's forty nine a month", "en", FactStatus.RIGHT, "forty nine a month"),
    (PRICE, "That one costs fifty-nine dollars.", "en", FactStatus.WRONG, "fifty-nine dollars"),
    (PRICE, "The speed is 49 Mbps.", "en", FactStatus.MISSING, ""),    # other family: no claim
    (PRICE, "Let me check that for you.", "en", FactStatus.MISSING, ""),
    (SPEED, "you get fifty megs, sorry, one hundred megabits", "en", FactStatus.RIGHT, "one hundred megabits"),
    (SPEED, "your line is 50 Mbps", "en", FactStatus.WRONG, "50 Mbps"),
    (SPEED, "您的宽带是一百兆的", "zh", FactStatus.RIGHT, "一百兆"),
    (SPEED, "您的宽带是五十兆", "zh", FactStatus.WRONG, "五十兆"),
    (DUE, "it is due on the fifteenth of March", "en", FactStatus.RIGHT, "the fifteenth of March"),
    (DUE, "三月十五日到期", "zh", FactStatus.RIGHT, "三月十五日"),
    (DUE, "due 3/16", "en", FactStatus.WRONG, "3/16"),
    (PLAN, "you are on fiber one hundred", "en", FactStatus.RIGHT, "fiber one hundred"),
    (PLAN, "you are on Fibre 50", "en", FactStatus.WRONG, "Fibre 50"),   # a plan name compares by value
    (HOLDER, "the account holder is emily chan", "en", FactStatus.RIGHT, "emily chan"),
    (ACCOUNT, "your account is eight eight zero zero one two three four", "en", FactStatus.RIGHT,
     "eight eight zero zero one two three four"),
    (ACCOUNT, "your account is 88001235", "en", FactStatus.WRONG, "88001235"),
    (ACCOUNT, "that is 3 devices", "en", FactStatus.MISSING, ""),
    (ZH_FEE, "月费是九十九元", "zh", FactStatus.RIGHT, "九十九元"),
    (ZH_FEE, "月费是八十九块", "zh", FactStatus.WRONG, "八十九块"),
])
def test_check_fact(fact, text, language, status, stated):
    check = check_fact(text, fact, language)
    assert (check.status, check.stated) == (status, stated)
    assert check.expected == f"{fact.value} {fact.unit}".strip()
    if stated:
        assert text[check.start:check.end] == stated
