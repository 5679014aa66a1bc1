"""The call graph's meaning: nodes never reached, dead ends, and loops with no way out.

Works on node ids and their targets only, so it is independent of YAML; the loader passes
each node's key mark so that every finding is reported where the author wrote the node.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from roleplay.model.message import Msg, joined


@dataclass(frozen=True)
class GraphNode:
    targets: tuple[str, ...]    # nodes a branch that can be taken goes to (known ids only)
    is_end: bool
    has_next: bool              # `next:` was written (even if it was broken)
    open_exit: bool = False     # a branch with an unknown goto: already reported, so trust it


Report = Callable[[str, Msg], None]   # (node id to point at, message)


def check_graph(nodes: Mapping[str, GraphNode], roots: Iterable[str], start: str | None,
                report: Report) -> None:
    """Report unreachable nodes, dead ends and trapped loops; `nodes` is in file order."""
    if start is not None:
        reached = reachable(nodes, roots)
        for node_id in nodes:
            if node_id not in reached:
                report(node_id, Msg("node '{node}' is never reached from start '{start}'", node=node_id, start=start))
    for node_id, node in nodes.items():
        if not node.is_end and not node.has_next:
            report(node_id, Msg("node '{node}' has no 'next' and no 'end': the call would get stuck here",
                                node=node_id))
    _check_loops(nodes, report)


def reachable(nodes: Mapping[str, GraphNode], roots: Iterable[str]) -> set[str]:
    """The nodes a call can get to from `roots` (the start and the escalation node)."""
    seen: set[str] = set()
    todo = [r for r in roots if r in nodes]
    while todo:
        node_id = todo.pop()
        if node_id not in seen:
            seen.add(node_id)
            todo.extend(t for t in nodes[node_id].targets if t in nodes)
    return seen


def _check_loops(nodes: Mapping[str, GraphNode], report: Report) -> None:
    # Nodes that can finish the call. Dead ends and broken gotos were reported on their own,
    # so they count as exits here: a loop is only reported when it truly has no way out.
    exits = {n for n, node in nodes.items() if node.is_end or node.open_exit or not node.has_next}
    can_finish = set(exits)
    changed = True
    while changed:
        changed = False
        for node_id, node in nodes.items():
            if node_id not in can_finish and any(t in can_finish for t in node.targets):
                can_finish.add(node_id)
                changed = True
    trapped = [n for n in nodes if n not in can_finish]
    # Scenarios are small (tens of nodes): grouping by mutual reachability is plenty fast.
    reach = {n: reachable(nodes, nodes[n].targets) for n in trapped}
    done: set[str] = set()
    for node_id in trapped:   # file order, so each loop is reported at its first node
        if node_id in done:
            continue
        group = [n for n in trapped if n in reach[node_id] and node_id in reach[n]]
        done.update(group)
        if len(group) > 1:
            names = joined([f"'{n}'" for n in group], Msg(", "))
            report(node_id, Msg("nodes {names} form a loop with no way out: no end node can be reached", names=names))
        elif node_id in nodes[node_id].targets:
            report(node_id, Msg("node '{node}' only leads back to itself: no end node can be reached", node=node_id))
