"""`Ledger`: every feature's commands and queries on one object (README "Python")."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ledger.app.automation import PatternLedger
from ledger.app.decisions import DecisionLedger

if TYPE_CHECKING:
    from ledger.app.batch import BatchOutcome, Numbered


class Ledger(PatternLedger, DecisionLedger):
    """An open ledger. `Ledger.open(path_or_url=None)`, best used as a context manager."""

    def execute_batch(
        self,
        items: Numbered,
        *,
        chunk_size: int = 5000,
        on_chunk: Callable[[int], None] | None = None,
    ) -> BatchOutcome:
        """Run numbered commands (`record batch`), committing every `chunk_size`; bad ones are
        reported and skipped (ledger/app/batch.py)."""
        from ledger.app.batch import run_batch

        return run_batch(self, items, chunk_size, on_chunk)


__all__ = ["Ledger"]
