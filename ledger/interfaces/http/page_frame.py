"""The frame of every dashboard page: its style, its icon, the navigation, the line saying
which head of the log its figures come from, and the page a refusal is shown as."""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi.responses import HTMLResponse

from ledger.interfaces.http.shown import Shown, link

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
header{background:#1f3a5f;color:#fff;padding:.6rem 1.2rem}header a{color:#fff;margin-right:1rem}
main{padding:1rem 1.2rem;max-width:1320px}time span{white-space:nowrap}code{overflow-wrap:anywhere}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem}
.head{font-size:.85rem;color:#444}.kpis{display:flex;flex-wrap:wrap;gap:.8rem}
.kpi{background:#fff;border:1px solid #ccc;padding:.5rem .8rem;min-width:10rem}
.kpi b{display:block;font-size:1.3rem}table{border-collapse:collapse;background:#fff}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}
svg text{font-size:12px;fill:#1b1b1b}svg rect{fill:#3b6ea5}svg .interval,svg polyline,
svg .axis,svg .diagonal{stroke:#1b1b1b;stroke-width:1.5;fill:none}svg circle{fill:#b5531f}
svg .frame{fill:none;stroke:#999}
svg.chart{max-width:960px;display:block}svg.narrow{display:none}
.alert{border-left:4px solid #b5531f;padding-left:.5rem}
.note{font-size:.85rem;color:#444}.periods{margin:.4rem 0}
.controls{margin:.4rem 0;font-size:.9rem}.controls input{width:9rem}
.up{color:#1d6b2f}.down{color:#a3261b}a.download{font-size:.8rem;font-weight:400}
td.good{color:#1d6b2f;font-weight:600}td.warn{color:#8a5a00;font-weight:600}
td.bad{color:#a3261b;font-weight:600}td.info{color:#1f3a5f}
@media (max-width:640px){main{padding:.6rem}td,th{padding:.2rem .3rem;font-size:.8rem}
td{overflow-wrap:anywhere}.kpi{min-width:8rem}svg.wide{display:none}svg.narrow{display:block}}
"""

FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<rect width="16" height="16" rx="3" fill="#1f6f43"/>'
    '<rect x="3" y="9" width="2.5" height="4" fill="#fff"/>'
    '<rect x="6.75" y="6" width="2.5" height="7" fill="#fff"/>'
    '<rect x="10.5" y="3" width="2.5" height="10" fill="#fff"/></svg>'
)

NAVIGATION = (
    ("/", "Portfolio"),
    ("/decisions", "Decisions"),
    ("/ledger", "Ledger"),
    ("/docs", "API"),
)


def page(title: str, body: list[str], shown: Shown) -> HTMLResponse:
    """A whole page: the frame around `body`, the navigation keeping what is shown (but for
    the API's description, which shows nothing of the ledger)."""
    nav = "".join(
        link(path, name, shown if path != "/docs" else Shown()) for path, name in NAVIGATION
    )
    html = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} · '
        f"roi-ledger</title><meta name=viewport content='width=device-width'>"
        f'<link rel="icon" href="/favicon.svg" type="image/svg+xml"><style>{STYLE}'
        f"</style></head><body><header>{nav}</header><main>{''.join(body)}</main></body></html>"
    )
    return HTMLResponse(html)


def error_page(status: int, message: str, field: str | None = None) -> HTMLResponse:
    """A refusal on a dashboard page, as a page: what went wrong, in the API's words (the
    field it names in `data-field`), and the way back. Nothing is echoed unescaped."""
    named = "" if field is None else f' data-field="{escape(field, quote=True)}"'
    body = [
        f"<h1>{status}</h1><p class=error{named}>{escape(message)}</p>",
        "<p><a href=/>Back to the portfolio</a></p>",
    ]
    refusal = page("Not shown", body, Shown())
    refusal.status_code = status
    return refusal


def head_line(result: dict[str, Any], as_of: str | None) -> str:
    """Which head of the log the figures come from (`as_of_seq`, `as_of_hash` of a read),
    live or as of a point."""
    seq, digest = result.get("as_of_seq"), str(result.get("as_of_hash", ""))
    past = f" (as of {escape(as_of)})" if as_of is not None else " (live)"
    return (
        f'<p class="head" data-seq="{seq}" data-hash="{escape(digest, quote=True)}">Figures from '
        f"the log at seq {seq}, hash <code>{escape(digest[:16])}…</code>{past}.</p>"
    )
