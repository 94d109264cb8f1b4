"""Insights, predictions and their fallbacks, the score formula and tiers, calibration."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from ledger import Ledger
from ledger.errors import InputError
from projections.prediction_math import adjusted_score, recommendation
from tests.conftest import Cli


def history(
    led: Ledger,
    source: str,
    kind: str,
    n: int,
    customers: int,
    revenue: int = 0,
    hours: int = 24,
    prefix: str = "",
) -> None:
    """n decisions on 2026-02-01 10:00, the first `customers` buying `revenue` after `hours`."""
    for i in range(n):
        did = f"{prefix}{source}-{kind}-{i}"
        led.log_decision(did, kind, source, "replied", decided_at="2026-02-01T10:00:00Z")
        if i < customers:
            at = f"2026-02-{1 + (10 + hours) // 24:02d}T{(10 + hours) % 24:02d}:00:00Z"
            led.record_outcome(
                did,
                "conversion",
                "success",
                revenue_generated=revenue,
                customer_acquired=True,
                deal_closed=True,
                occurred_at=at,
            )


def test_insights_from_groups_of_three_or_more(ledger: Ledger) -> None:
    history(ledger, "email", "golf_coaching", 10, 5, revenue=300, hours=48)
    history(ledger, "twitter", "golf_coaching", 6, 3, revenue=100, hours=24)
    history(ledger, "twitter", "partnership", 4, 0)
    history(ledger, "reddit", "golf_coaching", 2, 2, revenue=900)  # < 3: ignored alone
    found = {i["insight_type"]: i for i in ledger.insights()}
    # email 50 % of 10 vs twitter 30 % of 10: p ≈ 0.65 (Fisher), no difference is claimed
    assert found["conversion"]["title"] == "No clear difference yet between Email and Twitter"
    assert found["conversion"]["evidence"]["supported"] is False
    assert "About 93 decisions each" in found["conversion"]["description"]
    assert found["conversion"]["data_points"] == 20
    assert found["revenue"]["title"] == (
        "Golf coaching has brought the most revenue per decision so far"
    )
    timing = [i for i in ledger.insights() if i["insight_type"] == "timing"]
    # golf: 18 decisions; 5 convert on day 1 (twitter's 3, reddit's 2), 5 on day 2 (email's),
    # 8 still open: S = 13/18 after day 1, 13/18 × 8/13 = 8/18 < 1/2 after day 2
    assert [t["title"] for t in timing] == ["Half of golf coaching decisions convert within 2 days"]
    # twitter golf 3 of 6 against partnership 0 of 4: too few decisions to compare
    assert "comparison" not in found
    for insight in ledger.insights():
        n = insight["data_points"]
        bands = (0, 0) if n == 0 else (0, 0.7) if n < 5 else (0.7, 0.9) if n < 10 else (0.9, 1)
        assert bands[0] <= insight["confidence_score"] < bands[1] or n == 0


def test_no_insights_below_three_decisions(ledger: Ledger) -> None:
    history(ledger, "email", "golf", 2, 2, revenue=100)
    history(ledger, "twitter", "partnership", 2, 0)  # no source, type or pair reaches 3
    assert ledger.insights() == []


def test_prediction_and_its_fallbacks(ledger: Ledger) -> None:
    history(ledger, "email", "golf_coaching", 12, 9, revenue=400, hours=48)
    history(ledger, "twitter", "partnership", 5, 1, revenue=1000)
    exact = ledger.predict("golf_coaching", "email")
    assert (exact["basis"], exact["similar_count"], exact["predicted_outcome"]) == (
        "type+source",
        12,
        "conversion",
    )
    assert exact["conversion_probability"] == D("75.00")
    assert exact["predicted_revenue"] == D("300.00")
    assert exact["avg_time_to_close_days"] == D("2.0")
    assert "Based on 12 similar golf_coaching opportunities from email" in exact["reasoning"]
    assert "75.0% conversion rate" in exact["reasoning"] and "$300.00" in exact["reasoning"]
    # 9 of 12: the 95% interval (47–91%) holds 50%, so it is not called strong
    assert "Too few decisions to call it strong or weak" in exact["reasoning"]
    assert exact["shrunk_conversion_probability"] < exact["conversion_probability"]
    by_type = ledger.predict("golf_coaching", "twitter")
    assert by_type["basis"] == "type" and "none yet from twitter" in by_type["reasoning"]
    assert by_type["confidence"] < exact["confidence"]
    by_source = ledger.predict("consulting", "twitter")
    assert by_source["basis"] == "source" and by_source["similar_count"] == 5
    assert "no consulting ones yet" in by_source["reasoning"]
    nothing = ledger.predict("consulting", "fax")
    assert (nothing["basis"], nothing["confidence"], nothing["predicted_outcome"]) == (
        "none",
        D(0),
        "unknown",
    )
    # never seen: the ledger's overall rate with an even prior, (10 + 1) / (17 + 2), not 0
    assert nothing["conversion_probability"] == (D(11) / 19 * 100).quantize(D("0.01"))
    assert "a prior, not evidence" in nothing["reasoning"]
    with pytest.raises(InputError, match="type"):
        ledger.predict("", "email")


def test_shrinkage_pulls_small_samples_toward_the_parent(ledger: Ledger) -> None:
    history(ledger, "email", "golf", 20, 10)
    history(ledger, "twitter", "golf", 2, 2)  # 100 % on two decisions
    p = ledger.predict("golf", "twitter")
    assert p["conversion_probability"] == D("100.00")
    # the parent blends golf (12 of 22, shrunk toward the ledger) and twitter (2 of 2)
    assert abs(p["parent_conversion_rate"] - D(12) / 22 * 100) < 1
    assert p["parent_conversion_rate"] < p["shrunk_conversion_probability"] < 100
    assert "Too few decisions to call it strong or weak" in p["reasoning"]  # 2 of 2


@pytest.mark.parametrize(
    ("base", "rate", "revenue", "confidence", "expected", "tier"),
    [
        # 85×0.4 + 50/100×30 + min(350/50, 20) + 0.9×10 = 34 + 15 + 7 + 9
        ("85", "50", "350", "0.9", "65.0", "LOW PRIORITY - Respond when convenient"),
        ("100", "100", "5000", "1", "100.0", "HIGH PRIORITY - Respond immediately"),  # capped 20
        ("90", "100", "500", "0.9", "85.0", "HIGH PRIORITY - Respond immediately"),
        ("90", "100", "495", "0.9", "84.9", "MEDIUM PRIORITY - Respond today"),
        ("100", "50", "500", "0.5", "70.0", "MEDIUM PRIORITY - Respond today"),  # 40+15+10+5
        ("37.5", "50", "500", "1", "50.0", "LOW PRIORITY - Respond when convenient"),
        ("37.5", "50", "495", "1", "49.9", "SKIP - Low expected value"),  # 15+15+9.9+10
        ("0", "0", "0", "0", "0.0", "SKIP - Low expected value"),
    ],
)
def test_score_formula_and_tiers(
    base: str, rate: str, revenue: str, confidence: str, expected: str, tier: str
) -> None:
    prediction = {
        "conversion_probability": D(rate),
        "predicted_revenue": D(revenue),
        "confidence": D(confidence),
    }
    score = adjusted_score(D(base), prediction)
    assert score == D(expected)
    assert recommendation(score) == tier


def test_scoring_sorts_records_and_explains(ledger: Ledger) -> None:
    history(ledger, "email", "golf", 10, 8, revenue=400)
    before = ledger.head().seq
    scored = ledger.score_opportunities(
        [
            {"id": "cold", "type": "feedback", "source": "fax", "score": 90, "note": "kept"},
            {"id": "warm", "type": "golf", "source": "email", "score": 80},
        ]
    )
    assert [o["id"] for o in scored] == ["warm", "cold"]
    # 80 × 0.4 + 80/100 × 30 + min(320/50, 20) + 0.9 × 10 = 32 + 24 + 6.4 + 9
    assert scored[0]["adjusted_score"] == D("71.4")
    assert scored[0]["reasoning"].startswith(
        "Score decreased from 80 to 71.4: 40% of the base score (32.0) + the conversion rate"
    )
    # feedback from fax was never seen: the ledger's rate with an even prior, (8 + 1) / (10 +
    # 2) = 75 %, and its revenue 320: 90 × 0.4 + 75 × 0.3 + 6.4 + 0 × 10 (not 36.0 from 0 %)
    assert scored[1]["note"] == "kept" and scored[1]["adjusted_score"] == D("64.9")
    assert ledger.head().seq == before + 2
    ledger.score_opportunities(scored)  # same predictions: nothing new
    assert ledger.head().seq == before + 2
    ledger.score_opportunities([{"type": "golf", "source": "email", "score": 1}], record=False)
    assert ledger.head().seq == before + 2
    with pytest.raises(InputError, match="score must be a number"):
        ledger.score_opportunities([{"type": "golf", "source": "email", "score": "high"}])
    with pytest.raises(InputError, match="'type' and 'source'"):
        ledger.score_opportunities([{"score": 50}])


def test_opportunity_ids_come_from_the_whole_content_and_must_be_strings_or_numbers(
    ledger: Ledger,
) -> None:
    """The defects: id-less opportunities differing only in score shared one id; an `"id"`
    that was an object or an empty string was taken as is."""
    low, high = ledger.score_opportunities(
        [
            {"type": "golf", "source": "email", "score": 10},
            {"type": "golf", "source": "email", "score": 90},
        ]
    )
    assert low["opportunity_id"] != high["opportunity_id"]
    assert (
        ledger.score_opportunities([{"id": 42, "type": "a", "source": "b"}])[0]["opportunity_id"]
        == "42"
    )
    before = ledger.head().seq
    for bad in ({"x": 1}, "", "  ", ["a"], True, "a\x1bb"):
        with pytest.raises(InputError, match="opportunity 1: id"):
            ledger.score_opportunities([{"id": bad, "type": "a", "source": "b"}])
    assert ledger.head().seq == before


def test_calibration_on_a_small_known_set(cli: Cli, tmp_path: Path) -> None:
    """Predicted 80 %, 20 %, 60 %, 10 %; only the first converted.
    Brier = (0.2² + 0.2² + 0.6² + 0.1²) / 4 = 0.1125."""
    lines = []
    for name, p in (("a", 80), ("b", 20), ("c", 60), ("d", 10)):
        lines.append(
            {
                "command": "prediction",
                "opportunity_id": f"opp-{name}",
                "original_score": 50,
                "adjusted_score": 50,
                "conversion_probability": p,
                "predicted_revenue": 0,
                "confidence": 0.5,
                "similar_count": 3,
                "model_version": "test",
            }
        )
        lines.append(
            {
                "command": "decision",
                "decision_id": name,
                "type": "t",
                "source": "s",
                "action": "replied",
                "decided_at": "2026-02-01T10:00:00Z",
                "context": {"opportunity_id": f"opp-{name}"},
            }
        )
        lines.append(
            {
                "command": "outcome",
                "decision_id": name,
                "outcome_type": "result",
                "status": "success",
                "customer_acquired": name == "a",
                "occurred_at": "2026-02-02T10:00:00Z",
            }
        )
    lines.append(
        {
            "command": "decision",
            "decision_id": "unscored",
            "type": "t",
            "source": "s",
            "action": "replied",
            "decided_at": "2026-02-01T10:00:00Z",
        }
    )
    batch = tmp_path / "cal.jsonl"
    batch.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    assert cli.json("record", "batch", str(batch))["accepted"] == 13
    result = cli.json("decisions", "calibration")
    assert result["count"] == 4
    assert result["brier_score"] == pytest.approx(0.1125)
    buckets = {b["range"]: b for b in result["buckets"]}
    assert buckets["80–90%"]["observed_rate"] == 1.0
    assert buckets["60–70%"] == {**buckets["60–70%"], "count": 1, "observed_rate": 0.0}
    assert set(buckets) == {"10–20%", "20–30%", "60–70%", "80–90%"}
    # one forecast per bucket, 1 of 4 converted (base rate 0.25), by hand:
    # reliability (0.2² + 0.2² + 0.6² + 0.1²) / 4 = 0.1125; resolution (0.75² + 3 × 0.25²) / 4
    # = 0.1875; uncertainty 0.25 × 0.75 = 0.1875; ECE (0.2 + 0.2 + 0.6 + 0.1) / 4 = 0.275
    assert result["reliability"] == pytest.approx(0.1125)
    assert result["resolution"] == pytest.approx(0.1875)
    assert result["uncertainty"] == pytest.approx(0.1875)
    assert result["within_bucket_spread"] == pytest.approx(0, abs=1e-12)
    assert result["expected_calibration_error"] == pytest.approx(0.275)
    shown = cli("decisions", "calibration")
    assert "reliability 0.1125" in shown.stdout and "error 27.5 points" in shown.stdout


def test_score_with_one_bad_opportunity_records_nothing_and_numbers_it_as_given(
    ledger: Ledger,
) -> None:
    """Found by attacking the CLI: exit 2 for the bad one, but the good one's prediction was
    already in the log; and 'opportunity N' counted the sorted list, not the input."""
    before = ledger.head().seq
    with pytest.raises(InputError, match="opportunity 2") as refused:
        ledger.score_opportunities(
            [{"id": "ok1", "type": "golf", "source": "email", "score": 10},
             {"id": "bad", "type": "golf\tcoaching", "source": "email", "score": 90}]
        )  # fmt: skip
    assert "type" in refused.value.message
    assert ledger.head().seq == before


def test_a_re_score_back_to_an_earlier_prediction_is_recorded(ledger: Ledger) -> None:
    """Found by attacking the CLI: predictions were keyed by their content, so returning to
    an earlier value counted as a duplicate of the first, and calibration held the decision
    against the stale one in between (probability 1.0 where 0.0 had been predicted)."""
    opportunity = [{"id": "o1", "type": "golf", "source": "email", "score": 50}]

    def latest() -> float:
        with ledger.service.reading() as db:
            row = db.execute(
                "SELECT conversion_probability FROM opportunity_predictions"
                " WHERE opportunity_id = 'o1' ORDER BY id DESC LIMIT 1"
            ).fetchone()
        return float(row[0])

    ledger.score_opportunities(opportunity)  # no history: the even prior, 50 %
    ledger.log_decision("d0", "golf", "email", "replied", decided_at="2026-01-01T10:00:00Z")
    ledger.record_outcome("d0", "sale", "success", customer_acquired=True,
                          occurred_at="2026-01-02T10:00:00Z")  # fmt: skip
    ledger.score_opportunities(opportunity)  # 100 %
    assert latest() == 100
    decision_seq = ledger.history("decision:d0")[0].seq
    ledger.retract(decision_seq, "logged by mistake")
    ledger.score_opportunities(opportunity)  # back to 50 %: must be recorded again
    assert latest() == 50
    seq = ledger.head().seq
    ledger.score_opportunities(opportunity)  # unchanged since the latest: nothing new
    assert ledger.head().seq == seq
    ledger.log_decision("d1", "golf", "email", "replied", opportunity_id="o1",
                        decided_at="2026-01-03T10:00:00Z")  # fmt: skip
    ledger.record_outcome("d1", "sale", "success", customer_acquired=True,
                          occurred_at="2026-01-04T10:00:00Z")  # fmt: skip
    result = ledger.calibration()
    # held against the latest prediction before it (50 %), not the stale 100 % in between
    assert result["decisions"][0]["probability"] == 0.5 and result["brier_score"] == 0.25
