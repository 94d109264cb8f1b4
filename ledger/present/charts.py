"""Charts as plain SVG (for the dashboard) and as one line of text (for the terminal).

No JavaScript and no colour-only meaning: every mark carries its figure as text (a label
beside it and a `<title>` for screen readers), and its exact value as `data-value` in the
JSON encoding of the HTTP API, so a test can hold each chart to the JSON of the same query.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from typing import Any, NamedTuple

from ledger.present.encoding import jsonable
from projections.formats import money, number, percent

SPARKS = "▁▂▃▄▅▆▇█"


class Bar(NamedTuple):
    """One bar: its label, its value, and an interval drawn as an error bar (or None)."""

    label: str
    value: Any
    interval: tuple[float, float] | None = None


def _data(value: Any) -> str:
    """A value as the HTTP API's JSON writes it (a number), for `data-value`."""
    return escape(json.dumps(jsonable(value)), quote=True)


def _num(value: Any) -> float:
    return 0.0 if value is None else float(value)


def figure(value: float, unit: str = "") -> str:
    """A figure as a person reads it: rates (unit "rate", 0..1) and percentages to one
    decimal with %, other amounts with thousands separators and no exponent."""
    if unit == "rate":
        return percent(value, scale=100)
    if unit == "%":
        return percent(value)
    if unit == "$":
        return money(value)
    return number(value, 0 if abs(value) >= 100 else 2) + unit


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Size(NamedTuple):
    """One layout of a chart, in its own units: drawn `width` wide, a `left` column for
    labels cut at `label_chars`, and `right` room for the figure written after a bar."""

    name: str
    width: int
    left: int
    label_chars: int
    right: int


WIDE = Size("wide", 640, 190, 26, 90)
NARROW = Size("narrow", 380, 132, 15, 78)
"""Every bar and line chart is laid out twice: for a desk and for a phone (a page shows
one by its width, see the dashboard's style), so its text is never scaled below reading
size nor its labels crowded."""


def bars(title: str, rows: Sequence[Bar], *, scale: float, unit: str = "") -> str:
    """Horizontal bars from 0 to `scale` (1 for rates, 100 for percentages, or the largest
    value), each with its figure written beside it and its interval as a whisker."""
    return "".join(_bars(title, rows, scale, unit, size) for size in (WIDE, NARROW))


