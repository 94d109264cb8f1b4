"""The application service: the only place that opens transactions.

Every command is validated, decided against current state and appended in one transaction
with every inline projection's update; every query reads projections, live or as of a past
point of the log.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from commands.base import Command, ConflictError, NotFoundError
from commands.fields import normal_id
from events import RecordedEvent
from events.sql import Sql
from events.timeutil import normalize_timestamp
from ledger.core.bus import build_projections, handler_for
from ledger.core.projector import Progress, Projector, bulk_work
from ledger.core.snapshots import Views, replay
from ledger.core.uow import RecordingClock, UnitOfWork, system_clock
from ledger.errors import InputError, IntegrityError, LedgerError, StorageError
from ledger.store import open_backend, resolve_location, versions
from ledger.store.base import Backend
from ledger.store.eventlog import EventLog, Head
from ledger.validation import build_command, clip

if TYPE_CHECKING:
    from ledger.store.as_of import AsOfState

AsOf = int | str | None


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


def is_seq(text: str) -> bool:
    """Whether text is a seq: ASCII digits only (not '²' or '٣', which str.isdigit takes)."""
    text = text.strip()
    return bool(text) and text.isascii() and text.isdigit()


def as_of_value(text: str | None) -> AsOf:
    """An `as_of` as typed (CLI, query string): a seq when it is all digits, else a timestamp."""
    if text is None:
        return None
    text = text.strip()
    seq = seq_of(text) if is_seq(text) else -1
    return seq if seq >= 0 else text  # too long a number stays text: beyond the head


def seq_of(digits: str) -> int:
    """A seq typed as digits, leading zeros and all (`0005` is seq 5); one too large for any
    log (over 18 digits once the zeros are gone) as -1, which is beyond every head."""
    significant = digits.strip().lstrip("0") or "0"
    return int(significant) if len(significant) <= 18 else -1


def chain_warning(alarm: dict[str, Any]) -> str:
    """What an append onto a log known to be broken answers beside its result."""
    return (
        f"this ledger's log failed verification at seq {alarm['first_bad_seq']} "
        f"({alarm['problem']}; found {alarm['noted_at']}): this record continues a log known "
        "to be broken. Run `roi-ledger verify` and restore the ledger from a backup"
    )


"""Scratch replays (as-of views) a ledger keeps; older ones are let go."""


class LedgerCore:
    """An open ledger: transactions, as-of views and the audit operations. Feature modules
    add their commands and queries in subclasses; `ledger.app.facade.Ledger` combines them."""

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
            self._alarm(*finding)
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
                raise self._hinted(exc, str(getattr(command, exc.field, ""))) from None
            raise
        result = command_result(events, duplicate)
        warnings = [chain_warning(uow.alarm)] if uow.alarm is not None else []
        warnings += uow.notes
        if warnings:
            result["warning"] = "; ".join(warnings)
        if self.observer is not None:
            self.observer(type(command).__name__, result, None)
        return result

    def _hinted(self, exc: NotFoundError, typed: str) -> NotFoundError:
        """A refusal naming an unknown id, with "did you mean" when a known one is close."""
        from ledger.core.suggest import with_hint

        with self.backend.read() as db:
            return with_hint(exc, db, typed)

    def _alarm(
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

    def raise_alarm(self, first_bad_seq: int, problem: str) -> None:
        """Note a break found while reading the log (an export that met an altered row)."""
        self._alarm(first_bad_seq, problem)

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

    def retry_conflicts(self, commands: Iterable[Command]) -> list[tuple[Command, str]]:
        """Commands whose idempotency key already names a different command in the log, each
        with what differs (checked in one read, writing nothing)."""
        keyed = {c.idempotency_key: c for c in commands if c.idempotency_key is not None}
        out: list[tuple[Command, str]] = []
        with self.backend.read() as db:
            for key in sorted(self.log.existing_keys(db, list(keyed))):
                stored = self.log.by_idempotency_key(db, key)
                mismatch = None if stored is None else keyed[key].retry_mismatch(stored)
                if mismatch is not None:
                    out.append((keyed[key], mismatch))
        return out

    def _run(self, cls: type[Command], fields: dict[str, Any]) -> dict[str, Any]:
        return self.execute(build_command(cls, fields))

    # -- commands ------------------------------------------------------------------------
    def retract(self, target_seq: int, reason: str, **options: Any) -> dict[str, Any]:
        """Retract an event by seq: its effect leaves every projection, the log keeps it."""
        from commands.ledger import Retract

        return self._run(Retract, dict(target_seq=target_seq, reason=reason, **options))

    # -- reading -------------------------------------------------------------------------
    def resolve_as_of(self, as_of: AsOf) -> int:
        """A seq or timestamp to the seq it denotes (the head when None)."""
        if as_of is None and self.pinned is not None:
            return self.pinned
        with self.backend.read() as db:
            head = self.log.head(db).seq
            if as_of is None:
                return head
            if isinstance(as_of, int) or is_seq(str(as_of)):
                seq = as_of if isinstance(as_of, int) else seq_of(str(as_of))
                if seq == -1 and not isinstance(as_of, int):
                    raise InputError(
                        f"as_of: seq {clip(str(as_of).strip())} is beyond the head of the log "
                        f"(seq {head})",
                        {"field": "as_of", "head": head},
                    )
                if seq < 0:
                    raise InputError(f"as_of: seq {seq} is negative", {"field": "as_of"})
            else:
                try:
                    stamp = normalize_timestamp(str(as_of))
                except ValueError as exc:
                    raise InputError(
                        f"as_of: {exc} (or give a seq number)", {"field": "as_of"}
                    ) from None
                seq = self.log.seq_at_time(db, stamp)
        if seq > head:
            raise InputError(
                f"as_of: seq {seq} is beyond the head of the log (seq {head})",
                {"field": "as_of", "head": head},
            )
        return seq

    def view(self, as_of: AsOf) -> Self:
        """This ledger, or a read-only view of it as of a past point: the same database, each
        read seeing the projections' rows as they stood then (ledger/store/versions.py)."""
        if as_of is None:
            return self
        seq = self.resolve_as_of(as_of)
        if self.pinned is None and seq == self.head().seq:
            return self
        view = copy.copy(self)
        view.pinned = seq
        return view

    def _as_of_state(self, db: Sql, seq: int) -> AsOfState:
        """What reads as of `seq` need, inside the caller's read transaction; kept for the
        next reads until any projection's history is refolded."""
        from ledger.store import as_of as past  # reads of the past only: an append never imports it

        projections = self.projector.projections

        def make() -> AsOfState:
            return past.plan(db, self.log, projections, seq)

        return self.views.get((seq, versions.generation(db)), make)

    @contextmanager
    def reading(self, as_of: AsOf = None) -> Iterator[Sql]:
        """A read transaction on the live projections, or on them as of a past point.

        As of the head itself, the live projections are the answer: checked inside the read
        transaction, so no append can slip in between.
        """
        with self.backend.read() as db:
            seq = self.pinned
            if as_of is not None:
                seq = self.resolve_as_of(as_of)  # joins this read transaction
                if seq == self.log.head(db).seq:
                    seq = None
            if seq is None:
                yield db
                return
            state = self._as_of_state(db, seq)
            if state.replay:  # rare: too many rows changed inside one unit
                scratch = replay(self, seq)
                try:
                    with scratch.backend.read() as fresh:
                        yield fresh
                finally:
                    scratch.close()
                return
            from ledger.store import as_of as past

            kind = self.backend.kind
            yield past.AsOfSql(
                db, state, self.projector.tables, kind, self.backend.column_types,
                self.projector.views(kind),
            )  # fmt: skip

    def point_shown(self, now: Any = None, as_of: AsOf = None) -> datetime:
        """The moment a read at a point measures its windows from ("this month", "the last
        30 days", an alert's days): `now` when given; else, as of a recording time, that
        time; as of a seq, when that seq was recorded; else the clock. Never today's clock
        for a past point: the dashboard as of seq 120 counts the 30 days before seq 120."""
        from events.timeutil import parse_timestamp
        from ledger.core.moments import moment

        if now is not None or (as_of is None and self.pinned is None):
            return moment(now)
        if as_of is not None and not (isinstance(as_of, int) or is_seq(str(as_of))):
            self.resolve_as_of(as_of)  # a bad timestamp is refused here, naming as_of
            return parse_timestamp(str(as_of))
        recorded = self.head(as_of).recorded_at
        return moment(None) if recorded is None else parse_timestamp(recorded)

    def head(self, as_of: AsOf = None) -> Head:
        """The head of the log (as of a point, if given).

        Reads of the log itself need no replay: it only ever grows, so the log as of seq S is
        its rows up to S. Only projections are replayed for an as-of (`view`).
        """
        upto = None if as_of is None and self.pinned is None else self.resolve_as_of(as_of)
        with self.backend.read() as db:
            return self.log.head(db, upto)

    def digest(self, as_of: AsOf = None) -> dict[str, Any]:
        """The head as `{"seq", "hash"}`; keep it outside the database, like a notary."""
        head = self.head(as_of)
        return {"seq": head.seq, "hash": head.hash}

    def verify(
        self,
        *,
        projections: bool = False,
        digest: str | Sequence[str] | None = None,
        progress: Progress | None = None,
    ) -> dict[str, Any]:
        """Recompute the hash chain (or prove `SEQ:HASH` digests) and hold every record the
        ledger keeps of its own head against the log; optionally rebuild every projection,
        row versions included, into a scratch database and diff it with the live one. `ok`
        says it all.

        A broken chain or a cut log raises the ledger's integrity alarm (appends then warn,
        or are refused over a cut log; a digest that does not match does not, as it may be
        the wrong digest). A standing alarm clears only once the log holds again the head
        the ledger had recorded when it was raised.
        """
        from ledger.audit.chain import verify_chain, verify_digests

        if digest is None:
            result = verify_chain(self, progress=progress)
        else:
            texts = [digest] if isinstance(digest, str) else list(digest)
            result = verify_digests(self, texts, progress)
        self._check_extent(result)
        # a digest that merely does not match (or reaches past the log) may be the wrong
        # digest, so it raises no standing alarm; a broken chain or a cut log does
        if result["ok"] or (
            result["first_bad_seq"] is not None and "differs_at_or_before" not in result
        ):
            self._settle_alarm(result)
        if projections and result["ok"]:
            result["projections"] = self._diff_projections(progress)
            result["ok"] = result["projections"]["ok"]
        self._note_verify(result)
        return result

    def _note_verify(self, result: dict[str, Any]) -> None:
        """Keep the newest verify's outcome (for `/metrics`), if the ledger can be written."""
        problem = None if result["ok"] else str(result.get("problem") or "failed")[:1000]
        try:
            with self.backend.write() as db:
                seq = self.log.head(db).seq
                db.execute("DELETE FROM last_verify")
                db.execute(
                    "INSERT INTO last_verify (id, ok, verified_at, head_seq, problem)"
                    " VALUES (1, ?, ?, ?, ?)",
                    (int(bool(result["ok"])), self.clock(), seq, problem),
                )
        except StorageError:
            pass  # a read-only ledger: the outcome is still reported, just not kept

    def _check_extent(self, result: dict[str, Any]) -> None:
        """After a whole chain: does the log reach every record the ledger keeps of it?"""
        from ledger.audit import integrity

        if not result["ok"]:
            return
        with self.backend.read() as db:
            finding = integrity.check(
                db,
                self.log,
                self.projector.projections,
                history=self.projector.kind is not None,
                full=True,
            )
        if finding is not None:
            self._alarm(*finding)
            result.update(ok=False, first_bad_seq=finding.first_bad_seq, problem=finding.problem)

    def _diff_projections(self, progress: Progress | None) -> dict[str, Any]:
        """Every projection folded afresh into a scratch database, compared row by row with
        the live one, both read at the same head - and, where the ledger keeps row versions,
        every version of every row: the scratch folds in the live ledger's own history units,
        so its versions must come out identical (an edited past version, which would forge
        an as-of answer, differs)."""
        from ledger.audit.projection_diff import Side, check_units, diff_tables

        history = self.projector.kind is not None
        with self.backend.read() as live:
            head = self.log.head(live).seq
            # a projection never folded (a ledger killed between its schema and its first
            # fold) has no tables yet: as good as empty, so only a fresh fold with rows in
            # it differs from it
            built = self.projector.checkpoints(live)
            folded = [
                p for p in self.projector.projections if built.get(p.name, (None,))[0] == p.version
            ]
            units: dict[str, list[tuple[int, int]]] | None = None
            differences: list[dict[str, Any]] = []
            if history:
                units = {p.name: [] for p in self.projector.projections}
                if folded:
                    for name, first, last in live.execute(
                        "SELECT projection, start_seq, end_seq FROM history_units"
                    ).fetchall():
                        units.setdefault(str(name), []).append((int(first), int(last)))
                differences.extend(check_units(units, head))
            for p in folded:  # what a projection keeps beside its tables (views, indexes)
                differences.extend(
                    {"table": p.name, "problem": f"{problem}: run `roi-ledger rebuild`"}
                    for problem in p.check(live)
                )
            scratch = replay(self, head, progress, units)  # its reads join this one
            try:
                with scratch.backend.read() as fresh:
                    differences.extend(
                        diff_tables(
                            Side(live, self.backend.kind),
                            Side(fresh, scratch.backend.kind),
                            folded,
                            history=history,
                        )
                    )
                    for p in self.projector.projections:
                        if p not in folded and any(
                            fresh.execute(f"SELECT 1 FROM {t.name} LIMIT 1").fetchone()
                            for t in p.tables
                        ):
                            differences.append(
                                {"table": p.tables[0].name, "problem": "never folded in the "
                                 "live ledger: run `roi-ledger rebuild`"}
                            )  # fmt: skip
            finally:
                scratch.close()
        return {"ok": not differences, "head": head, "differences": differences}

    # -- the log's rows, for audit (ledger/audit/chain.py) ----------------------------------------
    @contextmanager
    def scan(
        self, after: int = 0, upto: int | None = None
    ) -> Iterator[tuple[Head, Iterator[list[tuple[Any, ...]]]]]:
        """In one read transaction: the head, and the stored rows after `after` (≤ `upto`)
        in chunks, exactly as stored."""
        with self.backend.read() as db:
            yield self.log.head(db), self.log.iter_raw(db, after, upto)

    def hash_at(self, seq: int) -> str | None:
        """The stored hash of one event (None if the log does not hold that seq)."""
        with self.backend.read() as db:
            event = self.log.read_event(db, seq)
        return None if event is None else event.hash

    def insert_rows(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Store already-chained rows as they are, without folding them (a replay folds
        once, at the end, with `catch_up`)."""
        with self.backend.write() as db:
            self.log.insert_rows(db, rows)

    def _settle_alarm(self, result: dict[str, Any]) -> None:
        """After a full check: raise the alarm on a finding; clear a standing one only when
        the log holds again, whole, the head the ledger had recorded when it was raised (a
        restored backup) - never because new events refilled the seqs it flagged."""
        if not result["ok"]:
            self._alarm(result["first_bad_seq"], result["problem"])
            return
        with self.backend.read() as db:
            alarm = self.log.alarm(db)
            if alarm is None:
                return
            seen, digest = alarm["seen_seq"], alarm["seen_hash"]
            if seen is None:  # an alarm raised before alarms kept what was seen
                restored = alarm["first_bad_seq"] <= result["checked"]
            else:  # without the hash seen, the same seq refilled proves nothing: never
                restored = seen <= result["checked"] and (
                    seen == 0 or (digest is not None and self.log.hash_at(db, seen) == digest)
                )
        if restored:
            try:
                with self.backend.write() as db:
                    self.log.clear_alarm(db)
            except StorageError:
                pass  # read-only: nothing to clear it in
            return
        result.update(
            ok=False,
            first_bad_seq=alarm["first_bad_seq"],
            problem=(
                f"{alarm['problem']} (found {alarm['noted_at']}); the alarm stands until the log "
                f"holds again the event the ledger knew at seq {seen}"
                + (f" (hash {digest[:12]}…)" if digest else "")
                + ": restore the ledger from a backup"
                if seen is not None
                else alarm["problem"]
            ),
        )

    def rebuild(
        self,
        projection: list[str] | None = None,
        *,
        force: bool = False,
        progress: Progress | None = None,
    ) -> dict[str, Any]:
        """Drop and refold projections (all, or those named) from the log, proving its hash
        chain in the same pass. A broken chain, or a log that no longer reaches what the
        ledger remembers of it (cut), is refused (IntegrityError naming the first bad seq;
        the projections stay as they were): folding it would put forged figures into the
        projections and erase the evidence. `force` folds it anyway and accepts the log's
        head as it is (the alarm still stands)."""
        from ledger.audit import integrity
        from ledger.audit.chain import ChainCheck

        with self.backend.read() as db:
            cut = integrity.check(
                db,
                self.log,
                self.projector.projections,
                history=self.projector.kind is not None,
                full=True,
            )
        if cut is not None:
            self._alarm(*cut)
            if not force:
                raise IntegrityError(
                    f"rebuild refused: {cut.problem}; refolding would erase the last record "
                    "of them. Restore the ledger from a backup, or `rebuild --force` to accept "
                    "the log as it is",
                    {"first_bad_seq": cut.first_bad_seq, "problem": cut.problem},
                )
        chain = ChainCheck()

        def check(rows: Sequence[Any]) -> None:
            if chain.feed(rows) is not None and not force:
                raise IntegrityError(
                    f"rebuild refused: {chain.problem} (first bad seq {chain.first_bad_seq}); "
                    "folding it would put forged figures into the projections. Restore the "
                    "ledger from a backup, or `rebuild --force` to fold it as it is",
                    {"first_bad_seq": chain.first_bad_seq, "problem": chain.problem},
                )

        selected = self.projector.select(projection)
        completed = False
        try:
            with bulk_work(), self.backend.write() as db:
                self.projector.reset(db, selected, search_now=False)
                head = self.log.head(db).seq
                self.projector.catch_up(db, head, progress=progress, check=check)
                self.projector.index_search(db, selected)
                if cut is not None:
                    self.log.reset_head(db)
            completed = True
        finally:
            if completed or chain.problem is not None:  # a whole check, or a break found
                self._settle_alarm(chain.result())
        result: dict[str, Any] = {"projections": [p.name for p in selected], "events": head}
        result["chain"] = chain.result()
        if cut is not None:
            result["cut"] = {"first_bad_seq": cut.first_bad_seq, "problem": cut.problem}
        return result

    def alarm(self) -> dict[str, Any] | None:
        """The standing integrity alarm (the first bad seq a verify found), or None."""
        with self.backend.read() as db:
            return self.log.alarm(db)

    def existing_keys(self, keys: Sequence[str]) -> set[str]:
        """Which of these idempotency keys the log already holds."""
        with self.backend.read() as db:
            return set(self.log.existing_keys(db, list(keys)))

    def first_occurred_at(self) -> str | None:
        """When the log's earliest event happened (None for an empty log)."""
        with self.backend.read() as db:
            return self.log.first_occurred_at(db)

    def first_recorded_at(self) -> str | None:
        """When the ledger learned its first fact (None for an empty log)."""
        with self.backend.read() as db:
            return self.log.first_recorded_at(db)

    def reports_produced(self, kind: str) -> set[str]:
        """The periods of a kind of scheduled report the log says were produced."""
        from projections.reports import produced

        with self.reading() as db:
            return produced(db, kind)

    def backup(self, path: str | os.PathLike[str]) -> dict[str, Any]:
        """Copy the whole SQLite ledger to a new file, consistently, while others write (the
        copy appears whole or not at all); answers the head the copy holds."""
        from pathlib import Path

        from ledger.core.outputs import atomic_path

        target = Path(path)
        if self.backend.kind != "sqlite":
            raise InputError(
                "backup copies SQLite files; for PostgreSQL use pg_dump or `roi-ledger export`",
                {"field": "db"},
            )
        if target.exists():
            raise InputError(f"file: {target} exists; choose a new path", {"field": "file"})
        with atomic_path(target, self.location, "file", make_parents=False) as tmp:
            head = self.backend.copy_to(tmp)
        return {"seq": head[0], "hash": head[1]}

    def history(self, stream_id: str, as_of: AsOf = None) -> list[RecordedEvent]:
        """A stream's audit trail, oldest first (retracted events included, as stored)."""
        return [e for page in self.history_pages(stream_id, as_of) for e in page]

    def history_pages(
        self, stream_id: str, as_of: AsOf = None, after: int = 0, page: int = 1000
    ) -> Iterator[list[RecordedEvent]]:
        """A stream's audit trail a page at a time, oldest first, each page read on its own
        (memory stays flat however long the stream; the log up to a seq never changes, so
        the pages fit together)."""
        upto = self.resolve_as_of(as_of)  # a bad as_of is refused before any page

        def pages(after: int) -> Iterator[list[RecordedEvent]]:
            while True:
                events = self.events(after, page, stream_id=stream_id, as_of=upto)
                if events:
                    yield events
                if len(events) < page:
                    return
                after = events[-1].seq

        return pages(after)

    def events(
        self,
        after: int = 0,
        limit: int = 100,
        event_type: str | None = None,
        stream_id: str | None = None,
        as_of: AsOf = None,
        newest: bool = False,
    ) -> list[RecordedEvent]:
        """Events after a seq, oldest first (only those in the log as of a point, if given):
        the first `limit` of them, or with `newest` the last `limit` (the tail of the log)."""
        for name, value, low in (("after", after, 0), ("limit", limit, 1)):
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value < 2**62:
                raise InputError(
                    f"{name}: must be a whole number from {low} to {2**62 - 1:,} (got {value!r})",
                    {"field": name},
                )
        if event_type is not None:
            from events.registry import EVENT_CLASSES

            if event_type not in EVENT_CLASSES:
                raise InputError(
                    f"type: no event type {event_type!r}; the types are "
                    f"{', '.join(sorted(EVENT_CLASSES))}",
                    {"field": "type", "known": sorted(EVENT_CLASSES)},
                )
        upto = None if as_of is None and self.pinned is None else self.resolve_as_of(as_of)
        stream_id = None if stream_id is None else normal_id(stream_id)
        with self.backend.read() as db:
            return self.log.read_after(
                db, after, limit, upto=upto, event_type=event_type, stream_id=stream_id,
                newest=newest,
            )  # fmt: skip


__all__ = ["LedgerCore", "LedgerError"]
