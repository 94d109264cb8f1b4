"""The ledger's checks on itself: `verify` (the hash chain, digests kept elsewhere, the
ledger's records of its own head, and optionally every projection against a scratch
replay), `rebuild` (refold the projections, proving the chain as it goes) and `backup`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ledger.core.projector import Progress, bulk_work
from ledger.core.snapshots import replay
from ledger.errors import InputError, IntegrityError, StorageError

if TYPE_CHECKING:
    from ledger.audit.integrity import Finding
    from ledger.core.service import LedgerCore


def verify(
    service: LedgerCore,
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
        result = verify_chain(service, progress=progress)
    else:
        texts = [digest] if isinstance(digest, str) else list(digest)
        result = verify_digests(service, texts, progress)
    _check_extent(service, result)
    # a digest that merely does not match (or reaches past the log) may be the wrong
    # digest, so it raises no standing alarm; a broken chain or a cut log does
    if result["ok"] or (
        result["first_bad_seq"] is not None and "differs_at_or_before" not in result
    ):
        _settle_alarm(service, result)
    if projections and result["ok"]:
        result["projections"] = _diff_projections(service, progress)
        result["ok"] = result["projections"]["ok"]
    _note_verify(service, result)
    return result


def _note_verify(service: LedgerCore, result: dict[str, Any]) -> None:
    """Keep the newest verify's outcome (for `/metrics`), if the ledger can be written."""
    problem = None if result["ok"] else str(result.get("problem") or "failed")[:1000]
    try:
        with service.backend.write() as db:
            seq = service.log.head(db).seq
            db.execute("DELETE FROM last_verify")
            db.execute(
                "INSERT INTO last_verify (id, ok, verified_at, head_seq, problem)"
                " VALUES (1, ?, ?, ?, ?)",
                (int(bool(result["ok"])), service.clock(), seq, problem),
            )
    except StorageError:
        pass  # a read-only ledger: the outcome is still reported, just not kept


def _check_extent(service: LedgerCore, result: dict[str, Any]) -> None:
    """After a whole chain: does the log reach every record the ledger keeps of it?"""

    if not result["ok"]:
        return
    finding = _full_check(service)
    if finding is not None:
        service.raise_alarm(*finding)
        result.update(ok=False, first_bad_seq=finding.first_bad_seq, problem=finding.problem)


def _full_check(service: LedgerCore) -> Finding | None:
    """What the ledger remembers of its log (head, checkpoints, row versions) held against
    the log, in full; the finding, or None (ledger/audit/integrity.py)."""
    from ledger.audit import integrity

    with service.backend.read() as db:
        return integrity.check(
            db, service.log, service.projector.projections,
            history=service.projector.kind is not None, full=True,
        )  # fmt: skip


def _diff_projections(service: LedgerCore, progress: Progress | None) -> dict[str, Any]:
    """Every projection folded afresh into a scratch database, compared row by row with
    the live one, both read at the same head - and, where the ledger keeps row versions,
    every version of every row: the scratch folds in the live ledger's own history units,
    so its versions must come out identical (an edited past version, which would forge
    an as-of answer, differs)."""
    from ledger.audit.projection_diff import Side, check_units, diff_tables

    history = service.projector.kind is not None
    with service.backend.read() as live:
        head = service.log.head(live).seq
        # a projection never folded (a ledger killed between its schema and its first
        # fold) has no tables yet: as good as empty, so only a fresh fold with rows in
        # it differs from it
        built = service.projector.checkpoints(live)
        folded = [
            p for p in service.projector.projections if built.get(p.name, (None,))[0] == p.version
        ]
        units: dict[str, list[tuple[int, int]]] | None = None
        differences: list[dict[str, Any]] = []
        if history:
            units = {p.name: [] for p in service.projector.projections}
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
        scratch = replay(service, head, progress, units)  # its reads join this one
        try:
            with scratch.backend.read() as fresh:
                differences.extend(
                    diff_tables(
                        Side(live, service.backend.kind),
                        Side(fresh, scratch.backend.kind),
                        folded,
                        history=history,
                    )
                )
                for p in service.projector.projections:
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


def _settle_alarm(service: LedgerCore, result: dict[str, Any]) -> None:
    """After a full check: raise the alarm on a finding; clear a standing one only when
    the log holds again, whole, the head the ledger had recorded when it was raised (a
    restored backup) - never because new events refilled the seqs it flagged."""
    if not result["ok"]:
        service.raise_alarm(result["first_bad_seq"], result["problem"])
        return
    with service.backend.read() as db:
        alarm = service.log.alarm(db)
        if alarm is None:
            return
        seen, digest = alarm["seen_seq"], alarm["seen_hash"]
        if seen is None:  # an alarm raised before alarms kept what was seen
            restored = alarm["first_bad_seq"] <= result["checked"]
        else:  # without the hash seen, the same seq refilled proves nothing: never
            restored = seen <= result["checked"] and (
                seen == 0 or (digest is not None and service.log.hash_at(db, seen) == digest)
            )
    if restored:
        try:
            with service.backend.write() as db:
                service.log.clear_alarm(db)
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
    service: LedgerCore,
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
    from ledger.audit.chain import ChainCheck

    cut = _full_check(service)
    if cut is not None:
        service.raise_alarm(*cut)
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

    selected = service.projector.select(projection)
    completed = False
    try:
        with bulk_work(), service.backend.write() as db:
            service.projector.reset(db, selected, search_now=False)
            head = service.log.head(db).seq
            service.projector.catch_up(db, head, progress=progress, check=check)
            service.projector.index_search(db, selected)
            if cut is not None:
                service.log.reset_head(db)
        completed = True
    finally:
        if completed or chain.problem is not None:  # a whole check, or a break found
            _settle_alarm(service, chain.result())
    result: dict[str, Any] = {"projections": [p.name for p in selected], "events": head}
    result["chain"] = chain.result()
    if cut is not None:
        result["cut"] = {"first_bad_seq": cut.first_bad_seq, "problem": cut.problem}
    return result


def backup(service: LedgerCore, path: str | os.PathLike[str]) -> dict[str, Any]:
    """Copy the whole SQLite ledger to a new file, consistently, while others write (the
    copy appears whole or not at all); answers the head the copy holds."""
    from pathlib import Path

    from ledger.core.outputs import atomic_path

    target = Path(path)
    if service.backend.kind != "sqlite":
        raise InputError(
            "backup copies SQLite files; for PostgreSQL use pg_dump or `roi-ledger export`",
            {"field": "db"},
        )
    if target.exists():
        raise InputError(f"file: {target} exists; choose a new path", {"field": "file"})
    with atomic_path(target, service.location, "file", make_parents=False) as tmp:
        head = service.backend.copy_to(tmp)
    return {"seq": head[0], "hash": head[1]}
