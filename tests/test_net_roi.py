"""Net ROI (issue 20): a failed run's actual cost is money spent. Beside the source's ROI
(cost saved / spend on successful runs), the net figures count it."""

from __future__ import annotations

from decimal import Decimal as D

from ledger import Ledger
from tests.conftest import Cli


def test_a_failed_runs_cost_is_spent_money_by_hand(ledger: Ledger) -> None:
    """Estimate 0.30; a success at 0.10 saves 0.20 on 0.10 spent; a failure burns 0.15."""
    ledger.approve_pattern("p", "60", "0.30", approved_at="2026-09-01")
    ledger.record_execution("p", "30", "0.10", True, executed_at="2026-10-01T10:00:00Z")
    failed = ledger.record_execution("p", "90", "0.15", False, executed_at="2026-11-01T10:00:00Z")
    row = ledger.pattern_roi("p")
    assert row["roi_percentage"] == D("200")  # the source's figure: failures left out
    assert row["total_failed_cost_usd"] == D("0.15")
    assert row["net_cost_saved_usd"] == D("0.05")  # 0.20 − 0.15
    assert row["net_roi_percentage"] == D("20")  # 0.05 / (0.10 + 0.15)
    october = ledger.pattern_roi("p", period="2026-10")
    assert (october["total_failed_cost_usd"], october["net_roi_percentage"]) == (D(0), D(200))
    november = ledger.pattern_roi("p", period="2026-11")
    assert november["net_cost_saved_usd"] == D("-0.15")
    assert november["roi_percentage"] is None and november["net_roi_percentage"] == D("-100")
    ledger.retract(failed["seq"], "not a real run")
    again = ledger.pattern_roi("p")
    assert again["total_failed_cost_usd"] == 0 and again["net_roi_percentage"] == D("200")
    assert [r["net_roi_percentage"] for r in ledger.roi_summary()] == [D("200")]


def test_net_figures_on_the_cli(cli: Cli) -> None:
    with Ledger.open(cli.db) as led:
        led.approve_pattern("p", "60", "0.30")
        led.record_execution("p", "30", "0.10", True)
        led.record_execution("p", "90", "0.15", False)
    shown = cli("roi", "pattern", "p")
    assert "net ROI" in shown.stdout and "20.0%" in shown.stdout, shown.stdout
    assert cli.json("roi", "summary")[0]["net_cost_saved_usd"] == 0.05
