"""When each job runs: defaults, a TOML file (`[schedule]` table), command-line overrides."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ledger.errors import InputError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class ScheduleConfig:
    """Every setting of `schedule run`; times are local to `timezone`."""

    timezone: str = "UTC"
    daily_summary_at: str = "23:59"
    weekly_summary_at: str = "sun 21:00"
    roi_report_at: str = "23:59"
    update_confidence_at: str = "06:00"
    alerts_every_minutes: int = 60
    rescore_every_minutes: int = 30
    tick_seconds: int = 300
    max_catch_up: int = 400
    reports_dir: str = "reports"
    opportunities: str = "data/opportunities.json"
    scored_output: str = "data/opportunities_scored.json"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def reports(self) -> Path:
        return Path(self.reports_dir)


def parse_time(text: str, field: str) -> tuple[int, int]:
    """'HH:MM' → (hour, minute)."""
    hour, sep, minute = text.strip().partition(":")
    if not sep or not hour.isdigit() or not minute.isdigit():
        raise InputError(f"{field}: {text!r} is not HH:MM", {"field": field})
    h, m = int(hour), int(minute)
    if not (0 <= h < 24 and 0 <= m < 60):
        raise InputError(f"{field}: {text!r} is not a time of day", {"field": field})
    return h, m


def parse_weekly(text: str, field: str) -> tuple[str, int, int]:
    """'sun 21:00' → ('sun', 21, 0)."""
    day, _, at = text.strip().lower().partition(" ")
    if day[:3] not in DAYS:
        raise InputError(f"{field}: {text!r} should look like 'sun 21:00'", {"field": field})
    return (day[:3], *parse_time(at, field))


def validate(config: ScheduleConfig) -> ScheduleConfig:
    """Refuse settings that cannot work, naming the field."""
    try:
        ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"timezone: unknown zone {config.timezone!r}; use an IANA name like Europe/Berlin",
            {"field": "timezone"},
        ) from None
    for name in ("daily_summary_at", "roi_report_at", "update_confidence_at"):
        parse_time(getattr(config, name), name)
    parse_weekly(config.weekly_summary_at, "weekly_summary_at")
    if config.alerts_every_minutes < 1 or 60 % config.alerts_every_minutes:
        raise InputError(
            "alerts_every_minutes: must divide an hour (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60)",
            {"field": "alerts_every_minutes"},
        )
    for name in ("rescore_every_minutes", "tick_seconds", "max_catch_up"):
        if getattr(config, name) < 1:
            raise InputError(f"{name}: must be at least 1", {"field": name})
    return config


def load(path: Path | None, overrides: dict[str, Any]) -> ScheduleConfig:
    """Defaults, then the `[schedule]` table of a TOML file, then explicit overrides."""
    config = ScheduleConfig(reports_dir=os.environ.get("ROI_LEDGER_REPORTS_DIR") or "reports")
    known = {f.name for f in fields(ScheduleConfig)}
    if path is not None:
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8")).get("schedule", {})
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise InputError(f"config: cannot read {path}: {exc}", {"field": "config"}) from None
        unknown = sorted(set(table) - known)
        if unknown:
            raise InputError(
                f"config: unknown setting(s) {', '.join(unknown)} in [schedule]; "
                f"known: {', '.join(sorted(known))}",
                {"field": "config"},
            )
        config = replace(config, **table)
    config = replace(config, **{k: v for k, v in overrides.items() if v is not None})
    return validate(config)
