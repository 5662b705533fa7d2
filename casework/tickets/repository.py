"""Queries on tickets, their events and attachments, including the queue's filtered keyset pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from casework.channels import Channel
from casework.db import insert_ignoring_conflict
from casework.officials.models import Official
from casework.pagination import SortKey, after, order_terms
from casework.tickets.lifecycle import RUNNING
from casework.tickets.models import EventKind, ReplyApproval, Ticket, TicketEvent
from casework.tickets.schemas import TicketQuery, TicketSort

T = Ticket

SORT_KEYS: dict[TicketSort, list[SortKey]] = {
    TicketSort.NEWEST: [SortKey(T.received_at, dt.datetime, descending=True), SortKey(T.id, int, descending=True)],
    TicketSort.OLDEST: [SortKey(T.received_at, dt.datetime), SortKey(T.id, int)],
    TicketSort.DEADLINE: [SortKey(T.deadline, dt.date), SortKey(T.id, int)],
    TicketSort.PRIORITY: [SortKey(T.priority, int, descending=True), SortKey(T.deadline, dt.date), SortKey(T.id, int)],
}


async def insert_ticket(session: AsyncSession, values: dict[str, Any]) -> Ticket | None:
    """Insert a ticket; None if its tracking code is already taken (the caller draws another)."""
    ticket_id = await insert_ignoring_conflict(session, Ticket, values, conflict_on=["code"])
    return None if ticket_id is None else await session.get(Ticket, ticket_id)


async def by_code(session: AsyncSession, code: str, *, with_thread: bool = False) -> Ticket | None:
    """The ticket with this tracking code, optionally with its events, deliveries and attachments."""
    statement = select(T).where(T.code == code).execution_options(populate_existing=True)
    if with_thread:
        statement = statement.options(
            selectinload(T.events).selectinload(TicketEvent.delivery), selectinload(T.attachments)
        )
    return (await session.scalars(statement)).one_or_none()


async def official_by_id(session: AsyncSession, official_id: int) -> Official | None:
    """An official, for checks on a would-be assignee."""
    return await session.get(Official, official_id)


async def event_with_delivery(session: AsyncSession, event_id: int) -> TicketEvent:
    """An event with its outbox row loaded, as the thread shows it."""
    statement = (
        select(TicketEvent)
        .where(TicketEvent.id == event_id)
        .options(selectinload(TicketEvent.delivery))
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).one()


async def public_replies(session: AsyncSession, ticket_id: int) -> list[TicketEvent]:
    """A ticket's public replies that went out, oldest first (what the citizen may see of the thread).

    Replies awaiting a supervisor's approval, or returned, are not the citizen's to see.
    """
    statement = (
        select(TicketEvent)
        .where(
            TicketEvent.ticket_id == ticket_id,
            TicketEvent.kind == EventKind.PUBLIC_REPLY,
            TicketEvent.approval.is_(None) | (TicketEvent.approval == ReplyApproval.APPROVED),
        )
        .order_by(TicketEvent.id)
    )
    return list((await session.scalars(statement)).all())


async def reply_of_ticket(session: AsyncSession, ticket_id: int, event_id: int) -> TicketEvent | None:
    """The public reply ``event_id`` of this ticket, or None (another ticket's event is not found either)."""
    statement = (
        select(TicketEvent)
        .where(
            TicketEvent.id == event_id,
            TicketEvent.ticket_id == ticket_id,
            TicketEvent.kind == EventKind.PUBLIC_REPLY,
        )
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).one_or_none()


async def running_assigned_to(session: AsyncSession, official_id: int) -> list[Ticket]:
    """The open tickets assigned to an official, oldest first."""
    statement = select(T).where(T.assignee_id == official_id, T.status.in_(RUNNING)).order_by(T.id)
    return list((await session.scalars(statement)).all())


async def running_due_from(session: AsyncSession, since: dt.date | None) -> list[Ticket]:
    """The tickets whose deadline runs and falls on or after a day (every running one for None), oldest first."""
    statement = select(T).where(T.status.in_(RUNNING)).order_by(T.id)
    if since is not None:
        statement = statement.where(T.deadline >= since)
    return list((await session.scalars(statement)).all())


async def duplicates_of(session: AsyncSession, ticket_id: int) -> list[Ticket]:
    """The tickets merged into this one, oldest first."""
    statement = select(T).where(T.duplicate_of_id == ticket_id).order_by(T.id)
    return list((await session.scalars(statement)).all())


async def submissions_since(session: AsyncSession, *, channel: Channel, chat_ref: str, since: dt.datetime) -> int:
    """How many tickets one chat filed since a time (for the per-citizen submission limit)."""
    statement = select(func.count()).where(T.channel == channel, T.chat_ref == chat_ref, T.received_at >= since)
    return int((await session.execute(statement)).scalar_one())


def _filters(
    query: TicketQuery, *, folded_words: Sequence[str], today: dt.date, due_soon_until: dt.date
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.status:
        conditions.append(T.status.in_(query.status))
    if query.kind:
        conditions.append(T.kind.in_(query.kind))
    if query.topic is not None:
        conditions.append(T.topic == query.topic)
    if query.commune_code is not None:
        conditions.append(T.commune_code == query.commune_code)
    if query.assignee_id is not None:
        conditions.append(T.assignee_id == query.assignee_id)
    if query.unassigned:
        conditions.append(T.assignee_id.is_(None))
    overdue = T.status.in_(RUNNING) & (T.deadline < today)
    due_soon = T.status.in_(RUNNING) & T.deadline.between(today, due_soon_until)
    if query.overdue is not None:
        conditions.append(overdue if query.overdue else ~overdue)
    if query.due_soon is not None:
        conditions.append(due_soon if query.due_soon else ~due_soon)
    # Each word in the text (or topic), or in the tracking code: "pj59" finds CB-PJ59-W9FX.
    conditions.extend(
        or_(T.search_text.contains(word, autoescape=True), func.lower(T.code).contains(word, autoescape=True))
        for word in folded_words
    )
    return conditions


async def page(
    session: AsyncSession,
    *,
    query: TicketQuery,
    scope: ColumnElement[bool],
    received_between: tuple[dt.datetime | None, dt.datetime | None],
    folded_words: Sequence[str],
    today: dt.date,
    due_soon_until: dt.date,
    last: Sequence[Any] | None,
) -> list[Ticket]:
    """Up to ``query.limit + 1`` visible tickets matching the filters, in the query's order after ``last``."""
    keys = SORT_KEYS[query.sort]
    statement = select(T).where(
        scope, *_filters(query, folded_words=folded_words, today=today, due_soon_until=due_soon_until)
    )
    start, end = received_between
    if start is not None:
        statement = statement.where(T.received_at >= start)
    if end is not None:
        statement = statement.where(T.received_at < end)
    if last is not None:
        statement = statement.where(after(keys, last))
    statement = statement.order_by(*order_terms(keys)).limit(query.limit + 1)
    return list((await session.scalars(statement)).all())
