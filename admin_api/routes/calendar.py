"""The days officials set by hand over the holiday library: extra days off, extra working days.

Everyone reads them; only province admins and supervisors write them, as one override moves the
deadlines of every commune (403 for commune officials whatever their role). A change counts the
running deadlines it touches again, each moved one with a deadline event in its ticket's thread.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from admin_api.deps import ContextDep, SessionDep, allowed
from admin_api.errors import documented
from admin_api.schemas import CalendarDayChanged, CalendarDayRequest, Day
from casework.calendar.schemas import CalendarOverridePublic
from casework.calendar.service import list_overrides, remove_override, set_override
from casework.officials.models import Official
from casework.officials.permissions import Action
from casework.tickets.workflow import recompute_deadlines

router = APIRouter(prefix="/calendar/overrides", tags=["calendar"])

DayPath = Annotated[Day, Path(description="The day, YYYY-MM-DD.")]


@router.get("", responses=documented(401, 403))
async def overrides(
    _actor: Annotated[Official, allowed(Action.TICKET_READ)], session: SessionDep
) -> list[CalendarOverridePublic]:
    """Every override, by day (deadlines count working days with them)."""
    return [CalendarOverridePublic.model_validate(row) for row in await list_overrides(session)]


@router.put("/{day}", responses=documented(401, 403, 422))
async def set_day(
    day: DayPath,
    body: CalendarDayRequest,
    actor: Annotated[Official, allowed(Action.CALENDAR_EDIT)],
    session: SessionDep,
    context: ContextDep,
) -> CalendarDayChanged:
    """Make the day a working day or a day off, replacing any earlier override of it.

    Province admins and supervisors only. 422 if it would leave more days off in a row than any
    real holiday has (see ``casework.calendar.workdays.MAX_DAYS_OFF_SET``). The running deadlines
    from that day on are counted again (``deadlines_moved``).
    """
    override = await set_override(session, actor=actor, data=body.for_day(day))
    moved = await recompute_deadlines(session, actor=actor, reason="calendar", since=day, rules=context.rules)
    stored = CalendarOverridePublic.model_validate(override)
    return CalendarDayChanged(**stored.model_dump(), deadlines_moved=len(moved))


@router.delete("/{day}", status_code=204, response_class=Response, responses=documented(401, 403, 404, 422))
async def remove_day(
    day: DayPath, actor: Annotated[Official, allowed(Action.CALENDAR_EDIT)], session: SessionDep, context: ContextDep
) -> None:
    """Drop the day's override, so the holiday library decides again (province admins and supervisors only).

    422 if that would leave too many days off in a row, as for setting one. The running deadlines
    from that day on are counted again.
    """
    await remove_override(session, actor=actor, day=day)
    await recompute_deadlines(session, actor=actor, reason="calendar", since=day, rules=context.rules)
