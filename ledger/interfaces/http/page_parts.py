"""The pieces a dashboard page is built of: KPI cards (with their change on the window
before), tables whose cells are coloured by what they mean, timestamps to read, paragraphs
and sentences with code in them. Each takes figures already formatted, or formats them
through `projections.formats`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial
from html import escape
from typing import Any, NamedTuple

from projections.formats import change, money, percent


def kpi(name: str, value: str, raw: bool = False) -> str:
    """A card: its name and its value (`raw`: the value is HTML already)."""
    return f'<div class="kpi">{escape(name)}<b>{value if raw else escape(value)}</b></div>'


def kpis(*cards: str) -> str:
    """A row of cards."""
    return '<div class="kpis">' + "".join(cards) + "</div>"


WRITTEN: dict[str, Callable[[Any], str]] = {
    "": str, "$": money, "pt": partial(percent, scale=100), "pt%": percent,
}  # fmt: skip
"""How a figure is written, by the unit its change is counted in (`projections.formats.change`):
a count, money, a rate between 0 and 1, a figure already in percent."""


class Card(NamedTuple):
    """A KPI card of a row of figures: its name, the figure's key, and the unit its change
    is counted in, which says how the figure is written too (`WRITTEN`)."""

    name: str
    key: str
    unit: str = ""

    def of(self, row: dict[str, Any], delta: Any, against: str | None, called: str = "") -> str:
        """The card of `row`'s figure (`called` ends its name) with its change `delta` on the
        window before ('–' when either is unknown); just the figure when there is no window
        before (all time, or a window open at one end)."""
        name, value = self.name + called, WRITTEN[self.unit](row[self.key])
        if against is None:
            return kpi(name, value)
        tone = (
            "" if delta is None or delta == 0 else (' class="up"' if delta > 0 else ' class="down"')
        )
        note = f"{change(delta, self.unit)} on {against}"
        return kpi(name, f"{escape(value)} <span{tone}>({escape(note)})</span>", raw=True)


def difference(current: dict[str, Any], prior: dict[str, Any] | None, key: str) -> Any:
    """current[key] − prior[key], None where either is unknown."""
    if prior is None or current.get(key) is None or prior.get(key) is None:
        return None
    return Decimal(str(current[key])) - Decimal(str(prior[key]))


Column = tuple[str, Callable[[Any], str]]
"""A column of a table: its heading, and its cell (HTML) of a row."""


def table(columns: Sequence[Column], rows: Sequence[Any]) -> str:
    """A table with a row of cells for each of `rows`, or a line saying there is nothing to
    show."""
    if not rows:
        return "<p>Nothing to show.</p>"
    head = "".join(f"<th>{escape(heading)}</th>" for heading, _ in columns)
    body = "".join("<tr>" + "".join(_cell(cell(r)) for _, cell in columns) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


MEANING = {
    "excellent": "good", "good": "good", "acceptable": "warn", "poor": "bad", "failed": "bad",
    "high": "bad", "critical": "bad", "medium": "warn", "low": "info",
}  # fmt: skip
"""Ratings and severities that carry a colour (the word stays: never colour alone)."""


def _cell(html: str) -> str:
    """A table cell; a rating, a severity or negative money is coloured by its meaning."""
    meaning = MEANING.get(html) or ("bad" if html.startswith("-$") else None)
    return f'<td class="{meaning}">{html}</td>' if meaning else f"<td>{html}</td>"


def when(stamp: str) -> str:
    """A timestamp to read: date and time to the second (UTC), the exact value on hover.
    A narrow column may break it between the date and the time of day, never inside either."""
    from projections.formats import to_the_second

    parts = "</span> <span>".join(escape(part) for part in to_the_second(stamp).split(" ", 1))
    exact = escape(stamp, quote=True)
    return f'<time datetime="{exact}" title="{exact}"><span>{parts}</span></time>'


def prose(text: str) -> str:
    """A sentence of ours with `code` in it, as HTML."""
    import re

    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text))


def paragraphs(items: list[str], empty: str, attrs: str = "") -> str:
    """One paragraph per item (already escaped HTML), or one saying there are none."""
    open_tag = f"<p {attrs}>" if attrs else "<p>"
    return "".join(f"{open_tag}{item}</p>" for item in items) or f"<p>{escape(empty)}</p>"


def interval(pair: Any) -> tuple[float, float] | None:
    """A figure's interval as a chart draws it (None when it has none)."""
    return None if not pair else (float(pair[0]), float(pair[1]))
