"""The HTTP API through the real app (FastAPI's TestClient) and over a real socket."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from statistics import NormalDist
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledger.core.snapshots import KEPT
from ledger.interfaces.http.app import create_app

SOURCE_EXECUTION = {
    "pattern_id": "test-retry-automation",
    "workflow_id": 123,
    "execution_time_seconds": 45.2,
    "estimated_time_seconds": 60.0,
    "actual_cost": 0.012,
    "estimated_cost": 0.015,
    "success": True,
    "error_message": None,
    "executed_at": "2026-11-01T12:00:00Z",
}
"""The source document's request body, as written there (but for its date)."""

TOKEN = "s3cret-token"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(str(tmp_path / "api.db")), base_url="http://localhost") as c:
        yield c


@pytest.fixture
def approved(client: TestClient) -> TestClient:
    body = {"pattern_id": "test-retry-automation", "estimated_time_seconds": 60}
    assert client.post("/api/patterns", json={**body, "estimated_cost": 0.015}).status_code == 201
    return client


def refusal(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    """A refusal has the one error shape, and names the field where there is one."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"error", "details"} and body["error"]
    if field is not None:
        assert field in body["error"], body
    return body


def test_the_source_execution_request_gets_the_source_response(approved: TestClient) -> None:
    response = approved.post("/api/roi-tracking/executions", json=SOURCE_EXECUTION)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["message"] == "Execution recorded successfully"
    assert body["pattern_id"] == "test-retry-automation"
    assert body["execution_id"] == body["seq"] == 2
    summary = approved.get("/api/roi-tracking/pattern/test-retry-automation").json()
    assert summary["total_executions"] == 1
    assert summary["total_time_saved_seconds"] == 14.8  # a number, as in the CLI's --json
    keys = {
        "pattern_id",
        "total_executions",
        "successful_executions",
        "success_rate",
        "total_time_saved_seconds",
        "total_cost_saved_usd",
        "average_time_saved_seconds",
        "average_cost_saved_usd",
        "roi_percentage",
        "last_updated",
    }
    assert keys <= set(summary)


def test_every_roi_read(approved: TestClient) -> None:
    for _ in range(5):
        assert approved.post("/api/roi-tracking/executions", json=SOURCE_EXECUTION).is_success
    pid = "test-retry-automation"
    assert [r["pattern_id"] for r in approved.get("/api/roi-tracking/summary").json()] == [pid]
    report = approved.get(f"/api/roi-tracking/report/{pid}").json()
    assert report["as_of_seq"] == 6 and len(report["as_of_hash"]) == 64
    assert approved.get("/api/roi-tracking/top-performers?limit=1").json()[0]["pattern_id"] == pid
    # 5 runs, each saving $0.003 on $0.012 spent: 100% success, ROI 25% -> rated poor
    under = approved.get("/api/roi-tracking/underperformers?limit=50").json()
    assert [(r["pattern_id"], r["effectiveness_rating"]) for r in under] == [(pid, "poor")]
    rating = approved.get(f"/api/roi-tracking/effectiveness/{pid}").json()
    assert rating == {
        "pattern_id": pid,
        "effectiveness_rating": "poor",
        "success_rate": 1,
        "roi_percentage": 25,
        "total_executions": 5,
        "recommendation": "Poor performance: 100.0% success rate and 25.0% ROI. Review the "
        "pattern logic; refine it or consider revoking it.",
    }
    now = "2026-11-02T00:00:00Z"
    dashboard = approved.get(f"/api/roi-tracking/dashboard?now={now}").json()
    assert (dashboard["month"], dashboard["executions_this_month"]) == ("2026-11", 5)
    # approved today (after --now): not underused; every run succeeded; savings positive
    assert approved.get(f"/api/roi-tracking/alerts?now={now}").json() == []
    assert (
        approved.get(f"/api/roi-tracking/trend/{pid}?period=week").json()[0]["total_executions"]
        == 5
    )
    assert approved.post("/api/roi-tracking/update-confidence").status_code == 200
    as_of = approved.get(f"/api/roi-tracking/pattern/{pid}?as_of=2").json()
    assert as_of["total_executions"] == 1


def test_patterns_approve_revise_revoke_list(approved: TestClient) -> None:
    pid = "test-retry-automation"
    revised = approved.post(f"/api/patterns/{pid}/revise", json={"estimated_cost": 0.02})
    assert revised.status_code == 200 and revised.json()["event_type"] == "PatternEstimatesRevised"
    stale = approved.post(
        f"/api/patterns/{pid}/revoke", json={"reason": "x"}, headers={"If-Match": "1"}
    )
    refusal(stale, 409)
    revoked = approved.post(
        f"/api/patterns/{pid}/revoke", json={"reason": "done"}, headers={"If-Match": '"2"'}
    )
    assert revoked.status_code == 200, revoked.text
    assert approved.get("/api/patterns").json()[0]["status"] == "revoked"
    refusal(approved.post("/api/roi-tracking/executions", json=SOURCE_EXECUTION), 422, "revoked")


def test_decisions_outcomes_and_their_reads(client: TestClient) -> None:
    decision = {"decision_id": "d1", "type": "golf", "source": "email", "action": "replied"}
    assert client.post("/api/decisions", json=decision).status_code == 201
    refusal(client.post("/api/decisions", json=decision), 409, "decision_id")
    outcome = {"outcome_type": "conversion", "status": "success", "revenue": 250}
    created = client.post("/api/decisions/d1/outcomes", json=outcome)
    assert created.status_code == 201, created.text
    refusal(client.post("/api/decisions/nope/outcomes", json=outcome), 404, "decision_id")
    elsewhere = {**outcome, "decision_id": "d2"}  # the path names the decision
    refusal(client.post("/api/decisions/d1/outcomes", json=elsewhere), 422, "decision_id")
    (rate,) = client.get("/api/decisions/conversions?by=source").json()
    # revenue, but no customer acquired: 0 of 1 converted, Wilson 95% upper z²/(1+z²)
    z = NormalDist().inv_cdf(0.975)
    assert (rate["source_type"], rate["conversion_rate"], rate["total_revenue"]) == (
        "email",
        0,
        250,
    )
    assert rate["conversion_rate_interval"][0] == 0.0
    assert rate["conversion_rate_interval"][1] == pytest.approx(100 * z**2 / (1 + z**2))
    refusal(client.get("/api/decisions/conversions?by=colour"), 422, "by")
    assert client.get("/api/decisions/roi").json()[0]["opportunity_type"] == "golf"
    assert client.get("/api/decisions/insights").json() == []  # no group of 3 decisions yet
    calibration = client.get("/api/decisions/calibration").json()
    assert (calibration["count"], calibration["brier_score"]) == (0, None)  # nothing scored
    day = created.json()["occurred_at"][:10]
    assert client.get(f"/api/decisions/summary?date={day}").json()["decisions_made"] == 1
    assert client.get(f"/api/decisions/summary?date={day}&weekly=true").status_code == 200
    predicted = client.post("/api/decisions/predict", json={"type": "golf", "source": "email"})
    assert predicted.status_code == 200 and "conversion_probability" in predicted.json()
    scored = client.post(
        "/api/opportunities/score",
        json=[{"id": "o1", "type": "golf", "source": "email", "score": 50}],
    )
    # 50 x 0.4 + 0% x 30 + min($250 / 50, 20) + confidence 0.14 x 10
    assert scored.status_code == 200 and scored.json()[0]["adjusted_score"] == 26.4
    refusal(client.post("/api/opportunities/score", json={"id": "o1"}), 422)


def test_the_ledger_endpoints(approved: TestClient) -> None:
    events = approved.get("/api/ledger/events?after=0&limit=5").json()
    assert events[0]["seq"] == 1 and events[0]["payload"]["pattern_id"]
    only = approved.get("/api/ledger/events?type=PatternApproved").json()
    assert [e["event_type"] for e in only] == ["PatternApproved"]
    history = approved.get("/api/ledger/history/pattern:test-retry-automation").json()
    assert len(history) == 1
    digest = approved.get("/api/ledger/digest").json()
    assert digest["seq"] == 1
    verified = approved.get(f"/api/ledger/verify?digest={digest['seq']}:{digest['hash']}")
    assert verified.json()["ok"] is True
    assert approved.get("/api/ledger/verify?projections=true").json()["ok"] is True
    approved.post("/api/roi-tracking/executions", json=SOURCE_EXECUTION)
    retracted = approved.post("/api/ledger/retract", json={"seq": 2, "reason": "test run"})
    assert retracted.status_code == 201, retracted.text  # something was recorded
    refusal(approved.post("/api/ledger/retract", json={"seq": 99, "reason": "x"}), 404)
    summary = approved.get("/api/roi-tracking/pattern/test-retry-automation").json()
    assert summary["total_executions"] == 0
    assert approved.get("/healthz").json()["ok"] is True


def test_bad_input_names_the_field_in_the_cli_s_words(approved: TestClient) -> None:
    bad = {**SOURCE_EXECUTION, "actual_cost": "lots"}
    body = refusal(approved.post("/api/roi-tracking/executions", json=bad), 422, "actual_cost")
    assert body["error"].startswith("invalid input: actual_cost:")
    refusal(approved.post("/api/roi-tracking/executions", json=[1, 2]), 422, "input")
    refusal(approved.post("/api/roi-tracking/executions", content=b"{not json"), 422)
    refusal(approved.post("/api/patterns", json={"pattern_id": "a b"}), 422, "pattern_id")
    refusal(approved.get("/api/roi-tracking/top-performers?limit=0"), 422, "limit")
    refusal(approved.get("/api/roi-tracking/pattern/nope"), 404, "pattern_id")
    refusal(approved.get("/api/roi-tracking/summary?as_of=999"), 422, "as_of")
    refusal(
        approved.post("/api/patterns/x/revoke", json={"reason": "r"}, headers={"If-Match": "v"}),
        422,
    )
    refusal(approved.post("/api/patterns", json={"colour": "red"}), 422, "colour")
    nested = b"[" * 100_000  # deeper than any JSON reader goes: 400, in the same shape
    headers = {"Content-Type": "application/json"}
    refusal(approved.post("/api/patterns", content=nested, headers=headers), 400)
    long_url = "/api/roi-tracking/summary?as_of=" + "1" * 9000
    refusal(approved.get(long_url), 414)


def test_idempotency_key_header(approved: TestClient) -> None:
    key = {"Idempotency-Key": "run-42"}
    first = approved.post("/api/roi-tracking/executions", json=SOURCE_EXECUTION, headers=key)
    again = approved.post("/api/roi-tracking/executions", json=SOURCE_EXECUTION, headers=key)
    assert (first.status_code, again.status_code) == (201, 200)  # the retry records nothing
    assert again.json()["duplicate"] is True and again.json()["seq"] == first.json()["seq"]
    other = {**SOURCE_EXECUTION, "actual_cost": 0.5}
    refusal(
        approved.post("/api/roi-tracking/executions", json=other, headers=key),
        409,
        "idempotency_key",
    )


def test_a_body_too_large_is_413_and_writes_nothing(approved: TestClient) -> None:
    huge = {**SOURCE_EXECUTION, "error_message": "x" * 2_000_000}
    refusal(approved.post("/api/roi-tracking/executions", json=huge), 413)
    assert approved.get("/api/ledger/digest").json()["seq"] == 1


def test_every_request_needs_the_token_when_one_is_set(tmp_path: Path) -> None:
    app = create_app(str(tmp_path / "t.db"), token=TOKEN)
    body = {"pattern_id": "p", "estimated_time_seconds": 1, "estimated_cost": 1}
    with TestClient(app, base_url="http://localhost") as c:
        refusal(c.post("/api/patterns", json=body), 401, "authorization")
        wrong = {"Authorization": "Bearer nope"}
        refusal(c.post("/api/patterns", json=body, headers=wrong), 401)
        refusal(c.get("/api/ledger/digest"), 401, "authorization")  # reads too
        assert c.get("/healthz").json() == {"ok": True}  # up, and nothing more
        good = {"Authorization": f"Bearer {TOKEN}"}
        assert c.post("/api/patterns", json=body, headers=good).status_code == 201
        assert c.get("/api/ledger/digest", headers=good).json()["seq"] == 1


def test_openapi_documents_every_endpoint_and_error(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/api/roi-tracking/executions",
        "/api/roi-tracking/pattern/{pattern_id}",
        "/api/roi-tracking/summary",
        "/api/roi-tracking/report/{pattern_id}",
        "/api/roi-tracking/top-performers",
        "/api/roi-tracking/underperformers",
        "/api/roi-tracking/effectiveness/{pattern_id}",
        "/api/decisions",
        "/api/decisions/{decision_id}/outcomes",
        "/api/opportunities/score",
        "/api/ledger/events",
        "/api/ledger/verify",
        "/healthz",
    ):
        assert path in paths, path
    execution = paths["/api/roi-tracking/executions"]["post"]
    schema = execution["requestBody"]["content"]["application/json"]["schema"]
    assert set(SOURCE_EXECUTION) <= set(schema["properties"])
    assert schema["properties"]["actual_cost"]["description"] == "Actual cost in USD."
    assert {"401", "404", "409", "413", "422"} <= set(execution["responses"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(db: Path | str) -> Iterator[str]:
    """`roi-ledger serve` on a free port over `db`, answering (its base URL) until the block
    ends; then stopped."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "ledger", "--db", str(db), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def call(url: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_serve_over_a_real_socket_with_a_token(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "ROI_LEDGER_API_TOKEN": TOKEN}
    db = str(tmp_path / "served.db")
    server = subprocess.Popen(
        [sys.executable, "-m", "ledger", "--db", db, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if call(f"{base}/healthz")[0] == 200:  # the one path open without a token
                    break
            except OSError:
                time.sleep(0.1)
        approve = {"pattern_id": "p", "estimated_time_seconds": 60, "estimated_cost": 0.015}
        assert call(f"{base}/api/patterns", approve)[0] == 401
        assert call(f"{base}/api/patterns", approve, TOKEN)[0] == 201
        run = {
            "pattern_id": "p",
            "execution_time_seconds": 30,
            "actual_cost": 0.01,
            "success": True,
        }
        status, body = call(f"{base}/api/roi-tracking/executions", run, TOKEN)
        assert status == 201 and body["execution_id"] == 2
        assert call(f"{base}/api/ledger/verify")[0] == 401
        assert call(f"{base}/api/ledger/verify", token=TOKEN)[1]["ok"] is True
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=20)
    # uvicorn shuts down gracefully, then re-raises the SIGTERM it caught
    assert server.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output
    assert TOKEN not in output  # the token is never logged
    assert "POST /api/roi-tracking/executions 201" in output  # one line a request


def test_serve_refuses_a_public_host_without_a_token(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ROI_LEDGER_API_TOKEN"}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "ledger",
            "--db",
            str(tmp_path / "x.db"),
            "serve",
            "--host",
            "0.0.0.0",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert run.returncode == 2
    assert "ROI_LEDGER_API_TOKEN" in run.stderr


def test_docs_work_offline(client: TestClient) -> None:
    """/docs is plain HTML built from /openapi.json: no script, nothing from a CDN."""
    page = client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<script" not in page.text and "cdn" not in page.text.lower()
    assert "POST /api/roi-tracking/executions" in page.text
    assert "Actual cost in USD." in page.text


def test_a_long_lived_server_stays_bounded(any_location: str) -> None:
    """Under many requests (as-of reads at many points included) the server keeps its few
    replays and, on PostgreSQL, its one connection: nothing grows with the load."""

    def connections() -> int:
        if not any_location.startswith("postgresql"):
            return 0
        import psycopg

        with psycopg.connect(any_location.split("?")[0], autocommit=True) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            ).fetchone()
        assert row is not None
        return int(row[0])

    with TestClient(create_app(any_location), base_url="http://localhost") as c:
        body = {"pattern_id": "p", "estimated_time_seconds": 60, "estimated_cost": 0.015}
        assert c.post("/api/patterns", json=body).status_code == 201
        run = {"pattern_id": "p", "execution_time_seconds": 30, "actual_cost": 0.01}
        for _ in range(20):
            assert c.post("/api/roi-tracking/executions", json={**run, "success": True}).is_success
        before = connections()
        for seq in range(1, 22):
            assert c.get(f"/api/roi-tracking/summary?as_of={seq}").status_code == 200
            assert c.get("/api/ledger/digest").status_code == 200
        assert len(c.app.state.ledger.service.views.views) <= KEPT  # type: ignore[attr-defined]
        assert connections() <= before


def test_a_chunked_body_over_the_limit_is_413_too(approved: TestClient) -> None:
    """Bug: a body sent in chunks (no Content-Length) was read whole, however large, and its
    refusal named a field "2000000"."""

    def chunks() -> Iterator[bytes]:
        for _ in range(2000):
            yield b" " * 1000

    headers = {"Content-Type": "application/json"}
    refusal(approved.post("/api/patterns", content=chunks(), headers=headers), 413)
    small = approved.post("/api/patterns", content=iter([b"{not json"]), headers=headers)
    assert refusal(small, 422)["error"] == "invalid input: input: not valid JSON"
    assert approved.get("/api/ledger/digest").json()["seq"] == 1


def test_if_match_is_honoured_by_every_command(approved: TestClient) -> None:
    """Bug: `If-Match` was ignored on approve, decision and retract."""
    body = {"pattern_id": "new", "estimated_time_seconds": 1, "estimated_cost": 1}
    refusal(approved.post("/api/patterns", json=body, headers={"If-Match": "5"}), 409)
    decision = {"decision_id": "d9", "type": "t", "source": "s", "action": "a"}
    refusal(approved.post("/api/decisions", json=decision, headers={"If-Match": "3"}), 409)
    assert approved.post("/api/patterns", json=body, headers={"If-Match": "0"}).status_code == 201


def test_every_read_states_the_head_it_answered_from(approved: TestClient) -> None:
    """`X-As-Of-Seq`/`X-As-Of-Hash`: the head the figures were read at, live or as of."""
    approved.post("/api/roi-tracking/executions", json=SOURCE_EXECUTION)
    head = approved.get("/api/ledger/digest").json()
    then = approved.get("/api/ledger/digest?as_of=1").json()
    pid = "test-retry-automation"
    for path in (
        f"/api/roi-tracking/pattern/{pid}",
        "/api/roi-tracking/summary",
        f"/api/roi-tracking/effectiveness/{pid}",
        "/api/roi-tracking/alerts",
        "/api/patterns",
        "/api/decisions/conversions",
        "/api/decisions/calibration",
        "/api/ledger/events",
    ):
        live = approved.get(path)
        assert live.headers["X-As-Of-Seq"] == str(head["seq"]), path
        assert live.headers["X-As-Of-Hash"] == head["hash"], path
        past = approved.get(f"{path}?as_of=1")
        assert past.headers["X-As-Of-Seq"] == "1" and past.headers["X-As-Of-Hash"] == then["hash"]


FIGURE = ("_usd", "rate", "roi", "percentage", "revenue", "interval", "seconds", "cost",
          "confidence", "score", "probability")  # fmt: skip


def test_every_figure_is_a_json_number_and_the_schema_says_so(tmp_path: Path) -> None:
    """The defect (issue 22): `success_rate_interval` was a list of strings in `/pattern`
    and `/summary` and of numbers in `/report`; amounts were strings where the CLI's --json
    gave numbers. One representation: numbers, on every surface, and `/openapi.json` says it."""
    from fastapi.testclient import TestClient

    from ledger.interfaces.http.app import create_app
    from tests.conftest import Cli

    cli = Cli(tmp_path / "n.db")
    cli.json("demo", "--days", "5", "--now", "2026-03-01T12:00:00Z")
    with TestClient(create_app(cli.db), base_url="http://localhost") as c:
        schema = c.get("/openapi.json").json()
        for name in ("PatternRoi", "Conversion", "Dashboard", "RoiReport", "Pattern"):
            assert schema["components"]["schemas"][name]["properties"], name  # not hidden
        for name, model in schema["components"]["schemas"].items():
            for key, prop in model.get("properties", {}).items():
                if any(word in key for word in FIGURE) and "id" not in key:
                    text = json.dumps(prop)
                    assert '"type": "string"' not in text or "reason" in key, (name, key, prop)
        paths = ["/api/roi-tracking/summary", "/api/roi-tracking/pattern/test-retry-automation",
                 "/api/roi-tracking/report/test-retry-automation", "/api/decisions/conversions",
                 "/api/roi-tracking/dashboard", "/api/decisions/roi", "/api/patterns"]  # fmt: skip

        def walk(value: Any, key: str = "") -> None:
            if isinstance(value, dict):
                for k, v in value.items():
                    walk(v, k)
            elif isinstance(value, list):
                for v in value:
                    walk(v, key)
            elif isinstance(value, str) and any(word in key for word in FIGURE):
                try:
                    float(value)
                except ValueError:
                    return  # words (a rating, a reason), not a figure
                raise AssertionError(f"{key} is the string {value!r}")

        for path in paths:
            response = c.get(path)
            assert response.status_code == 200, (path, response.text)
            walk(response.json())


def test_details_is_always_an_object_and_docs_say_what_each_route_answers(
    tmp_path: Path,
) -> None:
    """The defects: `details` was sometimes an object, sometimes a list, sometimes null;
    `/docs` listed 400, 401, 404, 409, 413, 422 for every GET, said "(exit 2)", and had no
    way back to the dashboard."""
    from fastapi.testclient import TestClient

    from ledger.interfaces.http.app import create_app

    with TestClient(create_app(str(tmp_path / "d.db")), base_url="http://localhost") as c:
        for response in (
            c.post("/api/roi-tracking/executions", json={"pattern_id": "p"}),  # several fields
            c.post(
                "/api/roi-tracking/executions",
                content=b"{nope",
                headers={"Content-Type": "application/json"},
            ),
            c.get("/api/roi-tracking/pattern/nope"),
            c.get("/no/such/path"),
        ):
            body = response.json()
            assert isinstance(body["details"], dict), (response.status_code, body)
        several = c.post("/api/roi-tracking/executions", json={"pattern_id": "p"}).json()
        assert several["details"]["field"] and len(several["details"]["errors"]) >= 2
        spec = c.get("/openapi.json").json()
        summary = spec["paths"]["/api/roi-tracking/summary"]["get"]["responses"]
        assert not {"403", "409", "413", "429"} & set(summary)
        write = spec["paths"]["/api/roi-tracking/executions"]["post"]["responses"]
        assert {"201", "200", "403", "409", "413", "422"} <= set(write)
        assert "429" in spec["paths"]["/api/ledger/verify"]["get"]["responses"]
        docs = c.get("/docs").text
        assert "exit 2" not in docs and "href=/>the dashboard" in docs
    from tests.conftest import Cli

    cli = Cli(tmp_path / "e.db")
    error = cli.error("record", "execution", "--pattern-id", "p", "--execution-time-seconds",
                      "-1", "--actual-cost", "x", "--success")  # fmt: skip
    assert isinstance(error["details"], dict) and error["details"]["field"]
