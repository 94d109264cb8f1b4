"""Effectiveness ratings at every tier and exact boundary, checked in order (README
"Automation ROI")."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from ledger import Ledger
from projections.effectiveness import confidence_for, rate, recommendation

CASES = [
    # executions, success rate, ROI, cost saved -> rating
    (2, D("1"), D("500"), D("1"), "insufficient_data"),
    (3, D("0.49"), D("-0.01"), D("-1"), "failed"),
    (3, D("0.50"), D("-0.01"), D("-1"), "poor"),  # not below 0.50: not failed
    (3, D("0.49"), D("0"), D("0"), "poor"),  # ROI not below 0: not failed
    (20, D("0.95"), D("200"), D("1"), "excellent"),
    (20, D("0.95"), D("199.99"), D("1"), "good"),
    (20, D("0.9499"), D("500"), D("1"), "good"),
    (20, D("0.85"), D("100"), D("1"), "good"),
    (20, D("0.85"), D("99.99"), D("1"), "acceptable"),
    (20, D("0.8499"), D("150"), D("1"), "acceptable"),
    (20, D("0.70"), D("50"), D("1"), "acceptable"),
    (20, D("0.70"), D("49.99"), D("1"), "poor"),
    (20, D("0.6999"), D("300"), D("1"), "poor"),
    (20, D("0.95"), None, D("2.5"), "excellent"),  # no spend, savings: clears every bar
    (20, D("0.95"), None, D("0"), "poor"),  # no spend, no savings: ROI counts as 0
]


@pytest.mark.parametrize(("n", "success", "roi", "saved", "expected"), CASES)
def test_rating_tiers_and_boundaries(
    n: int, success: D, roi: D | None, saved: D, expected: str
) -> None:
    assert rate(n, success, roi, saved) == expected


def test_recommendation_quotes_the_figures() -> None:
    text = recommendation("excellent", 150, D(148) / D(150), D("312"))
    assert "98.7% success rate and 312.0% ROI" in text and "expand" in text
    assert "Revoke" in recommendation("failed", 10, D("0.3"), D("-20"))
    assert "no spend" in recommendation("excellent", 10, D(1), None)


@pytest.mark.parametrize(
    ("rating", "n", "expected"),
    [
        ("excellent", 19, D("0.95")),
        ("excellent", 20, D("0.97")),
        ("excellent", 50, D("1.00")),  # 0.95 + 0.05, capped at 1.0
        ("good", 49, D("0.87")),
        ("acceptable", 3, D("0.70")),
        ("poor", 60, D("0.55")),
        ("failed", 25, D("0.32")),
        ("insufficient_data", 2, None),
    ],
)
def test_confidence_from_rating_and_sample_size(rating: str, n: int, expected: D | None) -> None:
    assert confidence_for(rating, n) == expected  # type: ignore[arg-type]


def test_savings_exactly_twice_the_spend_rate_excellent_end_to_end(ledger: Ledger) -> None:
    """19 of 20 succeed (0.95), each estimated $0.30 and spent $0.10: ROI exactly 200."""
    ledger.approve_pattern("p", "60", "0.30")
    for i in range(20):
        ledger.record_execution("p", "30", "0.1", i != 0)
    row = ledger.pattern_roi("p")
    assert row["success_rate"] == D("0.95")
    assert row["roi_percentage"] == D(200)
    assert row["effectiveness_rating"] == "excellent"
    assert ledger.effectiveness("p")["recommendation"].startswith(
        "Exceptional performance! Pattern achieves 95.0% success rate and 200.0% ROI"
    )
