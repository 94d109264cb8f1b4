"""JSON at the edge: exact Decimals become numbers only when leaving the ledger, and nothing
that is not JSON (NaN, an infinity) ever leaves it."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any


def jsonable(value: Any) -> Any:
    """Decimals to floats, tuples to lists, envelopes to dicts, recursively; a number JSON
    cannot carry (NaN, an infinity, a Decimal beyond a float's range) becomes null."""
    if hasattr(value, "envelope"):
        return value.envelope()
    if isinstance(value, Decimal | float):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value
