"""`record batch`: JSON Lines of commands, parsed lazily so memory stays flat, and run in
chunks of one transaction each.

Each line is validated in one step by pydantic's core, straight from its JSON text, through a
discriminated union keyed by `command`; that is most of what makes the bulk path fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import IO, Annotated, Any, Literal, Union

from pydantic import Field, TypeAdapter, ValidationError, create_model

from commands.base import Command, DomainError
from ledger.bootstrap import batch_commands
from ledger.errors import InputError, StorageError
from ledger.projector import bulk_work
from ledger.service import LedgerCore, chain_warning
from ledger.validation import describe, field_errors


@cache
def line_adapter() -> TypeAdapter[Command]:
    """One adapter for every batch line: each command class plus its `command` tag."""
    tag: Any = Literal  # typing forms built at run time: typed loosely on purpose
    models = tuple(
        create_model(f"{cls.__name__}Line", __base__=cls, command=(tag[name], ...))
        for name, cls in batch_commands().items()
    )
    union: Any = Annotated[Union[models], Field(discriminator="command")]  # noqa: UP007
    return TypeAdapter(union)


def parse_line(number: int, text: str) -> Command | InputError:
    """One line to its command, or the input error that names what is wrong with it."""
    try:
        return line_adapter().validate_json(text)
    except ValidationError as exc:
        return InputError(_describe_line(exc), {"line": number, "errors": _errors(exc)})


def _errors(exc: ValidationError) -> list[dict[str, Any]]:
    errors = field_errors(exc)
    known = ", ".join(batch_commands())
    for error in errors:
        head, _, rest = error["field"].partition(".")
        if head in batch_commands() and rest:
            error["field"] = rest  # the union's tag is not a field the user wrote
        elif error["field"] in ("input", "command") or head in batch_commands():
            error["field"] = "command"
            error["message"] = f"must be one of {known}"
    return errors


def _describe_line(exc: ValidationError) -> str:
    first = exc.errors(include_url=False)[0]
    if first["type"] == "json_invalid":
        return f"not valid JSON ({first['msg'].removeprefix('Invalid JSON: ')})"
    if first["type"] in ("model_type", "dict_type", "model_attributes_type"):
        return "each line must be a JSON object"
    return describe(_errors(exc))


def read_commands(handle: IO[bytes]) -> Iterator[tuple[int, Command | InputError]]:
    """Numbered commands from JSON Lines, each line decoded and validated on its own (a line
    that is not UTF-8 is refused alone); a leading byte order mark, blank lines and `#`
    comments are skipped."""
    for number, raw in enumerate(handle, 1):
        if number == 1:
            raw = raw.removeprefix(BOM)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield (
                number,
                InputError(
                    f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at position {exc.start})",
                    {"line": number},
                ),
            )
            continue
        stripped = text.strip()
        if stripped and not stripped.startswith("#"):
            yield number, parse_line(number, stripped)


BOM = b"\xef\xbb\xbf"


class BatchOutcome:
    """What a batch did: counts and the refused lines."""

    __slots__ = ("accepted", "duplicates", "last_seq", "rejected", "warning")

    def __init__(self) -> None:
        self.accepted = 0
        self.duplicates = 0
        self.rejected: list[dict[str, Any]] = []
        self.last_seq = 0
        self.warning: str | None = None

    def merge(self, part: BatchOutcome) -> None:
        """Add another run's counts to these."""
        self.accepted += part.accepted
        self.duplicates += part.duplicates
        self.rejected += part.rejected
        self.last_seq = max(self.last_seq, part.last_seq)
        self.warning = self.warning or part.warning

    def as_dict(self) -> dict[str, Any]:
        """JSON shape of the outcome."""
        shape: dict[str, Any] = {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": len(self.rejected),
            "errors": self.rejected,
            "last_seq": self.last_seq,
        }
        if self.warning:
            shape["warning"] = self.warning
        return shape


Numbered = Iterable[tuple[int, Command | InputError]]
"""Commands by line number; a line that did not parse is its InputError."""


def run_batch(
    ledger: LedgerCore,
    items: Numbered,
    chunk_size: int = 5000,
    on_chunk: Callable[[int], None] | None = None,
) -> BatchOutcome:
    """Run numbered commands, committing every `chunk_size`; bad ones are reported, skipped.

    Killed midway, the ledger holds whole committed chunks: a clean prefix.
    """
    outcome = BatchOutcome()
    try:
        with bulk_work():
            chunk: list[tuple[int, Command | InputError]] = []
            for item in items:
                chunk.append(item)
                if len(chunk) >= chunk_size:
                    _run_chunk(ledger, chunk, outcome, on_chunk)
                    chunk = []
            if chunk:
                _run_chunk(ledger, chunk, outcome, on_chunk)
    except StorageError as exc:
        raise StorageError(
            f"{exc.message}. Before it, {outcome.accepted} command(s) were recorded "
            f"(head seq {outcome.last_seq or '-'}); run the same input again once fixed: "
            "lines with idempotency keys are not recorded twice",
            {**outcome.as_dict(), "cause": exc.details},
        ) from None
    return outcome


def _run_chunk(
    ledger: LedgerCore,
    chunk: list[tuple[int, Command | InputError]],
    total: BatchOutcome,
    on_chunk: Callable[[int], None] | None,
) -> None:
    """One chunk in one transaction; its counts join the total once it has committed."""
    out = BatchOutcome()
    with ledger.unit_of_work() as uow:
        keys = [
            c.idempotency_key
            for _, c in chunk
            if isinstance(c, Command) and c.idempotency_key is not None
        ]
        if keys:
            uow.prefetch_keys(keys)
        for line, command in chunk:
            if isinstance(command, InputError):
                out.rejected.append({"line": line, "error": command.message})
                continue
            try:
                events, duplicate = ledger.dispatch(uow, command)
            except DomainError as exc:
                out.rejected.append({"line": line, "error": exc.message, "field": exc.field})
                continue
            if duplicate:
                out.duplicates += 1
            else:
                out.accepted += 1
                out.last_seq = events[-1].seq
    if uow.alarm is not None:
        out.warning = chain_warning(uow.alarm)
    total.merge(out)
    if on_chunk:
        on_chunk(len(chunk))
