"""Count days the way Vietnamese law does: working days, calendar days, and the roll-forward rule."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Mapping

import holidays

logger = logging.getLogger(__name__)

ONE_DAY = dt.timedelta(days=1)
# The longest run of days off officials may set (casework.calendar.service refuses longer ones).
# The longest real one is Tết: nine or ten days with its weekends. Thirty leaves room for an
# exceptional closure declared next to a holiday, yet catches a mistyped range of dates, which
# would otherwise freeze every commune's deadlines; and it stays well under the search limit
# below, so every calendar officials can set is computed exactly.
MAX_DAYS_OFF_SET = 30
# How far to look for a working day before deciding the overrides are wrong (rows written around
# the API's check, or two writes racing each other): past it, the holidays library alone decides.
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
        self._warned = False

    def is_working_day(self, day: dt.date) -> bool:
        """Whether state offices work on this day; an official's override wins over the library."""
        if day in self._overrides:
            return self._overrides[day]
        return bool(self._base.is_working_day(day))

    def next_working_day(self, day: dt.date) -> dt.date:
        """This day if it is a working day, else the first working day after it.

        Overrides that leave no working day within ``MAX_DAYS_OFF_IN_A_ROW`` days are wrong: the
        search then goes on by the holidays library alone, so that a deadline falls somewhat
        late instead of every request that computes one failing.
        """
        for _ in range(MAX_DAYS_OFF_IN_A_ROW):
            if self.is_working_day(day):
                return day
            day += ONE_DAY
        if not self._warned:
            self._warned = True
            logger.warning(
                "no working day within %d days before %s: check the calendar overrides", MAX_DAYS_OFF_IN_A_ROW, day
            )
        while not self._base.is_working_day(day):  # the library's longest run of days off is Tết's
            day += ONE_DAY
        return day

    def days_off_around(self, day: dt.date, *, at_most: int) -> int:
        """How many days off in a row include ``day`` (0 for a working day), counting no further than ``at_most + 1``."""
        if self.is_working_day(day):
            return 0
        count = 1
        for step in (ONE_DAY, -ONE_DAY):
            other = day + step
            while count <= at_most and not self.is_working_day(other):
                count += 1
                other += step
        return count

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
