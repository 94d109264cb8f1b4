"""The ledger's audit commands: log, history, verify, digest, rebuild and retract."""

from collections.abc import Iterator
from typing import Annotated, Any

import typer

from commands.fields import MAX_SAFE_INT
from ledger.interfaces.cli.common import AfterOpt
from ledger.interfaces.cli.model_options import from_model
from ledger.interfaces.cli.output import FORMAT, Column, column, echo, printable
from ledger.interfaces.cli.progress import ProgressBar, stderr_is_terminal
from ledger.interfaces.cli.shell import Shell, shell_options
from ledger.interfaces.cli.tables import console, print_table
from projections.formats import to_the_second


def _fields(payload: str) -> str:
    """A payload as `key=value` pairs for reading in a table: unset ones left out, values
    that are not text shown as JSON, long ones clipped."""
    import json

    from ledger.validation import clip

    parts = []
    for key, value in json.loads(payload).items():
        if value is None or value in ("", {}, []):
            continue
        text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        parts.append(f"{key}={clip(text, 200)}")
    return str(clip(" ".join(parts), 600))


LOG_COLUMNS: list[Column] = [
    ("seq", lambda e: str(e.seq)),
    ("happened (UTC)", lambda e: to_the_second(e.occurred_at)),
    ("recorded (UTC)", lambda e: to_the_second(e.recorded_at)),
    ("stream", lambda e: e.stream_id),
    ("v", lambda e: str(e.stream_version)),
    ("event", lambda e: e.event_type),
    ("payload", lambda e: _fields(e.payload)),
]
"""An event of the log in a row (its envelope's fields; under --format csv the envelope
itself, through --json)."""


def _events_table(title: str, events: list[Any]) -> None:
    """Events for people: every column, each folded to fit (a payload is never left out)."""
    from rich.table import Table

    if FORMAT.get() == "markdown":
        print_table(title, LOG_COLUMNS, events)
        return
    if not events:
        console().print(printable(f"{title}: no events"))
        return
    table = Table(title=printable(title), header_style="bold")
    for header, _ in LOG_COLUMNS:
        table.add_column(header, overflow="fold")
    for event in events:
        table.add_row(*(printable(render(event)) for _, render in LOG_COLUMNS))
    console().print(table)


def _print_pages(title: str, pages: Iterator[list[Any]], as_json: bool) -> int:
    """Events a page at a time, as one JSON array (one CSV block under --format csv) or a
    table per page; how many were printed."""
    from ledger.interfaces.cli.output import print_json_items

    count = 0

    def counted() -> Iterator[Any]:
        nonlocal count
        for page in pages:
            count += len(page)
            yield from page

    if as_json:
        print_json_items(counted())
        return count
    for page in pages:
        _events_table(title if not count else f"{title} (continued)", page)
        count += len(page)
    if not count:
        _events_table(title, [])
    return count


