"""Inline SVG line charts: no library, no CDN, so the HTML report works offline."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from .values import fmt_value

__all__ = ["line_chart"]

WIDTH, HEIGHT, PAD = 540, 180, 36


def line_chart(key: str, title: str, points: list, unit: str, threshold: float | None = None) -> str:
    """Return an ``<svg class="chart">`` for (t, v) points with an optional dashed threshold line."""
    if not points:
        return f'<figure class="chart-empty" data-series="{escape(key)}"><figcaption>{escape(title)}: no data</figcaption></figure>'
    ts = [p[0] for p in points]
    vs = [p[1] for p in points]
    top = max(vs + ([threshold] if threshold is not None else [])) or 1.0
    t0, t1 = min(ts), max(ts)
    span = (t1 - t0) or 1.0

    def x(t: float) -> float:
        return PAD + (t - t0) / span * (WIDTH - 2 * PAD)

    def y(v: float) -> float:
        return HEIGHT - PAD - v / (top * 1.1) * (HEIGHT - 2 * PAD)

    path = " ".join(f"{'M' if i == 0 else 'L'}{x(t):.1f},{y(v):.1f}" for i, (t, v) in enumerate(points))
    parts = [
        f'<svg class="chart" data-series="{escape(key)}" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-label="{escape(title)}">',
        f'<text x="{PAD}" y="16" class="chart-title">{escape(title)}</text>',
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" class="axis"/>',
        f'<text x="2" y="{y(top) + 4:.1f}" class="tick">{escape(fmt_value(top, unit))}</text>',
        f'<path d="{path}" class="line"/>',
        f'<text x="{PAD}" y="{HEIGHT - PAD + 14}" class="tick">{_hhmm(t0)}</text>',
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - PAD + 14}" class="tick" text-anchor="end">{_hhmm(t1)} UTC</text>',
    ]
    if threshold is not None:
        parts.append(f'<line x1="{PAD}" y1="{y(threshold):.1f}" x2="{WIDTH - PAD}" y2="{y(threshold):.1f}" '
                     f'class="threshold"><title>threshold {escape(fmt_value(threshold, unit))}</title></line>')
    for t, v in points:
        parts.append(f'<circle cx="{x(t):.1f}" cy="{y(v):.1f}" r="2" class="pt" '
                     f'data-label="{escape(fmt_value(v, unit))}"/>')
    parts.append("</svg>")
    return "".join(parts)


def _hhmm(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%H:%M")
