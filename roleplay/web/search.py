"""The desk's CRM and knowledge-base search: partial, digits-only and pinyin-insensitive.

A record is indexed once per call: its searchable fields lower-cased, their digits alone (so
"4417", "44 17" and "44-17" find the same card) and, for Chinese text, its toneless pinyin
(so "wangfang" or "wang fang" finds 王芳). A query matches when every one of its words is found.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from heapq import merge
from itertools import islice

from roleplay.model.scenario import CrmTable, KbArticle

MAX_RESULTS = 25
MIN_DIGITS = 2          # a single digit matches nearly every record: not a search
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NON_DIGIT = re.compile(r"\D")
_SEPARATORS = re.compile(r"[\s\-_.,/()]+")


@lru_cache(maxsize=4096)
def _pinyin(text: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(text)).lower()


def _folded(text: str) -> str:
    """Lower-cased, separators removed, Chinese also as pinyin: what a query word is sought in."""
    flat = _SEPARATORS.sub("", text.lower())
    return f"{flat}\x00{_pinyin(text)}" if _CJK.search(text) else flat


@dataclass(frozen=True)
class CrmHit:
    table: str
    key: str
    fields: dict[str, str]


@dataclass(frozen=True)
class _Indexed:
    table: str
    key: str
    row: dict[str, str]
    text: str            # every searchable field folded, joined by \x01
    digits: str          # the digits of each searchable field, joined by \x01


class CrmIndex:
    def __init__(self, tables: dict[str, CrmTable]) -> None:
        self._rows: list[_Indexed] = []
        for table in tables.values():
            for row in table.records:
                fields = [row[f] for f in (table.search or tuple(row)) if f in row]
                self._rows.append(_Indexed(
                    table.name, row.get(table.key, ""), row,
                    "\x01".join(_folded(v) for v in fields),
                    "\x01".join(_NON_DIGIT.sub("", v) for v in fields)))
        # All rows in one string each, so the first query word is found by str.find (C speed)
        # rather than a Python loop over 10,000 rows; the other words filter those rows.
        self._text_blob, self._text_starts = _blob([r.text for r in self._rows])
        self._digit_blob, self._digit_starts = _blob([r.digits for r in self._rows])

    def search(self, query: str, limit: int = MAX_RESULTS) -> list[CrmHit]:
        words = [w for w in query.split() if w]
        if not words:
            return []
        digits = _NON_DIGIT.sub("", query)
        # "44 17" or "138-0013-8000": a number written with spaces is one number, not two words.
        if digits and not re.search(r"[^\d\s\-+().]", query):
            if len(digits) < MIN_DIGITS:
                return []
            rows = _rows_with(self._digit_blob, self._digit_starts, (digits,))
            found = (self._rows[i] for i in rows)
        else:
            # A Chinese query word is sought as characters and as pinyin (王芳 or wangfang).
            wanted = [tuple(p for p in _folded(w).split("\x00") if p) for w in words]
            rows = _rows_with(self._text_blob, self._text_starts, wanted[0])
            found = (r for r in (self._rows[i] for i in rows)
                     if all(any(p in r.text for p in ps) for ps in wanted[1:]))
        return [CrmHit(r.table, r.key, dict(r.row)) for r in islice(found, limit)]

    def get(self, table: str, key: str) -> CrmHit | None:
        for r in self._rows:
            if r.table == table and r.key == key:
                return CrmHit(r.table, r.key, dict(r.row))
        return None


def _blob(texts: list[str]) -> tuple[str, list[int]]:
    starts, at = [], 0
    for t in texts:
        starts.append(at)
        at += len(t) + 1
    return "\n".join(texts), starts


def _rows_with(blob: str, starts: list[int], parts: tuple[str, ...]) -> Iterator[int]:
    """Indexes, in order and lazily (a search stops at its first results), of the rows
    whose text holds any of `parts`."""
    last = -1
    for row in merge(*(_rows_with_one(blob, starts, p) for p in parts)):
        if row != last:
            yield row
            last = row


def _rows_with_one(blob: str, starts: list[int], part: str) -> Iterator[int]:
    at = blob.find(part)
    while at >= 0:
        row = bisect_right(starts, at) - 1
        yield row
        at = blob.find(part, starts[row + 1] if row + 1 < len(starts) else len(blob))


def _word_in(word: str, text: str) -> bool:
    # A Chinese query word is sought as characters and as pinyin (王芳 or wangfang).
    return any(part and part in text for part in word.split("\x00"))


@dataclass(frozen=True)
class KbHit:
    id: str
    title: str
    snippet: str


class KbIndex:
    def __init__(self, articles: tuple[KbArticle, ...]) -> None:
        self.articles = {a.id: a for a in articles}
        self._text = {a.id: _folded(" ".join((a.title, a.body, *a.tags))) for a in articles}

    def search(self, query: str, limit: int = MAX_RESULTS) -> list[KbHit]:
        words = [_folded(w) for w in query.split() if w]
        ids = [i for i, text in self._text.items() if all(_word_in(w, text) for w in words)]
        return [self._hit(self.articles[i], query) for i in ids[:limit]]

    @staticmethod
    def _hit(article: KbArticle, query: str) -> KbHit:
        body = article.body
        first = query.split()[0].lower() if query.split() else ""
        at = body.lower().find(first) if first else -1
        start = max(0, at - 40) if at >= 0 else 0
        dots = "……" if _CJK.search(body) else "..."     # a Chinese ellipsis in a Chinese article
        snippet = (dots if start else "") + body[start:start + 140] + (dots if len(body) > start + 140 else "")
        return KbHit(article.id, article.title, snippet)
