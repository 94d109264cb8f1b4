"""The dashboard: server-rendered HTML pages with SVG charts, no JavaScript, nothing fetched
from elsewhere. Each page reads through the same `Ledger` methods as the JSON API, takes
`as_of` (and `now`), and says which head of the log its figures come from. Here, the
pages' routes and what each takes from its query string; the pages themselves are in
roi_pages, decision_page and ledger_page, their frame in page_frame, what they show and its
controls in shown.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response

from ledger.interfaces.http import roi_pages
from ledger.interfaces.http.decision_page import decisions
from ledger.interfaces.http.ledger_page import ledger_page
from ledger.interfaces.http.page_frame import FAVICON
from ledger.interfaces.http.params import ledger_of
from ledger.interfaces.http.shown import Shown, asked

Asked = Annotated[Shown, Depends(asked)]


def mount(app: FastAPI) -> None:
    """Add the dashboard's pages to the app."""

    @app.get("/favicon.svg", include_in_schema=False)
    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        """The tab's icon: a rising bar chart (no 404 on every page)."""
        return Response(FAVICON, media_type="image/svg+xml",
                        headers={"Cache-Control": "max-age=86400"})  # fmt: skip

    @app.get("/", include_in_schema=False, response_class=HTMLResponse)
    def portfolio(request: Request, shown: Asked) -> HTMLResponse:
        return roi_pages.portfolio(ledger_of(request), shown)

    @app.get("/patterns/{pattern_id:path}", include_in_schema=False, response_class=HTMLResponse)
    def pattern(
        request: Request,
        pattern_id: str,
        shown: Asked,
        per: str | None = Query(None, description="The trend's bucket: day, week or month."),
        period: str | None = None,
    ) -> HTMLResponse:
        """`period` is read as given too: an older link names the trend's bucket in it."""
        per, period = roi_pages.bucket(per, period)
        shown = shown if period is not None else shown._replace(period=None)
        return roi_pages.pattern(ledger_of(request), pattern_id, per, shown)

    @app.get("/decisions", include_in_schema=False, response_class=HTMLResponse)
    def decision_loop(request: Request, shown: Asked) -> HTMLResponse:
        return decisions(ledger_of(request), shown)

    @app.get("/ledger", include_in_schema=False, response_class=HTMLResponse)
    def log(
        request: Request,
        as_of: str | None = None,
        now: str | None = None,
        before: int | None = Query(None, ge=1, le=2**53, description="Events before this seq."),
    ) -> HTMLResponse:
        return ledger_page(ledger_of(request), Shown.of(as_of, now), before)
