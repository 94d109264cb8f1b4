"""The application service's write side: the only place that opens write transactions.

Every command is validated, decided against current state and appended in one transaction
with every inline projection's update. Its read side (as-of points, read transactions, the
log) is ledger/core/reading.py; its checks on itself (verify, rebuild) ledger/core/checks.py.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from commands.base import Command, ConflictError, NotFoundError
from events import RecordedEvent
from events.sql import Sql
from ledger.core.bus import build_projections, handler_for
from ledger.core.projector import Progress, Projector, bulk_work
from ledger.core.reading import ReadSide
from ledger.core.snapshots import Views
from ledger.core.uow import RecordingClock, UnitOfWork, system_clock
from ledger.errors import InputError, IntegrityError, LedgerError, StorageError
from ledger.store import open_backend, resolve_location
from ledger.store.base import Backend
from ledger.store.eventlog import EventLog

if TYPE_CHECKING:
    from ledger.store.as_of import AsOfState


def command_result(events: list[RecordedEvent], duplicate: bool) -> dict[str, Any]:
    """What every command answers: where its first event landed, and whether it was a retry."""
    first = events[0]
    return {
        "seq": first.seq,
        "stream_id": first.stream_id,
        "stream_version": first.stream_version,
        "event_type": first.event_type,
        "duplicate": duplicate,
        "occurred_at": first.occurred_at,
        "recorded_at": first.recorded_at,
        "hash": first.hash,
    }


def chain_warning(alarm: dict[str, Any]) -> str:
    """What an append onto a log known to be broken answers beside its result."""
    return (
        f"this ledger's log failed verification at seq {alarm['first_bad_seq']} "
        f"({alarm['problem']}; found {alarm['noted_at']}): this record continues a log known "
        "to be broken. Run `roi-ledger verify` and restore the ledger from a backup"
    )


class LedgerCore(ReadSide):
    """An open ledger: transactions and the bus on top of its read side. The `Ledger` facade
    (ledger/app/facade.py) is composed over one, as `ledger.service`."""

    def __init__(
        self,
        backend: Backend,
        *,
        clock: RecordingClock = system_clock,
        scratch: bool = False,
        history: bool | None = None,
    ) -> None:
        self.backend = backend
        self.log = EventLog()
        keep = not scratch if history is None else history
        self.projector = Projector(
            build_projections(), self.log, backend.column_types, backend.kind if keep else None
        )
        self.clock = clock
        self.views: Views[tuple[int, int], AsOfState] = Views()
        self.pinned: int | None = None
        """Set on an as-of view (`view`): the seq every read of it sees the ledger at."""

    # -- lifecycle -----------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        path_or_url: str | os.PathLike[str] | None = None,
        *,
        create: bool = True,
        progress: Progress | None = None,
        catch_up: bool = True,
    ) -> Self:
        """Open (creating if allowed) the ledger at a path or URL; projections catch up
        unless `catch_up` is false (for the log's own commands - verify, rebuild, log,
        export - which must work even when a projection cannot)."""
        location = resolve_location(path_or_url)
        if not create and "://" not in location and not os.path.exists(location):
            raise InputError(
                f"no ledger at {location}: pass --db (or set ROI_LEDGER_DB), "
                "or create one with `roi-ledger init`",
                {"field": "db", "value": location},
            )
        backend = open_backend(location)
        try:
            backend.ensure_schema(create)
            ledger = cls(backend)
            if catch_up:
                ledger.catch_up(progress)
        except BaseException:
            backend.close()
            raise
        return ledger

    @classmethod
    def scratch(
        cls, clock: RecordingClock = system_clock, *, history: bool = False, on_disk: bool = False
    ) -> Self:
        """An empty ledger for replays, in memory (or, `on_disk`, in a temporary file, for
        logs too long to fold in memory), gone when closed; with `history`, it keeps row
        versions as a live ledger does."""
        import tempfile

        from ledger.store.sqlite import SqliteBackend

        where = ":memory:"
        if on_disk:
            handle, where = tempfile.mkstemp(prefix="roi-ledger-replay-", suffix=".db")
            os.close(handle)  # an empty file is an empty database; closing deletes it
        backend = SqliteBackend(where, scratch=True)
        backend.ensure_schema()
        return cls(backend, clock=clock, scratch=True, history=history)

    def refold(
        self, noted: dict[str, list[tuple[int, int]]], progress: Progress | None = None
    ) -> None:
        """Fold every projection from the start in the given history units (a scratch
        replay rebuilding another ledger's row versions exactly; see Projector)."""
        with bulk_work(), self.backend.write() as db:
            self.projector.refold_in_units(db, self.log.head(db).seq, noted, progress)

    def close(self) -> None:
        """Close the database (an as-of view shares its ledger's: closing it does nothing)."""
        if self.pinned is not None:
            return
        self.views.clear()
        self.backend.close()

    @property
    def location(self) -> str:
        """Where the ledger lives: its file path or database URL."""
        return self.backend.location

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def catch_up(self, progress: Progress | None = None) -> None:
        """Bring every projection up to the head in one transaction: a reader sees the
        projections as they were or as they are, never half folded (a killed catch-up
        leaves them as they were). A log shorter than what the ledger remembers of it
        raises the integrity alarm (ledger/audit/integrity.py)."""
        from ledger.audit import integrity

        with self.backend.read() as db:
            head = self.log.head(db).seq
            finding = integrity.check(
                db, self.log, self.projector.projections, history=False, full=False
            )
            if finding is None and not self.projector.behind(db, head):
                return
        if finding is not None:
            self.raise_alarm(*finding)
        with bulk_work(), self.backend.write() as db:
            self.projector.catch_up(db, self.log.head(db).seq, progress=progress)

    # -- running commands ----------------------------------------------------------------
    @contextmanager
    def unit_of_work(self, kind: type[UnitOfWork] = UnitOfWork) -> Iterator[UnitOfWork]:
        """A write transaction with projections current; pending events flush before commit.

        Refused (IntegrityError) when the log no longer reaches the head the ledger recorded:
        appending would give the deleted events' seqs to new ones."""
        from ledger.audit import integrity

        if self.pinned is not None:
            raise InputError(
                f"as_of: a view as of seq {self.pinned} is read-only", {"field": "as_of"}
            )
        with self.backend.write() as db:
            # one read before the command's own (each a round trip under PostgreSQL's lock)
            head, recorded, alarm, marks = self.log.write_start(db)
            finding = integrity.check(
                db, self.log, self.projector.projections, history=False, full=False,
                head=head, recorded=recorded, marks=marks,
            )  # fmt: skip
            if finding is None:
                if self.projector.behind(db, head.seq, marks):
                    self.projector.catch_up(db, head.seq)
                uow = kind(db, self.log, self.projector, self.clock, head)
                uow.alarm = alarm
                yield uow
                uow.flush()
            else:  # kept: this transaction records the alarm and nothing else
                self.log.raise_alarm(
                    db, finding.first_bad_seq, finding.problem, self.clock(),
                    self._seen(db, finding.seen),
                )  # fmt: skip
        if finding is not None:
            raise IntegrityError(
                f"refused: {finding.problem}. Appending now would give new events the seqs of "
                "deleted ones; restore the ledger from a backup (or accept the log as it is "
                "with `roi-ledger rebuild --force`)",
                {"first_bad_seq": finding.first_bad_seq, "problem": finding.problem},
            )

    observer: Callable[[str, dict[str, Any] | None, Exception | None], None] | None = None
    """Told of each `execute`: (command name, result or None, refusal or None) — the
    server's metrics count appends, retries and refusals with it."""

    def execute(self, command: Command) -> dict[str, Any]:
        """Run one command in one transaction; a retried idempotency key appends nothing."""
        try:
            with self.unit_of_work() as uow:
                events, duplicate = self.dispatch(uow, command)
        except Exception as exc:
            if self.observer is not None:
                self.observer(type(command).__name__, None, exc)
            if isinstance(exc, NotFoundError) and exc.field in ("pattern_id", "decision_id"):
                raise self.hinted(exc, str(getattr(command, exc.field, ""))) from None
            raise
        result = command_result(events, duplicate)
        warnings = [chain_warning(uow.alarm)] if uow.alarm is not None else []
        warnings += uow.notes
        if warnings:
            result["warning"] = "; ".join(warnings)
        if self.observer is not None:
            self.observer(type(command).__name__, result, None)
        return result

    def raise_alarm(
        self, first_bad_seq: int, problem: str, seen: tuple[int, str | None] | None = None
    ) -> None:
        """Note in the ledger that its log was found broken (if it can be written at all),
        with the furthest head it knew of (`seen`, by default the head it recorded), which
        the log must hold again to clear it."""
        try:
            with self.backend.write() as db:
                self.log.raise_alarm(db, first_bad_seq, problem, self.clock(), self._seen(db, seen))
        except StorageError:
            pass  # a read-only ledger: the finding is still reported, just not kept

    def _seen(self, db: Sql, seen: tuple[int, str | None] | None = None) -> tuple[int, str | None]:
        """The furthest head the ledger knows of: `seen` (a finding's), the head it
        recorded, or the log's own - whichever reaches furthest (with its hash if known)."""
        head = self.log.head(db)
        known: list[tuple[int, str | None]] = [(head.seq, str(head.hash))]
        recorded = self.log.recorded_head(db)
        if recorded is not None:
            known.append((int(recorded[0]), str(recorded[1])))
        if seen is not None:
            known.append(seen)
        furthest = max(seq for seq, _ in known)
        hashes = [digest for seq, digest in known if seq == furthest and digest is not None]
        return furthest, hashes[0] if hashes else None

    def dispatch(self, uow: UnitOfWork, command: Command) -> tuple[list[RecordedEvent], bool]:
        """Run a command inside a unit of work the caller holds open, through the bus: its
        events, and whether it was the exact retry of a recorded one (nothing appended)."""
        key = command.idempotency_key
        if key is not None:
            stored = uow.duplicate(key)
            if stored is not None:
                mismatch = command.retry_mismatch(stored)
                if mismatch is not None:
                    raise ConflictError(
                        f"idempotency key {key!r} already names another command: seq "
                        f"{stored.seq}, a {stored.event_type} in {stored.stream_id}; this one "
                        f"has {mismatch}. Give a new command a new key",
                        field="idempotency_key",
                    )
                return [stored], True
        return handler_for(command)(uow, command), False

    def insert_rows(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Store already-chained rows as they are, without folding them (a replay folds
        once, at the end, with `catch_up`)."""
        with self.backend.write() as db:
            self.log.insert_rows(db, rows)


__all__ = ["LedgerCore", "LedgerError"]
