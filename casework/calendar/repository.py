"""Queries on calendar overrides."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.calendar.models import CalendarOverride


async def all_overrides(session: AsyncSession) -> list[CalendarOverride]:
    """Every override, by day (the table holds a handful of rows a year)."""
    return list((await session.scalars(select(CalendarOverride).order_by(CalendarOverride.day))).all())


async def get_override(session: AsyncSession, day: dt.date) -> CalendarOverride | None:
    """The override for one day, if any."""
    return await session.get(CalendarOverride, day)
