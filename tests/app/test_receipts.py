"""Receipts (issue 20): `roi explain` and `decisions explain` show each figure's formula with
its numbers, the events it comes from and the head, so a claim can be recomputed from the
log — which these tests do."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from ledger import Ledger
from tests.conftest import Cli


def test_an_roi_receipt_recomputes_from_the_log(cli: Cli) -> None:
    with Ledger.open(cli.db) as led:
        led.approve_pattern("p", "60", "0.30", approved_at="2026-09-01")
        for day, ok, cost in (("01", True, "0.10"), ("02", False, "0.15"), ("03", True, "0.05")):
            led.record_execution("p", "30", cost, ok, executed_at=f"2026-10-{day}T10:00:00Z")
        led.record_execution("p", "30", "0.20", True, executed_at="2026-11-01T10:00:00Z")
    receipt = cli.json("roi", "explain", "p")
    figures = {f["figure"]: f for f in receipt["figures"]}
    assert figures["roi_percentage"]["filled_in"] == "0.55 ÷ 0.35 × 100"
    assert receipt["events"]["executions"] == 4 and receipt["events"]["first_seq"] == 2
    # anyone can recompute it: run the command the receipt names and fold the events
    events = cli.json(*receipt["recompute"].split()[1:-1])
    saved = spent = D(0)
    for e in events:
        if e["payload"]["success"]:
            saved += D(str(e["payload"]["estimated_cost"])) - D(str(e["payload"]["actual_cost"]))
            spent += D(str(e["payload"]["actual_cost"]))
    assert figures["roi_percentage"]["value"] == pytest.approx(float(saved / spent * 100))
    october = cli.json("roi", "explain", "p", "--period", "2026-10")
    assert october["events"]["executions"] == 3 and october["events"]["last_seq"] == 4
    assert {f["figure"]: f for f in october["figures"]}["net_roi_percentage"]["filled_in"] == (
        "(0.45 − 0.15) ÷ (0.15 + 0.15) × 100"  # saved 0.20 + 0.25 on 0.10 + 0.05
    )
    assert cli("roi", "explain", "ghost").exit_code == 2


def test_a_conversion_receipt_names_its_decisions_and_outcomes(tmp_path: Path, cli: Cli) -> None:
    from fastapi.testclient import TestClient

    from ledger.interfaces.http.app import create_app

    with Ledger.open(cli.db) as led:
        for i in range(4):
            led.log_decision(f"d{i}", "golf", "email", "sent", decided_at="2026-11-01T09:00:00Z")
        led.log_decision("t", "golf", "twitter", "sent", decided_at="2026-11-01T09:00:00Z")
        led.record_outcome("d0", "sale", "success", customer_acquired=True,
                           revenue_generated=100, occurred_at="2026-11-02T09:00:00Z")  # fmt: skip
        led.record_outcome("d1", "reply", "success", response_received=True,
                           occurred_at="2026-11-02T09:00:00Z")  # fmt: skip
    receipt = cli.json("decisions", "explain", "email", "golf")
    figures = {f["figure"]: f for f in receipt["figures"]}
    assert figures["conversion_rate"]["filled_in"] == "1 ÷ 4 × 100"
    assert figures["conversion_rate"]["value"] == 25
    assert receipt["events"]["decisions"] == 4 and receipt["events"]["outcomes"] == 2
    assert (receipt["events"]["first_seq"], receipt["events"]["last_seq"]) == (1, 4)
    refused = cli("decisions", "explain", "fax")
    assert refused.exit_code == 2 and "source" in refused.stderr
    assert "Wilson" in cli("decisions", "explain", "email").stdout
    with TestClient(create_app(cli.db), base_url="http://localhost") as c:
        got = c.get("/api/decisions/explain", params={"source": "email"})
        assert got.status_code == 200 and got.json()["events"]["decisions"] == 4
        page = c.get("/decisions").text
        assert 'href="/api/decisions/explain?source=email"' in page
        assert c.get("/api/roi-tracking/explain/nope").status_code == 404
    assert json.loads(json.dumps(receipt))  # plain JSON, no NaN or Infinity
