"""Alerts that reach people (issue 21): the `roi-alerts` job keeps each alert's lifecycle in
the log (new → still firing → resolved) and a webhook hears of every raising and resolution
once — across restarts, a receiver that is down, and a scheduler killed mid-delivery."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from ledger import Ledger
from ledger.interfaces.scheduler.config import load
from ledger.interfaces.scheduler.jobs import catch_up
from ledger.interfaces.scheduler.timetable import build_jobs
from tests.conftest import BACKENDS, PG_URL, pg_schema_url


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class Receiver:
    """A local webhook receiver: records each post; answers `status` (503 while "down"),
    optionally after `delay` seconds."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.status = 200
        self.delay = 0.0
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.posts.append(
                    {"headers": dict(self.headers), "body": json.loads(body), "raw": body}
                )
                receiver.arrived.set()
                time.sleep(receiver.delay)
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/roi?key=secret-q"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def keys(self) -> list[str]:
        return [p["headers"]["Idempotency-Key"] for p in self.posts]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path | str]:
    if request.param == "sqlite":
        yield tmp_path / "ledger.db"
    else:
        assert PG_URL is not None
        yield from pg_schema_url(PG_URL)


def settings(tmp_path: Path, receiver: Receiver | None, **more: Any) -> Any:
    return load(
        None,
        {
            "reports_dir": str(tmp_path / "reports"),
            "alerts_webhook": None if receiver is None else receiver.url,
            "webhook_backoff_seconds": 0.0,
            **more,
        },
    )


def alerts_job(config: Any) -> list[Any]:
    return [j for j in build_jobs(config) if j.name == "roi-alerts"]


