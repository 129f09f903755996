"""Small server-side charts for the dashboard: stacked bars per hour, as inline SVG.

Pure functions from counts to markup, with nothing to load and no script: the dashboard's
Content-Security-Policy allows neither inline styles nor inline scripts, and needs neither
here (colours are presentation attributes; text takes the page's colour through
``currentColor``). Every text that goes into the markup is escaped (:func:`xml_text`), and
element ids are derived from a digest of the caller's key, so an endpoint id can never break
out of an attribute or collide with another chart's ids.

Colours are the Okabe-Ito palette (distinguishable with the common colour-vision
deficiencies), and each series also has its own fill pattern (solid, hatched, dotted, lined,
cross-hatched), so the chart reads without colour at all. For screen readers the ``<svg>`` is
``role="img"`` named by its ``<title>`` (a summary with the totals) and, for the full chart,
described by a visually hidden table of every count (:func:`counts_table`).
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

__all__ = [
    "STYLES",
    "Series",
    "Style",
    "chart_id",
    "counts_table",
    "stacked_bars",
    "xml_text",
]


@dataclass(frozen=True, slots=True)
class Style:
    colour: str
    pattern: str
    """``solid``, ``hatch`` (diagonal lines), ``dots``, ``lines`` (horizontal) or ``cross``."""


STYLES: Final[dict[str, Style]] = {
    # requests by outcome
    "accepted": Style("#009e73", "solid"),
    "rejected": Style("#d55e00", "hatch"),
    "duplicate": Style("#7f8796", "dots"),
    "handshake": Style("#56b4e9", "lines"),
    "test": Style("#cc79a7", "cross"),
    # runs by status
    "succeeded": Style("#009e73", "solid"),
    "failed": Style("#d55e00", "hatch"),
    "queued": Style("#e69f00", "dots"),
    "running": Style("#0072b2", "lines"),
    "cancelled": Style("#7f8796", "cross"),
}
_FALLBACK = Style("#7f8796", "solid")

# An XML 1.0 document may not hold these at all, escaped or not.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class Series:
    """One stacked part of every bar: ``key`` picks its style (:data:`STYLES`)."""

    key: str
    label: str
    counts: Sequence[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


def xml_text(value: object) -> str:
    """``value`` as text safe in XML and HTML content and in quoted attributes."""
    return html.escape(_NOT_XML.sub("\ufffd", str(value)), quote=True)


def chart_id(key: str) -> str:
    """The id prefix of the chart for ``key`` (any text): letters and digits only."""
    return "chart-" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def _hour(start: float) -> str:
    return datetime.fromtimestamp(start, UTC).strftime("%H:%M")


def _day_hour(start: float) -> str:
    return datetime.fromtimestamp(start, UTC).strftime("%Y-%m-%d %H:%M")


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _nice_max(value: int) -> int:
    """The axis top: twice the smallest 1, 2 or 5 times a power of ten that is at least half
    of ``value``, so that the top and the middle line are whole, round numbers."""
    half = max(1, -(-value // 2))
    scale = 1
    while True:
        for step in (1, 2, 5):
            if step * scale >= half:
                return 2 * step * scale
        scale *= 10


def _patterns(prefix: str, keys: Sequence[str], size: int) -> str:
    """One ``<pattern>`` per series: its colour, with its texture drawn over it in white."""
    out: list[str] = []
    for key in keys:
        style = STYLES.get(key, _FALLBACK)
        pid = f"{prefix}-p-{_safe_key(key)}"
        s, half = size, size / 2
        white = 'stroke="#fff" stroke-width='
        if style.pattern == "hatch":
            h, e = _num(half), _num(s + half)  # the diagonal, and its ends in the next tiles
            d = f"M0 {s} L{s} 0 M-{h} {h} L{h} -{h} M{h} {e} L{e} {h}"
            texture = f'<path d="{d}" {white}"{_num(s / 4)}"/>'
        elif style.pattern == "dots":
            texture = f'<circle cx="{_num(half)}" cy="{_num(half)}" r="{_num(s / 5)}" fill="#fff"/>'
        elif style.pattern == "lines":
            texture = f'<path d="M0 {_num(half)} H{s}" {white}"{_num(s / 5)}"/>'
        elif style.pattern == "cross":
            texture = f'<path d="M0 0 L{s} {s} M{s} 0 L0 {s}" {white}"{_num(s / 6)}"/>'
        else:
            texture = ""
        out.append(
            f'<pattern id="{pid}" width="{s}" height="{s}" patternUnits="userSpaceOnUse">'
            f'<rect width="{s}" height="{s}" fill="{style.colour}"/>{texture}</pattern>'
        )
    return "".join(out)


def _safe_key(key: str) -> str:
    cleaned = re.sub(r"[^a-z0-9]", "", key.lower())[:20]
    return cleaned or "s"


def _summary(title: str, series: Sequence[Series]) -> str:
    total = sum(s.total for s in series)
    if not total:
        return f"{title}: none"
    parts = ", ".join(f"{s.total} {s.label}" for s in series)
    return f"{title}: {total} ({parts})"


def stacked_bars(
    series: Sequence[Series],
    hours: Sequence[float],
    *,
    key: str,
    title: str,
    empty: str = "Nothing in this period",
    compact: bool = False,
    described_by: str | None = None,
) -> str:
    """An ``<svg>`` of one stacked bar per hour (the hours' starts are ``hours``, Unix
    seconds; every series has one count per hour), each bar as tall as its hour's total.

    ``compact``: a sparkline (no legend, no axes, 120×28). Otherwise a legend on top, a
    count axis on the left and the hours (UTC) below. ``key`` makes the ids (see
    :func:`chart_id`); ``title`` names the chart for screen readers (with the totals) and
    ``described_by`` is the id of what describes it (the :func:`counts_table`). Every bar
    segment is a ``<rect class="seg seg-<key>" data-count="n">``; with no count at all the
    chart says ``empty`` instead of drawing bars.
    """
    n = len(hours)
    for s in series:
        if len(s.counts) != n:
            raise ValueError(f"series {s.key!r} has {len(s.counts)} counts for {n} hours")
    prefix = chart_id(key)
    totals = [sum(s.counts[i] for s in series) for i in range(n)]
    peak = max(totals, default=0)
    if compact:
        width, height = 120.0, 28.0
        left, right, top, bottom = 1.0, 1.0, 2.0, 1.0
        pattern_size = 4
    else:
        width, height = 960.0, 190.0
        left, right, top, bottom = 40.0, 10.0, 34.0, 30.0
        pattern_size = 7
    plot_w, plot_h = width - left - right, height - top - bottom
    base = top + plot_h
    axis_max = _nice_max(peak) if not compact else max(peak, 1)
    scale = plot_h / axis_max
    slot = plot_w / max(n, 1)
    bar_w = max(1.0, slot * (0.72 if not compact else 0.8))
    summary = _summary(title, series)

    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart{" spark" if compact else ""}" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" width="{_num(width)}" '
        f'height="{_num(height)}" role="img" aria-labelledby="{prefix}-title"'
        + (f' aria-describedby="{xml_text(described_by)}"' if described_by else "")
        + f' id="{prefix}">',
        f'<title id="{prefix}-title">{xml_text(summary)}</title>',
        f"<defs>{_patterns(prefix, [s.key for s in series], pattern_size)}</defs>",
    ]
    if not compact:
        # the count axis: lines at 0, half and the top, labelled
        for value in (0, axis_max / 2, axis_max):
            y = base - value * scale
            parts.append(
                f'<line class="grid" x1="{_num(left)}" x2="{_num(width - right)}" '
                f'y1="{_num(y)}" y2="{_num(y)}" stroke="currentColor" stroke-opacity="'
                f'{"0.45" if value == 0 else "0.15"}"/>'
            )
            if value == int(value):
                parts.append(
                    f'<text class="tick" x="{_num(left - 6)}" y="{_num(y + 4)}" '
                    f'text-anchor="end" font-size="11" fill="currentColor">{int(value)}</text>'
                )
        # the hours: every 1, 2, 3, 4, 6 or 12 so that at most 12 are labelled
        every = next((k for k in (1, 2, 3, 4, 6, 12, 24) if n / k <= 12), 24)
        for i, start in enumerate(hours):
            if (n - 1 - i) % every:
                continue  # labelled back from the current hour, which is always labelled
            x = left + slot * (i + 0.5)
            parts.append(
                f'<text class="hour" x="{_num(x)}" y="{_num(base + 16)}" text-anchor="middle" '
                f'font-size="11" fill="currentColor">{_hour(start)}</text>'
            )
        parts.append(
            f'<text class="unit" x="{_num(width - right)}" y="{_num(height - 2)}" '
            f'text-anchor="end" font-size="10" fill="currentColor" fill-opacity="0.7">'
            "hours in UTC</text>"
        )
        # the legend
        x = left
        for s in series:
            label = f"{s.label} ({s.total})"
            parts.append(
                f'<g class="legend-item"><rect x="{_num(x)}" y="6" width="12" height="12" '
                f'fill="url(#{prefix}-p-{_safe_key(s.key)})" stroke="currentColor" '
                f'stroke-opacity="0.35"/><text x="{_num(x + 17)}" y="16" font-size="12" '
                f'fill="currentColor">{xml_text(label)}</text></g>'
            )
            x += 17 + 7.2 * len(label) + 18
    else:
        parts.append(
            f'<line class="grid" x1="0" x2="{_num(width)}" y1="{_num(base + 0.5)}" '
            f'y2="{_num(base + 0.5)}" stroke="currentColor" stroke-opacity="0.3"/>'
        )

    if peak == 0:
        parts.append(
            f'<text class="empty" x="{_num(left + plot_w / 2)}" y="{_num(top + plot_h / 2 + 4)}" '
            f'text-anchor="middle" font-size="{9 if compact else 13}" fill="currentColor" '
            f'fill-opacity="0.6">{xml_text(empty)}</text>'
        )
    else:
        parts.append('<g class="bars">')
        for i, start in enumerate(hours):
            if not totals[i]:
                continue
            x = left + slot * i + (slot - bar_w) / 2
            y = base
            tip = ", ".join(f"{s.counts[i]} {s.label}" for s in series if s.counts[i])
            parts.append(
                f'<g class="bar"><title>{xml_text(f"{_day_hour(start)} UTC: {tip}")}</title>'
            )
            for s in series:
                count = s.counts[i]
                if count <= 0:
                    continue
                h = count * scale
                y -= h
                parts.append(
                    f'<rect class="seg seg-{_safe_key(s.key)}" data-count="{count}" '
                    f'x="{_num(x)}" y="{_num(y)}" width="{_num(bar_w)}" height="{_num(h)}" '
                    f'fill="url(#{prefix}-p-{_safe_key(s.key)})"/>'
                )
            parts.append("</g>")
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def counts_table(
    series: Sequence[Series], hours: Sequence[float], *, table_id: str, caption: str
) -> str:
    """The counts behind a chart as an HTML table (one row per hour, one column per series
    and the total), for screen readers, in a ``<div class="visually-hidden">``."""
    head = "".join(f'<th scope="col">{xml_text(s.label)}</th>' for s in series)
    rows: list[str] = []
    for i, start in enumerate(hours):
        cells = "".join(f"<td>{s.counts[i]}</td>" for s in series)
        total = sum(s.counts[i] for s in series)
        rows.append(f'<tr><th scope="row">{_day_hour(start)}</th>{cells}<td>{total}</td></tr>')
    # hidden by a wrapper: a table grows to fit its rows whatever its own height says, so
    # the rows of a hidden table itself would still lengthen the page
    return (
        f'<div class="visually-hidden"><table class="counts" id="{xml_text(table_id)}">'
        f"<caption>{xml_text(caption)}</caption>"
        f'<thead><tr><th scope="col">Hour (UTC)</th>{head}<th scope="col">Total</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
