"""Scoring opportunities into a file: the one flow `decisions score` and the scheduler's
`rescore` job share (the scoring itself: ledger/app/scoring.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ledger.app.facade import Ledger
from ledger.core.outputs import write_atomically
from ledger.present.encoding import jsonable


def score_and_write(
    ledger: Ledger, opportunities: Any, output: Path, *, record: bool = True
) -> list[dict[str, Any]]:
    """Score the opportunities (`Ledger.score_opportunities`; with `record`, the changed
    predictions kept in the log) and write the scored array to `output` as JSON, whole or
    not at all; the scored array, best first."""
    scored = ledger.score_opportunities(opportunities, record=record)
    text = json.dumps(jsonable(scored), indent=2, ensure_ascii=False) + "\n"
    write_atomically(output, text, ledger=ledger.location)
    return scored
