"""Queries on the outbox, including the claim that keeps two dispatchers off the same row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from casework.outbox.models import OutboxMessage, OutboxStatus

M = OutboxMessage


def _claimable(now: dt.datetime, max_attempts: int) -> ColumnElement[bool]:
    waiting = and_(M.status.in_([OutboxStatus.PENDING, OutboxStatus.FAILED]), M.next_attempt_at <= now)
    abandoned = and_(M.status == OutboxStatus.SENDING, M.claimed_until < now, M.attempts < max_attempts)
    return or_(waiting, abandoned)


async def by_dedupe_key(session: AsyncSession, dedupe_key: str) -> OutboxMessage | None:
    """The message with this dedupe key, if any."""
    return (await session.scalars(select(M).where(M.dedupe_key == dedupe_key))).one_or_none()


async def bury_abandoned(session: AsyncSession, *, now: dt.datetime, max_attempts: int) -> None:
    """Mark dead the rows whose last allowed attempt was claimed and never reported (a poison row)."""
    await session.execute(
        update(M)
        .where(M.status == OutboxStatus.SENDING, M.claimed_until < now, M.attempts >= max_attempts)
        .values(status=OutboxStatus.DEAD, claimed_by=None, claimed_until=None, last_error="claim expired")
    )


async def claim_ids(
    session: AsyncSession, *, worker: str, limit: int, now: dt.datetime, until: dt.datetime, max_attempts: int
) -> list[int]:
    """Claim up to ``limit`` claimable rows for ``worker``, replies before announcements, and return their ids."""
    pick = select(M.id).where(_claimable(now, max_attempts)).order_by(M.priority, M.id).limit(limit)
    claim = dict(status=OutboxStatus.SENDING, claimed_by=worker, claimed_until=until, attempts=M.attempts + 1)
    if session.get_bind().dialect.name == "postgresql":
        # Rows another dispatcher holds are skipped, not waited for, so dispatchers share the work.
        ids = list((await session.scalars(pick.with_for_update(skip_locked=True))).all())
        if ids:
            await session.execute(update(M).where(M.id.in_(ids)).values(**claim))
        return ids
    # SQLite has one writer: a single UPDATE picks and claims under the write lock, so two processes
    # cannot pick the same row between a SELECT and an UPDATE.
    result = await session.scalars(update(M).where(M.id.in_(pick)).values(**claim).returning(M.id))
    return list(result.all())


async def load(session: AsyncSession, ids: Sequence[int]) -> list[OutboxMessage]:
    """Fresh copies of these rows, in dispatch order."""
    statement = select(M).where(M.id.in_(ids)).order_by(M.priority, M.id).execution_options(populate_existing=True)
    return list((await session.scalars(statement)).all())
