"""A settings file, so people stop exporting environment variables: `roi-ledger.toml` in the
working folder, else `ROI_LEDGER_CONFIG` names one, else `~/.config/roi-ledger/roi-ledger.toml`
(`$XDG_CONFIG_HOME` respected).

    db = "/var/lib/roi-ledger/roi-ledger.db"    # or a postgresql:// URL
    reports_dir = "/var/lib/roi-ledger/reports"
    timezone = "Europe/Berlin"                   # the scheduler's
    log_format = "json"                          # serve and schedule run

    [schedule]                                   # what `schedule run --config` reads
    daily_summary_at = "23:30"

A command-line option wins over the environment, which wins over the file, which wins over
the defaults. A relative path in the file is relative to the file's folder. Read only when
such a file exists (one `stat` per place otherwise), with the standard library's `tomllib`.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

from ledger.errors import InputError

FILE_NAME = "roi-ledger.toml"
KEYS = {"db": str, "reports_dir": str, "timezone": str, "log_format": str, "schedule": dict}
"""The settings the file may hold, with their types."""
PATHS = ("reports_dir",)
"""Settings that are file paths (made relative to the file's folder)."""


def settings_file() -> Path | None:
    """The settings file in force, if any."""
    here = Path(FILE_NAME)
    if here.is_file():
        return here
    named = os.environ.get("ROI_LEDGER_CONFIG")
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise InputError(
                f"ROI_LEDGER_CONFIG: {named[:200]} is not a file; point it at a "
                f"{FILE_NAME} or unset it",
                {"field": "ROI_LEDGER_CONFIG"},
            )
        return path
    home = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    user = Path(home) / "roi-ledger" / FILE_NAME
    return user if user.is_file() else None


@cache
def _load(path: str, stamp: float) -> dict[str, Any]:
    import tomllib

    try:
        table = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"settings: cannot read {path}: {exc}", {"field": "settings"}) from None
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise InputError(
            f"settings: unknown setting(s) {', '.join(unknown)} in {path}; known: "
            f"{', '.join(sorted(KEYS))}",
            {"field": "settings"},
        )
    for key, kind in KEYS.items():
        if key in table and not isinstance(table[key], kind):
            raise InputError(
                f"settings: {key} in {path} must be a {'table' if kind is dict else 'string'}",
                {"field": key},
            )
    folder = Path(path).parent
    for key in (*PATHS, "db"):
        value = table.get(key)
        if isinstance(value, str) and "://" not in value and not os.path.isabs(value):
            table[key] = str(folder / os.path.expanduser(value))
    return table


def settings() -> dict[str, Any]:
    """The settings file's contents (checked), or {} when there is none."""
    path = settings_file()
    if path is None:
        return {}
    return _load(str(path), path.stat().st_mtime)


def setting(name: str, env: str | None = None) -> Any:
    """A setting: the environment variable `env` if set, else the file's, else None."""
    if env is not None and os.environ.get(env):
        return os.environ[env]
    return settings().get(name)


REPORTS_DIR = "reports"
"""Where reports go when nothing says otherwise (relative to the working directory)."""


def reports_dir() -> str:
    """The reports folder: ROI_LEDGER_REPORTS_DIR, else the settings file's `reports_dir`,
    else REPORTS_DIR. The one place the CLI, the scheduler and the compat facades ask."""
    return str(setting("reports_dir", "ROI_LEDGER_REPORTS_DIR") or REPORTS_DIR)