def _bars(title: str, rows: Sequence[Bar], scale: float, unit: str, size: Size) -> str:
    width, left, row_h = size.width, size.left, 26
    span = width - left - size.right
    height = 30 + row_h * max(len(rows), 1)
    parts = [
        f'<svg class="chart bars {size.name}" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-label="{escape(title, quote=True)}">',
        f"<title>{escape(title)}</title>",
    ]
    top = max(scale, max((_num(r.value) for r in rows), default=0.0), 1e-12)
    low = min(0.0, min((_num(r.value) for r in rows), default=0.0))
    zero = left + span * (-low / (top - low))

    def x(v: float) -> float:
        return left + span * ((v - low) / (top - low))

    parts.append(f'<line x1="{zero:.1f}" y1="20" x2="{zero:.1f}" y2="{height - 6}" class="axis"/>')
    for i, row in enumerate(rows):
        y = 24 + i * row_h
        v = _num(row.value)
        x0, x1 = sorted((zero, x(v)))
        shown = figure(v, unit)
        end = x1 if row.interval is None else max(x1, x(float(row.interval[1])))
        attrs = f'data-label="{escape(row.label, quote=True)}" data-value="{_data(row.value)}"'
        if row.interval is not None:
            lo, hi = row.interval
            attrs += f' data-lower="{_data(lo)}" data-upper="{_data(hi)}"'
        parts.append(f'<g class="bar" {attrs}>')
        parts.append(f"<title>{escape(row.label)}: {escape(shown)}</title>")
        parts.append(
            f'<text x="{left - 8}" y="{y + 14}" text-anchor="end">'
            f"{escape(_cut(row.label, size.label_chars))}</text>"
        )
        parts.append(
            f'<rect x="{x0:.1f}" y="{y + 3}" width="{max(x1 - x0, 0.5):.1f}" height="14"/>'
        )
        if row.interval is not None:
            a, b = x(float(row.interval[0])), x(float(row.interval[1]))
            parts.append(
                f'<path class="interval" d="M{a:.1f} {y + 10}H{b:.1f}M{a:.1f} {y + 5}V{y + 15}'
                f'M{b:.1f} {y + 5}V{y + 15}"/>'
            )
        parts.append(f'<text x="{max(end, zero) + 6:.1f}" y="{y + 14}">{escape(shown)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def _day(label: str) -> int | None:
    """A period label's first day as an ordinal (2026-11-02, 2026-W45, 2026-11), or None."""
    from datetime import date

    try:
        if len(label) == 10:
            return date.fromisoformat(label).toordinal()
        if len(label) == 8 and label[4:6] == "-W":
            return date.fromisocalendar(int(label[:4]), int(label[6:]), 1).toordinal()
        if len(label) == 7 and label[4] == "-":
            return date(int(label[:4]), int(label[5:]), 1).toordinal()
    except ValueError:
        return None
    return None


CHAR_PX = 7.0
"""The width of a tick label's character at 12px (generous, so labels never touch)."""


def _ticks(labels: Sequence[str], xs: Sequence[float], width: float) -> set[int]:
    """Which points get a label under the axis: the first and the last, then as many of
    the others as fit without their boxes overlapping (6px apart) or leaving the chart."""
    n = len(labels)
    placed: list[tuple[float, float]] = []
    chosen: set[int] = set()
    for i in [0, n - 1, *range(1, n - 1)] if n > 1 else range(n):
        w = len(labels[i]) * CHAR_PX
        x = xs[i]
        box = (x, x + w) if i == 0 else (x - w, x) if i == n - 1 else (x - w / 2, x + w / 2)
        if box[0] < 0 or box[1] > width:
            continue
        if all(box[1] + 6 <= a or box[0] >= b + 6 for a, b in placed):
            placed.append(box)
            chosen.add(i)
    return chosen


def line(title: str, points: Sequence[tuple[str, Any]], *, unit: str = "") -> str:
    """A line over labelled points (periods), each point a marked circle with its figure."""
    return "".join(_line(title, points, unit, size) for size in (WIDE, NARROW))


def _line(title: str, points: Sequence[tuple[str, Any]], unit: str, size: Size) -> str:
    width, height, left, bottom = size.width, 220, 60, 40
    values = [_num(v) for _, v in points]
    top, low = max(values, default=1.0), min([*values, 0.0])
    top = top if top > low else low + 1
    plot = width - left - 20
    days = [_day(label) for label, _ in points]
    if len(points) > 1 and all(d is not None for d in days):
        # a time axis: 2026-10-01 and 2026-11-02 a month apart, not side by side
        first, last = min(days), max(days)  # type: ignore[type-var]
        xs = [left + plot * (d - first) / max(last - first, 1) for d in days]  # type: ignore[operator]
    else:
        xs = [left + i * plot / max(len(points) - 1, 1) for i in range(len(points))]

    def y(v: float) -> float:
        return 10 + (height - bottom - 10) * (1 - (v - low) / (top - low))

    coords = [(x, y(v)) for x, v in zip(xs, values, strict=True)]
    parts = [
        f'<svg class="chart line {size.name}" role="img" viewBox="0 0 {width} {height}" '
        'width="100%" '
        f'aria-label="{escape(title, quote=True)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{y(low):.1f}" x2="{width - 10}" y2="{y(low):.1f}" class="axis"/>',
        f'<text x="{left - 6}" y="{y(top) + 4:.1f}" text-anchor="end">{figure(top, unit)}</text>',
        f'<text x="{left - 6}" y="{y(low) + 4:.1f}" text-anchor="end">{figure(low, unit)}</text>',
    ]
    if len(coords) > 1:
        path = " ".join(f"{a:.1f},{b:.1f}" for a, b in coords)
        parts.append(f'<polyline points="{path}" fill="none"/>')
    ticks = _ticks([label for label, _ in points], [x for x, _ in coords], width)
    for i, ((label, value), (cx, cy)) in enumerate(zip(points, coords, strict=True)):
        shown = figure(_num(value), unit)
        parts.append(
            f'<g class="point" data-label="{escape(label, quote=True)}" '
            f'data-value="{_data(value)}"><title>{escape(label)}: {escape(shown)}</title>'
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3.5"/></g>'
        )
        if i in ticks:  # the ends anchored inward, so no label is clipped at the edge
            anchor = "start" if i == 0 else "end" if i == len(points) - 1 else "middle"
            parts.append(
                f'<text class="tick" x="{cx:.1f}" y="{height - 18}" text-anchor="{anchor}">'
                f"{escape(label)}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def reliability(title: str, buckets: Sequence[dict[str, Any]]) -> str:
    """The calibration diagram: each bucket's mean prediction against the rate observed, the
    diagonal being perfect calibration; each point labelled with its count."""
    size, pad = 320, 40
    inner = size - 2 * pad

    def at(p: float, q: float) -> tuple[float, float]:
        return pad + inner * p, pad + inner * (1 - q)

    x0, y0 = at(0, 0)
    x1, y1 = at(1, 1)
    parts = [
        f'<svg class="chart reliability" role="img" viewBox="0 0 {size} {size}" width="360" '
        f'aria-label="{escape(title, quote=True)}"><title>{escape(title)}</title>',
        f'<rect x="{pad}" y="{pad}" width="{inner}" height="{inner}" class="frame"/>',
        f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y1}" class="diagonal" stroke-dasharray="4 4"/>',
        f'<text x="{size / 2}" y="{size - 8}" text-anchor="middle">predicted</text>',
        f'<text x="{x0}" y="{y0 + 14}" text-anchor="middle">0%</text>',
        f'<text x="{x1}" y="{y0 + 14}" text-anchor="middle">100%</text>',
        f'<text x="{x0 - 4}" y="{y1 + 4}" text-anchor="end">100%</text>',
        f'<text x="12" y="{size / 2}" transform="rotate(-90 12 {size / 2})" '
        'text-anchor="middle">observed</text>',
    ]
    for b in buckets:
        cx, cy = at(float(b["mean_predicted"]), float(b["observed_rate"]))
        label, count = escape(str(b["range"]), quote=True), int(b["count"])
        said = (
            f"{label}: predicted {percent(b['mean_predicted'], 0, scale=100)}, observed "
            f"{percent(b['observed_rate'], 0, scale=100)} of {count}"
        )
        parts.append(
            f'<g class="point" data-label="{label}" data-value="{_data(b["observed_rate"])}" '
            f'data-predicted="{_data(b["mean_predicted"])}" data-count="{count}">'
            f"<title>{said}</title>"
            f'<rect x="{cx - 4:.1f}" y="{cy - 4:.1f}" width="8" height="8"/>'
            f'<text x="{cx + 7:.1f}" y="{cy + 4:.1f}">{count}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def sparkline(values: Sequence[Any]) -> str:
    """Values as one line of block characters, lowest to highest (empty for none)."""
    numbers = [_num(v) for v in values]
    if not numbers:
        return ""
    low, high = min(numbers), max(numbers)
    if high == low:
        return SPARKS[len(SPARKS) // 2] * len(numbers)
    top = len(SPARKS) - 1
    return "".join(SPARKS[round((v - low) / (high - low) * top)] for v in numbers)


def bar_text(value: Any, scale: float, width: int = 20) -> str:
    """A value as a bar of `width` cells at most, with eighths, for a terminal table."""
    share = max(0.0, min(1.0, _num(value) / scale)) if scale else 0.0
    eighths = round(share * width * 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + ("" if rest == 0 else " ▏▎▍▌▋▊▉"[rest])