def register(app: typer.Typer) -> None:
    """Add the ledger commands to the root app."""

    @app.command()
    @shell_options(as_of=True, form=True)
    def log(
        after: Annotated[
            int | None,
            typer.Option(
                min=0, max=MAX_SAFE_INT, help="Events after this seq (default: the tail)."
            ),
        ] = None,
        limit: Annotated[int, typer.Option(min=1, max=100_000)] = 20,
        event_type: Annotated[str | None, typer.Option("--type", help="Only this type.")] = None,
        stream: Annotated[str | None, typer.Option(help="Only this stream.")] = None,
        *,
        shell: Shell,
    ) -> None:
        """Show the log: its last events, or those after --after (as it stood --as-of)."""
        with shell.reading(catch_up=False) as ledger:
            head = ledger.service.resolve_as_of(shell.point)
            if after is None:
                events = ledger.events(0, limit, event_type, stream, as_of=head, newest=True)
            else:
                events = ledger.events(after, limit, event_type, stream, as_of=head)
        shell.show(events, lambda shown: _events_table("Event log", shown))

    @app.command()
    @shell_options(as_of=True, form=True)
    def history(
        stream_id: Annotated[
            str, typer.Argument(metavar="STREAM_ID", help="e.g. pattern:test-retry-automation")
        ],
        after: AfterOpt = 0,
        *,
        shell: Shell,
    ) -> None:
        """A stream's audit trail, oldest first (retractions included), read and printed a
        page at a time however long it is."""
        with shell.reading(catch_up=False) as ledger:
            pages = ledger.history_pages(stream_id, shell.point, after)
            printed = _print_pages(f"History of {stream_id}", pages, shell.as_json)
        if not printed and ":" not in stream_id:
            echo(
                f"Hint: stream ids have a prefix, e.g. pattern:{stream_id} or decision:{stream_id}",
                err=True,
            )

    @app.command()
    @shell_options()
    def verify(
        projections: Annotated[
            bool, typer.Option("--projections", help="Also rebuild and diff every projection.")
        ] = False,
        digest: Annotated[
            list[str] | None,
            typer.Option(
                metavar="SEQ:HASH",
                help="Prove the log up to SEQ matches a digest kept elsewhere (repeatable: "
                "several digests narrow down where a rewrite happened).",
            ),
        ] = None,
        *,
        shell: Shell,
    ) -> None:
        """Recompute the hash chain (exit 1 and the first bad seq on any mismatch)."""
        drawn = stderr_is_terminal() and not shell.as_json
        with shell.reading(catch_up=False) as ledger:
            steps = ledger.head().seq * (2 if projections else 1)
            with ProgressBar("verifying", steps, drawn) as bar:
                result = ledger.verify(
                    projections=projections, digest=digest or None, progress=bar.advance
                )
        shell.show(result, _print_verify)
        if not result["ok"]:
            raise typer.Exit(1)

    @app.command()
    @shell_options(as_of=True)
    def digest(*, shell: Shell) -> None:
        """Print the head as SEQ:HASH; keep it somewhere else to prove the past later."""
        with shell.reading(catch_up=False) as ledger:
            head = ledger.digest(as_of=shell.point)
        shell.show(head, lambda shown: echo(f"{shown['seq']}:{shown['hash']}"))

    @app.command()
    @shell_options()
    def rebuild(
        projection: Annotated[
            list[str] | None,
            typer.Option(metavar="NAME", help="Only this projection (repeatable)."),
        ] = None,
        force: Annotated[
            bool,
            typer.Option("--force", help="Fold the log even if its hash chain is broken."),
        ] = False,
        *,
        shell: Shell,
    ) -> None:
        """Verify the chain, then drop projections and refold them from the log, in batches."""
        drawn = stderr_is_terminal() and not shell.as_json
        with shell.reading(catch_up=False) as ledger:
            total = ledger.head().seq  # one pass: the chain is proved as it is folded
            with ProgressBar("rebuilding", total, drawn) as bar:
                result = ledger.rebuild(projection, force=force, progress=bar.advance)
        shell.show(result, _print_rebuilt)

    @app.command()
    @from_model("commands.ledger:Retract")
    @shell_options(recording=True)
    def retract(
        seq: Annotated[int, typer.Argument(metavar="SEQ")],
        reason: Annotated[str, typer.Option()],
        *,
        shell: Shell,
    ) -> None:
        """Withdraw a mistaken event: projections drop it, the log keeps both."""
        from commands.ledger import Retract

        with shell.recording() as ledger:
            result = ledger.retract(**shell.given(Retract))
        shell.show(
            result, lambda shown: echo(f"Retracted seq {seq} (retraction is seq {shown['seq']})")
        )


def _print_rebuilt(result: dict[str, Any]) -> None:
    if not result["chain"]["ok"]:
        echo(f"Warning: folded a broken chain: {result['chain']['problem']}", err=True)
    echo(f"Rebuilt {', '.join(result['projections'])} from {result['events']} events")


DIFFERENCE_COLUMNS: list[Column] = [
    column("table", "table"),
    ("key", lambda d: str(d.get("key", ""))),  # a whole table has none
    ("column", lambda d: str(d.get("column", d.get("problem")))),
    ("live", lambda d: str(d.get("live", ""))),
    ("rebuilt", lambda d: str(d.get("rebuilt", ""))),
]
"""Where a projection differs from a rebuild (`verify --projections`)."""


def _print_verify(result: dict[str, Any]) -> None:
    if result.get("problem"):
        echo(f"FAILED: {result['problem']}")
        if result.get("first_bad_seq") is not None:
            echo(f"First bad seq: {result['first_bad_seq']}")
        elif result.get("differs_at_or_before") is not None:
            echo(
                f"Rewritten after seq {result.get('matches_through', 0)}, "
                f"at or before seq {result['differs_at_or_before']}"
            )
    else:
        echo(f"Hash chain OK: {result['checked']} events, seq 1..{result['checked']}")
        if result.get("digest_ok"):
            echo("Digest OK: the log up to that seq is the one it was taken from")
    check = result.get("projections")
    if check is not None:
        if check["ok"]:
            echo(f"Projections OK: identical to a rebuild at seq {check['head']}")
        else:
            echo(f"Projections DIFFER from a rebuild at seq {check['head']}:")
            print_table(None, DIFFERENCE_COLUMNS, check["differences"])
