"""Progress bars for long operations (verify, rebuild, import, batch, catch-up): on stderr,
and only on a terminal, never into pipes (stdout carries the answer)."""

import sys
from typing import Any, Self


def stderr_is_terminal() -> bool:
    """Whether to draw progress bars (only for people, never into pipes)."""
    return sys.stderr.isatty()


def stderr_console() -> Any:
    """A rich console on stderr, where progress bars go (stdout carries the answer)."""
    from rich.console import Console

    return Console(stderr=True)


class ProgressBar:
    """A rich progress bar on stderr when `enabled` (a terminal), nothing otherwise; its
    `advance(n)` is the progress callback the ledger's long operations take."""

    def __init__(self, label: str, total: int | None, enabled: bool) -> None:
        """`total` None: a length not known in advance (a pulsing bar)."""
        self.enabled = enabled and (total is None or total > 0)
        if self.enabled:
            from rich.progress import Progress

            self.progress = Progress(console=stderr_console(), transient=True)
            self.task = self.progress.add_task(label, total=total)

    def __enter__(self) -> Self:
        if self.enabled:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self.progress.stop()

    def advance(self, n: int) -> None:
        if self.enabled:
            self.progress.advance(self.task, n)
