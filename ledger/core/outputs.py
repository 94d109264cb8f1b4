"""Every file roi-ledger writes (reports, scored opportunities, exports, backups): never onto
the ledger however it is spelled, never onto any SQLite database, always whole (a temp file
beside the target, fsync, rename), with the permissions the umask gives.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from ledger.errors import InputError, StorageError

SQLITE_HEADER = b"SQLite format 3\x00"
SIDE_FILES = {
    "": "the ledger itself",
    "-wal": "the ledger's write-ahead log",
    "-shm": "the ledger's shared-memory file",
    "-journal": "the ledger's journal",
}


def ledger_files(location: str | None) -> dict[str, str]:
    """The real paths of a SQLite ledger and the files SQLite keeps beside it, each with what
    it is ({} for a PostgreSQL URL)."""
    if not location or "://" in location or location == ":memory:":
        return {}
    real = os.path.realpath(location)
    return {real + suffix: what for suffix, what in SIDE_FILES.items()}


def check_target(path: Path, ledger: str | None, field: str, *, make_parents: bool) -> Path:
    """Refuse an output path that is (or points at) the ledger or any SQLite database, or a
    directory; with `make_parents` false, also one whose directory does not exist."""
    protected = ledger_files(ledger)
    real = os.path.realpath(path)
    what = protected.get(real)
    if what is None and path.exists():
        what = next(
            (w for p, w in protected.items() if os.path.exists(p) and os.path.samefile(p, path)),
            None,
        )
    if what is not None:
        raise InputError(
            f"{field}: {path} is {what} ({ledger}); writing there would destroy the log. "
            "Choose another file",
            {"field": field, "value": str(path)},
        )
    if path.is_dir():
        raise InputError(f"{field}: {path} is a directory; give a file name", {"field": field})
    if path.is_file() and _is_sqlite(path):
        raise InputError(
            f"{field}: {path} is a SQLite database (another ledger?); roi-ledger will not "
            "overwrite it. Choose another file",
            {"field": field, "value": str(path)},
        )
    blocker = next((p for p in path.parents if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise InputError(
            f"{field}: {blocker} is a file, so {path} cannot be written under it; "
            "give a path in a folder",
            {"field": field, "value": str(path)},
        )
    if not make_parents and not path.parent.is_dir():
        raise InputError(
            f"{field}: directory {path.parent} does not exist; create it first",
            {"field": field, "value": str(path)},
        )
    return path


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def _mode_for(path: Path) -> int:
    """The target's present permissions, else what the umask allows a new file."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


@contextmanager
def atomic_path(
    path: Path, ledger: str | None, field: str = "output", *, make_parents: bool = True
) -> Iterator[Path]:
    """A temp path beside `path` to write; on success it replaces `path` in one rename, on
    any failure it is removed and `path` is left as it was."""
    check_target(path, ledger, field, make_parents=make_parents)
    try:
        if make_parents:
            path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise StorageError(f"{field}: cannot write {path}: {_reason(exc)}") from None
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StorageError(f"{field}: cannot write {path}: {_reason(exc)}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_file(path: Path, ledger: str | None, field: str = "output") -> Iterator[IO[str]]:
    """A text handle whose contents replace `path` whole once the block ends without error."""
    with atomic_path(path, ledger, field, make_parents=False) as tmp:
        try:
            with tmp.open("w", encoding="utf-8") as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise StorageError(f"{field}: cannot write {path}: {_reason(exc)}") from None


def write_atomically(path: Path, text: str, *, ledger: str | None, field: str = "output") -> None:
    """Replace `path` with `text` in one step (its folder created if needed)."""
    with atomic_path(path, ledger, field) as tmp:
        try:
            with tmp.open("w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise StorageError(f"{field}: cannot write {path}: {_reason(exc)}") from None


def _reason(exc: OSError) -> str:
    """An OS error in words, with what to do about the usual ones."""
    import errno

    hints = {
        errno.ENOSPC: "no space left on the device; free some and run it again",
        errno.EFBIG: "the file would be too large for this system (file size limit)",
        errno.EACCES: "permission denied",
        errno.EROFS: "the file system is read-only",
        errno.ENOENT: "no such directory",
    }
    return hints.get(exc.errno or 0, exc.strerror or str(exc))
