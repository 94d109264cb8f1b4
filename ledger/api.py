"""`Ledger`: every feature's commands and queries on one object (SPEC §6.3)."""

from __future__ import annotations

from ledger.decision_methods import DecisionLedger
from ledger.pattern_methods import PatternLedger


class Ledger(PatternLedger, DecisionLedger):
    """An open ledger. `Ledger.open(path_or_url=None)`, best used as a context manager."""


__all__ = ["Ledger"]
