"""Two windows compared, figure by figure: each figure's change, and the test of whether a
rate differs. The pieces `roi summary --compare` and `decisions conversions --compare` state
alike (projections/roi_queries.py, projections/conversions.py)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import Any

from projections.roi_math import CTX
from projections.stats import two_proportion_test


def change(now: Any, before: Any, *, whole: bool = False) -> dict[str, Any]:
    """A figure's absolute change and its relative change in percent of the previous value:
    both None where either value is unknown, the relative one None where the previous is 0;
    `whole`: a count, its absolute change an int."""
    if now is None or before is None:
        return {"absolute": None, "relative_percent": None}
    absolute = Decimal(now) - Decimal(before)
    relative = None if before == 0 else CTX.divide(absolute * 100, abs(Decimal(before)))
    return {"absolute": int(absolute) if whole else absolute, "relative_percent": relative}


def rate_test(
    now: dict[str, Any], before: dict[str, Any] | None, successes: str, trials: str
) -> dict[str, Any]:
    """The two-proportion test that the rate `successes`/`trials` (the rows' keys) is the
    same in both windows (its p-value None without a previous row or without trials in
    both)."""
    p_value = None if before is None else two_proportion_test(
        now[successes], now[trials], before[successes], before[trials]
    )  # fmt: skip
    return {
        "test": "two-proportion z-test, two-sided",
        "p_value": p_value,
        "differs_at_5_percent": None if p_value is None else p_value < 0.05,
    }


def compare_windows(
    current: Sequence[dict[str, Any]],
    previous: Sequence[dict[str, Any]],
    *,
    keys: tuple[str, ...],
    figures: Sequence[str],
    counts: Collection[str],
    test: str,
    successes: str,
    trials: str,
) -> list[dict[str, Any]]:
    """Per row of `current`, in its order: its `keys`, the `change` of each of its `figures`
    from the previous window's row of the same keys (`counts` are whole numbers), and under
    `test` the `rate_test` of `successes`/`trials`. A row absent from the previous window
    has every change and its p-value None."""
    before = {tuple(r[k] for k in keys): r for r in previous}
    out = []
    for row in current:
        old = before.get(tuple(row[k] for k in keys))
        out.append(
            {
                **{k: row[k] for k in keys},
                "change": {
                    f: change(row[f], None if old is None else old[f], whole=f in counts)
                    for f in figures
                },
                test: rate_test(row, old, successes, trials),
            }
        )
    return out
