"""Queries on the outbox, including the claim that keeps two dispatchers off the same row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, exists, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from casework.channels import Channel
from casework.outbox.models import OutboxMessage, OutboxStatus

M = OutboxMessage


def _abandoned(now: dt.datetime) -> ColumnElement[bool]:
    return and_(M.status == OutboxStatus.SENDING, M.claimed_until < now)


def _claimable(now: dt.datetime, max_attempts: int) -> ColumnElement[bool]:
    waiting = and_(M.status.in_([OutboxStatus.PENDING, OutboxStatus.FAILED]), M.next_attempt_at <= now)
    # A lapsed claim is taken over only if its holder never handed the row to the platform.
    lapsed = and_(_abandoned(now), M.send_started_at.is_(None), M.attempts < max_attempts)
    return or_(waiting, lapsed)


def _no_earlier_row_held_back(now: dt.datetime) -> ColumnElement[bool]:
    """One chat's messages go out in order: not while an earlier one waits for a retry or is in flight."""
    earlier = aliased(M)
    held_back = or_(
        and_(earlier.status == OutboxStatus.FAILED, earlier.next_attempt_at > now),
        and_(earlier.status == OutboxStatus.SENDING, earlier.claimed_until >= now),
    )
    return ~exists().where(earlier.channel == M.channel, earlier.chat_ref == M.chat_ref, earlier.id < M.id, held_back)


async def by_dedupe_key(session: AsyncSession, dedupe_key: str) -> OutboxMessage | None:
    """The message with this dedupe key, if any."""
    return (await session.scalars(select(M).where(M.dedupe_key == dedupe_key))).one_or_none()


async def settle_abandoned(
    session: AsyncSession, *, now: dt.datetime, max_attempts: int, channel: Channel | None = None, worker: str = ""
) -> None:
    """Settle lapsed claims: a row handed to the platform is UNCONFIRMED (never sent twice); a row
    whose last allowed attempt was claimed and never started is DEAD (a poison row).

    ``worker`` set: every claim of the channel not held by that worker counts as lapsed (the
    dispatcher that just took over the channel's lease knows their holders are gone).
    """
    lapsed = M.claimed_until < now if not worker else or_(M.claimed_until < now, M.claimed_by != worker)
    scope = [M.status == OutboxStatus.SENDING, lapsed, M.channel == channel if channel else true()]
    await session.execute(
        update(M)
        .where(*scope, M.send_started_at.is_not(None))
        .values(
            status=OutboxStatus.UNCONFIRMED,
            claimed_by=None,
            claimed_until=None,
            last_error="sender stopped mid-send: the platform may have it; not sent again",
        )
        .execution_options(synchronize_session=False)
    )
    unstarted = [*scope, M.send_started_at.is_(None)]
    await session.execute(
        update(M)
        .where(*unstarted, M.attempts >= max_attempts)
        .values(status=OutboxStatus.DEAD, claimed_by=None, claimed_until=None, last_error="claim expired")
        .execution_options(synchronize_session=False)
    )
    if worker:
        await session.execute(
            update(M)
            .where(*unstarted, M.attempts < max_attempts)
            .values(status=OutboxStatus.PENDING, claimed_by=None, claimed_until=None, attempts=M.attempts - 1)
            .execution_options(synchronize_session=False)
        )


async def claim_ids(
    session: AsyncSession,
    *,
    worker: str,
    limit: int,
    now: dt.datetime,
    until: dt.datetime,
    max_attempts: int,
    channel: Channel | None = None,
) -> list[int]:
    """Claim up to ``limit`` claimable rows for ``worker``, replies before announcements, and return their ids."""
    conditions = [_claimable(now, max_attempts), _no_earlier_row_held_back(now)]
    if channel is not None:
        conditions.append(M.channel == channel)
    pick = select(M.id).where(*conditions).order_by(M.priority, M.id).limit(limit)
    claim = dict(
        status=OutboxStatus.SENDING,
        claimed_by=worker,
        claimed_until=until,
        attempts=M.attempts + 1,
        send_started_at=None,
    )
    if session.get_bind().dialect.name == "postgresql":
        # Rows another dispatcher holds are skipped, not waited for, so dispatchers share the work.
        ids = list((await session.scalars(pick.with_for_update(of=M, skip_locked=True))).all())
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
