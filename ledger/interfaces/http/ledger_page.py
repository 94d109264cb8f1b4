"""The dashboard's ledger page: the head of the log (seq, digest, whether a break is known)
and its events a page at a time, newest first, each opening to its payload."""

from __future__ import annotations

import json
from html import escape
from typing import TYPE_CHECKING

from fastapi.responses import HTMLResponse

from ledger.interfaces.http.page_frame import head_line, page
from ledger.interfaces.http.page_parts import Column, kpi, kpis, table, when
from ledger.interfaces.http.shown import Shown, csv_link, link

if TYPE_CHECKING:
    from ledger.app.facade import Ledger

PAGE = 20
"""Events on a page of the ledger page."""

EVENT_COLUMNS: tuple[Column, ...] = (
    ("seq", lambda e: str(e.seq)),
    ("event (open for its payload)", lambda e: (
        f"<details><summary>{escape(e.event_type)}</summary><pre>"
        f"{escape(json.dumps(e.event.payload(), indent=1, ensure_ascii=False))}</pre></details>"
    )),
    ("stream", lambda e: escape(e.stream_id)),
    ("happened", lambda e: when(e.occurred_at)),
    ("recorded", lambda e: when(e.recorded_at)),
)  # fmt: skip
"""The ledger page's events, each opening to its payload."""


def ledger_page(led: Ledger, shown: Shown, before: int | None) -> HTMLResponse:
    """The events before seq `before` (the newest when None), a page of them."""
    as_of = shown.as_of
    view = led.view(as_of)
    head = view.head()
    top = head.seq if before is None else min(before - 1, head.seq)
    first = max(0, top - PAGE)
    events = view.events(first, top - first) if top > first else []
    alarm = led.service.alarm()
    body = [head_line({"as_of_seq": head.seq, "as_of_hash": head.hash}, as_of)]
    body.append("<h1>The ledger</h1>")
    body.append(
        kpis(
            kpi("head seq", str(head.seq)),
            kpi("digest", f"<code>{head.seq}:{escape(head.hash[:16])}…</code>", raw=True),
            kpi(
                "chain",
                "broken: run roi-ledger verify"
                if alarm
                else "no break known (roi-ledger verify proves it)",
            ),
        )
    )
    body.append(f"<p>Full digest: <code>{head.seq}:{escape(head.hash)}</code></p>")
    body.append(
        f"<h2>Events {first + 1}–{top} of {head.seq} "
        f"{csv_link('/api/ledger/events', shown, now=None, after=str(first), limit=str(PAGE))}"
        "</h2>"
        if events
        else "<h2>Events</h2>"
    )
    pages = []
    if top < head.seq:
        newer = top + PAGE
        pages.append(
            link("/ledger", "← newer", shown, before=None if newer >= head.seq else str(newer + 1))
        )
    if first > 0:
        pages.append(link("/ledger", "older →", shown, before=str(first + 1)))
    body.append(f'<p class="pages">{" · ".join(pages)}</p>' if pages else "")
    body.append(table(EVENT_COLUMNS, list(reversed(events))))
    return page("Ledger", body, shown)