def spike(location: Path | str, recorded: datetime = at("2026-03-01T09:00:00Z")) -> None:
    """Three failed runs recorded at 09:00 on 1 March (or at `recorded`): a failure spike
    from then on."""
    stamp = recorded.strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    ran = (recorded - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with Ledger.open(location) as ledger:
        ledger.service.clock = lambda: stamp
        ledger.approve_pattern("p", "60", "0.3", approved_at=ran)
        for _ in range(3):
            ledger.record_execution("p", "90", "0.1", False, executed_at=ran)


def recover(location: Path | str) -> None:
    """Ten successful runs recorded at 11:00: 10 of 13 is 77 %, the spike is over."""
    with Ledger.open(location) as ledger:
        ledger.service.clock = lambda: "2026-03-01T11:00:00.000000Z"
        for _ in range(10):
            ledger.record_execution("p", "30", "0.1", True, executed_at="2026-03-01T10:30:00Z")


def deliveries(location: Path | str) -> list[Any]:
    with Ledger.open(location) as ledger:
        return [e.event for e in ledger.events(0, 10**6, "AlertDelivered")]


def test_a_spike_is_raised_once_stays_firing_and_is_resolved_each_told_once(
    db: Path | str, tmp_path: Path, receiver: Receiver
) -> None:
    """The whole history is recorded first (each fact when it was learned: the spike at
    09:00, the recovery at 11:00); each run sees the ledger as it stood at its fire time."""
    config = settings(tmp_path, receiver)
    spike(db)
    recover(db)
    catch_up(str(db), alerts_job(config), at("2026-03-01T10:30:00Z"), config)
    assert [p["body"]["event"] for p in receiver.posts] == ["alert.raised"]
    raised = receiver.posts[0]["body"]
    assert (raised["pattern_id"], raised["alert_type"]) == ("p", "failure_spike")
    files = sorted((tmp_path / "reports" / "alerts").glob("roi-alerts-*.json"))
    states = [json.loads(f.read_text())["alerts"][0]["state"] for f in files]
    assert states == ["new", "firing"]  # 09:00 raised it, 10:00 found it still firing

    catch_up(str(db), alerts_job(config), at("2026-03-01T12:30:00Z"), config)
    assert [p["body"]["event"] for p in receiver.posts] == ["alert.raised", "alert.resolved"]
    folder = tmp_path / "reports" / "alerts"
    eleven = json.loads((folder / "roi-alerts-2026-03-01T1100Z.json").read_text())
    assert eleven["alerts"] == [] and eleven["resolved"][0]["alert_type"] == "failure_spike"
    noon = json.loads((folder / "roi-alerts-2026-03-01T1200Z.json").read_text())
    assert noon["alerts"] == noon["resolved"] == []  # resolved once, not every hour after

    # a restart: nothing new happened, nothing is sent again
    catch_up(str(db), alerts_job(config), at("2026-03-01T12:45:00Z"), config)
    assert len(receiver.posts) == 2 and len(set(receiver.keys())) == 2
    delivered = deliveries(db)
    assert sorted(d.transition_seq for d in delivered) == sorted(
        p["body"]["transition_seq"] for p in receiver.posts
    )
    # the log records where it went, without the query string (it may hold a secret)
    assert {d.target for d in delivered} == {receiver.url.split("?")[0]}
    assert {d.status_code for d in delivered} == {200}
    with Ledger.open(db) as ledger:
        assert ledger.verify(projections=True)["ok"]


def test_a_receiver_that_is_down_gets_retries_and_nothing_is_lost(
    tmp_path: Path, receiver: Receiver
) -> None:
    db = tmp_path / "ledger.db"
    config = settings(tmp_path, receiver, webhook_attempts=3)
    spike(db)
    receiver.status = 503
    catch_up(str(db), alerts_job(config), at("2026-03-01T10:30:00Z"), config)
    assert len(receiver.posts) == 3  # three attempts, then left for the next run
    assert len(set(receiver.keys())) == 1
    assert deliveries(db) == []
    receiver.status = 200
    catch_up(str(db), alerts_job(config), at("2026-03-01T10:40:00Z"), config)
    assert len(receiver.posts) == 4 and len(deliveries(db)) == 1
    assert deliveries(db)[0].attempts == 1


def test_a_receiver_that_refuses_is_not_retried_in_a_loop(
    tmp_path: Path, receiver: Receiver
) -> None:
    db = tmp_path / "ledger.db"
    config = settings(tmp_path, receiver, webhook_attempts=5)
    spike(db)
    receiver.status = 410
    catch_up(str(db), alerts_job(config), at("2026-03-01T10:30:00Z"), config)
    assert len(receiver.posts) == 1 and deliveries(db) == []  # a 4xx is no outage


def test_no_receiver_at_all_and_no_webhook_configured(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    spike(db)
    nobody = load(None, {
        "reports_dir": str(tmp_path / "r"), "webhook_backoff_seconds": 0.0,
        "alerts_webhook": "http://127.0.0.1:9/hook", "webhook_attempts": 2,
    })  # fmt: skip
    results = catch_up(str(db), alerts_job(nobody), at("2026-03-01T10:30:00Z"), nobody)
    assert all("error" not in r for r in results)  # the reports are filed regardless
    plain = settings(tmp_path, None)
    catch_up(str(db), alerts_job(plain), at("2026-03-01T11:30:00Z"), plain)
    with Ledger.open(db) as ledger:
        raised = list(ledger.events(0, 10**6, "AlertRaised"))
    assert len(raised) == 1 and deliveries(db) == []


def test_bodies_are_signed_when_a_secret_is_set(
    tmp_path: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROI_LEDGER_WEBHOOK_SECRET", "shh")
    db = tmp_path / "ledger.db"
    config = settings(tmp_path, receiver)
    spike(db)
    catch_up(str(db), alerts_job(config), at("2026-03-01T09:30:00Z"), config)
    post = receiver.posts[0]
    expected = "sha256=" + hmac.new(b"shh", post["raw"], hashlib.sha256).hexdigest()
    assert post["headers"]["X-Roi-Ledger-Signature"] == expected


def test_a_bad_webhook_url_is_refused_naming_the_setting(tmp_path: Path) -> None:
    from ledger.errors import InputError

    for url in (
        "ftp://x/y",
        "not a url",
        "http://",
        "http://u:pw@h/x",
        "http://h:port/",
        "http://h/a b",
        "http://h/\u0007",
    ):
        with pytest.raises(InputError, match="alerts_webhook"):
            load(None, {"alerts_webhook": url})


def test_alert_records_cannot_be_retracted(tmp_path: Path) -> None:
    from commands.base import DomainError

    db = tmp_path / "ledger.db"
    config = settings(tmp_path, None)
    spike(db)
    catch_up(str(db), alerts_job(config), at("2026-03-01T09:30:00Z"), config)
    with Ledger.open(db) as ledger:
        seq = next(iter(ledger.events(0, 10**6, "AlertRaised"))).seq
        with pytest.raises(DomainError, match="cannot be retracted"):
            ledger.retract(seq, "hide it")


def test_a_scheduler_killed_mid_delivery_delivers_once_after_restart(
    tmp_path: Path, receiver: Receiver
) -> None:
    """Killed while the receiver holds the post: no delivery is recorded, so the restarted
    scheduler posts it again — with the same Idempotency-Key, and records it once."""
    db = tmp_path / "ledger.db"
    spike(db, datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2))
    env = {**os.environ, "ROI_LEDGER_DB": str(db), "ROI_LEDGER_ALERTS_WEBHOOK": receiver.url}
    receiver.delay = 30
    proc = subprocess.Popen(
        [sys.executable, "-m", "ledger", "schedule", "run", "--tick", "1",
         "--reports-dir", str(tmp_path / "reports")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert receiver.arrived.wait(60), "the scheduler never posted"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    assert deliveries(db) == []
    receiver.delay = 0
    done = subprocess.run(
        [sys.executable, "-m", "ledger", "schedule", "catch-up",
         "--reports-dir", str(tmp_path / "reports")],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    keys = receiver.keys()
    assert len(keys) == 2 and len(set(keys)) == 1  # the same transition, the same key
    assert len(deliveries(db)) == 1
    again = subprocess.run(
        [sys.executable, "-m", "ledger", "schedule", "catch-up",
         "--reports-dir", str(tmp_path / "reports")],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert again.returncode == 0 and len(receiver.keys()) == 2  # never a third time
