"""One presentation rule (projections/formats.py): money, percentages, changes and p-values
read the same on the terminal, the dashboard, the Markdown reports and in the sentences
recommendations write; CSV carries the exact values they were rounded from."""

from __future__ import annotations

import csv
import io
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger import Ledger
from projections.formats import change, money, number, p_value, percent, percent_range
from tests.conftest import Cli

NOW = "2026-03-01T12:00:00Z"


@pytest.mark.parametrize(
    ("value", "scale", "shown"),
    [
        (D("12.25"), 1, "12.2%"),  # half-even: the defect read 12.3% in recommendations
        (D("12.35"), 1, "12.4%"),
        (D("0.1225"), 100, "12.2%"),
        (0.1225, 100, "12.2%"),  # a float is read as the decimal it prints as
        (D("-0.04"), 1, "0.0%"),  # never "-0.0%"
        (D("1234.55"), 1, "1,234.6%"),
        (None, 1, "–"),
        (float("nan"), 1, "–"),
        (float("inf"), 100, "–"),
        (D("Infinity"), 1, "–"),
    ],
)
def test_a_percentage_rounds_half_even_on_the_exact_decimal(
    value: object, scale: int, shown: str
) -> None:
    assert percent(value, scale=scale) == shown


def test_money_changes_intervals_and_p_values_have_one_form_each() -> None:
    assert [money(v) for v in (D("-0.1499"), 0.004, D("0.00003"), D(0), D("1234.565"))] == [
        "-$0.1499", "$0.0040", "$0.000030", "$0.00", "$1,234.56"
    ]  # fmt: skip
    assert money(D("-0.0049")) == "-$0.0049" and money(None) == "–"
    assert change(D("-0.12"), "$") == "−$0.1200" and change(D("12.5"), "$") == "+$12.50"
    assert change(D("-0.0004"), "pt") == "+0.0 pt"  # rounds to nothing: no minus
    assert change(D("0.1225"), "pt") == "+12.2 pt" and change(D("-3.25"), "pt%") == "−3.2 pt"
    assert change(-2) == "−2" and change(0) == "+0" and change(None) == "–"
    assert percent_range(D("12.5"), D("33.5")) == "12–34%"
    assert percent_range(D("0.125"), D("0.3355"), 1, scale=100) == "12.5–33.6%"
    assert percent_range(None, 3) == "–"
    assert [p_value(p) for p in (0.0496, 0.0504, 0.05, 0.0004, None, 0.5)] == [
        "0.049", "0.050", "0.050", "<0.001", "–", "0.500"
    ]  # fmt: skip


@given(st.decimals(allow_nan=True, allow_infinity=True), st.integers(0, 4))
def test_number_is_half_even_and_never_a_negative_zero(value: D, places: int) -> None:
    shown = number(value, places)
    if not value.is_finite():
        assert shown == "–"
        return
    from decimal import Context

    if value.adjusted() >= 18:  # formats.HUGE: scientific, not a screenful of digits
        assert shown == f"{value:.3E}"
        return
    expected = value.quantize(D(1).scaleb(-places), "ROUND_HALF_EVEN", Context(prec=200))
    assert D(shown.replace(",", "")) == expected
    assert not shown.startswith("-") or expected < 0


@given(st.decimals(min_value=-1, max_value=1, allow_nan=False, places=6))
def test_a_p_value_is_never_shown_across_the_bar(p: D) -> None:
    shown = p_value(p)
    if shown != "<0.001":
        assert (D(shown) < D("0.05")) == (p < D("0.05"))


