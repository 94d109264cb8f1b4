"""A local wall-clock time, every day, on one weekday or on one day of the month: the trigger
of every summary job.

APScheduler 3's CronTrigger, asked from a moment before the clocks go forward on that same
day, answers the day after next (daily at 00:00 in America/St_Johns: from 2026-03-08 00:00:01
it answers 03-10), so catch-up never named 03-09 and the live scheduler would have skipped it.
This trigger counts local calendar days instead of fields, which has no such edge:

- a time the clocks skip (02:30 on a spring-forward night) fires at the instant that time
  names with the offset before the change (03:30 the new local time); when that would fall
  on the next day, with the offset after it (before the gap): either way on its own day;
- a time the clocks repeat (01:30 on a fall-back night) fires once, at its first occurrence.

It implements APScheduler's public trigger interface (`BaseTrigger.get_next_fire_time`), so
the live scheduler and catch-up walk the same fire times.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

from apscheduler.triggers.base import BaseTrigger

from ledger.interfaces.scheduler.config import DAYS


class LocalTime(BaseTrigger):  # type: ignore[misc]
    """Fire at `hour`:`minute` local time in `zone`, every day, only on `weekday`
    (0 = Monday), or only on day `monthday` (1..28) of each month."""

    __slots__ = ("hour", "minute", "monthday", "timezone", "weekday")

    def __init__(
        self,
        hour: int,
        minute: int,
        zone: tzinfo,
        weekday: int | None = None,
        monthday: int | None = None,
    ):
        if not (0 <= hour < 24 and 0 <= minute < 60):
            raise ValueError(f"no such time of day: {hour:02d}:{minute:02d}")
        if weekday is not None and not 0 <= weekday < 7:
            raise ValueError(f"no such weekday: {weekday} (0 is Monday, 6 Sunday)")
        if monthday is not None and (weekday is not None or not 1 <= monthday <= 28):
            raise ValueError(f"no day {monthday} in every month (1..28, and no weekday with it)")
        self.hour = hour
        self.minute = minute
        self.weekday = weekday
        self.monthday = monthday
        self.timezone = zone

    def fire_on(self, day: date) -> datetime:
        """The instant this trigger fires on local calendar `day` (whatever its weekday)."""
        wall = datetime(day.year, day.month, day.day, self.hour, self.minute)
        # fold=0: a repeated time is its first occurrence; a skipped one reads with the
        # offset before the change, and the round trip through UTC names the real instant
        fire = wall.replace(tzinfo=self.timezone).astimezone(UTC).astimezone(self.timezone)
        if fire.date() != day:
            # a skipped time just before midnight (America/Nuuk, 23:30 on 2026-03-28: the
            # clocks go from 23:00 to 00:00) would move into the next day and leave its own
            # day without a fire: read it with the offset after the change instead, which
            # lands before the gap, on its day
            late = wall.replace(tzinfo=self.timezone, fold=1)
            fire = late.astimezone(UTC).astimezone(self.timezone)
        return fire

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        """The first fire at or after `now` (after `previous_fire_time`, when given, as
        APScheduler's own triggers do)."""
        start = now
        if previous_fire_time is not None:
            start = min(now, previous_fire_time + timedelta(microseconds=1))
            if start <= previous_fire_time:
                start = previous_fire_time + timedelta(microseconds=1)
        # from the local day before: a skipped time can move a fire past its day's midnight
        day = start.astimezone(self.timezone).date() - timedelta(days=1)
        if self.monthday is not None:
            index = day.year * 12 + day.month - 1
            for month in range(index, index + 3):
                year, m = divmod(month, 12)
                if year > 9999:
                    return None
                fire = self.fire_on(date(year, m + 1, self.monthday))
                if fire >= start:
                    return fire
            raise AssertionError("unreachable: every month has its day")  # pragma: no cover
        for offset in range(9):
            candidate = day + timedelta(days=offset)
            if self.weekday is not None and candidate.weekday() != self.weekday:
                continue
            fire = self.fire_on(candidate)
            if fire >= start:
                return fire
        raise AssertionError("unreachable: every week has each weekday")  # pragma: no cover

    def __str__(self) -> str:
        days = "daily" if self.weekday is None else DAYS[self.weekday]
        if self.monthday is not None:
            days = f"monthly on day {self.monthday}"
        return f"local_time[{days} {self.hour:02d}:{self.minute:02d} {self.timezone}]"

    def __repr__(self) -> str:
        return (
            f"LocalTime(hour={self.hour}, minute={self.minute}, zone={self.timezone!r}, "
            f"weekday={self.weekday!r}, monthday={self.monthday!r})"
        )
