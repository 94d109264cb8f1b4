"""Running it for a team (issue 21): `/metrics` in the Prometheus format, equal to the API's
JSON at the same head; JSON log lines from `serve` and `schedule run` that never carry a
token or a request body; the scheduler's metrics textfile."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from ledger import Ledger
from ledger.interfaces.http.app import create_app
from tests.interfaces.test_http_api import free_port

WRITE, READ = "team-write-token-123", "team-read-token-456"
SECRET_TEXT = "body-that-must-never-be-logged-42"
LOG_KEYS = {"time", "level", "logger", "event"}
REQUEST_KEYS = {"request_id", "method", "route", "status", "duration_ms"}


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition, keyed by (name, sorted labels)."""
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


@pytest.fixture
def ledger_file(tmp_path: Path) -> Path:
    """A small team's ledger, recorded two days ago: yesterday's reports are due whatever
    the time of day the tests run (recorded "now", nothing was due between 00:00 and 06:00
    UTC and the scheduler test failed then)."""
    from datetime import UTC, datetime, timedelta

    from events.timeutil import format_timestamp

    db = tmp_path / "team.db"
    then = format_timestamp(datetime.now(UTC) - timedelta(days=2))
    with Ledger.open(db) as ledger:
        ledger.service.clock = lambda: then
        ledger.approve_pattern("ocr", "60", "0.30")
        ledger.approve_pattern("idle", "60", "0.30")
        ledger.record_execution("ocr", "30", "0.10", True)
        ledger.record_execution("ocr", "90", "0.15", False)
        ledger.log_decision("d1", "golf", "email", "replied")
        ledger.log_decision("d2", "golf", "twitter", "replied")
        ledger.record_outcome("d1", "sale", "success", revenue_generated="120.50",
                              customer_acquired=True)  # fmt: skip
    return db


