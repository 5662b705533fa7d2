"""Working days: Vietnamese holidays, make-up Saturdays, the art. 148 roll-forward, and officials' overrides."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.audit.models import AuditAction, AuditEntry
from casework.calendar.schemas import CalendarOverrideCreate
from casework.calendar.service import list_overrides, load_calendar, remove_override, set_override
from casework.calendar.workdays import MAX_DAYS_OFF_IN_A_ROW, WorkingCalendar
from casework.errors import Forbidden, NotFound
from casework.officials.models import PROVINCE, Role
from tests.casework.factories import make_official

D = dt.date
CALENDAR = WorkingCalendar()
days = st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31))
counts = st.integers(min_value=0, max_value=80)
overrides = st.dictionaries(st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 12, 31)), st.booleans(), max_size=20)


def test_make_up_saturday_2025_04_26_is_a_working_day() -> None:
    assert CALENDAR.is_working_day(D(2025, 4, 26))
    assert not CALENDAR.is_working_day(D(2025, 5, 2))  # the weekday it was swapped with


@pytest.mark.parametrize("day", [D(2026, 2, day) for day in range(16, 21)])
def test_tet_2026_is_off(day: dt.date) -> None:
    assert not CALENDAR.is_working_day(day)


def test_ordinary_weekdays_work_and_weekends_do_not() -> None:
    assert CALENDAR.is_working_day(D(2026, 3, 4))
    assert not CALENDAR.is_working_day(D(2026, 3, 7))
    assert not CALENDAR.is_working_day(D(2026, 3, 8))


def test_ten_working_days_after_2026_02_12_is_2026_03_05() -> None:
    assert CALENDAR.add_working_days(D(2026, 2, 12), 10) == D(2026, 3, 5)


def test_first_day_is_not_counted() -> None:
    assert CALENDAR.add_working_days(D(2026, 3, 2), 1) == D(2026, 3, 3)
    assert CALENDAR.add_calendar_days(D(2026, 3, 2), 1) == D(2026, 3, 3)


def test_zero_working_days_from_a_day_off_is_the_next_working_day() -> None:
    assert CALENDAR.add_working_days(D(2026, 3, 7), 0) == D(2026, 3, 9)
    assert CALENDAR.add_working_days(D(2026, 3, 9), 0) == D(2026, 3, 9)


def test_a_calendar_period_ending_on_a_day_off_ends_on_the_next_working_day() -> None:
    # 6 Feb + 10 days = Monday 16 Feb, the first day of Tết: the period runs to Monday 23 Feb.
    assert CALENDAR.add_calendar_days(D(2026, 2, 6), 10) == D(2026, 2, 23)
    # Ending on a Saturday rolls to Monday.
    assert CALENDAR.add_calendar_days(D(2026, 3, 2), 5) == D(2026, 3, 9)


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        CALENDAR.add_working_days(D(2026, 3, 2), -1)
    with pytest.raises(ValueError, match="negative"):
        CALENDAR.add_calendar_days(D(2026, 3, 2), -1)


def test_override_can_make_24_november_a_working_day_again() -> None:
    culture_day = D(2026, 11, 24)  # the library already lists Ngày Văn hóa Việt Nam; the law may not
    assert not CALENDAR.is_working_day(culture_day)
    assert WorkingCalendar({culture_day: True}).is_working_day(culture_day)


def test_override_can_make_24_november_a_day_off() -> None:
    culture_day = D(2025, 11, 24)  # a Monday, a working day in the library
    assert CALENDAR.is_working_day(culture_day)
    calendar = WorkingCalendar({culture_day: False})
    assert not calendar.is_working_day(culture_day)
    assert calendar.add_working_days(D(2025, 11, 21), 1) == D(2025, 11, 25)


def test_a_calendar_with_no_working_day_in_sight_falls_back_to_the_library(caplog: pytest.LogCaptureFixture) -> None:
    # Such overrides cannot be set through the service; rows written straight into the database
    # (or two writes racing) must still not fail every request that computes a deadline.
    start = D(2026, 3, 2)
    everything_off = WorkingCalendar({start + dt.timedelta(days=n): False for n in range(90)})
    give_up = start + dt.timedelta(days=1 + MAX_DAYS_OFF_IN_A_ROW)  # Saturday 2 May 2026, after 30/4-1/5
    assert everything_off.add_working_days(start, 1) == D(2026, 5, 4)  # the library's next working day
    assert CALENDAR.next_working_day(give_up) == D(2026, 5, 4)
    assert everything_off.add_working_days(start, 2) == D(2026, 6, 1)  # the overrides end on 30 May
    assert everything_off.add_calendar_days(start, 10) > start
    assert "check the calendar overrides" in caplog.text


@settings(deadline=None)  # the holidays package computes a year's lunar dates on first use
@given(start=days, n=counts, extra=overrides)
def test_working_day_arithmetic_always_lands_on_a_working_day(
    start: dt.date, n: int, extra: dict[dt.date, bool]
) -> None:
    calendar = WorkingCalendar(extra)
    assert calendar.is_working_day(calendar.add_working_days(start, n))
    assert calendar.is_working_day(calendar.add_calendar_days(start, n))


@settings(deadline=None)  # the holidays package computes a year's lunar dates on first use
@given(start=days, n=counts)
def test_deadlines_grow_with_the_number_of_days(start: dt.date, n: int) -> None:
    assert CALENDAR.add_working_days(start, n) <= CALENDAR.add_working_days(start, n + 1)
    assert CALENDAR.add_calendar_days(start, n) <= CALENDAR.add_calendar_days(start, n + 1)
    assert CALENDAR.add_working_days(start, n + 1) > start


@settings(deadline=None)  # the holidays package computes a year's lunar dates on first use
@given(start=days, n=st.integers(min_value=1, max_value=80))
def test_n_working_days_are_exactly_n_working_days_after_the_start(start: dt.date, n: int) -> None:
    end = CALENDAR.add_working_days(start, n)
    between = [start + dt.timedelta(days=k) for k in range(1, (end - start).days + 1)]
    assert sum(CALENDAR.is_working_day(day) for day in between) == n


async def test_stored_overrides_change_the_loaded_calendar(session: AsyncSession) -> None:
    supervisor = await make_official(session, role=Role.SUPERVISOR, unit=PROVINCE)
    culture_day = D(2026, 11, 24)
    await set_override(
        session,
        actor=supervisor,
        data=CalendarOverrideCreate(day=culture_day, is_working_day=True, note="Luật chưa sửa Điều 112"),
    )
    assert (await load_calendar(session)).is_working_day(culture_day)
    await set_override(
        session,
        actor=supervisor,
        data=CalendarOverrideCreate(day=culture_day, is_working_day=False, note="Luật đã sửa"),
    )
    assert not (await load_calendar(session)).is_working_day(culture_day)
    assert [(o.day, o.note) for o in await list_overrides(session)] == [(culture_day, "Luật đã sửa")]
    await remove_override(session, actor=supervisor, day=culture_day)
    assert await list_overrides(session) == []
    actions = (await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all()
    assert actions == [AuditAction.CALENDAR_SET, AuditAction.CALENDAR_SET, AuditAction.CALENDAR_REMOVE]


async def test_officers_cannot_edit_the_calendar(session: AsyncSession) -> None:
    officer = await make_official(session, role=Role.OFFICER)
    with pytest.raises(Forbidden):
        await set_override(
            session, actor=officer, data=CalendarOverrideCreate(day=D(2026, 1, 2), is_working_day=False, note="nghỉ")
        )


async def test_removing_a_missing_override_is_not_found(session: AsyncSession) -> None:
    admin = await make_official(session, role=Role.ADMIN, unit=PROVINCE)
    with pytest.raises(NotFound):
        await remove_override(session, actor=admin, day=D(2026, 1, 2))
