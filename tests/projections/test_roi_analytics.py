"""Rankings, dashboard, alerts, trends and the confidence loop, with hand-worked figures at a
fixed --now (2026-03-20T12:00:00Z)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from ledger import Ledger
from ledger.errors import InputError
from tests.conftest import Cli

NOW = "2026-03-20T12:00:00Z"


def approve(led: Ledger, pid: str, est_cost: str = "0.30", at: str = "2026-01-01") -> None:
    led.approve_pattern(pid, "60", est_cost, approved_at=at)


def runs(led: Ledger, pid: str, outcomes: str, cost: str = "0.10", day: str = "2026-03-19") -> None:
    """One execution per character: '+' success, '-' failure, on `day`."""
    for i, mark in enumerate(outcomes):
        at = f"{day}T{8 + i % 12:02d}:00:00Z"
        led.record_execution(pid, "30", cost, mark == "+", executed_at=at)


@pytest.fixture
def portfolio(ledger: Ledger) -> Ledger:
    """Hand-worked patterns (est. cost 0.30 unless said; '+' success):

    star:    6 runs, all ok, cost 0.10 → saved 1.20 on 0.60 spent → ROI 200, 100 %
    solid:   5 runs, all ok, cost 0.15 → saved 0.75 on 0.75 → ROI 100, 100 %
    fewruns: 4 runs, all ok, cost 0.01 → ROI 2900 but < 5 runs: not a top performer
    weak:    4 runs, 2 ok, cost 0.25 → saved 0.10 on 0.50 → ROI 20, 50 % → poor
    broken:  3 runs, 1 ok, cost 0.40 → saved -0.10 on 0.40 → ROI -25, 33.3 % → failed
    """
    for pid in ("star", "solid", "fewruns", "weak", "broken"):
        approve(ledger, pid)
    runs(ledger, "star", "++++++")
    runs(ledger, "solid", "+++++", cost="0.15")
    runs(ledger, "fewruns", "++++", cost="0.01")
    runs(ledger, "weak", "+-+-", cost="0.25")
    runs(ledger, "broken", "-+-", cost="0.40")
    return ledger


def test_summary_is_by_cost_saved(portfolio: Ledger) -> None:
    rows = portfolio.roi_summary()
    assert [(r["pattern_id"], r["total_cost_saved_usd"]) for r in rows] == [
        ("star", D("1.20")),
        ("fewruns", D("1.16")),  # 4 × (0.30 − 0.01)
        ("solid", D("0.75")),
        ("weak", D("0.10")),
        ("broken", D("-0.10")),
    ]
    assert rows[-1]["roi_percentage"] == D("-25")


def test_top_performers_need_five_runs_and_rank_by_roi(portfolio: Ledger) -> None:
    top = portfolio.top_performers()
    assert [(r["pattern_id"], r["roi_percentage"]) for r in top] == [
        ("star", D(200)),
        ("solid", D(100)),
    ]
    assert [r["pattern_id"] for r in portfolio.top_performers(limit=1)] == ["star"]


def test_underperformers_are_poor_or_failed_worst_first(portfolio: Ledger) -> None:
    under = portfolio.underperformers()
    assert [(r["pattern_id"], r["effectiveness_rating"]) for r in under] == [
        ("broken", "failed"),
        ("weak", "poor"),
    ]
    assert portfolio.underperformers(limit=1)[0]["pattern_id"] == "broken"


@pytest.mark.parametrize("limit", [0, 51, -3])
def test_limits_outside_1_to_50_are_refused(portfolio: Ledger, limit: int) -> None:
    with pytest.raises(InputError, match="limit"):
        portfolio.top_performers(limit)
    with pytest.raises(InputError, match="limit"):
        portfolio.underperformers(limit)


def test_dashboard_for_the_month_of_now(portfolio: Ledger) -> None:
    runs(portfolio, "star", "++", day="2026-02-27")  # last month: not counted
    dash = portfolio.dashboard(now=NOW)
    assert dash["month"] == "2026-03"
    assert dash["total_patterns"] == 5
    assert dash["executions_this_month"] == 22
    # 1.20 + 0.75 + 1.16 + 0.10 − 0.10 (February's 0.40 for star excluded)
    assert dash["cost_saved_this_month_usd"] == D("3.11")
    # mean of success rates: (1 + 1 + 1 + 0.5 + 1/3) / 5
    assert dash["average_success_rate"] == (D(1) + 1 + 1 + D("0.5") + D(1) / 3) / 5
    assert [r["pattern_id"] for r in dash["top_performers"]] == ["star", "solid"]
    assert {r["pattern_id"] for r in dash["needs_attention"]} == {"weak", "broken"}


def kinds(led: Ledger) -> set[tuple[str, str, str]]:
    return {(a["pattern_id"], a["alert_type"], a["severity"]) for a in led.alerts(now=NOW)}


def test_failure_spike_below_70_percent_in_the_last_7_days(ledger: Ledger) -> None:
    approve(ledger, "a", at="2026-03-18")
    approve(ledger, "b", at="2026-03-18")
    approve(ledger, "c", at="2026-03-18")
    runs(ledger, "a", "+--", day="2026-03-14")  # 33 % over 3 runs, 6 days ago: high
    runs(ledger, "b", "++--", day="2026-03-20")  # 50 %: medium
    runs(ledger, "c", "++", day="2026-03-19")  # 2 runs: too few
    runs(ledger, "c", "-----", day="2026-03-13")  # 7 days ago: outside the window
    alerts = kinds(ledger)
    assert ("a", "failure_spike", "high") in alerts
    assert ("b", "failure_spike", "medium") in alerts
    assert not any(p == "c" and k == "failure_spike" for p, k, _ in alerts)


def test_negative_roi(portfolio: Ledger) -> None:
    assert ("broken", "negative_roi", "high") in kinds(portfolio)
    assert not any(k == "negative_roi" and p != "broken" for p, k, _ in kinds(portfolio))


def test_underutilization_after_a_week_with_fewer_than_3_runs_in_30_days(ledger: Ledger) -> None:
    approve(ledger, "idle", at="2026-03-13T12:00:00Z")  # exactly 7 days before now
    approve(ledger, "new", at="2026-03-14")  # 6.5 days: too soon to say
    approve(ledger, "busy", at="2026-01-01")
    runs(ledger, "idle", "++", day="2026-03-19")
    runs(ledger, "idle", "+++", day="2026-02-18")  # 30 days ago: outside the window
    runs(ledger, "busy", "+++", day="2026-02-20")  # day 29 before now: inside
    alerts = kinds(ledger)
    assert ("idle", "underutilization", "low") in alerts
    assert not any(p in ("new", "busy") for p, k, _ in alerts if k == "underutilization")


def test_performance_degradation_ten_points_down(ledger: Ledger) -> None:
    approve(ledger, "d")
    approve(ledger, "e")
    runs(ledger, "d", "++++++++++", day="2026-03-01")  # 30 days before: 100 %
    runs(ledger, "d", "++++-", day="2026-03-18")  # last 7 days: 80 % → 20 points
    runs(ledger, "e", "++++++++++", day="2026-03-01")
    runs(ledger, "e", "+++-", day="2026-03-18")  # 4 runs: too few to compare
    alerts = kinds(ledger)
    assert ("d", "performance_degradation", "medium") in alerts
    assert not any(p == "e" and k == "performance_degradation" for p, k, _ in alerts)


def test_revoked_patterns_raise_no_alerts(portfolio: Ledger) -> None:
    portfolio.revoke_pattern("broken", "done with it")
    assert not any(p == "broken" for p, _, _ in kinds(portfolio))


def test_trend_by_day_week_and_month(ledger: Ledger) -> None:
    approve(ledger, "t")
    runs(ledger, "t", "++", day="2026-02-28")  # Saturday, ISO week 9
    runs(ledger, "t", "+-", day="2026-03-01")  # Sunday, ISO week 9
    runs(ledger, "t", "+", day="2026-03-02")  # Monday, ISO week 10
    by_day = ledger.trend("t", "day")
    assert [(r["period"], r["total_executions"]) for r in by_day] == [
        ("2026-02-28", 2),
        ("2026-03-01", 2),
        ("2026-03-02", 1),
    ]
    by_week = ledger.trend("t", "week")
    assert [(r["period"], r["start"], r["success_rate"]) for r in by_week] == [
        ("2026-W09", "2026-02-23", D("0.75")),
        ("2026-W10", "2026-03-02", D(1)),
    ]
    by_month = ledger.trend("t", "month")
    assert [(r["period"], r["cost_saved_usd"], r["roi_percentage"]) for r in by_month] == [
        ("2026-02", D("0.40"), D(200)),
        ("2026-03", D("0.40"), D(200)),
    ]
    with pytest.raises(InputError, match="period"):
        ledger.trend("t", "year")


def test_confidence_update_records_changes_once(portfolio: Ledger) -> None:
    first = {r["pattern_id"]: r for r in portfolio.update_confidence()}
    assert first["star"]["new_confidence"] == D("0.95") and first["star"]["changed"]
    assert first["broken"]["new_confidence"] == D("0.30")
    assert first["fewruns"]["effectiveness_rating"] == "excellent"
    head = portfolio.head().seq
    again = portfolio.update_confidence()
    assert not any(r["changed"] for r in again)
    assert portfolio.head().seq == head  # nothing recorded
    history = [e.event_type for e in portfolio.history("pattern:star")]
    assert history.count("PatternConfidenceUpdated") == 1


def test_confidence_update_leaves_insufficient_data_alone(ledger: Ledger) -> None:
    approve(ledger, "young")
    runs(ledger, "young", "++")
    (row,) = ledger.update_confidence()
    assert row["changed"] is False and row["new_confidence"] is None
    assert ledger.head().seq == 3


def test_report_recommendations_and_head(portfolio: Ledger) -> None:
    report = portfolio.roi_report("broken", now=NOW)
    assert (report["as_of_seq"], report["as_of_hash"]) == tuple(portfolio.digest().values())
    assert report["effectiveness"]["effectiveness_rating"] == "failed"
    assert len(report["executions"]) == 3
    assert any(a["alert_type"] == "negative_roi" for a in report["alerts"])
    assert not any("exceeded the estimate" in r for r in report["recommendations"])  # 1 success
    approve(portfolio, "pricey")
    runs(portfolio, "pricey", "+++", cost="0.40")
    advice = portfolio.roi_report("pricey", now=NOW)["recommendations"]
    assert any("Actual cost exceeded the estimate in 100% of successful runs" in r for r in advice)
    assert not any("Actual time exceeded" in r for r in advice)


def test_every_figure_survives_rebuild_and_as_of(portfolio: Ledger) -> None:
    def everything() -> list[object]:
        return [
            portfolio.roi_summary(),
            portfolio.top_performers(),
            portfolio.underperformers(),
            portfolio.dashboard(now=NOW),
            portfolio.alerts(now=NOW),
            portfolio.trend("weak", "week"),
            portfolio.roi_report("weak", now=NOW),
            portfolio.effectiveness("star"),
            portfolio.roi_markdown(now=NOW),
        ]

    seq = portfolio.head().seq
    before = everything()
    portfolio.rebuild()
    assert everything() == before
    runs(portfolio, "weak", "----")  # the present moves on …
    portfolio.retract(3, "mistake")
    as_of = [
        portfolio.roi_summary(as_of=seq),
        portfolio.top_performers(as_of=seq),
        portfolio.underperformers(as_of=seq),
        portfolio.dashboard(now=NOW, as_of=seq),
        portfolio.alerts(now=NOW, as_of=seq),
        portfolio.trend("weak", "week", as_of=seq),
        portfolio.roi_report("weak", now=NOW, as_of=seq),
        portfolio.effectiveness("star", as_of=seq),
        portfolio.roi_markdown(now=NOW, as_of=seq),
    ]
    assert as_of == before  # … and the past answers exactly as it did


def test_cli_roi_commands(tmp_path: object, cli: Cli) -> None:
    cli.json(
        "pattern",
        "approve",
        "p",
        "--estimated-time-seconds",
        "60",
        "--estimated-cost",
        "0.3",
        "--approved-at",
        "2026-01-01",
    )
    for ok in "+++++-":
        args = [
            "record",
            "execution",
            "--pattern-id",
            "p",
            "--execution-time-seconds",
            "30",
            "--actual-cost",
            "0.1",
            "--executed-at",
            "2026-03-19T10:00:00Z",
        ]
        cli.json(*args, "--success" if ok == "+" else "--failure")
    eff = cli.json("roi", "effectiveness", "p")
    assert set(eff) == {
        "pattern_id",
        "effectiveness_rating",
        "success_rate",
        "roi_percentage",
        "total_executions",
        "recommendation",
    }
    assert eff["roi_percentage"] == 200.0
    report = cli.json("roi", "report", "p", "--now", NOW)
    assert set(report) >= {
        "summary",
        "effectiveness",
        "executions",
        "recommendations",
        "as_of_seq",
        "as_of_hash",
    }
    assert [r["pattern_id"] for r in cli.json("roi", "top-performers", "--limit", "5")] == ["p"]
    assert cli.json("roi", "underperformers") == []
    assert cli.error("roi", "top-performers", "--limit", "0")["details"]["field"] == "limit"
    assert cli.error("roi", "underperformers", "--limit", "51")["details"]["field"] == "limit"
    dash = cli.json("roi", "dashboard", "--now", NOW)
    assert set(dash) >= {
        "total_patterns",
        "executions_this_month",
        "cost_saved_this_month_usd",
        "average_success_rate",
        "top_performers",
        "needs_attention",
    }
    # p ran 6 times yesterday (5 ok): no alert; q, approved in January, never ran: underused
    cli.json("pattern", "approve", "q", "--estimated-time-seconds", "60",
             "--estimated-cost", "0.3", "--approved-at", "2026-01-01")  # fmt: skip
    alerts = cli.json("roi", "alerts", "--now", NOW)
    assert [(a["pattern_id"], a["alert_type"]) for a in alerts] == [("q", "underutilization")]
    assert set(alerts[0]) == {"pattern_id", "alert_type", "severity", "message"}
    assert "0 time(s)" in alerts[0]["message"]
    assert cli.json("roi", "trend", "p", "--period", "month")[0]["period"] == "2026-03"
    assert cli.error("roi", "trend", "p", "--period", "fortnight")["details"]["field"] == "period"
    assert cli.json("roi", "update-confidence")[0]["changed"] is True
    assert cli.json("roi", "update-confidence")[0]["changed"] is False
    cli.json("pattern", "revoke", "p", "--reason", "done")
    refused = cli.error("roi", "update-confidence", "--pattern-id", "p")
    assert refused["details"]["field"] == "pattern_id"
    out = __import__("pathlib").Path(str(tmp_path)) / "r.md"
    written = cli.json("roi", "markdown", "--output", str(out), "--now", NOW)
    text = out.read_text()
    assert f"as of seq {written['as_of_seq']}" in text and "## Alerts" in text
    again = out.with_name("again.md")
    cli.json(
        "roi",
        "markdown",
        "--output",
        str(again),
        "--now",
        NOW,
        "--as-of",
        str(written["as_of_seq"]),
    )
    assert again.read_text() == text


def test_a_retracted_days_only_run_leaves_no_phantom_day(ledger: Ledger, cli: Cli) -> None:
    """The defect (issue 19): retract the only run dated 2026-10-01 and `roi trend`, the
    portfolio trend and the dashboard chart still showed "2026-10-01 | 0 runs | 0.0%", the
    line dropping to 0 %. A day no execution is counted in is no day of the trend; as of the
    seq before the retraction it is there, and a rebuild agrees with the live fold."""
    approve(ledger, "p")
    runs(ledger, "p", "++", day="2026-09-30")
    runs(ledger, "p", "+", day="2026-10-01")
    before = ledger.head().seq
    ledger.retract(before, "recorded on the wrong pattern")
    days = [r["period"] for r in ledger.trend("p", "day")]
    assert days == ["2026-09-30"]
    assert [r["period"] for r in ledger.portfolio_trend("day")] == ["2026-09-30"]
    assert [r["period"] for r in ledger.trend("p", "day", as_of=before)] == [
        "2026-09-30",
        "2026-10-01",
    ]
    live = ledger.trend("p", "day")
    ledger.rebuild()
    assert ledger.trend("p", "day") == live
    assert [r["period"] for r in ledger.trend("p", "day", as_of=before)] == [
        "2026-09-30",
        "2026-10-01",
    ]


def test_the_dashboard_as_of_a_point_measures_its_windows_from_that_point(
    ledger: Ledger,
) -> None:
    """The defect (issue 19): the dashboard's `?as_of=120` measured its "last 30 days" cards
    and its underutilization alerts from today's clock, not from the point it showed: "0
    executions, last 30 days" and "ran 0 time(s)" alerts. As of a seq (or a recording time)
    and with no --now, the point shown is when the ledger stood there."""
    stamps = iter(
        ["2026-03-01T09:00:00.000000Z"]
        + [f"2026-03-19T{8 + i:02d}:00:01.000000Z" for i in range(6)]
        + ["2026-12-01T00:00:00.000000Z"] * 3
    )
    ledger.service.clock = lambda: next(stamps)
    approve(ledger, "p", at="2026-03-01T09:00:00Z")
    runs(ledger, "p", "++++++", day="2026-03-19")
    shown = ledger.head().seq
    runs(ledger, "p", "+", day="2026-11-30")  # the present moves on
    for as_of, point in ((shown, "2026-03-19T13:00:01"), ("2026-03-20", "2026-03-20T00:00:00")):
        board = ledger.dashboard(as_of=as_of)
        assert board["now"].startswith(point), board["now"]
        assert board["month"] == "2026-03"
        assert board["executions_this_month"] == 6
        assert board["last_30_days"]["total_executions"] == 6
        kinds = {a["alert_type"] for a in ledger.alerts(as_of=as_of)}
        assert "underutilization" not in kinds, kinds
    # --now still wins when given
    assert ledger.dashboard(as_of=shown, now="2026-06-01T00:00:00Z")["executions_this_month"] == 0
