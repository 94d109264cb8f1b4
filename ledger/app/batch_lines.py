"""One line of `record batch` to its command: a JSON object tagged by `command`, validated in
one step by pydantic's core, straight from its JSON text, through a discriminated union keyed
by `command`; that is most of what makes the bulk path fast. JSON Lines are read a line at a
time, so memory stays flat.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from typing import Annotated, Any, Literal, Union

from pydantic import Field, TypeAdapter, ValidationError, create_model

from commands.base import Command
from ledger.app.input_lines import BOM, not_utf8
from ledger.core.bus import batch_commands
from ledger.errors import InputError
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
    if first["type"] in ("model_type", "dict_type", "model_attributes_type") and not first["loc"]:
        return "each line must be a JSON object"  # the line itself, not a field of it
    return describe(_errors(exc))


def read_commands(handle: Iterable[bytes]) -> Iterator[tuple[int, Command | InputError]]:
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
                InputError(not_utf8(raw, exc), {"line": number}),
            )
            continue
        stripped = text.strip()
        if stripped and not stripped.startswith("#"):
            yield number, parse_line(number, stripped)
