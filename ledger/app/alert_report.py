"""The alerts report of one `roi-alerts` run: the alerts as the ledger stood at a moment, each
with its lifecycle state settled in the log (ledger/app/alerting.py), written as JSON and
Markdown."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ledger.app.alerting import settle
from ledger.app.facade import Ledger
from ledger.app.filing import write_pair
from ledger.present.reports.markdown import inline
from ledger.store.log_head import Head


def alert_report(
    ledger: Ledger, now: datetime, period: str, stem: Path, as_of: str | None
) -> list[str]:
    """The alerts as the ledger stood at `as_of` (counted from `now`), as `stem`.json and
    `stem`.md, each with its state (`new`, or `firing` since the run that raised it), and
    those resolved since the last run; settling appends the transitions, so the webhook is
    told of each raising and resolution once."""
    head = ledger.head(as_of)
    lifecycle = settle(ledger, ledger.alerts(now=now, as_of=as_of), period)
    body = {
        "period": period,
        "now": now.astimezone(UTC).isoformat(),
        "alerts": lifecycle["alerts"],
        "resolved": lifecycle["resolved"],
        "as_of_seq": head.seq,
        "as_of_hash": head.hash,
    }
    markdown = alerts_markdown(period, head, lifecycle["alerts"], lifecycle["resolved"])
    return write_pair(ledger.location, stem, body, markdown)


def alerts_markdown(
    period: str, head: Head, alerts: list[dict[str, Any]], resolved: list[dict[str, Any]]
) -> str:
    """The run's alerts as Markdown: one line each (severity, pattern, type, state, message),
    then the ones resolved since the last run."""
    lines = [f"# ROI alerts {period}", "", f"As of seq {head.seq} (`{head.hash}`).", ""]
    lines += [
        f"- **{a['severity']}** {inline(a['pattern_id'])} — {a['alert_type']}"
        f" ({'new' if a['state'] == 'new' else 'firing since ' + str(a['since'])}): "
        f"{inline(a['message'])}"
        for a in alerts
    ] or ["No alerts."]
    if resolved:
        lines += ["", "Resolved since the last run:", ""]
        lines += [f"- {inline(a['pattern_id'])} — {a['alert_type']}" for a in resolved]
    return "\n".join(lines) + "\n"
