"""How figures read, one rule for every surface (terminal, dashboard, Markdown reports):
the sign before the currency symbol, amounts under a dollar with four decimals (per-run
costs are fractions of a cent), never a non-zero amount shown as `$0.00`, and one rounding
mode (half-even, on the exact decimal — a float is read as the decimal it prints as)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def money(value: Any) -> str:
    """$1,234.56; $0.0035 under a dollar; $0.000042 under a hundredth of a cent; -$0.1499."""
    if value is None:
        return "–"
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    if not amount.is_finite():
        return "–"
    sign = "-" if amount < 0 else ""
    size = abs(amount)
    if size >= 1 or size == 0:
        return f"{sign}${size:,.2f}"
    if size >= Decimal("0.0001"):
        return f"{sign}${size:,.4f}"
    places = max(4, -size.adjusted() + 1)  # two significant digits: never "$0.0000"
    return f"{sign}${size:,.{places}f}"


def to_the_second(stamp: str) -> str:
    """A stored timestamp to read: `2026-12-07 17:26:09` (UTC, no fraction)."""
    return stamp[:19].replace("T", " ")
