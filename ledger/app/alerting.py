"""Alerts that reach people: each `roi-alerts` run settles the alerts' lifecycle in the log
(new → still firing → resolved), and a webhook is told of every raising and resolution once.

Delivery is at least once and recorded: a transition is posted (JSON, with an
`Idempotency-Key` naming its seq and, when a secret is set, an HMAC-SHA256 signature),
retried with exponential backoff while the receiver is down or answers 5xx/429, and marked
delivered by an `AlertDelivered` event only once the receiver answered 2xx. A transition
still undelivered is retried at the next run; one that was posted but whose delivery the
scheduler could not record (killed in between) is posted again with the same key, so a
receiver that keeps the keys it has seen sees it once.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import http.client
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from commands.base import DomainError
from commands.ledger import RaiseAlert, RecordAlertDelivery, ResolveAlert
from ledger.app.facade import Ledger
from ledger.present.encoding import jsonable
from ledger.validation import build_command

log = logging.getLogger("roi_ledger.alerts")


def settle(ledger: Ledger, found: Sequence[dict[str, Any]], period: str) -> dict[str, Any]:
    """Raise the alerts `found` that are not firing, resolve the firing ones not found, in
    one transaction; what each found alert is now (`new` or `firing`, since when) and which
    were resolved. Keyed by period, so settling the same period twice records nothing."""
    from projections.alerts import list_alerts

    with ledger.service.unit_of_work() as uow:
        firing = {(a["pattern_id"], a["alert_type"]): a for a in list_alerts(uow.db, "firing")}
        seen = {(a["pattern_id"], a["alert_type"]): a for a in found}
        new = [key for key in seen if key not in firing]
        gone = [key for key in firing if key not in seen]
        for pattern_id, alert_type in new:
            a = seen[(pattern_id, alert_type)]
            ledger.service.dispatch(uow, build_command(RaiseAlert, {
                "pattern_id": pattern_id, "alert_type": alert_type, "severity": a["severity"],
                "message": a["message"] or alert_type, "period": period,
                "idempotency_key": f"alert:{pattern_id}:{alert_type}:raised:{period}",
            }))  # fmt: skip
        for pattern_id, alert_type in gone:
            ledger.service.dispatch(uow, build_command(ResolveAlert, {
                "pattern_id": pattern_id, "alert_type": alert_type, "period": period,
                "idempotency_key": f"alert:{pattern_id}:{alert_type}:resolved:{period}",
            }))  # fmt: skip
    alerts = [
        {
            **a,
            "state": "new" if key in new else "firing",
            "since": None if key in new else firing[key]["raised_at"],
        }
        for key, a in seen.items()
    ]
    resolved = [
        {key: firing[k][key] for key in ("pattern_id", "alert_type", "severity", "message")}
        for k in gone
    ]
    return {"alerts": alerts, "resolved": resolved}


@dataclass(frozen=True)
class Webhook:
    """Where alert transitions are posted, and how hard to try."""

    url: str
    secret: str | None = None
    attempts: int = 5
    backoff_seconds: float = 2.0
    timeout_seconds: float = 10.0

    @property
    def target(self) -> str:
        """The URL as the log records it: no credentials, no query (they may be secret)."""
        parts = urllib.parse.urlsplit(self.url)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        netloc = host if parts.port is None else f"{host}:{parts.port}"
        return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def check_url(url: str, field: str = "alerts_webhook") -> str:
    """An http(s) URL with a host, or a ValueError saying what is wrong."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        raise ValueError(f"{url[:200]!r} is not a URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url[:200]!r} is not an http:// or https:// URL with a host")
    if parts.username or parts.password:
        raise ValueError(
            "a URL with a user name or password would put them in the log; give the "
            "receiver a secret path or query instead, or sign bodies with "
            "ROI_LEDGER_WEBHOOK_SECRET"
        )
    if any(ord(c) < 33 or ord(c) == 127 for c in url.strip()):
        raise ValueError(f"{url[:200]!r} holds spaces or control characters")
    return url.strip()


def body_of(transition: dict[str, Any]) -> dict[str, Any]:
    """What a receiver gets for one transition."""
    return {
        "event": f"alert.{transition['transition']}",
        "transition_seq": transition["seq"],
        "pattern_id": transition["pattern_id"],
        "alert_type": transition["alert_type"],
        "severity": transition["severity"],
        "message": transition["message"],
        "period": transition["period"],
        "recorded_at": transition["recorded_at"],
    }


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: `sha256=` and the HMAC-SHA256 of the body in hex."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


Sleep = Callable[[float], None]


def post(hook: Webhook, payload: dict[str, Any], key: str, sleep: Sleep) -> tuple[int, int]:
    """Post until a 2xx (→ (status, attempts)); retry a refused connection, a timeout, a 5xx
    or a 429 with backoff `backoff × 2^n`; give up on another 4xx or after `attempts`
    (ConnectionError saying why)."""
    body = json.dumps(jsonable(payload), ensure_ascii=False, allow_nan=False).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "roi-ledger-alerts",
        "Idempotency-Key": key,
    }
    if hook.secret:
        headers["X-Roi-Ledger-Signature"] = sign(hook.secret, body)
    problem = ""
    for attempt in range(1, hook.attempts + 1):
        request = urllib.request.Request(hook.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=hook.timeout_seconds) as response:
                return int(response.status), attempt
        except urllib.error.HTTPError as exc:
            problem = f"HTTP {exc.code}"
            if exc.code < 500 and exc.code != 429:
                raise ConnectionError(f"the receiver refused it ({problem})") from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            problem = str(reason)[:200] or type(exc).__name__
        if attempt < hook.attempts:
            sleep(hook.backoff_seconds * 2 ** (attempt - 1))
    raise ConnectionError(f"no answer after {hook.attempts} attempts ({problem})")


def deliver_pending(
    ledger: Ledger,
    hook: Webhook,
    *,
    sleep: Sleep = time.sleep,
    on_result: Callable[[bool], None] | None = None,
) -> dict[str, int]:
    """Post every undelivered transition, oldest first, recording each delivery; stop at the
    first that cannot be delivered (order is kept: a resolution never overtakes its raising).
    Counts of what was delivered and what is left."""
    from projections.alerts import transitions

    with ledger.service.reading() as db:
        pending = transitions(db, undelivered=True)
    delivered = 0
    for t in pending:
        key = f"roi-ledger-alert-{t['seq']}"
        try:
            status, attempts = post(hook, body_of(t), key, sleep)
        except ConnectionError as exc:
            log.error(
                "alert delivery of seq %s to %s failed: %s; it will be retried at the next run",
                t["seq"], hook.target, exc, extra={"seq": t["seq"]},
            )  # fmt: skip
            if on_result:
                on_result(False)
            return {"delivered": delivered, "pending": len(pending) - delivered}
        with contextlib.suppress(DomainError):  # another scheduler recorded it first
            ledger.execute(build_command(RecordAlertDelivery, {
                "pattern_id": t["pattern_id"], "alert_type": t["alert_type"],
                "transition_seq": t["seq"], "target": hook.target, "attempts": attempts,
                "status_code": status, "idempotency_key": f"delivery:{t['seq']}",
            }))  # fmt: skip
        delivered += 1
        if on_result:
            on_result(True)
        log.info(
            "alert %s %s:%s delivered to %s (attempt %d)",
            t["transition"], t["pattern_id"], t["alert_type"], hook.target, attempts,
            extra={"seq": t["seq"]},
        )  # fmt: skip
    return {"delivered": delivered, "pending": len(pending) - delivered}
