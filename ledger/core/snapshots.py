"""As-of states a ledger keeps, and the full scratch replay that `verify --projections`
compares the live projections with.

A read as of a past seq needs no replay (ledger/store/versions.py): each projection row's versions
carry the seq range in which they held. What it does need, the rows a fold inside a bulk
unit changed, is computed once per seq and kept for the next few reads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

from ledger.core.projector import Progress

if TYPE_CHECKING:
    from ledger.core.service import LedgerCore

IN_MEMORY = 100_000
"""Longest log a replay folds in memory; a longer one folds in a temporary file (a million
events with their row versions would take over a gigabyte of memory)."""

KEPT = 16
"""As-of states a ledger keeps (most recently used); older ones are let go."""

L = TypeVar("L", bound="LedgerCore")
T = TypeVar("T")
K = TypeVar("K")


def replay(
    source: L,
    upto: int,
    progress: Progress | None = None,
    units: dict[str, list[tuple[int, int]]] | None = None,
) -> L:
    """A scratch ledger with the source's events ≤ upto and freshly folded projections (read
    inside the caller's read transaction, when it holds one: reads join it). Given the
    source's history `units`, the scratch keeps row versions too, folded in those units, so
    they can be compared with the source's version for version."""
    scratch = type(source).scratch(
        source.clock, history=units is not None, on_disk=upto > IN_MEMORY
    )
    with source.scan(0, upto) as (_, chunks):
        for rows in chunks:
            scratch.insert_rows(rows)
    if units is None:
        scratch.catch_up(progress)
    else:
        scratch.refold(units, progress)
    return scratch


class Views(Generic[K, T]):
    """The last few as-of states of one ledger, shared by the threads that share it."""

    def __init__(self, kept: int = KEPT) -> None:
        self.kept = kept
        self.views: dict[K, T] = {}
        self.lock = threading.Lock()

    def get(self, key: K, make: Callable[[], T]) -> T:
        """The state under `key`, made on first use (outside the lock: making one reads the
        database, whose own lock another thread may hold while it asks for a state)."""
        with self.lock:
            view = self.views.pop(key, None)
        if view is None:
            view = make()
        with self.lock:
            self.views[key] = view  # most recently used last
            while len(self.views) > self.kept:
                del self.views[next(iter(self.views))]
        return view

    def clear(self) -> None:
        """Forget every state kept."""
        with self.lock:
            self.views.clear()
