"""The desk's scenario sections (kb:, desk:, crm search:) and the shipped library's CRMs."""

from __future__ import annotations

from pathlib import Path

import pytest

from roleplay.authoring.loader import load_scenario
from roleplay.authoring.lookalikes import lookalikes
from roleplay.model.errors import ScenarioErrors

LIBRARY = Path(__file__).resolve().parent.parent / "scenarios"
BASE = """id: desk-test
title: Desk test
language: en
level: 1
stage: lookup
domain: bank-card
persona: {name: Ann Lee}
knowledge:
  limit: {crm: card.limit}
crm:
  card:
    key: last_four
    customer: "1234"
    search: [holder, phonee]
    records:
      - {last_four: "1234", holder: Ann Lee, limit: "900"}
      - {last_four: "1234", holder: Bo Li, limit: "100"}
kb:
  - {id: fees, title: Fees, body: "Late fee 35 dollars"}
  - {id: fees, title: Again, body: "x"}
  - {id: Bad Id, title: T, body: "y"}
  - {title: No id, body: "z"}
desk:
  dispositions: []
  lookup_s: 0
  notes_facts: [limt]
  colour: red
start: a
nodes:
  a:
    say: "It's card {card.last_four}."
    lookup_s: fast
    end: resolved
"""


def _errors(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioErrors) as caught:
        load_scenario(path)
    return [f"{e.line}:{e.col}: {e.message}" for e in caught.value.errors]


def test_desk_sections_report_every_problem_with_its_place(tmp_path: Path) -> None:
    errors = _errors(tmp_path, BASE)
    assert errors == [
        "14:22: crm.card.search: no record has a field 'phonee'",
        "17:21: crm.card record: last_four '1234' is used by an earlier record",
        "20:10: kb.id: 'fees' is used by an earlier article",
        "21:10: kb.id: 'Bad Id' may only use a-z, 0-9, '-' and '_'",
        "22:5: kb article: missing required key 'id'",
        "24:17: desk.dispositions: give at least one code",
        "25:13: desk.lookup_s: must be at least 1, got 0",
        "26:17: desk.notes_facts: no fact in knowledge named 'limt' (did you mean 'limit'?)",
        "27:3: desk: unknown key 'colour'",
        "32:15: lookup_s: expected a number, got 'fast'",
    ]


def test_desk_sections_load(tmp_path: Path) -> None:
    text = BASE.replace("phonee", "holder").replace('- {last_four: "1234", holder: Bo Li', '- {last_four: "1243", holder: Bo Li')
    text = text.split("kb:")[0] + """kb:
  - {id: fees, title: Fees, body: "Late fee 35 dollars", tags: [late]}
desk:
  dispositions: [done, callback]
  lookup_s: 15
  notes_facts: [limit]
start: a
nodes:
  a:
    say: "It's card {card.last_four}."
    lookup_s: 9
    end: resolved
"""
    (tmp_path / "s.yaml").write_text(text.replace("[holder, holder]", "[holder]"), encoding="utf-8")
    s = load_scenario(tmp_path / "s.yaml")
    assert s.crm["card"].search == ("holder",)
    assert [a.id for a in s.kb] == ["fees"] and s.kb[0].tags == ("late",)
    assert (s.desk.dispositions, s.desk.lookup_s, s.desk.notes_facts) == (("done", "callback"), 15, ("limit",))
    assert s.nodes["a"].lookup_s == 9


@pytest.mark.parametrize("path", sorted(p for p in LIBRARY.glob("*/*.yaml") if "\ncrm:" in p.read_text(encoding="utf-8")),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_shipped_crm_has_lookalikes_and_one_matching_record(path: Path) -> None:
    s = load_scenario(path)
    for table in s.crm.values():
        assert len(table.records) >= 20
        mine = table.record
        who = next(f for f in ("holder", "patient", "customer") if f in mine)
        same_name = [r for r in table.records if r[who] == mine[who]]
        closed = [r for r in same_name if r is not mine and r["standing"] in ("closed", "已销户")]
        assert closed, "an older closed account in the customer's name"
        surname = mine[who][0] if s.language == "zh" else mine[who].split()[-1]
        assert sum(surname in r[who] for r in table.records) >= 3, "look-alike surnames"
        digits = sorted(mine[table.key])
        assert any(r is not mine and sorted(r[table.key]) == digits for r in table.records), "transposed digits"
        # Only the customer's record matches both the name and the key the customer gives.
        assert [r for r in same_name if r[table.key] == table.customer_key] == [mine]


@pytest.mark.parametrize("path", sorted(LIBRARY.glob("*/*-inquiry.yaml")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_shipped_inquiry_has_articles_holding_its_facts(path: Path) -> None:
    s = load_scenario(path)
    text = " ".join(a.body for a in s.kb)
    critical = [f for f in s.knowledge.values() if f.critical]
    assert s.kb and all(f.value in text for f in critical)


def test_lookalikes_are_deterministic_and_keep_keys_unique() -> None:
    rows = [{"n": "1234", "holder": "Ann Lee"}]
    a = lookalikes(rows, "n", "1234", "en", "seed", count=200)
    assert a == lookalikes(rows, "n", "1234", "en", "seed", count=200)
    assert len({r["n"] for r in a}) == len(a) == 201
