"""What a projection is: a name, a version, the events it folds, its own tables.

Projections write through `Sql` (events/sql.py), the slice of DB-API both backends offer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, cast

from events import RecordedEvent
from events.sql import Sql

if TYPE_CHECKING:
    from events.ledger_events import EventRetracted

Column = tuple[str, str, str]
"""(name, portable type, constraints): the type is TEXT, INTEGER (64-bit) or REAL (64-bit
float); each backend maps it to its own (PostgreSQL: BIGINT, DOUBLE PRECISION)."""


class Table(NamedTuple):
    """A projection table: its columns, primary key and indexes, in portable SQL."""

    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    indexes: tuple[tuple[str, str], ...] = ()
    per_event: bool = False
    """Rows are written once per event (an execution, an outcome), not totals that change
    with every event: their past is read by scanning versions, not key by key."""
    seq_columns: tuple[str, ...] = ()
    """Columns holding a seq of the log: none may point past its end (ledger/audit/integrity.py)."""

    def ddl(self, types: Mapping[str, str]) -> str:
        """CREATE TABLE with each portable type mapped by `types` (unmapped ones as written)."""
        columns = [
            f"{name} {types.get(kind, kind)} {constraints}".rstrip()
            for name, kind, constraints in self.columns
        ]
        columns.append(f"PRIMARY KEY ({', '.join(self.primary_key)})")
        return f"CREATE TABLE IF NOT EXISTS {self.name} ({', '.join(columns)})"

    def create(self, db: Sql, types: Mapping[str, str]) -> None:
        """Create the table and its indexes."""
        db.execute(self.ddl(types))
        for index_name, expr in self.indexes:
            db.execute(f"CREATE INDEX IF NOT EXISTS {index_name} ON {self.name} ({expr})")

    def drop(self, db: Sql) -> None:
        """Drop the table (its indexes go with it)."""
        db.execute(f"DROP TABLE IF EXISTS {self.name}")


class StreamReader(Protocol):
    """How a projection reads past events when it must recompute (e.g. after a retraction)."""

    def read_stream(
        self, db: Sql, stream_id: str, upto_seq: int, event_types: Iterable[str] = ()
    ) -> list[RecordedEvent]: ...

    def read_event(self, db: Sql, seq: int) -> RecordedEvent | None: ...


class Projection:
    """A read model. Subclasses set the class attributes and implement `apply` and `retract`.

    `apply` receives, in log order, only events whose type is in `handles` (never a
    retraction). `retract` receives an event of a handled type that was just retracted and
    must remove its effect.
    """

    name: str = ""
    version: int = 1
    handles: frozenset[str] = frozenset()
    tables: tuple[Table, ...] = ()

    def check(self, db: Sql) -> list[str]:
        """What `verify --projections` finds wrong with what this projection keeps beside
        its tables (its views over the log and their indexes), in words; [] when sound.
        Tables are compared row by row with a rebuild instead."""
        return []

    def views(self, kind: str) -> dict[str, str]:
        """Views this projection keeps over the log instead of tables (name -> SELECT over
        `events`, in the SQL of `kind`): read as of a seq over the log's first events."""
        return {}

    def create(self, db: Sql, types: Mapping[str, str]) -> None:
        """Create this projection's tables, portable column types mapped by `types`."""
        for table in self.tables:
            table.create(db, types)

    def drop(self, db: Sql) -> None:
        """Drop this projection's tables."""
        for table in self.tables:
            table.drop(db)

    def apply(self, db: Sql, events: Sequence[RecordedEvent], reader: StreamReader) -> None:
        """Fold these events into the tables."""
        raise NotImplementedError

    def retract(
        self, db: Sql, target: RecordedEvent, retraction: RecordedEvent, reader: StreamReader
    ) -> None:
        """Remove the effect of `target`, retracted by `retraction`."""
        raise NotImplementedError


def dec(value: Any) -> Any:
    """Decimal to its stored exact text (None stays None)."""
    return None if value is None else str(value)


def fold(
    db: Sql, projection: Projection, events: Sequence[RecordedEvent], reader: StreamReader
) -> None:
    """Fold events into one projection: handled types in runs, each retraction on its own
    (its target read through `reader`)."""
    handles = projection.handles
    run: list[RecordedEvent] = []
    for recorded in events:
        if recorded.event_type == "EventRetracted":
            if run:
                projection.apply(db, run, reader)
                run = []
            event = cast("EventRetracted", recorded.event)
            target = reader.read_event(db, event.target_seq)
            if target is not None and target.event_type in handles:
                projection.retract(db, target, recorded, reader)
        elif recorded.event_type in handles:
            run.append(recorded)
    if run:
        projection.apply(db, run, reader)
