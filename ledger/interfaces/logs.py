"""How `serve` and `schedule run` log: plain text lines (the default), or one JSON object per
line (`--log-format json`) for a log shipper.

A JSON line always has `time` (UTC, ISO 8601), `level`, `logger` and `event` (the message);
then, where they apply, `request_id`, `method`, `route` (the route's template, never the
path a client sent, so no query string), `status`, `duration_ms`, `seq` (the event a request
appended, or the head it read), `job`, `period`, `files`, `error`, and `exception` (a
traceback). Tokens and request bodies are never logged: requests are logged by the server's
own middleware (ledger/interfaces/http/telemetry.py), uvicorn's access log is off.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, Literal

LogFormat = Literal["text", "json"]
FORMATS: tuple[LogFormat, ...] = ("text", "json")

FIELDS = (
    "request_id", "method", "route", "status", "duration_ms", "seq", "job", "period", "files",
    "error",
)  # fmt: skip
"""The keys a record may carry beside the message (`extra=` of a logging call)."""

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }  # fmt: skip
        for key in FIELDS:
            value = record.__dict__.get(key)
            if value is not None:
                out[key] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str, allow_nan=False)


def formatter(fmt: LogFormat) -> logging.Formatter:
    """The formatter of a log format."""
    return JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT)


def configure(fmt: LogFormat = "text", level: str = "INFO") -> None:
    """Log `level` and up to stderr in `fmt` (replacing any handler set before)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(fmt))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def uvicorn_config(fmt: LogFormat) -> dict[str, Any]:
    """uvicorn's `log_config`: its own messages and ours through one formatter on stderr;
    its access log silenced (ledger/interfaces/http/telemetry.py logs each request instead)."""
    chosen: dict[str, Any] = (
        {"()": "ledger.interfaces.logs.JsonFormatter"} if fmt == "json" else {"format": TEXT_FORMAT}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": chosen},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "main",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "roi_ledger": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        },
    }
