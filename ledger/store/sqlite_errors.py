"""SQLite's errors: the ones that mean another connection holds the lock, waited out for
up to `BUSY_TIMEOUT_MS` (`retry_while_busy`), and what every other one means to the user
(`storage_error`: one line saying what happened and what to do)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import TypeVar

from ledger.errors import StorageError

BUSY_TIMEOUT_MS = 60_000
"""How long a statement waits for another connection's lock before it fails."""

T = TypeVar("T")


def is_busy(exc: sqlite3.OperationalError) -> bool:
    """Whether the error is another connection's lock (worth waiting for)."""
    message = str(exc).lower()
    return "locked" in message or "busy" in message


def retry_while_busy(run: Callable[[], T], pause: float) -> T:
    """`run()`, tried again every `pause` seconds while another connection holds the lock,
    for up to BUSY_TIMEOUT_MS; any other error, or the last busy one, is raised."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            return run()
        except sqlite3.OperationalError as exc:
            if not is_busy(exc) or time.monotonic() > deadline:
                raise
            time.sleep(pause)


def storage_error(location: str, exc: sqlite3.Error) -> StorageError:
    """A database error as one line saying what happened and what to do."""
    text = str(exc)
    lower = text.lower()
    if isinstance(exc, sqlite3.IntegrityError):
        message = (
            f"{location}: the database refused the write ({text}): its projections no longer "
            "match the log (were tables changed by hand?). Nothing was written; run "
            "`roi-ledger verify --projections`, then `roi-ledger rebuild`"
        )
    elif "disk is full" in lower or "disk i/o error" in lower:
        message = (
            f"{location}: the disk is full or failing ({text}); nothing of this transaction "
            "was written. Free some space and run it again"
        )
    elif "readonly" in lower or "read-only" in lower:
        message = (
            f"{location} is read-only (its permissions, or a read-only file system): reading "
            "works, recording does not"
        )
    elif "not a database" in lower or "malformed" in lower or "encrypted" in lower:
        message = (
            f"{location} is not a roi-ledger database, or it is damaged ({text}); "
            "restore it from a backup"
        )
    elif "could not decode" in lower:  # its text echoes the raw bytes: not shown
        message = (
            f"{location}: a stored row holds text that is not UTF-8 (it was altered around "
            "the database's guards); run `roi-ledger verify` to find it"
        )
        text = "Could not decode to UTF-8"
    elif "unable to open" in lower:
        message = f"cannot open {location} ({text}): check that its directory exists"
    else:
        message = f"{location}: {text}"
    return StorageError(message, {"db": location, "sqlite": text})
