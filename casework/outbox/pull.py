"""Delivery by pull: channels whose citizen comes to fetch the messages (web chat, terminal).

A platform channel (Telegram, Zalo) is pushed to by a dispatcher that claims rows with
``claim_batch``. The web chat page and the terminal have nobody to push to: the citizen's own
request takes the chat's pending rows, in order, and marks them sent in the same transaction.
Dispatchers must therefore leave the rows of ``PULL_CHANNELS`` alone (claim only their own
channel's rows); otherwise a Telegram dispatcher would "send" a web chat's answer to nowhere.
"""

from __future__ import annotations

import datetime as dt
import functools

from sqlalchemy import ColumnElement, Select, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningUpdate

from casework.channels import Channel
from casework.db import utcnow
from casework.outbox.models import OutboxMessage, OutboxStatus

M = OutboxMessage

# The channels delivered by the citizen's own polling, never by a dispatcher.
PULL_CHANNELS = frozenset({Channel.WEB, Channel.TERMINAL})
_WAITING = (OutboxStatus.PENDING, OutboxStatus.FAILED)


async def take_for_chat(
    session: AsyncSession,
    *,
    channel: Channel,
    chat_ref: str,
    limit: int = 50,
    now: dt.datetime | None = None,
    look_first: bool = True,
) -> list[OutboxMessage]:
    """The chat's undelivered rows, oldest first, marked sent (in the caller's transaction).

    The UPDATE re-checks the status of the rows it marks and returns only those it changed, so two
    polls of the same chat at once (two browser tabs) never both return a row: on PostgreSQL the
    second waits for the first's row locks and re-checks; SQLite has a single writer.

    ``look_first`` reads before writing, so that a poll that finds nothing takes no write lock;
    a caller that has just queued rows for the chat passes False and saves that statement.
    """
    if limit < 1:
        return []
    now = now or utcnow()
    parameters = {"of_channel": channel, "of_chat": chat_ref, "taken_at": now}
    if look_first:
        ids = list((await session.scalars(_pick(limit), parameters)).all())
        if not ids:
            return []
        taken = await session.scalars(_take(M.id.in_(ids)), parameters)
    else:
        taken = await session.scalars(_take_picked(limit), parameters)
    return sorted(taken.all(), key=lambda message: message.id)


# The statements are built once per batch size and bound when they run (``of_channel``, ``of_chat``,
# ``taken_at``; not the column names, which an UPDATE reserves): rebuilding them costs about as much
# as running them.


@functools.cache
def _pick(limit: int) -> Select[int]:
    return (
        select(M.id)
        .where(M.channel == bindparam("of_channel"), M.chat_ref == bindparam("of_chat"), M.status.in_(_WAITING))
        .order_by(M.id)
        .limit(limit)
    )


def _take(chosen: ColumnElement[bool]) -> ReturningUpdate[OutboxMessage]:
    return (
        update(M)
        .where(chosen, M.status.in_(_WAITING))
        .values(
            status=OutboxStatus.SENT,
            sent_at=bindparam("taken_at"),
            attempts=M.attempts + 1,
            claimed_by=None,
            claimed_until=None,
            last_error=None,
        )
        .returning(M)
        .execution_options(synchronize_session=False, populate_existing=True)
    )


@functools.cache
def _take_picked(limit: int) -> ReturningUpdate[OutboxMessage]:
    return _take(M.id.in_(_pick(limit).scalar_subquery()))
