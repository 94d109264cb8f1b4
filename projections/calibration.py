"""Calibration: were the predictions right? Brier score, its decomposition, the expected
calibration error and a reliability table.

Over the 10 buckets of predicted probability (Murphy's decomposition): `reliability` =
Σ nₖ (mean predictedₖ − observedₖ)² / N (0 is perfectly calibrated: lower is better),
`resolution` = Σ nₖ (observedₖ − observed)² / N (how far the buckets' outcomes differ from
the overall rate: higher is better), `uncertainty` = observed × (1 − observed) (the
outcomes' own spread, no forecast can lower it). Brier = reliability − resolution +
uncertainty + `within_bucket_spread` (the part the bucketing hides; 0 when every forecast in
a bucket is the same). `expected_calibration_error` = Σ nₖ |mean predictedₖ − observedₖ| / N.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

BUCKETS = 10


def calibration(pairs: Sequence[tuple[float, bool]]) -> dict[str, Any]:
    """(predicted probability 0..1, converted?) pairs → Brier score and reliability buckets."""
    if not pairs:
        return {
            "count": 0, "brier_score": None, "reliability": None, "resolution": None,
            "uncertainty": None, "within_bucket_spread": None,
            "expected_calibration_error": None, "buckets": [],
        }  # fmt: skip
    brier = sum((p - float(y)) ** 2 for p, y in pairs) / len(pairs)
    table: dict[int, list[tuple[float, bool]]] = {}
    for p, y in pairs:
        table.setdefault(min(int(p * BUCKETS), BUCKETS - 1), []).append((p, y))
    buckets: list[dict[str, Any]] = []
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
    n = len(pairs)
    base = sum(1 for _, y in pairs if y) / n
    reliability = sum(b["count"] * (b["mean_predicted"] - b["observed_rate"]) ** 2 for b in buckets)
    resolution = sum(b["count"] * (b["observed_rate"] - base) ** 2 for b in buckets)
    uncertainty = base * (1 - base)
    ece = sum(b["count"] * abs(b["mean_predicted"] - b["observed_rate"]) for b in buckets) / n
    return {
        "count": n,
        "brier_score": brier,
        "reliability": reliability / n,
        "resolution": resolution / n,
        "uncertainty": uncertainty,
        "within_bucket_spread": brier - (reliability / n - resolution / n + uncertainty),
        "expected_calibration_error": ece,
        "buckets": buckets,
    }
