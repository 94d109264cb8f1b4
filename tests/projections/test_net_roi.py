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


def test_failed_runs_lose_time_only_where_the_approval_says_so(ledger: Ledger) -> None:
    """Estimate 60 s; a success in 30 s saves 30 s; a failure that ran 90 s loses 90 s for
    `lossy` (approved with failed_runs_lose_time) and nothing for `plain`."""
    ledger.approve_pattern("lossy", "60", "0.30", failed_runs_lose_time=True)
    ledger.approve_pattern("plain", "60", "0.30")
    for pid in ("lossy", "plain"):
        ledger.record_execution(pid, "30", "0.10", True, executed_at="2026-10-01T10:00:00Z")
        ledger.record_execution(pid, "90", "0.15", False, executed_at="2026-11-01T10:00:00Z")
    lossy, plain = ledger.pattern_roi("lossy"), ledger.pattern_roi("plain")
    assert lossy["total_time_saved_seconds"] == plain["total_time_saved_seconds"] == D(30)
    assert lossy["total_failed_time_seconds"] == plain["total_failed_time_seconds"] == D(90)
    assert (lossy["failed_runs_lose_time"], plain["failed_runs_lose_time"]) == (True, False)
    assert lossy["net_time_saved_seconds"] == D(-60)  # 30 − 90
    assert plain["net_time_saved_seconds"] == D(30)
    november = ledger.pattern_roi("lossy", period="2026-11")
    assert november["net_time_saved_seconds"] == D(-90)
    assert ledger.pattern_roi("lossy", period="2026-10")["net_time_saved_seconds"] == D(30)
    explained = ledger_explain(ledger, "lossy")
    assert explained["net_time_saved_seconds"]["value"] == D(-60)
    assert "net_time_saved_seconds" not in ledger_explain(ledger, "plain")


def ledger_explain(ledger: Ledger, pattern_id: str) -> dict[str, dict[str, object]]:
    from ledger.app.explain import roi

    return {f["figure"]: f for f in roi(ledger, pattern_id)["figures"]}


def test_an_approval_stored_before_the_flag_existed_reads_as_not_losing_time() -> None:
    from events.registry import decode_event

    old = {"pattern_id": "p", "estimated_cost": "0.30", "estimated_time_seconds": "60",
           "approved_by": None, "description": None, "confidence": None}  # fmt: skip
    assert decode_event("PatternApproved", 2, old).failed_runs_lose_time is False  # type: ignore[attr-defined]


def test_the_flag_on_the_cli(cli: Cli) -> None:
    cli("pattern", "approve", "p", "--estimated-time-seconds", "60", "--estimated-cost", "0.3",
        "--failed-runs-lose-time")  # fmt: skip
    cli("record", "execution", "--pattern-id", "p", "--execution-time-seconds", "90",
        "--actual-cost", "0.1", "--failure")  # fmt: skip
    shown = cli("roi", "pattern", "p")
    assert "net time saved" in shown.stdout and "-90.0 s" in shown.stdout, shown.stdout
    assert cli.json("roi", "pattern", "p")["net_time_saved_seconds"] == -90
