"""`record batch`: JSON Lines of commands, parsed lazily so memory stays flat."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any

from pydantic import ValidationError

from commands.base import Command
from ledger.errors import InputError
from ledger.handlers import BATCH_COMMANDS
from ledger.validation import describe, field_errors


def parse_line(number: int, text: str) -> Command | InputError:
    """One line to its command, or the input error that names what is wrong with it."""
    try:
        data: Any = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        return InputError(f"not valid JSON ({exc.msg} at column {exc.colno})", {"line": number})
    if not isinstance(data, dict):
        return InputError("each line must be a JSON object", {"line": number})
    name = data.pop("command", None)
    cls = BATCH_COMMANDS.get(name) if isinstance(name, str) else None
    if cls is None:
        known = ", ".join(BATCH_COMMANDS)
        return InputError(
            f"command: {name!r} is not one of {known}", {"line": number, "field": "command"}
        )
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        errors = field_errors(exc)
        return InputError(describe(errors), errors)


def read_commands(handle: IO[str]) -> Iterator[tuple[int, Command | InputError]]:
    """Numbered commands from a JSON Lines file; blank lines and `#` comments are skipped."""
    for number, text in enumerate(handle, 1):
        stripped = text.strip()
        if stripped and not stripped.startswith("#"):
            yield number, parse_line(number, stripped)
