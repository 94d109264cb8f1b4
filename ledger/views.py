"""As-of views: the projections as they stood at a past seq, from a scratch replay.

A view is an in-memory SQLite ledger holding the log's events up to that seq, every
projection folded from them by the same code that folds live appends, so its answers are
the ones the live ledger gave then. A ledger keeps the last few views it made.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

from ledger.projector import Progress

if TYPE_CHECKING:
    from ledger.service import LedgerCore

KEPT = 4
"""Views a ledger keeps (most recently used); older ones are let go."""

L = TypeVar("L", bound="LedgerCore")


def replay(source: L, upto: int, progress: Progress | None = None) -> L:
    """A scratch ledger with the source's events ≤ upto and freshly folded projections (read
    inside the caller's read transaction, when it holds one: reads join it)."""
    scratch = type(source).scratch(source.clock)
    with source.scan(0, upto) as (_, chunks):
        for rows in chunks:
            scratch.insert_rows(rows)
    scratch.catch_up(progress)
    return scratch


class Views(Generic[L]):
    """The last few views of one ledger, shared by the threads that share the ledger."""

    def __init__(self, make: Callable[[int], L], kept: int = KEPT) -> None:
        self.make = make
        self.kept = kept
        self.views: dict[int, L] = {}
        self.lock = threading.Lock()

    def get(self, seq: int) -> L:
        """The view as of `seq`, made on first use."""
        with self.lock:
            view = self.views.pop(seq, None)
            if view is None:
                view = self.make(seq)
            self.views[seq] = view  # most recently used last
            while len(self.views) > self.kept:
                # Dropped, not closed: a caller may still hold it; its scratch database goes
                # when the last reference does.
                del self.views[next(iter(self.views))]
        return view

    def close(self) -> None:
        """Close every view kept."""
        with self.lock:
            for view in self.views.values():
                view.close()
            self.views.clear()