@pytest.fixture(scope="module")
def ledger_1225(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """A pattern with 49 successful runs of 400 (a success rate of exactly 12.25 %), each
    success costing $0.0001 more than its estimate (cost saved -$0.0049)."""
    db = tmp_path_factory.mktemp("formats") / "ledger.db"
    with Ledger.open(db) as led:
        led.approve_pattern(
            pattern_id="edge", estimated_time_seconds=60, estimated_cost="0.0100",
            approved_at="2026-02-01T00:00:00Z",
        )  # fmt: skip
        for i in range(400):
            led.record_execution(
                pattern_id="edge", execution_time_seconds=30, actual_cost="0.0101",
                success=i < 49, executed_at=f"2026-02-{1 + i % 27:02d}T10:00:00Z",
            )  # fmt: skip
    return Cli(db)


def test_the_same_figure_reads_the_same_on_every_surface(ledger_1225: Cli) -> None:
    """The defect: 12.25 % read 12.2 % in the terminal's table (half-even) and 12.3 % in
    the Markdown report and the recommendation (half-up, effectiveness.percent)."""
    from fastapi.testclient import TestClient

    from ledger.interfaces.http.app import create_app

    cli = ledger_1225
    [row] = cli.json("roi", "summary")
    assert D(str(row["success_rate"])) == D("0.1225")
    assert D(str(row["total_cost_saved_usd"])) == D("-0.0049")
    table = cli("roi", "summary").stdout
    out = Path(cli.db).parent / "roi.md"
    assert cli("roi", "markdown", "--output", str(out), "--now", NOW).exit_code == 0
    markdown = out.read_text()
    with TestClient(create_app(cli.db), base_url="http://localhost") as c:
        page = c.get(f"/?now={NOW}").text
        pattern = c.get(f"/patterns/edge?now={NOW}").text
    for name, text in {"table": table, "markdown": markdown, "page": page,
                       "pattern page": pattern}.items():  # fmt: skip
        assert "12.2%" in text and "12.3%" not in text, name
        assert "-$0.0049" in text and "$-" not in text, name
    told = cli.json("roi", "effectiveness", "edge")["recommendation"]
    assert "12.2% success rate" in told and "12.3%" not in told
    [shown] = list(csv.DictReader(io.StringIO(cli("roi", "summary", "--format", "csv").stdout)))
    assert D(shown["success_rate"]) == D("0.1225")
    assert D(shown["total_cost_saved_usd"]) == D("-0.0049")


def test_an_alert_quotes_its_rate_in_percent(ledger_1225: Cli) -> None:
    """A rate between 0 and 1 is scaled once: the failure spike's message says the share
    of its runs that succeeded (a slip while moving the rule read 0.1 % for 13.5 %)."""
    import re

    alerts = ledger_1225.json("roi", "alerts", "--now", NOW)
    spikes = [a for a in alerts if a["alert_type"] == "failure_spike"]
    assert spikes, alerts
    for alert in spikes:
        found = re.search(r"Success rate (\S+) over the last 7 days \((\d+) of (\d+) runs\), "
                          r"below 70%", alert["message"])  # fmt: skip
        assert found is not None, alert["message"]
        shown, ok, runs = found.group(1), int(found.group(2)), int(found.group(3))
        assert shown == percent(D(ok) / D(runs), scale=100)


# -- what an attack on the one rule found (each failed before its fix) -------------------------
@pytest.mark.parametrize(
    "call",
    [
        lambda: percent(D("1E+999999"), scale=100),
        lambda: change(D("1E+999999"), "pt"),
        lambda: money(D("1E+1000000")),
        lambda: number(D("1E+1000000")),
        lambda: p_value(D("1E+1000000")),
        lambda: money(D("1E-1000000")),
        lambda: money(D("-1E-1000000")),
        lambda: percent_range(D("-1E+999999"), D("1E+999999"), scale=100),
    ],
)
def test_no_figure_however_absurd_raises_or_floods_the_screen(call: object) -> None:
    """The defect: 1E+999999 × 100 overflowed (decimal.Overflow), a number past the default
    context's exponent was InvalidOperation, and 1E-1000000 dollars printed a
    1,000,004-character amount."""
    shown = call()  # type: ignore[operator]
    assert isinstance(shown, str) and 0 < len(shown) < 40, shown


def test_the_tiny_and_the_huge_keep_their_sign_and_size() -> None:
    assert money(D("1E-20")) == "<$0.000000000001"
    assert money(D("-1E-20")) == ">-$0.000000000001"
    assert number(D("1234567890123456789012")) == "1.235E+21"
    assert p_value(1) == "1.000" and p_value(D("0.5")) == "0.500"


@pytest.fixture(scope="module")
def decisions_edge(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """Two sources converting 60 of 60 and 2 of 3 (Fisher's p 0.0476 after Holm: below the
    bar, not clearly ahead for too few), and two types earning $0.004 per conversion."""
    from datetime import UTC, datetime, timedelta

    db = tmp_path_factory.mktemp("decisions-edge") / "ledger.db"
    at = datetime(2026, 2, 20, tzinfo=UTC)
    n = 0
    with Ledger.open(db) as led:
        for source, count, converted in [("alpha", 60, 60), ("beta", 3, 2), ("gamma", 60, 1)]:
            for i in range(count):
                n += 1
                led.log_decision(f"d{n}", "coaching", source, "x", decided_at=at.isoformat())
                if i < converted:
                    led.record_outcome(
                        f"d{n}", "conversion", "success", customer_acquired=True,
                        revenue="10", occurred_at=(at + timedelta(days=1)).isoformat(),
                    )  # fmt: skip
        for kind, converted in [("alpha-type", 6), ("beta-type", 5)]:
            for i in range(20):
                n += 1
                led.log_decision(f"d{n}", kind, "email", "x", decided_at=at.isoformat())
                if i < converted:
                    led.record_outcome(
                        f"d{n}", "conversion", "success", customer_acquired=True,
                        revenue="0.004", occurred_at=(at + timedelta(days=1)).isoformat(),
                    )  # fmt: skip
    return Cli(db)


def test_insight_sentences_use_the_one_rule(decisions_edge: Cli) -> None:
    """The defect: insights wrote `adjusted p = 0.05` for 0.0476, `$0.00` for sub-cent
    revenue and `$+0.00` / `-0.00` for a difference; the evidence's JSON carried -0.0."""
    import json
    import re

    insights = decisions_edge.json("decisions", "insights")
    text = json.dumps(insights, ensure_ascii=False)
    assert "p = 0.05)" not in text and "$0.00 " not in text and "$+" not in text, text
    assert "-0.0" not in text, text
    for p in re.findall(r"adjusted p = ([0-9.]+)", text):
        assert D(p) != D("0.05"), text
    shown = decisions_edge("decisions", "insights").stdout
    assert "$0.00 " not in shown and "$+" not in shown


def test_summary_text_and_predictions_read_money_and_rates_by_the_rule(
    decisions_edge: Cli, tmp_path: Path
) -> None:
    """The defect: the summary's text block said `Revenue: $0.02` / `Top Outcome: $0.00` for
    $0.004 outcomes, and `decisions predict` wrote 12.3 % beside a table saying 12.2 %."""
    summary = decisions_edge.json("decisions", "summary", "--date", "2026-02-21")
    assert "$0.00 " not in summary["performance_summary"], summary["performance_summary"]
    told = decisions_edge.json("decisions", "predict", "--type", "alpha-type",
                               "--source", "email")  # fmt: skip
    assert "$0.00 " not in told["reasoning"] and "%" in told["reasoning"]
    assert percent(D(str(told["historical_conversion_rate"]))) in told["reasoning"], told


def test_pages_markdown_and_receipts_show_money_as_money(ledger_1225: Cli) -> None:
    """The defect: the pattern page's cost chart labelled −$0.0001 a day `0.00` (no unit),
    the Markdown report printed `-0 s`, and `roi explain` showed a sub-cent saving as
    `0.0000`."""
    from fastapi.testclient import TestClient

    from ledger.interfaces.http.app import create_app

    cli = ledger_1225
    with TestClient(create_app(cli.db), base_url="http://localhost") as c:
        page = c.get(f"/patterns/edge?now={NOW}").text
    costs = page[page.index("Cost saved per") :]
    assert "-$0.0001" in costs and ": 0.00<" not in costs
    out = Path(cli.db).parent / "roi-2.md"
    assert cli("roi", "markdown", "--output", str(out), "--now", NOW).exit_code == 0
    assert "| -0 s |" not in out.read_text()
    receipt = cli("roi", "explain", "edge").stdout
    assert "-$0.0049" in receipt, receipt


def test_a_p_value_in_a_sentence_reads_as_a_comparison() -> None:
    """The defect: evidence read `p = <0.001`."""
    from projections.formats import p_is

    assert [p_is(p) for p in (0.0004, 0.031, None)] == ["p < 0.001", "p = 0.031", "p = –"]
    from projections.insights import describe_evidence

    said = describe_evidence({"test": "two-proportion z-test", "p_value": 0.0001,
                              "p_value_adjusted": 0.0002, "supported": True})  # fmt: skip
    assert "p < 0.001, adjusted p < 0.001" in said and "= <" not in said, said
