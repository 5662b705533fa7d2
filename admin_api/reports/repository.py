"""The report queries: counts grouped in the database, per-ticket rows only where a median or a date needs them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from casework.deadlines.service import LEGAL_ZONE
from casework.tickets.lifecycle import RUNNING
from casework.tickets.models import EventKind, ReplyApproval, Ticket, TicketEvent

T = Ticket


def conditions(
    scope: ColumnElement[bool], commune: str | None, received_from: dt.date | None, received_to: dt.date | None
) -> list[ColumnElement[bool]]:
    """The tickets a report covers: visible to the caller, of one commune if asked, received in the period."""
    found = [scope]
    if commune is not None:
        found.append(T.commune_code == commune)
    if received_from is not None:
        found.append(T.received_at >= dt.datetime.combine(received_from, dt.time(), LEGAL_ZONE))
    if received_to is not None:
        end = dt.datetime.combine(received_to + dt.timedelta(days=1), dt.time(), LEGAL_ZONE)
        found.append(T.received_at < end)
    return found


async def counts_by(
    session: AsyncSession, column: InstrumentedAttribute[Any], where: Sequence[ColumnElement[bool]]
) -> list[tuple[Any, int]]:
    """(value, count) pairs of one column over the covered tickets, most frequent first."""
    count = func.count().label("n")
    statement = select(column, count).where(*where).group_by(column).order_by(count.desc(), column)
    return [(row[0], int(row[1])) for row in (await session.execute(statement)).all()]


def _month_of_receipt(dialect: str) -> ColumnElement[str]:
    # The month in Vietnam, which has kept UTC+7 without daylight saving since 1975.
    if dialect == "postgresql":
        return func.to_char(func.timezone(str(LEGAL_ZONE), T.received_at), "YYYY-MM")
    return func.strftime("%Y-%m", T.received_at, "+7 hours")


async def counts_by_month(session: AsyncSession, where: Sequence[ColumnElement[bool]]) -> list[tuple[str, int]]:
    """(YYYY-MM, count) pairs by month of receipt, in calendar order."""
    month = _month_of_receipt(session.get_bind().dialect.name).label("month")
    statement = select(month, func.count()).where(*where).group_by(month).order_by(month)
    return [(str(row[0]), int(row[1])) for row in (await session.execute(statement)).all()]


async def first_reply_delays(session: AsyncSession, where: Sequence[ColumnElement[bool]]) -> list[dt.timedelta]:
    """For each covered ticket with a public reply that went out, the time from receipt to the first one.

    A reply awaiting a supervisor's approval, or returned, has not reached the citizen; an approved
    one reached them when it was approved.
    """
    sent_at = func.coalesce(TicketEvent.approval_at, TicketEvent.at)
    first = (
        select(TicketEvent.ticket_id, func.min(sent_at).label("first_at"))
        .where(
            TicketEvent.kind == EventKind.PUBLIC_REPLY,
            TicketEvent.approval.is_(None) | (TicketEvent.approval == ReplyApproval.APPROVED),
        )
        .group_by(TicketEvent.ticket_id)
        .subquery()
    )
    statement = select(T.received_at, first.c.first_at).join(first, first.c.ticket_id == T.id).where(*where)
    return [row[1] - row[0] for row in (await session.execute(statement)).all()]


async def deadline_outcomes(
    session: AsyncSession, where: Sequence[ColumnElement[bool]], *, today: dt.date
) -> list[tuple[dt.date, dt.datetime | None, bool]]:
    """(deadline, answered at, accepted late) of the covered tickets whose deadline was met or missed by today."""
    due = or_(T.resolved_at.is_not(None), and_(T.status.in_(RUNNING), T.deadline < today))
    statement = select(T.deadline, T.resolved_at, T.accepted_late).where(*where, due)
    return [(row[0], row[1], row[2]) for row in (await session.execute(statement)).all()]


async def export_rows(session: AsyncSession, where: Sequence[ColumnElement[bool]]) -> list[Any]:
    """The covered tickets' non-personal columns, by receipt time."""
    statement = (
        select(
            T.code,
            T.kind,
            T.topic,
            T.commune_code,
            T.channel,
            T.status,
            T.received_at,
            T.deadline,
            T.resolved_at,
            T.accepted_late,
        )
        .where(*where)
        .order_by(T.received_at, T.id)
    )
    return list((await session.execute(statement)).all())
