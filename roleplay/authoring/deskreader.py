"""Reading the agent desktop's sections of a scenario: `kb:` articles and `desk:` rules.

Split from roleplay/authoring/loader.py to keep it small. The CRM tables themselves are read by
the loader (templates and facts name them); their `search:` fields are checked here.
"""

from __future__ import annotations

import re

from roleplay.authoring.nodereader import ReaderBase
from roleplay.authoring.yamlmarks import Y, did_you_mean
from roleplay.model.message import Msg
from roleplay.model.scenario import Desk, KbArticle

KB_KEYS = ("id", "title", "body")
KB_OPTIONAL = ("tags",)
ARTICLE_RE = re.compile(r"[a-z0-9][a-z0-9_-]*")
DESK_KEYS = ("dispositions", "lookup_s", "kb_s", "wrapup_s", "notes_facts")


class DeskReader(ReaderBase):
    def _kb(self, y: Y) -> tuple[KbArticle, ...] | None:
        doc = self.doc
        items = doc.items(y, "kb")
        if items is None:
            return None
        articles: list[KbArticle] = []
        seen: set[str] = set()
        for ay in items:
            a = doc.mapping(ay, "kb article", KB_KEYS, KB_OPTIONAL)
            if a is None or any(k not in a for k in KB_KEYS):
                continue
            article_id = doc.text(a["id"], "kb.id")
            if article_id is None:
                continue
            if not ARTICLE_RE.fullmatch(article_id):
                doc.error(a["id"], Msg("kb.id: '{article}' may only use a-z, 0-9, '-' and '_'", article=article_id))
            if article_id in seen:
                doc.error(a["id"], Msg("kb.id: '{article}' is used by an earlier article", article=article_id))
            seen.add(article_id)
            title = doc.text(a["title"], f"kb {article_id}.title") or ""
            body = doc.text(a["body"], f"kb {article_id}.body") or ""
            tags = tuple(t.text for t in doc.texts(a["tags"], "tags")) if "tags" in a else ()
            articles.append(KbArticle(article_id, title, body, tags))
        return tuple(articles)

    def _desk(self, y: Y) -> Desk | None:
        doc = self.doc
        d = doc.mapping(y, "desk", (), DESK_KEYS)
        if d is None:
            return None
        base = Desk()
        codes = base.dispositions
        if "dispositions" in d:
            codes = tuple(t.text for t in doc.texts(d["dispositions"], "dispositions"))
            if not codes:
                doc.error(d["dispositions"], Msg("desk.dispositions: give at least one code"))
        notes: tuple[str, ...] = ()
        if "notes_facts" in d:
            refs = [self._fact_ref(t, "desk.notes_facts") for t in doc.texts(d["notes_facts"], "notes_facts")]
            notes = tuple(r for r in refs if r)

        def seconds(key: str, default: float) -> float:
            if key not in d:
                return default
            value = doc.number(d[key], f"desk.{key}", lo=1)
            return default if value is None else value

        return Desk(codes or base.dispositions, seconds("lookup_s", base.lookup_s),
                    seconds("kb_s", base.kb_s), seconds("wrapup_s", base.wrapup_s), notes)

    def _search_fields(self, y: Y, where: str, records: list[dict[str, str]]) -> tuple[str, ...]:
        fields = {f for r in records for f in r}
        found: list[str] = []
        for t in self.doc.texts(y, f"{where}.search"):
            if t.text in fields:
                found.append(t.text)
            else:
                self.doc.error(t, Msg("{where}.search: no record has a field '{field}'{hint}", where=where,
                                      field=t.text, hint=did_you_mean(t.text, sorted(fields))))
        return tuple(found)
