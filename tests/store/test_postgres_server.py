"""The server on PostgreSQL when the database goes away: it reconnects, and while the database
cannot be reached every request is a 503 in the API's error shape, /healthz included."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ledger.interfaces.http.app import create_app
from tests.conftest import PG_URL, pg_schema_url

pytestmark = pytest.mark.postgres


@pytest.fixture
def role_url() -> Iterator[tuple[str, str]]:
    """A ledger schema reached as a role of its own, whose sessions the test can terminate
    and whose logins it can refuse, without touching anyone else's connections."""
    import psycopg

    if not PG_URL:
        pytest.skip("ROI_LEDGER_TEST_PG_URL is not set: no PostgreSQL server")
    role = f"roi_rc_{uuid.uuid4().hex[:8]}"
    for url in pg_schema_url(PG_URL):
        schema = url.rsplit("%3D", 1)[1]
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"CREATE ROLE {role} LOGIN")
            conn.execute(f"GRANT ALL ON SCHEMA {schema} TO {role}")
        try:
            yield url.replace("postgres@", f"{role}@", 1), role
        finally:
            with psycopg.connect(PG_URL, autocommit=True) as conn:
                conn.execute(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                             f" WHERE usename = '{role}'")  # fmt: skip
                conn.execute(f"DROP OWNED BY {role} CASCADE")
                conn.execute(f"DROP ROLE {role}")


def admin(*statements: str) -> None:
    import psycopg

    assert PG_URL is not None
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def cut_off(role: str) -> str:
    return f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'"


def test_the_server_reconnects_after_its_session_is_terminated(
    role_url: tuple[str, str],
) -> None:
    """The defect: after the backend was terminated, /healthz and every read answered a
    plain-text 500 (an uncaught psycopg.OperationalError) until the server was restarted."""
    url, role = role_url
    with TestClient(create_app(url), base_url="http://localhost") as client:
        body = {"pattern_id": "p", "estimated_time_seconds": 5, "estimated_cost": 1}
        assert client.post("/api/patterns", json=body).status_code == 201
        admin(cut_off(role))
        assert client.get("/healthz").json()["ok"] is True  # a read connects again by itself
        assert client.get("/api/roi-tracking/summary").status_code == 200
        admin(cut_off(role))
        run = {"pattern_id": "p", "execution_time_seconds": 3, "actual_cost": 0.5,
               "success": True, "idempotency_key": "run-1"}  # fmt: skip
        first = client.post("/api/roi-tracking/executions", json=run)
        # a write whose connection is gone when it starts is not stored, and says so
        assert first.status_code == 503 and "nothing was written" in first.json()["error"]
        again = client.post("/api/roi-tracking/executions", json=run)
        assert again.status_code == 201 and again.json()["duplicate"] is False


def test_while_the_database_cannot_be_reached_every_answer_is_a_503(
    role_url: tuple[str, str],
) -> None:
    url, role = role_url
    with TestClient(create_app(url), base_url="http://localhost") as client:
        admin(f"ALTER ROLE {role} NOLOGIN", cut_off(role))
        try:
            for path in ("/healthz", "/api/roi-tracking/summary", "/api/ledger/digest"):
                answer = client.get(path)
                assert answer.status_code == 503, (path, answer.text)
                assert set(answer.json()) == {"error", "details"}
                assert "cannot connect" in answer.json()["error"]
        finally:
            admin(f"ALTER ROLE {role} LOGIN")
        assert client.get("/healthz").status_code == 200  # and back once it can
