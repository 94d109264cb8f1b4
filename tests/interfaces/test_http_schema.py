"""schemathesis against `/openapi.json`: generated requests for every operation, a bounded
number each; no 5xx, and every response conforms to the documented schema and status."""

from __future__ import annotations

import os
from pathlib import Path
from tempfile import mkdtemp

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is in the test extra")

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ledger import Ledger  # noqa: E402
from ledger.interfaces.http.app import create_app  # noqa: E402
from ledger.interfaces.http.security import LOOPBACK_NAMES  # noqa: E402

EXAMPLES = int(os.environ.get("ROI_LEDGER_SCHEMA_EXAMPLES", "12"))
"""Examples per operation (CI: 12; `slow` runs may raise it)."""

_LEDGER = Ledger.open(str(Path(mkdtemp()) / "schema.db"))
_LEDGER.approve_pattern("p", "60", "0.015")
_LEDGER.record_execution("p", "45", "0.01", True)
_LEDGER.log_decision("d", "golf", "email", "replied")
# schemathesis's ASGI client names its host "testserver": let the Host check answer it
APP = create_app(ledger=_LEDGER, allowed_hosts=LOOPBACK_NAMES | {"testserver"})
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_5xx_and_every_response_as_documented(case: object) -> None:
    case.call_and_validate(  # type: ignore[attr-defined]
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ]
    )
