"""JSON at the edge: exact Decimals become numbers only when leaving the ledger."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def jsonable(value: Any) -> Any:
    """Decimals to floats, tuples to lists, envelopes to dicts, recursively."""
    if hasattr(value, "envelope"):
        return value.envelope()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value
