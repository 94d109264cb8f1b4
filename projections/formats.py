"""How figures read, one rule for every surface: the terminal, the dashboard, the Markdown
reports and the sentences insights and recommendations write.

- One rounding mode, half-even, on the exact decimal (a float is read as the decimal it
  prints as), so 12.25 % reads 12.2 % in a table, on a page and in a recommendation alike.
- Money: the sign before the currency symbol, amounts under a dollar with four decimals
  (per-run costs are fractions of a cent), never a non-zero amount shown as `$0.00`.
- A change carries its sign written out, `+` or `−` (U+2212), and never reads `−0.0`.
- Nothing unknown is invented: None (and a non-finite number) reads `–`.

It sits with the projections because the sentences they write quote figures too; every
layer above uses it (README "Layers").
"""

from __future__ import annotations

from decimal import (
    MAX_EMAX,
    MIN_EMIN,
    ROUND_DOWN,
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    InvalidOperation,
)
from typing import Any

DASH = "–"
"""What an unknown figure reads as."""
MINUS = "−"
"""The sign of a negative change (U+2212, as wide as the plus)."""


def exact(value: Any) -> Decimal | None:
    """A figure as an exact decimal (a float as the decimal it prints as); None when it is
    unknown or not a finite number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except ArithmeticError:
        return None
    return amount if amount.is_finite() else None


def rounded(value: Any, places: int = 1) -> Decimal | None:
    """The figure rounded half-even to `places` decimals (no negative zero)."""
    amount = exact(value)
    if amount is None:
        return None
    out = _quantize(amount, places)
    return out.copy_abs() if out.is_zero() else out


HUGE = 18
"""Digits before the point from which a figure is written in scientific notation (no input
the ledger accepts gets there; a figure that did would not fill a screen with digits)."""
TINY = Decimal("1e-12")
"""Below this a non-zero amount of money reads `<$0.000000000001` instead of its digits."""
_WIDE = Context(prec=60, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[InvalidOperation])
"""Scaling a figure never overflows (a rate × 100 of an absurd size stays a number)."""


def _quantize(amount: Decimal, places: int, rounding: str = ROUND_HALF_EVEN) -> Decimal:
    """`amount` to `places` decimals, with the precision that takes (a big figure is
    rounded, not refused for exceeding the default context's 28 digits)."""
    digits = max(28, amount.adjusted() + places + 2)
    wide = Context(prec=digits, Emax=MAX_EMAX, Emin=MIN_EMIN)
    return amount.quantize(Decimal(1).scaleb(-places), rounding, wide)


def _scaled(amount: Decimal, scale: int) -> Decimal:
    return amount if scale == 1 else _WIDE.multiply(amount, Decimal(scale))


def number(value: Any, places: int = 1) -> str:
    """`1,234.5`: rounded half-even, thousands separated; `–` when unknown."""
    amount = exact(value)
    if amount is None:
        return DASH
    if amount.adjusted() >= HUGE:
        return f"{amount:.3E}"
    out = rounded(amount, places)
    assert out is not None
    return f"{out:,.{places}f}"


def percent(value: Any, places: int = 1, *, scale: int = 1) -> str:
    """`98.7%` (scale 100 for a rate between 0 and 1); `–` when unknown."""
    amount = exact(value)
    return DASH if amount is None else number(_scaled(amount, scale), places) + "%"


def percent_range(low: Any, high: Any, places: int = 0, *, scale: int = 1) -> str:
    """An interval of percentages, `12–34%`; `–` when either end is unknown."""
    a, b = exact(low), exact(high)
    if a is None or b is None:
        return DASH
    return f"{number(_scaled(a, scale), places)}–{number(_scaled(b, scale), places)}%"


def money(value: Any) -> str:
    """$1,234.56; $0.0035 under a dollar; $0.000042 under a hundredth of a cent; -$0.1499."""
    amount = exact(value)
    if amount is None:
        return DASH
    sign = "-" if amount < 0 else ""
    size = amount.copy_abs()
    if size.adjusted() >= HUGE:
        return f"{sign}${size:.3E}"
    if 0 < size < TINY:
        return f"{'>-' if sign else '<'}$0.000000000001"
    if size >= 1 or size == 0:
        places = 2
    elif size >= Decimal("0.0001"):
        places = 4
    else:
        places = max(4, -size.adjusted() + 1)  # two significant digits: never "$0.0000"
    shown = _quantize(size, places)
    return f"{sign}${shown:,.{places}f}"


def change(value: Any, unit: str = "") -> str:
    """A change with its sign written out: `+3`, `−$0.12`, `+4.0 pt`; `–` when unknown. A
    change that rounds to nothing reads `+0.0 pt`, never `−0.0 pt`.

    `unit`: "$" money; "pt" a change of a rate between 0 and 1, in percentage points;
    "pt%" a change of a figure already in percent, in points; "" a count.
    """
    amount = exact(value)
    if amount is None:
        return DASH
    size = amount.copy_abs()
    if unit == "$":
        magnitude, nothing = money(size), size == 0
    else:
        scale, places, suffix = {"pt": (100, 1, " pt"), "pt%": (1, 1, " pt"), "": (1, 0, "")}[unit]
        text = number(_scaled(size, scale), places)
        magnitude, nothing = text + suffix, not any(c in "123456789" for c in text)
    return ("+" if amount >= 0 or nothing else MINUS) + magnitude


BAR = Decimal("0.05")
"""The significance bar p-values are read against (projections/rules.py: ALPHA)."""


def p_value(value: Any) -> str:
    """A p-value to three decimals (`0.031`), `<0.001` below that; never rounded across the
    bar (0.0496 reads `0.049`, not `0.050`, beside a claim it supports); `–` without a test."""
    p = exact(value)
    if p is None:
        return DASH
    if p >= 1:  # not below any bar: as a number (1.000, or whatever was handed in)
        return number(p, 3)
    if p < Decimal("0.001"):
        return "<0.001"
    shown = _quantize(p, 3)
    if p < BAR <= shown:
        shown = _quantize(p, 3, ROUND_DOWN)
    return f"{shown:.3f}"


def p_is(value: Any) -> str:
    """A p-value in a sentence: `p = 0.031`, `p < 0.001`; `p –` without a test."""
    shown = p_value(value)
    return f"p < {shown[1:]}" if shown.startswith("<") else f"p = {shown}"


def to_the_second(stamp: str) -> str:
    """A stored timestamp to read: `2026-12-07 17:26:09` (UTC, no fraction)."""
    return stamp[:19].replace("T", " ")
