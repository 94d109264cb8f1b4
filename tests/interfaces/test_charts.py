"""Charts on the terminal (sparklines, bars) and in SVG: each mark says its figure, and the
terminal's marks follow the JSON of the same query."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from ledger.present import charts
from tests.conftest import Cli

NOW = "2026-03-01T12:00:00Z"


def test_a_sparkline_runs_from_the_lowest_to_the_highest() -> None:
    assert charts.sparkline([]) == ""
    assert charts.sparkline([Decimal("0.5")] * 3) == "▅▅▅"
    assert charts.sparkline([0, 1, Decimal("0.5")]) == "▁█▅"
    assert charts.sparkline([None, 2]) == "▁█"


@given(st.floats(-10, 10, allow_nan=False), st.floats(0.1, 100))
def test_a_bar_stays_within_its_width(value: float, scale: float) -> None:
    bar = charts.bar_text(value, scale, 10)
    assert len(bar) <= 10
    eighths = sum(8 if c == "█" else " ▏▎▍▌▋▊▉".index(c) for c in bar)
    assert eighths == round(max(0.0, min(1.0, value / scale)) * 80)


def test_an_svg_chart_writes_each_figure_and_escapes_labels() -> None:
    svg = charts.bars(
        "rates", [charts.Bar("<b>&", Decimal("0.25"), (0.1, 0.4)), charts.Bar("z", None)],
        scale=1, unit="rate",
    )  # fmt: skip
    assert "<b>&" not in svg and "&lt;b&gt;&amp;" in svg
    assert "25.0%" in svg and 'data-value="0.25"' in svg and "data-lower" in svg
    assert charts.figure(12188, "") == "12,188" and charts.figure(0.5, "rate") == "50.0%"
    assert "<svg" in charts.line("empty", []) and "<svg" in charts.reliability("none", [])


def test_roi_trend_draws_the_json_success_rates(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "demo.db")
    cli.json("demo", "--days", "20", "--now", NOW)
    pattern = cli.json("roi", "summary")[0]["pattern_id"]
    rows = cli.json("roi", "trend", pattern, "--period", "week")
    table = cli("roi", "trend", pattern, "--period", "week")
    assert table.exit_code == 0
    assert charts.sparkline([r["success_rate"] for r in rows]) in table.stdout
    for r in rows:
        line = next(x for x in table.stdout.splitlines() if r["period"] in x)
        assert charts.bar_text(r["success_rate"], 1, 10) in line
    conversions = cli.json("decisions", "conversions", "--by", "source")
    shown = cli("decisions", "conversions", "--by", "source").stdout
    for r in conversions:
        line = next(x for x in shown.splitlines() if r["source_type"] in x)
        assert charts.bar_text(r["conversion_rate"], 100, 12) in line
    dashboard = cli.json("roi", "dashboard", "--now", NOW)
    text = cli("roi", "dashboard", "--now", NOW).stdout
    change = dashboard["change"]["total_executions"]
    assert f"{dashboard['last_30_days']['total_executions']} (+{change} on the 30 days" in text
    assert json.dumps(dashboard)  # plain JSON all through: no NaN, no Infinity
