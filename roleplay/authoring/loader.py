"""Scenario YAML -> Scenario, reporting every authoring problem with its file:line:col.

Two passes over the marked YAML tree (roleplay/yamlmarks.py): structure (types, required
and unknown keys, allowed values) while the objects are built, then meaning (references to
nodes, facts, CRM fields and phrase categories; the call graph in roleplay/graphcheck.py).
The format is docs/scenario-format.md.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path

import yaml

from roleplay.authoring.deskreader import DeskReader
from roleplay.authoring.file_kinds import is_curriculum, yaml_files
from roleplay.authoring.graphcheck import GraphNode, check_graph
from roleplay.authoring.nodereader import NodeReader
from roleplay.authoring.yamlmarks import Y, YamlDoc, did_you_mean
from roleplay.model.errors import RoleplayError, ScenarioError, ScenarioErrors
from roleplay.model.message import Msg, joined
from roleplay.model.scenario import (
    CrmTable,
    Desk,
    Fact,
    Language,
    MoodModel,
    Node,
    Persona,
    Scenario,
    Stage,
)
from roleplay.model.voices import parse_voice
from scoring.rubric import RUBRIC_KEYS

TOP_REQUIRED = ("id", "title", "language", "level", "stage", "domain", "persona", "start", "nodes")
TOP_OPTIONAL = ("pass_mark", "barge_in", "knowledge", "crm", "kb", "desk", "mood", "phrases", "rubric",
                "turn_patience_s")
PERSONA_KEYS = ("voice", "rate_wpm", "mood", "patience_s")
FACT_KEYS = ("value", "unit", "accept", "critical", "crm", "label")
MOOD_KEYS = tuple(MoodModel.__dataclass_fields__)
ID_RE = re.compile(r"[a-z0-9][a-z0-9-]*")
NAME_RE = re.compile(r"[a-z_][a-z0-9_]*")     # CRM tables and fields usable in templates


def load_scenario(path: Path, data: bytes | None = None) -> Scenario:
    """Read and check one scenario file (or its bytes, already read); raises ScenarioErrors
    listing every problem."""
    try:
        data = path.read_bytes() if data is None else data
    except OSError as e:
        reason = (Msg("no such file") if isinstance(e, FileNotFoundError)
                  else Msg("cannot read it ({reason})", reason=e.strerror))
        raise ScenarioErrors([ScenarioError(str(path), 1, 1, reason)]) from None
    doc = YamlDoc(str(path), data)
    root = doc.parse()
    scenario = _ScenarioReader(doc).read(root) if root is not None else None
    if doc.errors or scenario is None:
        raise ScenarioErrors(doc.sorted_errors())
    return replace(scenario, version=content_version(data), path=str(path))


def content_version(data: bytes) -> str:
    """A scenario file's version: the hash of its bytes (records keep it with each attempt)."""
    return hashlib.sha256(data).hexdigest()[:12]


def resolve_scenario(ref: str, library: Path) -> Path:
    """A scenario file path, or the file in `library` whose `id:` is `ref`."""
    as_path = Path(ref)
    if as_path.is_file():
        return as_path
    ids: dict[str, Path] = {}
    for file in yaml_files(library) if library.is_dir() else []:
        found = top_level_id(file)
        if found:
            ids.setdefault(found, file)
    if ref in ids:
        return ids[ref]
    hint = did_you_mean(ref, ids)
    raise RoleplayError(Msg("no scenario '{ref}': it is not a file and no scenario in {library} has that id"
                            "{hint}; run `roleplay list` to see them", ref=ref, library=str(library), hint=hint))


_TOP_ID = re.compile(r"^id:[ \t]*(\S.*?)[ \t]*$", re.MULTILINE)


