"""Calibration: were the predictions right? Brier score and a reliability table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

BUCKETS = 10


def calibration(pairs: Sequence[tuple[float, bool]]) -> dict[str, Any]:
    """(predicted probability 0..1, converted?) pairs → Brier score and reliability buckets."""
    if not pairs:
        return {"count": 0, "brier_score": None, "buckets": []}
    brier = sum((p - float(y)) ** 2 for p, y in pairs) / len(pairs)
    table: dict[int, list[tuple[float, bool]]] = {}
    for p, y in pairs:
        table.setdefault(min(int(p * BUCKETS), BUCKETS - 1), []).append((p, y))
    buckets = []
    for index in sorted(table):
        members = table[index]
        buckets.append(
            {
                "range": f"{index * 100 // BUCKETS}–{(index + 1) * 100 // BUCKETS}%",
                "lower": index / BUCKETS,
                "upper": (index + 1) / BUCKETS,
                "count": len(members),
                "mean_predicted": sum(p for p, _ in members) / len(members),
                "observed_rate": sum(1 for _, y in members if y) / len(members),
            }
        )
    return {"count": len(pairs), "brier_score": brier, "buckets": buckets}
