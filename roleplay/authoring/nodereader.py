"""Reading a scenario's nodes, and the reference checks every section shares.

Split from roleplay/loader.py to keep each module small: `ReaderBase` holds what the loader
knows about the scenario so far (node, fact and CRM names) and checks references against it;
`NodeReader` reads `nodes:` (say lines, expectations, branches and their conditions).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

from roleplay.authoring.graphcheck import GraphNode
from roleplay.authoring.yamlmarks import Where, Y, YamlDoc, did_you_mean
from roleplay.model.message import Msg
from roleplay.model.scenario import (
    PHRASE_CATEGORIES,
    TEMPLATE_RE,
    Branch,
    Condition,
    ConditionKind,
    Expect,
    Node,
    Outcome,
)

NODE_KEYS = ("expect", "next", "end", "timeout_s", "hold", "lookup_s", "label")
CONDITION_KEYS = tuple(k.value for k in ConditionKind)
BRACES_RE = re.compile(r"\{[^{}\n]*\}")
T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)


class ReaderBase:
    """What the scenario names so far, and checks of references against those names."""

    def __init__(self, doc: YamlDoc) -> None:
        self.doc = doc
        self.crm_fields: dict[str, set[str]] = {}   # table -> fields a template may name
        self.fact_ids: set[str] = set()
        self.node_ids: list[str] = []

    @staticmethod
    def _opt(items: dict[str, Y], key: str, read: Callable[[Y], Any], default: T) -> T:
        """Read `key` if present; a value that failed to read falls back to the default."""
        if key not in items:
            return default
        value = read(items[key])
        return default if value is None else value

    def _enum(self, y: Y, where: str, enum: type[E]) -> E | None:
        value = self.doc.choice(y, where, [e.value for e in enum])
        return None if value is None else enum(value)

    def _known(self, y: Y, where: str, value: str, known: list[str] | set[str], what: Msg) -> bool:
        if value in known:
            return True
        self.doc.error(y, Msg("{where}: no {what} '{value}'{hint}", where=where, what=what, value=value,
                              hint=did_you_mean(value, sorted(known))))
        return False

    def _node_ref(self, y: Y, where: str) -> str | None:
        value = self.doc.text(y, where)
        if value is None or not self._known(y, where, value, self.node_ids, Msg("node named")):
            return None
        return value

    def _guess_node(self, y: Y | None) -> str | None:
        if y is None or y.kind != "scalar":
            return None
        close = difflib.get_close_matches(y.text, self.node_ids, n=1, cutoff=0.6)
        return close[0] if close else None

    def _category(self, y: Y, where: str) -> str | None:
        return self.doc.choice(y, where, PHRASE_CATEGORIES, Msg("phrase category"))

    def _fact_ref(self, y: Y, where: str) -> str | None:
        value = self.doc.text(y, where)
        if value is None or not self._known(y, where, value, self.fact_ids, Msg("fact in knowledge named")):
            return None
        return value

    def _crm_field(self, where: Where, table: str, name: str, at: tuple[int, int]) -> bool:
        """Whether table.field exists; records an error at `at` when it does not."""
        if table not in self.crm_fields:
            hint = did_you_mean(table, sorted(self.crm_fields)) if self.crm_fields else (
                Msg(" (this scenario has no 'crm:' section)"))
            self.doc.error_at(*at, Msg("{where}: no CRM table '{table}'{hint}", where=where, table=table, hint=hint))
            return False
        fields = self.crm_fields[table]
        if name not in fields:
            self.doc.error_at(*at, Msg("{where}: the customer's record in crm.{table} has no field '{name}'{hint}",
                                       where=where, table=table, name=name, hint=did_you_mean(name, sorted(fields))))
            return False
        return True


class NodeReader(ReaderBase):
    """Reads `nodes:`; each node also yields its GraphNode for roleplay/graphcheck.py."""

    def _nodes(self, y: Y) -> tuple[dict[str, Node], dict[str, GraphNode]] | None:
        items = self.doc.mapping(y, "nodes")
        if items is None:
            return None
        if not items:
            self.doc.error(y, Msg("nodes: a scenario needs at least one node"))
        nodes: dict[str, Node] = {}
        graph: dict[str, GraphNode] = {}
        for node_id, ny in items.items():
            read = self._node(node_id, ny)
            if read is not None:
                nodes[node_id], graph[node_id] = read
            else:   # not a mapping: reported; keep it in the graph so it is not called stuck
                graph[node_id] = GraphNode((), True, True)
        return nodes, graph

    def _node(self, node_id: str, y: Y) -> tuple[Node, GraphNode] | None:
        doc = self.doc
        n = doc.mapping(y, Msg("node '{node}'", node=node_id), ("say",), NODE_KEYS)
        if n is None:
            return None
        say = self._say(n["say"]) if "say" in n else ()
        end = self._opt(n, "end", lambda v: self._enum(v, "end", Outcome), None)
        if "end" in n and "next" in n:
            doc.error(y.keys["next"], Msg("node '{node}' ends the call ('end'), so its 'next' is never used",
                                          node=node_id))
        branches, targets, open_exit = self._next(n["next"]) if "next" in n else ((), (), False)
        node = Node(
            id=node_id, say=say, end=end, branches=branches,
            expect=self._opt(n, "expect", self._expect, Expect()),
            timeout_s=self._opt(n, "timeout_s", lambda v: doc.number(v, "timeout_s", lo=0), 10.0),
            hold=self._opt(n, "hold", lambda v: doc.boolean(v, "hold"), False),
            lookup_s=self._opt(n, "lookup_s", lambda v: doc.number(v, "lookup_s", lo=1), None),
            label=self._opt(n, "label", lambda v: doc.text(v, "label"), ""),
        )
        return node, GraphNode(targets, "end" in n, "next" in n, open_exit)

    def _say(self, y: Y) -> tuple[str, ...]:
        lines = self.doc.texts(y, "say")
        if y.kind == "list" and not y.value:
            self.doc.error(y, Msg("say: give at least one line"))
        for line in lines:
            for braces in BRACES_RE.finditer(line.text):
                at = self.doc.locate(line, braces.group(0))
                template = TEMPLATE_RE.fullmatch(braces.group(0))
                if template is None:
                    self.doc.error_at(*at, Msg("say: '{braces}' is not a CRM template; write {template}, as in"
                                               " {example}", braces=braces.group(0), template="{table.field}",
                                               example="{account.plan}"))
                else:
                    self._crm_field(Msg("say: template {braces}", braces=braces.group(0)), template.group(1),
                                    template.group(2), at)
        return tuple(line.text for line in lines)

    def _expect(self, y: Y) -> Expect | None:
        doc = self.doc
        e = doc.mapping(y, "expect", (), ("phrases", "facts", "latency_s"))
        if e is None:
            return None
        phrases = doc.texts(e["phrases"], "phrases") if "phrases" in e else []
        facts = doc.texts(e["facts"], "facts") if "facts" in e else []
        return Expect(
            phrases=tuple(p.text for p in phrases if self._category(p, "expect.phrases")),
            facts=tuple(f.text for f in facts if self._fact_ref(f, "expect.facts")),
            latency_s=self._opt(e, "latency_s", lambda v: doc.number(v, "latency_s", lo=0), None),
        )

    def _next(self, y: Y) -> tuple[tuple[Branch, ...], tuple[str, ...], bool]:
        """The branches, the nodes they can reach, and whether a goto was unknown."""
        doc = self.doc
        branches: list[Branch] = []
        targets: list[str] = []
        open_exit = False
        otherwise: Y | None = None
        for by in doc.items(y, "next") or []:
            b = doc.mapping(by, Msg("branch"), ("goto",), ("if",))
            if b is None:
                continue
            if otherwise is not None:
                doc.error(by, Msg("this branch is never taken: the branch on line {line} has no 'if' and is"
                                  " always taken first", line=otherwise.line))
            elif "if" not in b:
                otherwise = by
            conditions = self._conditions(b["if"]) if "if" in b else ()
            goto = self._node_ref(b["goto"], "goto") if "goto" in b else None
            if goto is not None:
                branches.append(Branch(goto, conditions))
            else:
                open_exit = True
            # A misspelt goto (already reported) counts as going to its likely node, so that
            # node is not also reported as never reached.
            target = goto or self._guess_node(b.get("goto"))
            if target and (otherwise is None or otherwise is by):
                targets.append(target)
        if y.kind == "list" and not y.value:
            doc.error(y, Msg("next: give at least one branch (or make this an end node)"))
        return tuple(branches), tuple(targets), open_exit

    def _conditions(self, y: Y) -> tuple[Condition, ...]:
        doc = self.doc
        items = doc.mapping(y, "if")
        if items is None:
            return ()
        if not items:
            doc.error(y, Msg("if: no conditions; leave 'if' out for an 'otherwise' branch"))
        conditions: list[Condition] = []
        for key, vy in items.items():
            if doc.choice(y.keys[key], "if", CONDITION_KEYS, Msg("condition")) is None:
                continue
            kind = ConditionKind(key)
            value: str | float | bool | None
            if kind in (ConditionKind.SAID, ConditionKind.MISSING):
                value = self._category(vy, key)
            elif kind in (ConditionKind.FACT_RIGHT, ConditionKind.FACT_WRONG, ConditionKind.FACT_MISSING):
                value = self._fact_ref(vy, key)
            elif kind is ConditionKind.FORBIDDEN:
                value = doc.boolean(vy, key)
                if value is False:
                    doc.error(vy, Msg("forbidden: the only value is true (use another branch for 'otherwise')"))
            elif kind is ConditionKind.SILENCE_OVER:
                value = doc.number(vy, key, lo=0)
            else:
                value = doc.number(vy, key, 0, 10)
            if value is not None:
                conditions.append(Condition(kind, value))
        return tuple(conditions)


