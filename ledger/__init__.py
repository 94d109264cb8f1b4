"""roi-ledger: an event-sourced, tamper-evident ledger for automation ROI and decisions.

`from ledger import Ledger` — imported lazily so `roi-ledger --help` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ledger.app.facade import Ledger

__all__ = ["Ledger"]


def __getattr__(name: str) -> Any:
    if name == "Ledger":
        from ledger.app.facade import Ledger

        return Ledger
    raise AttributeError(name)
