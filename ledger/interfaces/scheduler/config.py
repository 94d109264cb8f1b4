"""When each job runs: defaults, a TOML file (`[schedule]` table), command-line overrides —
validated by one pydantic model that names the key of any bad setting."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, ConfigDict, Field, ValidationError
from pydantic.dataclasses import dataclass

from ledger.errors import InputError
from ledger.settings import REPORTS_DIR

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


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


def _checked(parse: Callable[[str, str], object], example: str) -> Callable[[str], str]:
    """A validator that accepts what `parse` reads and says what was expected otherwise."""

    def check(text: str) -> str:
        try:
            parse(text, "setting")
        except InputError:
            raise ValueError(f"{text!r} is not {example}") from None
        return text

    return check


_time = _checked(parse_time, "a time of day as HH:MM, e.g. 23:59")
_weekly = _checked(parse_weekly, "a weekday and a time, e.g. 'sun 21:00'")


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "America" is a folder of zones
        raise ValueError(
            f"unknown zone {name!r}; use an IANA name like Europe/Berlin or UTC"
        ) from None
    return name


def _divides_hour(minutes: int) -> int:
    if 60 % minutes:
        raise ValueError("must divide an hour (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60)")
    return minutes


def _url(text: str) -> str:
    from ledger.app.alerting import check_url

    return check_url(text)


TimeOfDay = Annotated[str, AfterValidator(_time)]
"""A local wall-clock time a job runs at, `HH:MM`."""
Path_ = Annotated[str, Field(min_length=1, max_length=4096)]


@dataclass(frozen=True, config=ConfigDict(strict=True))
class ScheduleConfig:
    """Every setting of `schedule run`; times are local to `timezone`."""

    timezone: Annotated[str, AfterValidator(_zone)] = "UTC"
    daily_summary_at: TimeOfDay = "23:59"
    weekly_summary_at: Annotated[str, AfterValidator(_weekly)] = "sun 21:00"
    roi_report_at: TimeOfDay = "23:59"
    update_confidence_at: TimeOfDay = "06:00"
    portfolio_review_at: TimeOfDay = "06:00"
    """On the 1st of each month: the review of the month just over."""
    new_underperformers_at: Annotated[str, AfterValidator(_weekly)] = "mon 07:00"
    """Each week: the underperformers of the ISO week just over that were not the week before."""
    alerts_every_minutes: Annotated[int, Field(ge=1, le=60), AfterValidator(_divides_hour)] = 60
    rescore_every_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = 30
    tick_seconds: Annotated[int, Field(ge=1, le=24 * 3600)] = 300
    max_catch_up: Annotated[int, Field(ge=1, le=3660)] = 400
    reports_dir: Path_ = REPORTS_DIR
    opportunities: Path_ = "data/opportunities.json"
    scored_output: Path_ = "data/opportunities_scored.json"
    alerts_webhook: Annotated[str, AfterValidator(_url)] | None = None
    """Where each alert raising and resolution is posted (env ROI_LEDGER_ALERTS_WEBHOOK);
    ROI_LEDGER_WEBHOOK_SECRET, when set, signs each body (X-Roi-Ledger-Signature)."""
    webhook_attempts: Annotated[int, Field(ge=1, le=20)] = 5
    webhook_backoff_seconds: Annotated[float, Field(ge=0, le=300)] = 2.0
    """The wait before the second attempt; it doubles before each further one."""
    metrics_file: Path_ | None = None
    """A Prometheus textfile (for node_exporter's textfile collector) rewritten after each
    run: the scheduler's own metrics and the ledger's figures."""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def reports(self) -> Path:
        return Path(self.reports_dir)

    def webhook(self) -> Any:
        """The alerts webhook (ledger.alerting.Webhook), or None when none is set."""
        if self.alerts_webhook is None:
            return None
        from ledger.app.alerting import Webhook

        return Webhook(
            self.alerts_webhook,
            os.environ.get("ROI_LEDGER_WEBHOOK_SECRET") or None,
            self.webhook_attempts,
            self.webhook_backoff_seconds,
        )


def _validated(values: dict[str, Any], source: str) -> ScheduleConfig:
    try:
        return ScheduleConfig(**values)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        key = str(error["loc"][0]) if error["loc"] else "config"
        message = error["msg"].removeprefix("Value error, ")
        got = error.get("input")
        shown = f" (got {got!r})" if isinstance(got, str | int | float | bool) else ""
        raise InputError(f"{key}: {message}{shown}{source}", {"field": key}) from None


def load(path: Path | None, overrides: dict[str, Any]) -> ScheduleConfig:
    """Defaults, then the `[schedule]` table of a TOML file, then explicit overrides."""
    from ledger.settings import reports_dir, settings

    shared = settings()  # roi-ledger.toml: its reports_dir, timezone and [schedule] table
    values: dict[str, Any] = {"reports_dir": reports_dir()}
    if "timezone" in shared:
        values["timezone"] = shared["timezone"]
    if path is None and isinstance(shared.get("schedule"), dict):
        known_keys = {f.name for f in fields(ScheduleConfig)}
        unknown = sorted(set(shared["schedule"]) - known_keys)
        if unknown:
            raise InputError(
                f"settings: unknown setting(s) {', '.join(unknown)} in [schedule]; "
                f"known: {', '.join(sorted(known_keys))}",
                {"field": "settings"},
            )
        values.update(shared["schedule"])
    if os.environ.get("ROI_LEDGER_ALERTS_WEBHOOK"):
        values["alerts_webhook"] = os.environ["ROI_LEDGER_ALERTS_WEBHOOK"]
    known = {f.name for f in fields(ScheduleConfig)}
    source = ""
    if path is not None:
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8")).get("schedule", {})
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InputError(f"config: cannot read {path}: {exc}", {"field": "config"}) from None
        if not isinstance(table, dict):
            raise InputError(f"config: [schedule] in {path} must be a table", {"field": "config"})
        unknown = sorted(set(table) - known)
        if unknown:
            raise InputError(
                f"config: unknown setting(s) {', '.join(unknown)} in [schedule]; "
                f"known: {', '.join(sorted(known))}",
                {"field": "config"},
            )
        values.update(table)
        source = f" (in {path})"
    values.update({k: v for k, v in overrides.items() if v is not None})
    return _validated(values, source)
