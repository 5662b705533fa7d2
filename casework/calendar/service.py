"""Load the working calendar with its overrides, and let officials edit the overrides."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from casework.audit.models import AuditAction
from casework.audit.service import record
from casework.calendar import repository
from casework.calendar.models import CalendarOverride
from casework.calendar.schemas import CalendarOverrideCreate
from casework.calendar.workdays import MAX_DAYS_OFF_SET, WorkingCalendar
from casework.db import utcnow
from casework.errors import NotFound, ValidationFailed
from casework.officials.models import Official
from casework.officials.permissions import Action, require


async def load_calendar(session: AsyncSession) -> WorkingCalendar:
    """The working calendar as of now: the holidays package plus every stored override."""
    overrides = await repository.all_overrides(session)
    return WorkingCalendar({override.day: override.is_working_day for override in overrides})


async def list_overrides(session: AsyncSession) -> list[CalendarOverride]:
    """Every override, by day."""
    return await repository.all_overrides(session)


async def _ensure_days_off_stay_short(session: AsyncSession, *, day: dt.date, is_working_day: bool | None) -> None:
    """Refuse a change of ``day`` (None: its override removed) that would leave too many days off in a row."""
    overrides = {override.day: override.is_working_day for override in await repository.all_overrides(session)}
    if is_working_day is None:
        overrides.pop(day, None)
    else:
        overrides[day] = is_working_day
    if WorkingCalendar(overrides).days_off_around(day, at_most=MAX_DAYS_OFF_SET) > MAX_DAYS_OFF_SET:
        raise ValidationFailed(
            f"this would make {day.isoformat()} part of more than {MAX_DAYS_OFF_SET} days off in a row; "
            "no holiday is that long, so check the dates",
            field="day",
        )


async def set_override(session: AsyncSession, *, actor: Official, data: CalendarOverrideCreate) -> CalendarOverride:
    """Make a day a working day or a day off, replacing any earlier override of that day.

    A day off that would join more than ``MAX_DAYS_OFF_SET`` days off in a row is refused
    (ValidationFailed): deadlines could not be computed past such a stretch.
    """
    require(actor, Action.CALENDAR_EDIT)
    await _ensure_days_off_stay_short(session, day=data.day, is_working_day=data.is_working_day)
    override = await repository.get_override(session, data.day)
    if override is None:
        override = CalendarOverride(day=data.day)
        session.add(override)
    override.is_working_day = data.is_working_day
    override.note = data.note
    override.created_by = actor.id
    override.created_at = utcnow()
    await session.flush()
    await record(
        session,
        actor=actor,
        action=AuditAction.CALENDAR_SET,
        object_type="calendar_day",
        object_id=data.day.isoformat(),
        detail={"is_working_day": data.is_working_day},
    )
    return override


async def remove_override(session: AsyncSession, *, actor: Official, day: dt.date) -> None:
    """Drop a day's override so the holidays package decides again (refused like ``set_override`` if too many days off follow)."""
    require(actor, Action.CALENDAR_EDIT)
    override = await repository.get_override(session, day)
    if override is None:
        raise NotFound(f"no calendar override on {day.isoformat()}")
    await _ensure_days_off_stay_short(session, day=day, is_working_day=None)
    await session.delete(override)
    await session.flush()
    await record(
        session, actor=actor, action=AuditAction.CALENDAR_REMOVE, object_type="calendar_day", object_id=day.isoformat()
    )
