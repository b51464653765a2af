"""Small inline SVG charts rendered on the server (no script, no external image, escaped labels).

>>> from datetime import datetime, timezone
>>> t = datetime(2025, 6, 18, 9, tzinfo=timezone.utc)
>>> svg = str(coverage_svg([("detik.com", t, "A"), ("kompas.com", t.replace(hour=12), "B<i>")]))
>>> svg.startswith("<svg") and svg.count("<circle") == 2 and "B&lt;i&gt;" in svg
True
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from markupsafe import Markup, escape

#: Categorical colours (colour-blind safe, Okabe–Ito), one per outlet row in order.
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#7f7f7f", "#000000")
_STEPS = [timedelta(hours=h) for h in (1, 3, 6, 12, 24, 48, 24 * 7, 24 * 30, 24 * 365)]


def _ticks(start: datetime, end: datetime, most: int = 7) -> tuple[list[datetime], str]:
    span = end - start
    step = next((s for s in _STEPS if span / s <= most), _STEPS[-1])
    fmt = "%d %b %H:%M" if step < timedelta(days=1) else "%d %b %Y"
    first = start.replace(minute=0, second=0, microsecond=0)
    if step >= timedelta(days=1):
        first = first.replace(hour=0)
    ticks, t = [], first
    while t <= end:
        if t >= start:
            ticks.append(t)
        t += step
    return ticks, fmt


def coverage_svg(points: Sequence[tuple[str, datetime | None, str]], *, width: int = 720, row: int = 24,
                 label_width: int = 150) -> Markup:
    """Coverage over time by outlet: one row per outlet, one dot per article ``(outlet, published, title)``.

    Articles without a publication time sit in an "undated" column at the right, as hollow dots.
    """
    by_time = sorted(points, key=lambda p: (p[1] is None, p[1] or datetime.min.replace(tzinfo=UTC)))
    outlets = list(dict.fromkeys(p[0] for p in by_time))
    dated = [p[1].astimezone(UTC) for p in points if p[1] is not None]
    start = min(dated, default=datetime.now(UTC)) - timedelta(minutes=30)
    end = max(dated, default=start) + timedelta(minutes=30)
    undated_x = width - 30
    plot_end = width - 60
    height = row * len(outlets) + 30

    def x_of(when: datetime) -> float:
        return label_width + (plot_end - label_width) * ((when - start) / (end - start))

    parts = [f'<svg class="coverage" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
             f' viewBox="0 0 {width} {height}" role="img" aria-label="coverage over time by outlet">']
    ticks, fmt = _ticks(start, end)
    for t in ticks:
        x = x_of(t)
        parts.append(f'<line class="axis" x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{height - 18}"/>'
                     f'<text x="{x:.1f}" y="{height - 4}" text-anchor="middle">{escape(t.strftime(fmt))}</text>')
    if len(dated) < len(points):
        parts.append(f'<text x="{undated_x}" y="{height - 4}" text-anchor="middle">undated</text>')
    for i, outlet in enumerate(outlets):
        y = row * i + row / 2 + 2
        colour = PALETTE[i % len(PALETTE)]
        parts.append(f'<text x="{label_width - 8}" y="{y + 4:.1f}" text-anchor="end">{escape(outlet)}</text>'
                     f'<line class="axis" x1="{label_width}" x2="{plot_end}" y1="{y:.1f}" y2="{y:.1f}"/>')
        for name, when, title in points:
            if name != outlet:
                continue
            label = f"{outlet} · {when:%d %b %Y %H:%M %Z}" if when else f"{outlet} · undated"
            x = x_of(when.astimezone(UTC)) if when else undated_x
            fill = colour if when else "none"
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{fill}" stroke="{colour}" stroke-width="2">'
                         f"<title>{escape(label)}: {escape(title)}</title></circle>")
    parts.append("</svg>")
    return Markup("".join(parts))
