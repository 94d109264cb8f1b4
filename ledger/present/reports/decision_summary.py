"""Decision summaries on disk: JSON and Markdown, named as the source names them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ledger.core.outputs import write_atomically
from ledger.present.encoding import jsonable
from ledger.present.reports.markdown import fenced, table
from projections.formats import money, percent


def file_stem(summary: dict[str, Any]) -> str:
    """decision-summary-YYYY-MM-DD or weekly-summary-YYYY-WXX."""
    if "week" in summary:
        return f"weekly-summary-{summary['week']}"
    return f"decision-summary-{summary['date']}"


def markdown(summary: dict[str, Any]) -> str:
    """The summary as a Markdown page."""
    title = (
        f"Weekly decision summary {summary['week']} ({summary['start']} – {summary['end']})"
        if "week" in summary
        else f"Decision summary {summary['date']}"
    )
    lines = [
        f"# {title}",
        "",
        f"Computed from the ledger as of seq {summary['as_of_seq']} "
        f"(hash `{summary['as_of_hash']}`).",
        "",
        *fenced(summary["performance_summary"]),
        "",
        "## Conversion rates",
        "",
    ]
    rates = summary["conversion_rates"]
    if rates:
        lines += table(
            ["Source", "Type", "Decisions", "Conversion", "Revenue"],
            [
                [
                    r["source_type"],
                    r["opportunity_type"],
                    str(r["total_decisions"]),
                    percent(r["conversion_rate"]),
                    money(r["total_revenue"]),
                ]
                for r in rates
            ],
        )
    else:
        lines.append("_No decisions yet._")
    return "\n".join(lines).rstrip() + "\n"


def write(summary: dict[str, Any], directory: Path, ledger: str | None) -> tuple[Path, Path]:
    """Write `<stem>.json` and `<stem>.md` atomically (never onto the ledger at `ledger`);
    returns both paths."""
    stem = file_stem(summary)
    json_file, md_file = directory / f"{stem}.json", directory / f"{stem}.md"
    files = [str(json_file), str(md_file)]
    body = {**summary, "files": files}
    text = json.dumps(jsonable(body), indent=2, ensure_ascii=False) + "\n"
    write_atomically(json_file, text, ledger=ledger, field="output_dir")
    write_atomically(md_file, markdown(body), ledger=ledger, field="output_dir")
    summary["files"] = files
    return json_file, md_file