def top_level_id(file: Path) -> str | None:
    """The `id:` of a scenario file, read off its top-level line: parsing every YAML file of
    the library took over a second per lookup. Curricula (top-level `levels:`) have ids too."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None   # a broken file is `roleplay validate`'s business, not a lookup's
    match = _TOP_ID.search(text)
    if not match or is_curriculum(file, text):
        return None
    try:
        value = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return None
    return value if isinstance(value, str) else None


class _ScenarioReader(NodeReader, DeskReader):
    """Reads one parsed scenario; every check records its error in the YamlDoc and goes on."""

    def read(self, root: Y) -> Scenario | None:
        doc = self.doc
        if root.kind != "map":
            doc.error(root, Msg("a scenario is a mapping of keys (id, title, nodes, ...), got {got}", got=_kind(root)))
            return None
        top = doc.mapping(root, "", TOP_REQUIRED, TOP_OPTIONAL) or {}
        scenario_id = self._opt(top, "id", lambda y: self._scenario_id(y), "")
        crm: dict[str, CrmTable] = self._opt(top, "crm", self._crm, {})
        knowledge: dict[str, Fact] = self._opt(top, "knowledge", lambda y: self._knowledge(y, crm), {})
        if "nodes" in top and top["nodes"].kind == "map":
            self.node_ids = list(top["nodes"].value)
        no_nodes: tuple[dict[str, Node], dict[str, GraphNode]] = ({}, {})
        nodes, graph = self._opt(top, "nodes", self._nodes, no_nodes)
        start = self._opt(top, "start", lambda y: self._node_ref(y, "start"), None)
        mood = self._opt(top, "mood", self._mood, MoodModel())
        desk = self._opt(top, "desk", self._desk, Desk())
        # A misspelt start or escalate_to (reported) counts as its likely node for the graph.
        entry = start or self._guess_node(top.get("start"))
        escalate = mood.escalate_to or self._guess_node(_get(top.get("mood"), "escalate_to"))
        check_graph(graph, [r for r in (entry, escalate) if r], entry,
                    lambda n, msg: doc.error(top["nodes"].keys[n], msg))
        language = self._opt(top, "language", lambda y: self._enum(y, "language", Language), Language.EN)
        scenario = Scenario(
            id=scenario_id,
            title=self._opt(top, "title", lambda y: doc.text(y, "title"), ""),
            language=language,
            level=self._opt(top, "level", lambda y: doc.integer(y, "level", 1, 1000), 1),
            stage=self._opt(top, "stage", lambda y: self._enum(y, "stage", Stage), Stage.INQUIRY),
            domain=self._opt(top, "domain", lambda y: doc.text(y, "domain"), ""),
            persona=self._opt(top, "persona", lambda y: self._persona(y, str(language)), Persona("")),
            start=start or "", nodes=nodes, knowledge=knowledge, crm=crm, mood=mood, desk=desk,
            kb=self._opt(top, "kb", self._kb, ()),
            phrases=self._opt(top, "phrases", self._phrases, {}),
            rubric=self._opt(top, "rubric", self._rubric, {}),
            pass_mark=self._opt(top, "pass_mark", lambda y: doc.number(y, "pass_mark", 0, 100), 70.0),
            barge_in=self._opt(top, "barge_in", lambda y: doc.boolean(y, "barge_in"), False),
            turn_patience_s=self._opt(top, "turn_patience_s",
                                      lambda y: doc.number(y, "turn_patience_s", 0.5, 10), 2.5),
        )
        return None if doc.errors else scenario

    # --- top-level sections --------------------------------------------------------------
    def _scenario_id(self, y: Y) -> str | None:
        value = self.doc.text(y, "id")
        if value is not None and not ID_RE.fullmatch(value):
            self.doc.error(y, Msg("id: '{value}' may only use a-z, 0-9 and '-'", value=value))
            return None
        return value

    def _persona(self, y: Y, language: str) -> Persona | None:
        doc = self.doc
        p = doc.mapping(y, "persona", ("name",), PERSONA_KEYS)
        if p is None:
            return None
        return Persona(
            name=self._opt(p, "name", lambda v: doc.text(v, "name"), ""),
            voice=self._opt(p, "voice", lambda v: self._voice(v, language), ""),
            rate_wpm=self._opt(p, "rate_wpm", lambda v: doc.integer(v, "rate_wpm", 40, 400), 160),
            mood=self._opt(p, "mood", lambda v: doc.number(v, "mood", 0, 10), 2.0),
            patience_s=self._opt(p, "patience_s", lambda v: doc.number(v, "patience_s", lo=0), 6.0),
        )

    def _voice(self, y: Y, language: str) -> str | None:
        value = self.doc.text(y, "voice")
        if value is None:
            return None
        try:
            parse_voice(value, language)
        except ValueError as why:
            self.doc.error(y, Msg("persona.voice: {why}", why=why.args[0] if why.args and isinstance(why.args[0], Msg)
                                  else str(why)))
            return None
        return value

    def _crm(self, y: Y) -> dict[str, CrmTable] | None:
        doc = self.doc
        tables = doc.mapping(y, "crm")
        if tables is None:
            return None
        result: dict[str, CrmTable] = {}
        for name, ty in tables.items():
            where = f"crm.{name}"
            if not NAME_RE.fullmatch(name):
                doc.error(y.keys[name], Msg("crm: table name '{name}' may only use a-z, 0-9 and '_'"
                                            " (templates name it, as in {example})", name=name,
                                            example="{account.plan}"))
            t = doc.mapping(ty, where, ("key", "customer", "records"), ("search",))
            if t is None:
                continue
            key = doc.text(t["key"], f"{where}.key") or "" if "key" in t else ""
            customer = doc.text(t["customer"], f"{where}.customer") or "" if "customer" in t else ""
            records = self._records(t["records"], where, key) if "records" in t else []
            search = self._search_fields(t["search"], where, records) if "search" in t else ()
            table = CrmTable(name, key, customer, tuple(records), search)
            matches = [r for r in records if key in r]
            if key and customer and matches and not table.record:
                doc.error(t["customer"], Msg("{where}.customer: no record has {key} '{customer}'{hint}", where=where,
                                             key=key, customer=customer,
                                             hint=did_you_mean(customer, [r[key] for r in matches])))
            row = table.record
            self.crm_fields[name] = set(row) if row else {f for r in records for f in r}
            result[name] = table
        return result

    def _records(self, y: Y, where: str, key: str) -> list[dict[str, str]]:
        doc = self.doc
        records: list[dict[str, str]] = []
        keys: set[str] = set()
        for ry in doc.items(y, f"{where}.records") or []:
            r = doc.mapping(ry, Msg("{where} record", where=where))
            if r is None:
                continue
            record = {f: text for f, v in r.items() if (text := doc.text(v, f"{where}.{f}")) is not None}
            if key and key not in r:
                doc.error(ry, Msg("{where} record: missing its key field '{key}'", where=where, key=key))
            elif key and record.get(key) in keys:   # the desk opens a record by its key
                doc.error(r[key], Msg("{where} record: {key} '{value}' is used by an earlier record", where=where,
                                      key=key, value=record[key]))
            keys.add(record.get(key, ""))
            records.append(record)
        return records

    def _knowledge(self, y: Y, crm: dict[str, CrmTable]) -> dict[str, Fact] | None:
        doc = self.doc
        facts_y = doc.mapping(y, "knowledge")
        if facts_y is None:
            return None
        self.fact_ids = set(facts_y)
        facts: dict[str, Fact] = {}
        for fact_id, fy in facts_y.items():
            where = f"knowledge.{fact_id}"
            f = doc.mapping(fy, where, (), FACT_KEYS)
            if f is None:
                continue
            if "value" in f and "crm" in f:
                doc.error(fy.keys["crm"], Msg("{where}: give either 'value' or 'crm', not both", where=where))
            elif "value" not in f and "crm" not in f:
                doc.error(fy, Msg("{where}: needs a 'value' (or 'crm: table.field' for a CRM value)", where=where))
            value = self._opt(f, "value", lambda v: doc.text(v, "value"), "")
            ref = (self._fact_crm(f["crm"], f"{where}.crm", crm) or "") if "crm" in f else ""
            if ref:
                table, name = ref.split(".")
                value = crm[table].record.get(name, "")
            facts[fact_id] = Fact(
                id=fact_id, value=value, crm=ref,
                unit=self._opt(f, "unit", lambda v: doc.text(v, "unit"), ""),
                accept=tuple(a.text for a in doc.texts(f["accept"], "accept")) if "accept" in f else (),
                critical=self._opt(f, "critical", lambda v: doc.boolean(v, "critical"), False),
                label=self._opt(f, "label", lambda v: doc.text(v, "label"), ""),
            )
        return facts

    def _fact_crm(self, y: Y, where: str, crm: dict[str, CrmTable]) -> str | None:
        ref = self.doc.text(y, where)
        if ref is None:
            return None
        parts = ref.split(".")
        if len(parts) != 2 or not all(parts):
            self.doc.error(y, Msg("{where}: expected table.field (like account.plan), got '{ref}'", where=where,
                                  ref=ref))
            return None
        ok = self._crm_field(where, parts[0], parts[1], (y.line, y.col))
        return ref if ok and parts[0] in crm else None

    def _phrases(self, y: Y) -> dict[str, tuple[str, ...]] | None:
        items = self.doc.mapping(y, "phrases")
        if items is None:
            return None
        result: dict[str, tuple[str, ...]] = {}
        for category, vy in items.items():
            if self._category(y.keys[category], "phrases") is not None:
                result[category] = tuple(t.text for t in self.doc.texts(vy, category))
        return result

    def _rubric(self, y: Y) -> dict[str, float] | None:
        items = self.doc.mapping(y, "rubric")
        if items is None:
            return None
        for key in items:   # caught here, not first when the call is scored
            if key not in RUBRIC_KEYS:
                hint = did_you_mean(key, RUBRIC_KEYS) or Msg("; use one of {options}", options=joined(RUBRIC_KEYS, Msg(", ")))
                self.doc.error(y.keys[key], Msg("rubric: unknown rubric item '{key}'{hint}", key=key, hint=hint))
        weights = {k: self.doc.number(v, f"rubric.{k}", lo=0) for k, v in items.items()}
        return {k: w for k, w in weights.items() if w is not None and k in RUBRIC_KEYS}

    def _mood(self, y: Y) -> MoodModel | None:
        doc = self.doc
        m = doc.mapping(y, "mood", (), MOOD_KEYS)
        if m is None:
            return None
        values: dict[str, object] = {}
        for key, vy in m.items():
            if key == "escalate_to":
                values[key] = self._node_ref(vy, "escalate_to")
            elif key in MOOD_KEYS:
                lo, hi = (0, 10) if key == "escalate_at" else (None, None)
                values[key] = doc.number(vy, key, lo, hi)
        return MoodModel(**{k: v for k, v in values.items() if v is not None})  # type: ignore[arg-type]

def _get(y: Y | None, key: str) -> Y | None:
    return y.value.get(key) if y is not None and y.kind == "map" else None


def _kind(y: Y) -> Msg:
    return {"map": Msg("a mapping"), "list": Msg("a list")}.get(y.kind) or Msg("a single value")
