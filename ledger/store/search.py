"""Full-text search over decisions: their content, action and sender, and their outcomes'
notes (SQLite FTS5).

On a live SQLite ledger the index is kept in step with the `decisions` and `outcomes`
projection tables by triggers in the append's own transaction, and dropped and refolded
with them (`create`, called by the projector). On PostgreSQL, and as of a past point, the
same FTS5 index is built in memory from the rows as they stood: the same tokenizer and query
syntax, so the same answers, at a cost that grows with the number of decisions.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from events.sql import Sql

INDEXED = {
    "decisions": ("opportunity_content", "action_taken", "sender"),
    "outcomes": ("notes",),
}
"""The text each table contributes to the search."""

ROW = (
    "decision_id, decided_at, opportunity_type, opportunity_source, opportunity_content,"
    " action_taken, sender, outcomes, customer, deal, revenue"
)
"""What a result shows of its decision."""


def create(db: Sql, table: str) -> None:
    """The FTS5 index of a live SQLite table and the triggers that keep it in step."""
    columns = INDEXED.get(table)
    if columns is None:
        return
    fts, names = f"{table}_fts", ", ".join(columns)
    db.execute(f"DROP TABLE IF EXISTS {fts}")
    db.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{table}')")
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    remove = f"INSERT INTO {fts} ({fts}, rowid, {names}) VALUES ('delete', old.rowid, {old});"
    add = f"INSERT INTO {fts} (rowid, {names}) VALUES (new.rowid, {new});"
    for event, body in (("INSERT", add), ("DELETE", remove), ("UPDATE", remove + " " + add)):
        db.execute(
            f"CREATE TRIGGER IF NOT EXISTS {fts}_{event.lower()} AFTER {event} ON {table} "
            f"BEGIN {body} END"
        )
    db.execute(f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')")  # rows already there


def drop(db: Sql, table: str) -> None:
    """Drop a table's FTS5 index (its triggers go with the table)."""
    if table in INDEXED:
        db.execute(f"DROP TABLE IF EXISTS {table}_fts")


def match_expression(query: str) -> str:
    """Words to an FTS5 query that finds decisions holding every one of them (a word ending
    in * matches as a prefix); never FTS5 syntax the user did not mean."""
    terms = []
    for word in query.split():
        word = "".join(ch for ch in word if ch.isprintable())  # FTS5 ends a string at NUL
        if not word:
            continue
        prefix = word.endswith("*") and len(word) > 1
        word = word.rstrip("*") if prefix else word
        quoted = '"' + word.replace('"', '""') + '"'
        terms.append(quoted + ("*" if prefix else ""))
    return " ".join(terms)


def search(db: Sql, query: str, limit: int, *, indexed: bool) -> list[dict[str, Any]]:
    """Decisions whose text or outcome notes hold every word of `query`, newest first.
    `indexed`: the live SQLite index exists; otherwise one is built from the rows."""
    expression = match_expression(query)
    if not expression:
        from ledger.errors import InputError

        raise InputError("query: give at least one word to search for", {"field": "query"})
    ranked = _ranked(db, expression) if indexed else _ranked_in_memory(db, expression)
    ids = sorted({decision_id for decision_id, _ in ranked})
    rows: list[dict[str, Any]] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found = db.execute(
            f"SELECT {ROW} FROM decisions WHERE decision_id IN ({', '.join('?' * len(chunk))})",
            chunk,
        ).fetchall()
        rows.extend(_result(r) for r in found)
    # newest first: an order the live index and one built from the rows agree on (bm25's
    # scores depend on the whole corpus, which differs between a head and a past point)
    rows.sort(key=lambda r: r["decision_id"])
    rows.sort(key=lambda r: r["decided_at"], reverse=True)
    return rows[:limit]


def _ranked(db: Sql, expression: str) -> list[tuple[str, float]]:
    found = db.execute(
        "SELECT d.decision_id, bm25(decisions_fts) FROM decisions_fts"
        " JOIN decisions d ON d.rowid = decisions_fts.rowid WHERE decisions_fts MATCH ?"
        " UNION ALL SELECT o.decision_id, bm25(outcomes_fts) FROM outcomes_fts"
        " JOIN outcomes o ON o.rowid = outcomes_fts.rowid WHERE outcomes_fts MATCH ?",
        (expression, expression),
    ).fetchall()
    return _best(found)


def _ranked_in_memory(db: Sql, expression: str) -> list[tuple[str, float]]:
    memory = sqlite3.connect(":memory:")
    try:
        for table, columns in INDEXED.items():
            names = ", ".join(columns)
            memory.execute(
                f"CREATE VIRTUAL TABLE {table}_fts USING fts5(decision_id UNINDEXED, {names})"
            )
            rows = db.execute(f"SELECT decision_id, {names} FROM {table}").fetchall()
            marks = ", ".join("?" * (len(columns) + 1))
            memory.executemany(
                f"INSERT INTO {table}_fts VALUES ({marks})", [tuple(r) for r in rows]
            )
        found = memory.execute(
            "SELECT decision_id, bm25(decisions_fts) FROM decisions_fts WHERE decisions_fts MATCH ?"
            " UNION ALL SELECT decision_id, bm25(outcomes_fts) FROM outcomes_fts"
            " WHERE outcomes_fts MATCH ?",
            (expression, expression),
        ).fetchall()
    finally:
        memory.close()
    return _best(found)


def _best(found: Sequence[Any]) -> list[tuple[str, float]]:
    """Each decision once, at its best (lowest) bm25 score."""
    best: dict[str, float] = {}
    for decision_id, score in found:
        best[decision_id] = min(score, best.get(decision_id, score))
    return sorted(best.items(), key=lambda item: (item[1], item[0]))


def _result(r: Sequence[Any]) -> dict[str, Any]:
    from decimal import Decimal

    return {
        "decision_id": r[0],
        "decided_at": r[1],
        "opportunity_type": r[2],
        "opportunity_source": r[3],
        "opportunity_content": r[4],
        "action_taken": r[5],
        "sender": r[6],
        "outcomes": int(r[7]),
        "converted": bool(r[8]),
        "deal_closed": bool(r[9]),
        "revenue": Decimal(r[10]),
    }
