"""Filing a period's report exactly once, and the JSON-and-Markdown pair reports are written as.

The log, not a scheduler's memory, is the record of what was filed: each report appends a
`ReportGenerated` keyed `report:<kind>:<period>`, naming the head it was computed from.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from commands.ledger import RecordReport
from ledger.core.outputs import write_atomically
from ledger.present.encoding import jsonable
from ledger.validation import build_command

if TYPE_CHECKING:
    from ledger.core.service import LedgerCore


def file_report(
    ledger: LedgerCore,
    kind: str,
    period: str,
    as_of: str | None,
    produce: Callable[[], list[str]],
    *,
    appends_events: bool = False,
) -> list[str] | None:
    """Produce one period's report and record it; None when the log already holds it
    (another scheduler filed it first).

    Everything happens under the ledger's write lock, in one transaction: the check that the
    period is still missing, the report computed from that snapshot (so its as_of is exact),
    the files written (atomically), and the ReportGenerated appended. A crash before the
    commit leaves no record, so the next run produces the period again. A producer that
    `appends_events` runs its own transactions, so it runs before the lock, not under it; it
    must be idempotent, as two schedulers may both run it before one records the period.
    """
    key = f"report:{kind}:{period}"
    early = produce() if appends_events else None
    with ledger.unit_of_work() as uow:
        if uow.duplicate(key) is not None:
            return None
        head = ledger.head(as_of)  # inside this transaction: its as_of is exact
        files = early if early is not None else produce()
        cmd = build_command(
            RecordReport,
            {
                "kind": kind,
                "period": period,
                "as_of_seq": head.seq,
                "as_of_hash": head.hash,
                "files": files,
                "idempotency_key": key,
            },
        )
        ledger.dispatch(uow, cmd)
    return files


def write_pair(location: str, stem: Path, data: dict[str, Any], markdown: str) -> list[str]:
    """A report as `stem`.json (its figures, exact) and `stem`.md (as it reads), each written
    whole or not at all (never over the ledger at `location`); their paths."""
    json_path, md_path = stem.with_suffix(".json"), stem.with_suffix(".md")
    write_atomically(json_path, json.dumps(jsonable(data), indent=2) + "\n", ledger=location)
    write_atomically(md_path, markdown, ledger=location)
    return [str(json_path), str(md_path)]
