"""A scenario's call graph as something to draw: nodes with their YAML lines, branches with
their conditions, the escalation edge, and the nodes a call never reaches.

Read from the marked YAML tree, not from a loaded Scenario, so that the trainer sees the
picture of a scenario that does not validate yet (an unreachable node is such an error).
Reachability is graphcheck's, the same the validator reports.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from roleplay.authoring.graphcheck import GraphNode, reachable
from roleplay.authoring.yamlmarks import Y, YamlDoc

SAY_WIDTH = 44          # a customer line is shortened to this many columns (CJK counts 2)


@dataclass(frozen=True)
class ViewNode:
    id: str
    line: int                 # where the node's key is written
    say: str                  # its first customer line, shortened
    end: str | None           # the outcome of an end node
    reached: bool
    start: bool


@dataclass(frozen=True)
class ViewEdge:
    source: str
    target: str
    condition: str            # "said: apology, mood_above: 6"; "" for an otherwise branch
    line: int
    taken: bool = True        # False after an otherwise branch: never taken
    escalation: bool = False  # the mood edge: from anywhere once anger reaches escalate_at


@dataclass(frozen=True)
class GraphView:
    nodes: tuple[ViewNode, ...]
    edges: tuple[ViewEdge, ...]
    escalate_at: float | None   # set when the scenario escalates (escalate_to names a node)
    escalate_line: int = 0


def graph_view(data: bytes, path: str = "scenario.yaml") -> GraphView:
    """The graph of a scenario's YAML; an empty view when the YAML does not parse."""
    doc = YamlDoc(path, data)
    root = doc.parse()
    if root is None or root.kind != "map":
        return GraphView((), (), None)
    top: dict[str, Y] = root.value
    node_map = _map(top.get("nodes"))
    start = _scalar(top.get("start"))
    mood = _map(top.get("mood"))
    escalate_to = _scalar(mood.get("escalate_to"))
    edges: list[ViewEdge] = []
    graph: dict[str, GraphNode] = {}
    for node_id, ny in node_map.items():
        node_edges = _edges(node_id, _map(ny).get("next"))
        edges.extend(node_edges)
        targets = tuple(e.target for e in node_edges if e.taken and e.target in node_map)
        graph[node_id] = GraphNode(targets, "end" in _map(ny), "next" in _map(ny))
    roots = [r for r in (start, escalate_to) if r]
    reached = reachable(graph, roots)
    keys = top["nodes"].keys if node_map else {}
    nodes = tuple(ViewNode(node_id, keys[node_id].line, _say(_map(ny).get("say")),
                           _scalar(_map(ny).get("end")), node_id in reached, node_id == start)
                  for node_id, ny in node_map.items())
    escalate_at: float | None = None
    if escalate_to:
        at = mood.get("escalate_at")
        value = at.value if at is not None and at.kind == "scalar" else 8.0
        escalate_at = float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 8.0
        edges.append(ViewEdge("", escalate_to, "", mood["escalate_to"].line, escalation=True))
    return GraphView(nodes, tuple(edges), escalate_at, mood["escalate_to"].line if escalate_to else 0)


def _edges(node_id: str, next_y: Y | None) -> list[ViewEdge]:
    if next_y is None or next_y.kind != "list":
        return []
    edges: list[ViewEdge] = []
    otherwise_seen = False
    for by in next_y.value:
        branch = _map(by)
        target = _scalar(branch.get("goto"))
        if target is None:
            continue
        conditions = _map(branch.get("if"))
        label = ", ".join(f"{k}: {_text(v)}" for k, v in conditions.items())
        edges.append(ViewEdge(node_id, target, label, by.line, taken=not otherwise_seen))
        otherwise_seen = otherwise_seen or "if" not in branch
    return edges


def _map(y: Y | None) -> dict[str, Y]:
    return y.value if y is not None and y.kind == "map" else {}


def _scalar(y: Y | None) -> str | None:
    return y.text if y is not None and y.kind == "scalar" and not y.is_null and y.text else None


def _text(y: Y) -> str:
    if y.kind == "list":
        return " | ".join(_text(v) for v in y.value)
    return y.text if y.kind == "scalar" else "…"


def _say(y: Y | None) -> str:
    first = y.value[0] if y is not None and y.kind == "list" and y.value else y
    text = " ".join((_scalar(first) or "").split())
    width = 0
    for i, ch in enumerate(text):
        width += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if width > SAY_WIDTH - 1:
            return text[:i].rstrip() + "…"
    return text
