"""The Decision Log document's Examples 1–5 and its integration sample, with only the import
line changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger import Ledger


@pytest.fixture(autouse=True)
def default_ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "default.db"
    monkeypatch.setenv("ROI_LEDGER_DB", str(path))
    monkeypatch.setenv("ROI_LEDGER_REPORTS_DIR", str(tmp_path / "reports"))
    return path


def test_examples_1_to_5(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # fmt: off
    # Example 1: Log a Decision
    from ledger.compat import DecisionLog  # was: from decision_log import DecisionLog

    log = DecisionLog()

    # Someone tweets asking about golf coaching
    log.log_decision(
        decision_id="dec_twitter_001",
        opportunity_type="golf_coaching",
        opportunity_source="twitter",
        action_taken="Replied with coaching offer and Calendly link",
        opportunity_content="@jarvis Can you help me fix my slice? Saw your swing analysis posts",
        opportunity_score=87,
        sender="@golfer_mike"
    )

    # Example 2: Record an Outcome
    # They booked a session and paid
    log.record_outcome(
        decision_id="dec_twitter_001",
        outcome_type="conversion",
        outcome_status="success",
        revenue_generated=250.00,
        customer_acquired=True,
        deal_closed=True,
        response_received=True,
        notes="Booked 2-session package via Calendly, paid via Stripe"
    )

    # Example 3: Check Performance
    # Get conversion rates
    rates = log.get_conversion_rates()
    for rate in rates:
        print(f"{rate['source_type']} → {rate['opportunity_type']}: {rate['conversion_rate']:.1f}%")

    # Get ROI analysis
    roi = log.calculate_roi_by_type()
    for item in roi:
        print(f"{item['opportunity_type']}: ${item['total_revenue']:.2f} total, ${item['avg_revenue_per_decision']:.2f} avg")  # noqa: E501  (the sample, verbatim)

    # Example 4: Predict Outcome for New Opportunity
    # New email arrives
    new_opportunity = {
        'type': 'golf_coaching',
        'source': 'email',
        'content': 'Interested in golf coaching to improve my handicap'
    }

    prediction = log.predict_outcome(new_opportunity)
    print(f"Conversion probability: {prediction['conversion_probability']:.1f}%")
    print(f"Predicted revenue: ${prediction['predicted_revenue']:.2f}")
    print(f"Reasoning: {prediction['reasoning']}")

    # Example 5: Generate Daily Summary
    from ledger.compat import (
        DecisionSummaryGenerator,  # was: from decision_summary import …
    )

    generator = DecisionSummaryGenerator()

    # Today's summary
    summary = generator.generate_daily_summary()
    print(summary['performance_summary'])

    # Save to file
    json_file, md_file = generator.save_summary(summary)
    # fmt: on

    out = capsys.readouterr().out
    assert "twitter → golf_coaching: 100.0%" in out
    assert "golf_coaching: $250.00 total, $250.00 avg" in out
    assert "Conversion probability: 100.0%" in out and "Predicted revenue: $250.00" in out
    assert "none yet from email" in out
    assert "🎯 Decisions Made: 1" in out
    assert Path(json_file).exists() and Path(md_file).name.startswith("decision-summary-")
    assert Path(json_file).parent == tmp_path / "reports" / "decision-summaries"
    log.close()
    generator.close()


def test_integration_sample(default_ledger: Path) -> None:
    """Score, act on the top ones, log the decision, later record the outcome."""
    from ledger.compat import DecisionLog, OpportunityScorer

    decision_log = DecisionLog()
    for n in range(10):  # history: ten golf_coaching decisions from twitter, all $1,000 sales
        decision_log.log_decision(f"seed{n}", "golf_coaching", "twitter", "offer")
        decision_log.record_outcome(
            f"seed{n}",
            "conversion",
            "success",
            revenue_generated=1000,
            customer_acquired=True,
            deal_closed=True,
        )
    ids = iter(f"dec_{n}" for n in range(100))

    def load_opportunities() -> list[dict[str, object]]:
        return [
            {"type": "golf_coaching", "source": "twitter", "score": 95, "content": "lesson?"},
            {"type": "feedback", "source": "twitter", "score": 30, "content": "nice"},
        ]

    def handle_opportunity(opp: dict[str, object]) -> str:
        return "Replied with offer"

    def generate_id() -> str:
        return next(ids)

    # fmt: off
    # 2. Score with historical data
    scorer = OpportunityScorer()
    opportunities = load_opportunities()  # From opportunities.json
    scored = scorer.score_opportunities_batch(opportunities)

    # 3. Act on top opportunities
    for opp in scored[:5]:  # Top 5
        if opp['adjusted_score'] >= 85:
            # Take action (reply, schedule, etc.)
            action_taken = handle_opportunity(opp)

            # Log decision
            decision_log.log_decision(
                decision_id=generate_id(),
                opportunity_type=opp['type'],
                opportunity_source=opp['source'],
                action_taken=action_taken,
                # ... other fields
            )

    # 4. Later, record outcome
    decision_log.record_outcome(
        decision_id="dec_0",
        outcome_type="conversion",
        outcome_status="success",
        revenue_generated=350.00,
        customer_acquired=True,
        deal_closed=True
    )
    # fmt: on

    assert scored[0]["adjusted_score"] >= 85 and scored[1]["adjusted_score"] < 85
    report = scorer.generate_scoring_report(opportunities)
    assert report["total_opportunities"] == 2
    assert sum(report["by_recommendation"].values()) == 2
    with Ledger.open(default_ledger) as led:
        (row,) = led.conversion_metrics()
        assert (row["total_decisions"], row["total_revenue"]) == (11, 10_350)
    scorer.close()
    decision_log.close()
