"""The scenario graph as SVG: a GraphView written as Graphviz DOT and laid out by Debian's
`dot` (a subprocess with a timeout). Each node's SVG group carries its YAML line
(id="node_ID", a link to #LN) so the editor jumps to it on a click."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable

from roleplay.authoring.graphview import GraphView, ViewNode
from roleplay.model.errors import RoleplayError
from roleplay.model.i18n import N_

DOT_TIMEOUT_S = 10.0
# An end node's outcome in the page's words (the msgids; gettext translates them when drawn).
OUTCOME_LABELS = {"resolved": N_("resolved"), "escalated": N_("escalated"), "hung_up": N_("hung_up")}
OUTCOME_COLOURS = {"resolved": "#d7f0d7", "escalated": "#fde2c4", "hung_up": "#f6d0d0"}


class GraphvizMissing(RoleplayError):
    """`dot` is not on this machine (or failed): the server says so in one line."""


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def to_dot(view: GraphView, gettext: Callable[[str], str]) -> str:
    _ = gettext
    lines = ["digraph scenario {", '  graph [rankdir=TB, bgcolor="transparent", fontname="sans-serif"];',
             '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="sans-serif", fontsize=11];',
             '  edge [fontname="sans-serif", fontsize=9, color="#555555"];']
    for node in view.nodes:
        lines.append(f"  {_quote(node.id)} [{_node_attrs(node, _)}];")
    for edge in view.edges:
        if edge.escalation:
            anger = _quote(_("anger ≥ {value}").format(value=f"{view.escalate_at:g}"))
            lines.append(f'  "mood:escalate" [id="escalation", shape=octagon, fillcolor="#fff3b0", '
                         f'label={anger}, URL="#L{view.escalate_line}"];')
            escalation = _quote(_("escalation"))
            lines.append(f'  "mood:escalate" -> {_quote(edge.target)} [style=dashed, color="#c05000", '
                         f'label={escalation}, class="escalation"];')
            continue
        label = edge.condition or _("otherwise")
        style = "" if edge.taken else ', style=dotted, fontcolor="#999999"'
        if not edge.taken:
            label += " (" + _("never taken") + ")"
        lines.append(f"  {_quote(edge.source)} -> {_quote(edge.target)} [label={_quote(label)}{style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _node_attrs(node: ViewNode, _: Callable[[str], str]) -> str:
    parts = [node.id, node.say] if node.say else [node.id]
    tooltip = _quote(_("line {line}").format(line=node.line))
    attrs = [f'id="node_{_id_part(node.id)}"', f'URL="#L{node.line}"', f"tooltip={tooltip}"]
    classes = ["scenario-node"]
    if node.end:
        parts.append(_("[end: {outcome}]").format(outcome=_(OUTCOME_LABELS.get(node.end, node.end))))
        attrs += [f'fillcolor="{OUTCOME_COLOURS.get(node.end, "#eeeeee")}"', "peripheries=2"]
        classes.append("end-" + _id_part(node.end))
    if node.start:
        attrs.append("penwidth=2.5")
        classes.append("start")
    if not node.reached:
        parts.append("(" + _("never reached") + ")")
        attrs += ['style="rounded,filled,dashed"', 'fillcolor="#e6e6e6"', 'color="#b00000"', 'fontcolor="#777777"']
        classes.append("unreachable")
    label = '"' + "\\n".join(_quote(p)[1:-1] for p in parts) + '"'
    attrs += [f"label={label}", f'class="{" ".join(classes)}"']
    return ", ".join(attrs)


def _id_part(text: str) -> str:
    """A node id as it may stand in an SVG id (ids are a-z, 0-9, '_' and '-' when valid)."""
    return "".join(ch if ch.isalnum() or ch in "_-" else "_" for ch in text)


def render_svg(dot_source: str) -> str:
    dot = shutil.which("dot")
    if dot is None:
        raise GraphvizMissing("graphviz's `dot` is not installed: `apt-get install graphviz` (make system does)")
    try:
        done = subprocess.run([dot, "-Tsvg"], input=dot_source.encode(), capture_output=True,
                              timeout=DOT_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise GraphvizMissing(f"graphviz's `dot` took over {DOT_TIMEOUT_S:g} s on this graph") from None
    if done.returncode != 0:
        first = (done.stderr.decode(errors="replace").strip().splitlines() or ["no message"])[0]
        raise GraphvizMissing(f"graphviz's `dot` failed: {first}")
    return done.stdout.decode()
