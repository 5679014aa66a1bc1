"""A score trend as a small inline SVG: a line over the calls, the last one a dot. No library,
no script: the page stays one server-rendered file that prints and works offline."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD = 72, 18, 2


def sparkline(values: Sequence[float], label: str, width: int = WIDTH, height: int = HEIGHT) -> Markup:
    """`values` are shares of points (0 to 1), oldest first; `label` is the tooltip."""
    if not values:
        return Markup("")
    span_x = (width - 2 * PAD) / max(len(values) - 1, 1)
    points = [(PAD + i * span_x, PAD + (1 - min(max(v, 0.0), 1.0)) * (height - 2 * PAD))
              for i, v in enumerate(values)]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    last_x, last_y = points[-1]
    return Markup(
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img"'
        f' aria-label="{escape(label)}"><title>{escape(label)}</title>'
        f'<polyline points="{line}" fill="none" stroke="#1f3a5f" stroke-width="1.5"/>'
        f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="2" fill="#c0392b"/></svg>')
