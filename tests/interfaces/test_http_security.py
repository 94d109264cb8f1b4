"""The HTTP API from a browser's and a stranger's side: tokens and their scopes, the Host a
request names, CORS, ids that hold `/`, long reads, and a ledger file that goes away."""

from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ledger import Ledger
from ledger.errors import InputError
from ledger.interfaces.cli import build_app
from ledger.interfaces.http.app import create_app
from ledger.interfaces.http.params import path_segment

WRITE, READ = "write-token-0123456789", "read-token-0123456789"
APPROVE = {"pattern_id": "p", "estimated_time_seconds": 60, "estimated_cost": 0.015}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def basic(token: str, user: str = "me") -> dict[str, str]:
    pair = base64.b64encode(f"{user}:{token}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


@pytest.fixture
def guarded(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(
        create_app(str(tmp_path / "g.db"), token=WRITE, read_token=READ),
        base_url="http://localhost",
    ) as client:
        yield client


def test_with_a_token_every_read_needs_one_too(guarded: TestClient) -> None:
    """The defect: with a token set, reads were open: anyone reaching the port read every
    decision's sender and content, the event log and the dashboard."""
    assert guarded.post("/api/patterns", json=APPROVE, headers=bearer(WRITE)).status_code == 201
    for path in ("/api/roi-tracking/summary", "/api/ledger/events", "/api/ledger/digest",
                 "/api/decisions/conversions", "/", "/patterns/p", "/ledger", "/openapi.json",
                 "/docs", "/api/ledger/history/pattern:p", "/no/such/page"):  # fmt: skip
        answer = guarded.get(path)
        assert answer.status_code == 401, path
        assert set(answer.json()) == {"error", "details"}
        assert answer.headers.get_list("www-authenticate") == [
            'Basic realm="roi-ledger"',
            'Bearer realm="roi-ledger"',
        ]
    assert guarded.get("/healthz").json() == {"ok": True}  # up, and nothing else
    assert guarded.get("/api/ledger/digest?token=" + WRITE).status_code == 401  # never a URL


def test_the_read_token_reads_and_cannot_write(guarded: TestClient) -> None:
    assert guarded.post("/api/patterns", json=APPROVE, headers=bearer(READ)).status_code == 403
    answer = guarded.get("/api/roi-tracking/summary", headers=bearer(READ))
    assert answer.status_code == 200 and answer.json() == []
    assert guarded.post("/api/patterns", json=APPROVE, headers=bearer(WRITE)).status_code == 201
    assert guarded.get("/api/ledger/digest", headers=bearer(READ)).json()["seq"] == 1
    # a whole-ledger verification of the projections is work a reader may not start
    refused = guarded.get("/api/ledger/verify?projections=true", headers=bearer(READ))
    assert refused.status_code == 403
    assert guarded.get("/api/ledger/verify", headers=bearer(READ)).json()["ok"] is True
    full = guarded.get("/api/ledger/verify?projections=true", headers=bearer(WRITE))
    assert full.json()["ok"] is True


def test_a_browser_signs_in_with_basic_which_only_ever_reads(guarded: TestClient) -> None:
    """A browser sends Basic credentials on its own, to requests other sites make it send:
    they read the dashboard, and no write accepts them, whichever token they carry."""
    for token in (READ, WRITE):
        page = guarded.get("/", headers=basic(token))
        assert page.status_code == 200 and "Portfolio" in page.text
        write = guarded.post("/api/patterns", json=APPROVE, headers=basic(token))
        assert write.status_code == 403
    assert guarded.get("/", headers=basic("wrong")).status_code == 401
    assert guarded.get("/", headers={"Authorization": "Basic !!!"}).status_code == 401
    with Ledger.open(guarded.app.state.ledger.location) as led:  # type: ignore[attr-defined]
        assert led.head().seq == 0


@pytest.mark.parametrize("token", ["pässwörd", "with space", "tab\there", "\x1b[31m"])
def test_a_token_that_could_never_match_a_header_is_refused_at_start(
    tmp_path: Path, token: str
) -> None:
    """The defect: `serve` accepted `pässwörd`, which no request could ever send."""
    with pytest.raises(InputError, match="ROI_LEDGER_API_TOKEN"):
        create_app(str(tmp_path / "x.db"), token=token)
    result = CliRunner().invoke(
        build_app(),
        ["--db", str(tmp_path / "x.db"), "serve"],
        env={"ROI_LEDGER_API_TOKEN": token},
    )
    assert result.exit_code == 2 and "printable ASCII" in result.output
    refused = CliRunner().invoke(
        build_app(),
        ["--db", str(tmp_path / "x.db"), "serve"],
        env={"ROI_LEDGER_API_TOKEN": WRITE, "ROI_LEDGER_API_READ_TOKEN": token},
    )
    assert refused.exit_code == 2 and "ROI_LEDGER_API_READ_TOKEN" in refused.output


def test_another_host_name_is_refused_so_dns_rebinding_cannot_write(tmp_path: Path) -> None:
    """The defect: `POST /api/patterns` with `Host: attacker.example` answered 201 on the
    default loopback server (a page on that site, its name rebound to 127.0.0.1)."""
    app = create_app(str(tmp_path / "h.db"))
    with TestClient(app, base_url="http://localhost") as client:
        for host in ("attacker.example", "attacker.example:8000", "localhost.attacker.example"):
            answer = client.post("/api/patterns", json=APPROVE, headers={"Host": host})
            assert answer.status_code == 400 and "host" in answer.json()["error"]
        for host in ("localhost:8000", "127.0.0.1", "[::1]:8000", "LOCALHOST"):
            assert client.get("/healthz", headers={"Host": host}).status_code == 200, host
        assert client.get("/api/ledger/digest").json()["seq"] == 0
    named = create_app(str(tmp_path / "h.db"), allowed_hosts=frozenset({"ledger.lan"}))
    with TestClient(named, base_url="http://ledger.lan:8000") as client:
        assert client.get("/healthz").status_code == 200


def test_cors_carries_the_apis_own_headers_for_every_origin_listed(tmp_path: Path) -> None:
    """The defect: a preflight for authorization, idempotency-key or if-match got 400;
    "http://a, http://b" never allowed the second; X-As-Of-* were not exposed."""
    from ledger.interfaces.http.security import origins

    listed = origins("http://a.test, http://b.test ,")
    assert listed == ["http://a.test", "http://b.test"]
    app = create_app(str(tmp_path / "c.db"), cors_origins=listed)
    with TestClient(app, base_url="http://localhost") as client:
        for origin in listed:
            preflight = client.options(
                "/api/roi-tracking/executions",
                headers={
                    "Origin": origin,
                    "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "authorization, idempotency-key, if-match,"
                    " content-type",
                },
            )
            assert preflight.status_code == 200, preflight.text
            assert preflight.headers["access-control-allow-origin"] == origin
        read = client.get("/api/roi-tracking/summary", headers={"Origin": "http://b.test"})
        exposed = read.headers["access-control-expose-headers"].lower()
        assert "x-as-of-seq" in exposed and "x-as-of-hash" in exposed and "link" in exposed
        stranger = client.get("/api/roi-tracking/summary", headers={"Origin": "http://c.test"})
        assert "access-control-allow-origin" not in stranger.headers
    with pytest.raises(InputError, match="not an origin"):
        origins("a.test")


IDS = ["team/deploy", "q?x", "h#1", "100%", "ünï", "a/revise", "x/", "/lead", "a//b", "..", "."]


@pytest.mark.parametrize("pid", IDS)
def test_every_id_the_api_accepts_is_addressable(tmp_path: Path, pid: str) -> None:
    """The defect: `team/deploy` could be approved and executed, but every route taking it in
    the path answered 404, %2F included."""
    with TestClient(create_app(str(tmp_path / "i.db")), base_url="http://localhost") as c:
        assert c.post("/api/patterns", json={**APPROVE, "pattern_id": pid}).status_code == 201
        run = {"pattern_id": pid, "execution_time_seconds": 40, "actual_cost": 0.01,
               "success": True}  # fmt: skip
        assert c.post("/api/roi-tracking/executions", json=run).status_code == 201
        seg = path_segment(pid)
        for route in ("pattern", "report", "effectiveness", "trend"):
            path = f"/api/roi-tracking/{route}/{seg}"
            answer = c.get(path)
            assert answer.status_code == 200, (path, answer.text)
        assert c.get(f"/api/roi-tracking/pattern/{seg}").json()["pattern_id"] == pid
        history = c.get(f"/api/ledger/history/{path_segment('pattern:' + pid)}").json()
        assert [e["event_type"] for e in history] == ["PatternApproved", "PatternExecutionRecorded"]
        assert c.get(f"/patterns/{seg}").status_code == 200
        revised = c.post(f"/api/patterns/{seg}/revise", json={"estimated_cost": 0.02})
        assert revised.status_code == 200 and revised.json()["stream_id"] == f"pattern:{pid}"
        assert c.post(f"/api/patterns/{seg}/revoke", json={"reason": "done"}).status_code == 200
        decision = {"decision_id": pid, "type": "t", "source": "s", "action": "a"}
        assert c.post("/api/decisions", json=decision).status_code == 201
        outcome = {"outcome_type": "reply", "status": "success"}
        assert c.post(f"/api/decisions/{seg}/outcomes", json=outcome).status_code == 201


def test_an_id_holding_an_escaped_slash_is_addressable_over_a_real_socket(
    tmp_path: Path,
) -> None:
    """`a%2Fb` as an id: its path segment is a%252Fb, decoded once by the server (the test
    client decodes twice, so this one goes over a socket), and `..` sent as %2E%2E."""
    with served(tmp_path) as port:
        for pid in ("a%2Fb", "..", "team/deploy"):
            assert raw(port, "POST", "/api/patterns", {**APPROVE, "pattern_id": pid})[0] == 201
            status, body = raw(port, "GET", f"/api/roi-tracking/pattern/{path_segment(pid)}")
            assert status == 200 and body["pattern_id"] == pid


def test_history_and_events_come_a_page_at_a_time(tmp_path: Path) -> None:
    """The defect: GET /api/ledger/history/{stream} had no limit (41 MB for 71k events)."""
    with Ledger.open(tmp_path / "p.db") as led:
        led.approve_pattern("p", "60", "0.015")
        from ledger.app.batch import run_batch
        from ledger.app.batch_lines import parse_line

        run = {"command": "execution", "pattern_id": "p", "execution_time_seconds": 40,
               "actual_cost": 0.01, "success": True}  # fmt: skip
        line = json.dumps(run)
        run_batch(led.service, ((n, parse_line(n, line)) for n in range(1, 2400)))
    with TestClient(create_app(str(tmp_path / "p.db")), base_url="http://localhost") as c:
        seqs: list[int] = []
        url: str | None = "/api/ledger/history/pattern:p"
        pages = 0
        while url:
            answer = c.get(url)
            assert answer.status_code == 200 and len(answer.json()) <= 1000
            seqs += [e["seq"] for e in answer.json()]
            link = answer.headers.get("link")
            url = link[1 : link.index(">")] if link else None
            pages += 1
        assert seqs == list(range(1, 2401)) and pages == 3
        first = c.get("/api/ledger/events?limit=7")
        assert first.headers["x-next-after"] == "7"
        assert "after=7" in first.headers["link"] and "limit=7" in first.headers["link"]
        assert c.get("/api/ledger/history/pattern:p?limit=1001").status_code == 422
    result = CliRunner().invoke(build_app(), ["--db", str(tmp_path / "p.db"), "history",
                                              "pattern:p", "--json"])  # fmt: skip
    assert [e["seq"] for e in json.loads(result.stdout)] == list(range(1, 2401))
    after = CliRunner().invoke(build_app(), ["--db", str(tmp_path / "p.db"), "history",
                                             "pattern:p", "--after", "2398", "--json"])  # fmt: skip
    assert [e["seq"] for e in json.loads(after.stdout)] == [2399, 2400]


def test_one_verification_at_a_time_on_its_own_connection(tmp_path: Path) -> None:
    """The defect: GET /api/ledger/verify?projections=true on a large ledger held the
    connection every request shares (a summary waited 44 s). It runs on one of its own, one
    at a time: a second asks again later (429)."""
    with Ledger.open(tmp_path / "v.db") as led:
        led.approve_pattern("p", "60", "0.015")
    app = create_app(str(tmp_path / "v.db"))
    with TestClient(app, base_url="http://localhost") as client:
        shared = app.state.ledger
        opened: list[Any] = []
        original = Ledger.open

        def spy(*args: Any, **kwargs: Any) -> Any:
            led = original(*args, **kwargs)
            opened.append(led)
            return led

        Ledger.open = spy  # type: ignore[method-assign]
        try:
            assert client.get("/api/ledger/verify").json()["ok"] is True
        finally:
            Ledger.open = original  # type: ignore[method-assign]
        assert len(opened) == 1 and opened[0] is not shared
        app.state.verifying.acquire()
        try:
            busy = client.get("/api/ledger/verify")
            assert busy.status_code == 429 and busy.headers["retry-after"] == "5"
            assert client.get("/api/roi-tracking/summary").status_code == 200
        finally:
            app.state.verifying.release()


def test_a_ledger_deleted_or_replaced_under_the_server_is_refused(tmp_path: Path) -> None:
    """The defect: after `rm del.db*`, POSTs still answered 201 (lost at shutdown) and
    /healthz said ok; a replaced file split writes between two inodes."""
    db = tmp_path / "del.db"
    with Ledger.open(db) as led:
        led.approve_pattern("p", "60", "0.015")
    with TestClient(create_app(str(db)), base_url="http://localhost") as client:
        assert client.get("/healthz").status_code == 200
        for leftover in tmp_path.glob("del.db*"):
            leftover.unlink()
        answer = client.post("/api/patterns", json={**APPROVE, "pattern_id": "q"})
        assert answer.status_code == 503 and "deleted" in answer.json()["error"]
        assert client.get("/healthz").status_code == 503
    with Ledger.open(db) as led:  # a new file in its place
        led.approve_pattern("x", "60", "0.015")
    replaced = tmp_path / "other.db"
    with Ledger.open(replaced) as led:
        led.approve_pattern("y", "60", "0.015")
    with Ledger.open(db) as led:
        os.replace(replaced, db)
        with pytest.raises(Exception, match="replaced"):
            led.approve_pattern("z", "60", "0.015")


# -- over a real socket ---------------------------------------------------------------------


class served:
    """`roi-ledger serve` in a subprocess on a free port, for requests no test client makes."""

    def __init__(self, tmp_path: Path, env: dict[str, str] | None = None) -> None:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.args = [sys.executable, "-m", "ledger", "--db", str(tmp_path / "s.db"), "serve",
                     "--port", str(self.port)]  # fmt: skip
        self.env = {**os.environ, **(env or {})}

    def __enter__(self) -> int:
        self.proc = subprocess.Popen(
            self.args, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if raw(self.port, "GET", "/healthz")[0] == 200:
                    return self.port
            except OSError:
                time.sleep(0.1)
        raise AssertionError("the server did not start")

    def __exit__(self, *exc: object) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.communicate(timeout=20)


def raw(port: int, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """One request with its path sent exactly as given."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    data = b"" if body is None else json.dumps(body).encode()
    conn.putrequest(method, path, skip_accept_encoding=True)
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", str(len(data)))
    conn.endheaders(data)
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    return response.status, json.loads(payload) if payload else None


def test_two_writers_through_the_server_and_a_long_read_do_not_block_each_other(
    tmp_path: Path,
) -> None:
    """Reads answer while a verification runs on its own connection."""
    with served(tmp_path) as port:
        for i in range(3):
            assert raw(port, "POST", "/api/patterns", {**APPROVE, "pattern_id": f"p{i}"})[0] == 201
        results: list[int] = []
        verifier = threading.Thread(
            target=lambda: results.append(
                raw(port, "GET", "/api/ledger/verify?projections=true")[0]
            )
        )
        verifier.start()
        assert raw(port, "GET", "/api/roi-tracking/summary")[0] == 200
        verifier.join(timeout=30)
        assert results == [200]
