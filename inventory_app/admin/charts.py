"""Server-drawn SVG charts for the dashboard: no JavaScript, no external file, nothing to vendor.

Each bar is a link to the admin list behind it and carries a ``<title>`` (the browser's tooltip).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# Colour-blind-safe palette (Okabe-Ito), one colour per series.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


@dataclass(frozen=True)
class Series:
    """One named, coloured series of a chart."""

    label: str
    color: str


def series_colors(labels: Sequence[str]) -> list[Series]:
    """Series with the palette's colours in order."""
    return [Series(label, PALETTE[n % len(PALETTE)]) for n, label in enumerate(labels)]


def _legend(series: Sequence[Series], y: int) -> str:
    parts, x = [], 0
    for item in series:
        parts.append(
            f'<rect x="{x}" y="{y}" width="10" height="10" fill="{item.color}"/>'
            f'<text x="{x + 14}" y="{y + 9}" font-size="11">{escape(item.label)}</text>'
        )
        x += 24 + 7 * len(item.label)
    return "".join(parts)


def _svg(width: int, height: int, title: str, body: str) -> SafeString:
    return format_html(
        '<svg class="dashboard-chart" role="img" viewBox="0 0 {} {}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        width,
        height,
        title,
        mark_safe(body),  # noqa: S308 - built above from escaped labels and numbers only
    )


def stacked_bars(
    *,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    values: Callable[[int, int], Decimal],
    link: Callable[[int, int], str],
    width: int = 640,
    height: int = 220,
) -> SafeString:
    """Vertical bars, one per category (e.g. a day), stacked by series; ``values(category, series)``."""
    top, bottom, left = 10, 40, 50
    plot_h, plot_w = height - top - bottom, width - left - 10
    totals = [sum((values(c, s) for s in range(len(series))), Decimal(0)) for c in range(len(categories))]
    peak = max(totals, default=Decimal(0)) or Decimal(1)
    step = plot_w / max(len(categories), 1)
    parts = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="#999"/>',
        f'<text x="{left - 4}" y="{top + 10}" font-size="10" text-anchor="end">{peak:,.0f}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" font-size="10" text-anchor="end">0</text>',
    ]
    for c, category in enumerate(categories):
        y = top + plot_h
        x = left + c * step + step * 0.1
        for s, item in enumerate(series):
            value = values(c, s)
            if value <= 0:
                continue
            h = float(value / peak) * plot_h
            y -= h
            parts.append(
                f'<a href="{escape(link(c, s))}"><rect class="bar" x="{x:.1f}" y="{y:.1f}" '
                f'width="{step * 0.8:.1f}" height="{h:.1f}" fill="{item.color}">'
                f"<title>{escape(category)} {escape(item.label)}: {value:,.2f}</title></rect></a>"
            )
        if c % max(len(categories) // 6, 1) == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{top + plot_h + 14}" font-size="10">{escape(category)}</text>'
            )
    parts.append(_legend(series, height - 14))
    return _svg(width, height, title, "".join(parts))


def paired_bars(
    *,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    values: Callable[[int, int], Decimal],
    link: Callable[[int, int], str],
    width: int = 640,
) -> SafeString:
    """Horizontal bars, one group per category (e.g. a channel), one bar per series in the group."""
    left, bar_h, gap = 120, 14, 10
    group_h = bar_h * len(series) + gap
    height = 20 + group_h * max(len(categories), 1) + 20
    peak = max((values(c, s) for c in range(len(categories)) for s in range(len(series))), default=0) or 1
    plot_w = width - left - 90
    parts = []
    for c, category in enumerate(categories):
        y0 = 10 + c * group_h
        parts.append(
            f'<text x="{left - 6}" y="{y0 + bar_h}" font-size="11" text-anchor="end">'
            f"{escape(category)}</text>"
        )
        for s, item in enumerate(series):
            value = values(c, s)
            w = max(float(value / peak) * plot_w, 0.0) if value > 0 else 0.0
            y = y0 + s * bar_h
            parts.append(
                f'<a href="{escape(link(c, s))}"><rect class="bar" x="{left}" y="{y}" width="{w:.1f}" '
                f'height="{bar_h - 2}" fill="{item.color}"><title>{escape(category)} {escape(item.label)}: '
                f'{value:,.2f}</title></rect><text x="{left + w + 4:.1f}" y="{y + bar_h - 4}" font-size="10">'
                f"{value:,.2f}</text></a>"
            )
    parts.append(_legend(series, height - 14))
    return _svg(width, height, title, "".join(parts))