def test_metrics_equal_the_apis_json_at_the_same_head(
    ledger_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(str(ledger_file), token=WRITE, read_token=READ)
    with TestClient(app, base_url="http://localhost") as c:
        assert c.get("/metrics").status_code == 401  # behind the read scope
        read = {"Authorization": f"Bearer {READ}"}
        write = {"Authorization": f"Bearer {WRITE}"}
        run = {"pattern_id": "ocr", "execution_time_seconds": 20, "actual_cost": "0.05",
               "success": True, "idempotency_key": "run-1"}  # fmt: skip
        assert c.post("/api/roi-tracking/executions", json=run, headers=write).status_code == 201
        assert c.post("/api/roi-tracking/executions", json=run, headers=write).status_code == 200
        unknown = {**run, "pattern_id": "nope", "idempotency_key": "run-2"}
        refused = c.post("/api/roi-tracking/executions", json=unknown, headers=write)
        assert refused.status_code == 404
        assert c.post("/api/roi-tracking/executions", json=run, headers=read).status_code == 403
        assert c.get("/api/ledger/verify", headers=read).json()["ok"] is True
        summary = c.get("/api/roi-tracking/summary", headers=read)
        sources = c.get("/api/decisions/conversions?by=source", headers=read).json()
        scraped = c.get("/metrics", headers=read)
    assert scraped.status_code == 200 and scraped.headers["content-type"].startswith("text/plain")
    m = samples(scraped.text)
    assert m[("roi_ledger_head_seq", ())] == int(summary.headers["X-As-Of-Seq"])
    for row in summary.json():
        label = (("pattern_id", row["pattern_id"]),)
        assert m[("roi_ledger_pattern_executions", label)] == row["total_executions"]
        ratio = m[("roi_ledger_pattern_success_ratio", label)]
        assert ratio == pytest.approx(float(row["success_rate"]))
        assert m[("roi_ledger_pattern_cost_saved_usd", label)] == pytest.approx(
            float(row["total_cost_saved_usd"])
        )
        if row["roi_percentage"] is None:  # nothing spent: no sample rather than a NaN
            assert ("roi_ledger_pattern_roi_ratio", label) not in m
        else:
            assert m[("roi_ledger_pattern_roi_ratio", label)] == pytest.approx(
                float(row["roi_percentage"]) / 100
            )
    for row in sources:
        label = (("source", row["source_type"]),)
        assert m[("roi_ledger_source_decisions", label)] == row["total_decisions"]
        assert m[("roi_ledger_source_conversion_ratio", label)] == pytest.approx(
            float(row["conversion_rate"]) / 100
        )
        revenue = m[("roi_ledger_source_revenue_usd", label)]
        assert revenue == pytest.approx(float(row["total_revenue"]))
    command = (("command", "RecordExecution"),)
    assert m[("roi_ledger_appends_total", command)] == 1
    assert m[("roi_ledger_idempotent_retries_total", command)] == 1
    assert m[("roi_ledger_refusals_total", (*command, ("status", "404")))] == 1
    assert m[("roi_ledger_last_verify_ok", ())] == 1
    assert 0 <= m[("roi_ledger_last_verify_age_seconds", ())] < 60
    route = (("method", "POST"), ("route", "/api/roi-tracking/executions"))
    assert m[("roi_ledger_http_requests_total", (*route, ("status", "201")))] == 1
    assert m[("roi_ledger_http_requests_total", (*route, ("status", "200")))] == 1  # the retry
    assert m[("roi_ledger_http_requests_total", (*route, ("status", "403")))] == 1
    assert m[("roi_ledger_http_request_duration_seconds_count", route)] == 4
    assert not any(v != v or v in (float("inf"), float("-inf")) for k, v in m.items()
                   if not k[0].endswith("_bucket"))  # fmt: skip


def test_a_request_id_is_echoed_or_made(ledger_file: Path) -> None:
    with TestClient(create_app(str(ledger_file)), base_url="http://localhost") as c:
        assert (
            c.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"]
            == "abc-123"
        )
        made = c.get("/healthz", headers={"X-Request-ID": "bad id\u0001" * 10})
        assert len(made.headers["X-Request-ID"]) == 32


def wait_up(base: str) -> None:
    for _ in range(200):
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the server never answered")


def request(url: str, body: Any = None, token: str | None = None) -> int:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def parsed(lines: str) -> list[dict[str, Any]]:
    out = []
    for line in lines.splitlines():
        if line.strip():
            record = json.loads(line)  # every line is one JSON object
            assert set(record) >= LOG_KEYS, record
            out.append(record)
    return out


def test_serve_logs_json_lines_without_tokens_or_bodies(ledger_file: Path) -> None:
    port = free_port()
    env = {**os.environ, "ROI_LEDGER_API_TOKEN": WRITE, "ROI_LEDGER_API_READ_TOKEN": READ}
    server = subprocess.Popen(
        [sys.executable, "-m", "ledger", "--db", str(ledger_file), "serve", "--port", str(port),
         "--log-format", "json"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_up(base)
        run = {"pattern_id": "ocr", "execution_time_seconds": 20, "actual_cost": "0.05",
               "success": True, "error_message": SECRET_TEXT}  # fmt: skip
        assert request(f"{base}/api/roi-tracking/executions", run, WRITE) == 201
        assert request(f"{base}/api/roi-tracking/executions", {"x": SECRET_TEXT}, WRITE) == 422
        assert request(f"{base}/api/roi-tracking/summary?token={SECRET_TEXT}") == 401
        assert request(f"{base}/api/roi-tracking/report/ocr", token=READ) == 200
        assert request(f"{base}/metrics", token=READ) == 200
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=30)
    records = parsed(err) + parsed(out)
    assert WRITE not in err + out and READ not in err + out and SECRET_TEXT not in err + out
    requests = [r for r in records if r["logger"] == "roi_ledger.http"]
    assert len(requests) >= 6  # the health checks, then the five above
    assert all(set(r) >= REQUEST_KEYS for r in requests)
    posted = [r for r in requests if r["method"] == "POST" and r["status"] == 201]
    assert posted[0]["route"] == "/api/roi-tracking/executions" and posted[0]["seq"] == 8
    assert any(r["route"] == "/api/roi-tracking/report/{pattern_id:path}" for r in requests)
    assert any(r["status"] == 401 for r in requests)
    assert any("Application startup complete" in r["event"] for r in records)


def test_schedule_run_logs_json_lines_and_writes_its_metrics_file(
    ledger_file: Path, tmp_path: Path
) -> None:
    prom = tmp_path / "roi-ledger.prom"
    env = {**os.environ, "ROI_LEDGER_DB": str(ledger_file)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ledger", "schedule", "run", "--tick", "1", "--log-format",
         "json", "--reports-dir", str(tmp_path / "reports"), "--metrics-file", str(prom)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not prom.exists():
            time.sleep(0.2)
        time.sleep(1.5)  # a tick or two more
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    records = parsed(err) + parsed(out)
    assert any(r["event"].startswith("scheduler starting") for r in records)
    assert records[-1]["event"] == "scheduler stopped"
    ran = [r for r in records if "job" in r and "period" in r]
    assert ran and all({"job", "period", "files", "duration_ms"} <= set(r) for r in ran)
    m = samples(prom.read_text())
    with Ledger.open(ledger_file) as ledger:
        assert m[("roi_ledger_head_seq", ())] == ledger.head().seq
    produced = {r["job"] for r in ran}
    for job in produced:
        assert m[("roi_ledger_job_runs_total", (("job", job),))] >= 1
        assert ("roi_ledger_job_last_period_age_seconds", (("job", job),)) in m
    assert m[("roi_ledger_pattern_executions", (("pattern_id", "ocr"),))] == 2


def test_a_bad_log_format_is_refused_in_words(ledger_file: Path) -> None:
    for args in (["serve", "--log-format", "xml"], ["schedule", "run", "--log-format", "xml"]):
        done = subprocess.run(
            [sys.executable, "-m", "ledger", "--db", str(ledger_file), *args],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 2 and "log_format" in done.stderr, done.stderr


def test_the_metrics_file_is_never_the_ledger(ledger_file: Path, tmp_path: Path) -> None:
    for target in (str(ledger_file), str(tmp_path / "missing" / "x.prom"), str(tmp_path)):
        done = subprocess.run(
            [sys.executable, "-m", "ledger", "--db", str(ledger_file), "schedule", "run",
             "--reports-dir", str(tmp_path / "reports"), "--metrics-file", target],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 2 and "metrics_file" in done.stderr, done.stderr
    with Ledger.open(ledger_file) as ledger:
        assert ledger.verify()["ok"]


def test_metrics_on_postgresql(pg_url: str) -> None:
    with Ledger.open(pg_url) as ledger:
        ledger.approve_pattern("ocr", "60", "0.30")
        ledger.record_execution("ocr", "30", "0.10", True)
        assert ledger.verify()["ok"]
    with TestClient(create_app(pg_url), base_url="http://localhost") as c:
        m = samples(c.get("/metrics").text)
    assert m[("roi_ledger_head_seq", ())] == 2
    assert m[("roi_ledger_last_verify_ok", ())] == 1
    assert m[("roi_ledger_pattern_roi_ratio", (("pattern_id", "ocr"),))] == 2
