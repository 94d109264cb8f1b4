"""What a dashboard page shows (`Shown`: the point of the log, the moment windows count back
from, a window of business time) and the controls that change it: links that keep it, the
period selector and the time-travel form, the window read and the one before it."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlencode

from events.timeutil import format_timestamp

if TYPE_CHECKING:
    from ledger.app.facade import Ledger
    from ledger.core.periods import Window

PRESETS = (
    ("All time", None),
    ("This month", "this-month"),
    ("Last month", "last-month"),
    ("Last 30 days", "last-30d"),
    ("Last 90 days", "last-90d"),
)
"""The period selector's links; any other window goes in the form or the URL."""


class Shown(NamedTuple):
    """What a page shows: the point of the log (`as_of`, a seq or recording time), the
    moment windows count back from (`now`), and a window of business time (`period`, or
    `since`/`until`). Empty form fields count as not given."""

    as_of: str | None = None
    now: str | None = None
    period: str | None = None
    since: str | None = None
    until: str | None = None

    @classmethod
    def of(cls, *values: str | None) -> Shown:
        return cls(*((v.strip() or None) if v is not None else None for v in values))

    @property
    def windowed(self) -> bool:
        return any((self.period, self.since, self.until))

    def window(self) -> dict[str, str | None]:
        """The window's keyword arguments for a `Ledger` read."""
        return {"since": self.since, "until": self.until, "period": self.period, "now": self.now}

    def query(self, **changes: str | None) -> dict[str, str]:
        """This state as URL parameters, with `changes` (None drops one)."""
        values = {**self._asdict(), **changes}
        return {k: v for k, v in values.items() if v is not None}

    def called(self, window: dict[str, Any]) -> str:
        """The name of the window read, for a heading: 'all time' when none was chosen."""
        return window_name(window) if self.windowed else "all time"


def asked(
    as_of: str | None = None,
    now: str | None = None,
    period: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Shown:
    """What a page's query string asks it to show (a FastAPI dependency)."""
    return Shown.of(as_of, now, period, since, until)


def window_name(window: dict[str, Any]) -> str:
    """A window's name for a heading ('last 30 days' for last-30d)."""
    label = str(window["period"])
    if label.startswith("last-") and label.endswith("d"):
        return f"last {label[5:-1]} days"
    return label


def windows(led: Ledger, shown: Shown) -> tuple[Window, Window | None]:
    """The window a page shows and the one before it (None when open at either end)."""
    from ledger.core.moments import as_of_value
    from ledger.core.periods import previous, window

    span = window(shown.since, shown.until, shown.period, led.service.point_shown(shown.now,
                  as_of_value(shown.as_of)))  # fmt: skip
    return span, previous(span) if span.since and span.until else None


def dates(span: Window) -> dict[str, str | None]:
    """A window as the since/until of a read."""
    return {
        "since": None if span.since is None else format_timestamp(span.since),
        "until": None if span.until is None else format_timestamp(span.until),
    }


def link(path: str, text: str, shown: Shown, **changes: str | None) -> str:
    """A link to a page showing the same, with `changes`."""
    query = shown.query(**changes)
    href = path + ("?" + urlencode(query) if query else "")
    return f'<a href="{escape(href, quote=True)}">{escape(text)}</a>'


def csv_link(path: str, shown: Shown, **changes: str | None) -> str:
    """A link to the same figures from the API as CSV (its `?format=csv`)."""
    query = shown.query(**changes, format="csv")
    href = path + "?" + urlencode(query)
    return f'<a class="download" href="{escape(href, quote=True)}" download>CSV</a>'


def controls(path: str, shown: Shown, extra: dict[str, str] | None = None) -> str:
    """The period selector and the time-travel control: plain links and one GET form."""
    clear = {"period": None, "since": None, "until": None}
    links = " · ".join(
        f"<b>{escape(name)}</b>"
        if (value == shown.period and not (shown.since or shown.until))
        else link(path, name, shown, **{**clear, "period": value}, **(extra or {}))
        for name, value in PRESETS
    )
    hidden = "".join(
        f'<input type="hidden" name="{escape(k, quote=True)}" value="{escape(v, quote=True)}">'
        for k, v in {**({"now": shown.now} if shown.now else {}), **(extra or {})}.items()
    )

    def field(name: str, label: str, kind: str, value: str | None, hint: str) -> str:
        return (
            f'<label>{escape(label)} <input type="{kind}" name="{name}" '
            f'value="{escape(value or "", quote=True)}" placeholder="{escape(hint, quote=True)}"'
            f' title="{escape(hint, quote=True)}"></label> '
        )

    form = (
        f'<form method="get" action="{escape(path, quote=True)}" class="controls">'
        + field("period", "period", "text", shown.period, "2026-11, 2026-Q4, last-30d…")
        + field("since", "from", "date", shown.since, "first day (UTC), executed/decided")
        + field("until", "until", "date", shown.until, "day after the last (UTC)")
        + field("as_of", "as of", "text", shown.as_of, "a seq or a recording time")
        + hidden
        + '<button type="submit">Show</button></form>'
    )
    return (
        f'<nav class="periods">Period (when things happened): {links}</nav>{form}'
        '<p class="note">A period counts what happened in it (executed_at, decided_at); '
        "“as of” is the other clock: the ledger as it stood at a seq or recording time.</p>"
    )
