"""The ROI arithmetic, exact: hand-worked figures and the source's own worked example."""

from __future__ import annotations

from decimal import Decimal

from projections.roi_math import RoiTotals, combine, execution_delta, figures, roi_percentage
from projections.stats import sample_confidence, wilson_interval


def run(success: bool, est_t: str, act_t: str, est_c: str, act_c: str) -> RoiTotals:
    return execution_delta(
        success=success,
        execution_time_seconds=Decimal(act_t),
        estimated_time_seconds=Decimal(est_t),
        actual_cost=Decimal(act_c),
        estimated_cost=Decimal(est_c),
    )


def test_only_successful_runs_save_but_every_run_counts_in_averages() -> None:
    totals = RoiTotals()
    totals = combine(totals, run(True, "60", "45", "0.30", "0.10"))
    totals = combine(totals, run(True, "60", "50", "0.30", "0.10"))
    totals = combine(totals, run(False, "60", "90", "0.30", "0.50"))
    f = figures(totals)
    assert f["total_executions"] == 3
    assert f["successful_executions"] == 2
    assert f["total_time_saved_seconds"] == Decimal("25")
    assert f["total_cost_saved_usd"] == Decimal("0.40")
    assert f["average_time_saved_seconds"] == Decimal("25") / 3
    # investment = actual cost of successful runs = 0.20; ROI = 0.40 / 0.20 × 100
    assert f["roi_percentage"] == Decimal("200")


def test_source_worked_example_average_is_over_all_executions() -> None:
    totals = RoiTotals(150, 148, Decimal("3450.0"), Decimal("425.50"), Decimal("136.38"))
    assert figures(totals)["average_time_saved_seconds"] == Decimal("23")


def test_roi_exactly_twice_the_spend_is_exactly_200() -> None:
    # Estimated 0.30, actually spent 0.10: saved twice the spend (binary floats give
    # 199.99999999999997, below the 200 the "excellent" tier asks for)
    totals = combine(RoiTotals(), run(True, "60", "45", "0.3", "0.1"))
    assert figures(totals)["roi_percentage"] == Decimal(200)


def test_roi_is_null_without_spend() -> None:
    assert roi_percentage(Decimal("1"), Decimal("0")) is None


def test_retraction_delta_cancels_exactly() -> None:
    once = run(True, "60", "45.2", "0.015", "0.012")
    undo = execution_delta(
        success=True,
        execution_time_seconds=Decimal("45.2"),
        estimated_time_seconds=Decimal("60"),
        actual_cost=Decimal("0.012"),
        estimated_cost=Decimal("0.015"),
        sign=-1,
    )
    back = combine(combine(RoiTotals(), once), undo)
    assert back.total_executions == 0 and back.total_cost_saved_usd == 0


def test_wilson_interval_known_values() -> None:
    low, high = wilson_interval(148, 150)  # type: ignore[misc]
    assert 0.95 < low < 0.96 and 0.99 < high < 1.0
    assert wilson_interval(0, 0) is None
    assert wilson_interval(0, 10)[0] == 0.0  # type: ignore[index]


def test_sample_confidence_bands_rise_and_stay_below_one() -> None:
    assert sample_confidence(0) == 0
    assert all(sample_confidence(n) < 0.7 for n in range(1, 5))
    assert all(0.7 <= sample_confidence(n) < 0.9 for n in range(5, 10))
    assert all(0.9 <= sample_confidence(n) < 1 for n in range(10, 10_000, 97))
    values = [sample_confidence(n) for n in range(0, 200)]
    assert values == sorted(values) and len(set(values)) == len(values)
