"""Look-alike CRM records, so finding the customer on the desk takes care, not luck.

Deterministic (seeded by the scenario id): records sharing the customer's surname, keys with
two digits transposed or the same leading digits, and an older closed account in the
customer's own name; each record gets a phone number and a standing (active or closed). The
customer's record stays the only one matching both the name and the key the customer gives.

    python -m roleplay.authoring.lookalikes scenarios/en/card-lookup.yaml ...

rewrites each file's `records:` (committed YAML, reviewed like any other change); the
benchmarks use `lookalikes()` to build a CRM of 10,000 records.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

NAME_FIELDS = ("holder", "patient", "customer", "name")
EN_GIVEN = ("Anna", "David", "Grace", "Henry", "Irene", "Jack", "Karen", "Leo", "Maria", "Noah",
            "Olivia", "Peter", "Rosa", "Sam", "Tara", "Victor")
EN_FAMILY = ("Brooks", "Clarke", "Evans", "Foster", "Gray", "Hughes", "King", "Lewis", "Moore",
             "Patel", "Reid", "Shaw", "Turner", "Walsh", "Young")
ZH_FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
ZH_GIVEN = ("伟", "芳", "娜", "敏", "静", "磊", "强", "洋", "艳", "杰", "涛", "明", "超", "霞", "平", "刚")
STANDING = {"en": ("active", "closed"), "zh": ("正常", "已销户")}


def name_field(row: dict[str, str]) -> str | None:
    return next((f for f in NAME_FIELDS if f in row), None)


def _transposed(key: str, rng: random.Random) -> set[str]:
    out = set()
    for i in range(len(key) - 1):
        if key[i] != key[i + 1] and key[i].isdigit() and key[i + 1].isdigit():
            out.add(key[:i] + key[i + 1] + key[i] + key[i + 2:])
    return out


def _similar_key(key: str, rng: random.Random) -> str:
    keep = max(1, len(key) // 2)   # same leading digits, another tail
    return key[:keep] + "".join(rng.choice("0123456789") for _ in key[keep:])


def _name(language: str, rng: random.Random, family: str | None = None) -> str:
    if language == "zh":
        return (family or rng.choice(ZH_FAMILY)) + "".join(rng.sample(ZH_GIVEN, rng.choice((1, 2))))
    return f"{rng.choice(EN_GIVEN)} {family or rng.choice(EN_FAMILY)}"


def _family(name: str, language: str) -> str:
    return name[0] if language == "zh" else name.split()[-1]


def _phone(language: str, rng: random.Random) -> str:
    if language == "zh":
        return "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))
    return "07" + "".join(rng.choice("0123456789") for _ in range(9))


def lookalikes(rows: list[dict[str, str]], key: str, customer: str, language: str, seed: str,
               count: int = 22) -> list[dict[str, str]]:
    """The table's records with `count` look-alikes added (the customer's record first)."""
    rng = random.Random(seed)
    active, closed = STANDING.get(language, STANDING["en"])
    base = next(r for r in rows if r.get(key) == customer)
    who = name_field(base)
    others = [r for r in rows if r is not base]
    taken = {r[key] for r in rows}
    out = [dict(r, phone=r.get("phone") or _phone(language, rng), standing=r.get("standing", active))
           for r in [base, *others]]

    def fresh(candidate: str) -> str:
        tries = 0
        while candidate in taken or len(candidate) != len(customer):
            tries += 1   # the near keys run out in a big table: then any key of the same length
            candidate = _similar_key(customer, rng) if tries < 50 else _similar_key("0" * len(customer) + "0", rng)[1:]
        taken.add(candidate)
        return candidate

    keys = sorted(_transposed(customer, rng) - taken)[:4]
    pool = [*out[1:]] or [out[0]]
    while len(out) < len(rows) + count:
        n = len(out) - len(rows)
        template = dict(rng.choice(pool))
        row = {f: template.get(f, v) for f, v in base.items()}
        row[key] = fresh(keys[n] if n < len(keys) else _similar_key(customer, rng))
        row["phone"] = _phone(language, rng)
        row["standing"] = active
        if who:
            family = _family(base[who], language) if n % 3 == 0 else None
            row[who] = _name(language, rng, family)
            if row[who] == base[who]:
                row[who] = _name(language, rng)
        if n == len(keys):            # the customer's own older account, closed
            if who:
                row[who] = base[who]
            row["standing"] = closed
        out.append(row)
    return out


_RECORDS = re.compile(r"^(?P<indent>[ \t]+)records:[ \t]*\n(?:(?P=indent)[ \t]*- .*\n)+", re.MULTILINE)


def rewrite(path: Path) -> int:
    """Rewrite the records of every CRM table in one scenario file; returns the record count."""
    import yaml

    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    language = str(data.get("language", "en"))
    total = 0
    tables = iter((data.get("crm") or {}).items())

    def block(m: re.Match[str]) -> str:
        nonlocal total
        name, table = next(tables)
        rows = [{str(k): str(v) for k, v in r.items()} for r in table["records"]]
        rows = lookalikes(rows, table["key"], str(table["customer"]), language, f"{data['id']}/{name}")
        total += len(rows)
        indent = m.group("indent")
        search = [table["key"], *(f for f in (name_field(rows[0]),) if f), "phone"]
        lines = [f"{indent}search: [{', '.join(search)}]", f"{indent}records:"]
        lines += [f"{indent}  - {{{', '.join(f'{k}: {json.dumps(v, ensure_ascii=False)}' for k, v in r.items())}}}"
                  for r in rows]
        return "\n".join(lines) + "\n"

    text = re.sub(r"^[ \t]+search:.*\n", "", text, flags=re.MULTILINE)
    path.write_text(_RECORDS.sub(block, text), encoding="utf-8")
    return total


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(f"{arg}: {rewrite(Path(arg))} records")
