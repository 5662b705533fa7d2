"""Count days the way Vietnamese law does: working days, calendar days, and the roll-forward rule."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping

import holidays

ONE_DAY = dt.timedelta(days=1)
# No stretch of days off is anywhere near this long (Tết is at most nine with weekends); hitting
# it means the overrides are wrong, and an error beats an endless loop.
MAX_DAYS_OFF_IN_A_ROW = 60


@functools.cache
def vietnam_holidays() -> holidays.HolidayBase:
    """Vietnam's public holidays, swap days and make-up Saturdays (years load on first use)."""
    return holidays.country_holidays("VN")


class WorkingCalendar:
    """Working days of state offices: Monday to Friday minus holidays, plus make-up days and overrides."""

    def __init__(self, overrides: Mapping[dt.date, bool] | None = None) -> None:
        self._overrides = dict(overrides or {})
        self._base = vietnam_holidays()

    def is_working_day(self, day: dt.date) -> bool:
        """Whether state offices work on this day; an official's override wins over the library."""
        if day in self._overrides:
            return self._overrides[day]
        return bool(self._base.is_working_day(day))

    def next_working_day(self, day: dt.date) -> dt.date:
        """This day if it is a working day, else the first working day after it."""
        for _ in range(MAX_DAYS_OFF_IN_A_ROW):
            if self.is_working_day(day):
                return day
            day += ONE_DAY
        raise ValueError(f"no working day within {MAX_DAYS_OFF_IN_A_ROW} days: check the calendar overrides")

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The ``days``-th working day after ``start``, which is not counted (0: the next working day from it)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day = self.next_working_day(start) if days == 0 else start
        for _ in range(days):
            day = self.next_working_day(day + ONE_DAY)
        return day

    def add_calendar_days(self, start: dt.date, days: int) -> dt.date:
        """``start`` plus ``days``; a period ending on a day off ends on the next working day (Civil Code art. 148)."""
        if days < 0:
            raise ValueError("days must not be negative")
        return self.next_working_day(start + dt.timedelta(days=days))
