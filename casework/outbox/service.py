"""Queue messages to citizens, and let dispatchers claim, send and settle them exactly once."""

from __future__ import annotations

import datetime as dt
import functools
from typing import cast

from sqlalchemy import Select, Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from casework.channels import Channel
from casework.db import utcnow
from casework.errors import Conflict, NotFound, ValidationFailed
from casework.outbox import repository
from casework.outbox.models import DEFAULT_PRIORITY, OutboxKind, OutboxMessage, OutboxStatus
from casework.outbox.schemas import DEFAULT_RETRY, OutboxPayload, RetryPolicy

MAX_ERROR_CHARS = 500


async def enqueue(
    session: AsyncSession,
    *,
    channel: Channel,
    chat_ref: str,
    payload: OutboxPayload,
    kind: OutboxKind,
    dedupe_key: str,
    ticket_id: int | None = None,
    event_id: int | None = None,
    priority: int | None = None,
    now: dt.datetime | None = None,
) -> OutboxMessage:
    """Queue one message in the caller's transaction; the same dedupe key queues it only once."""
    if not channel.delivers:
        raise ValidationFailed(f"nothing can be sent through {channel}", field="channel")
    values = {
        "ticket_id": ticket_id,
        "event_id": event_id,
        "channel": channel,
        "chat_ref": chat_ref,
        "payload": payload.model_dump(mode="json"),
        "kind": kind,
        "priority": DEFAULT_PRIORITY[kind] if priority is None else priority,
        "status": OutboxStatus.PENDING,
        "next_attempt_at": now or utcnow(),
        "dedupe_key": dedupe_key,
    }
    # The new row comes back from the INSERT itself (RETURNING), not from a second query.
    statement = _enqueue_statement(session.get_bind().dialect.name)
    message = (await session.scalars(statement, values)).one_or_none()
    if message is None:  # queued before: the same dedupe key
        message = await repository.by_dedupe_key(session, dedupe_key)
    if message is None:  # pragma: no cover - the row was just inserted or already there
        raise NotFound(f"outbox row for {dedupe_key!r} vanished")
    return message


@functools.cache
def _enqueue_statement(dialect: str) -> Select[OutboxMessage]:
    """``INSERT … ON CONFLICT (dedupe_key) DO NOTHING RETURNING *`` loaded as an ORM row, built once."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = cast(Table, OutboxMessage.__table__)
    returning = insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(*table.c)
    return cast("Select[OutboxMessage]", select(OutboxMessage).from_statement(returning))


async def claim_batch(
    session: AsyncSession,
    *,
    worker: str,
    limit: int,
    channel: Channel | None = None,
    now: dt.datetime | None = None,
    policy: RetryPolicy = DEFAULT_RETRY,
) -> list[OutboxMessage]:
    """Claim up to ``limit`` due messages (of one channel, if given) for this worker.

    A claim is a lease: rows whose claim lapses before the worker started sending them come back;
    rows it had started sending become UNCONFIRMED (``repository.settle_abandoned``). One chat's
    rows are claimed in order and never past an earlier row that waits for a retry.
    """
    now = now or utcnow()
    await repository.settle_abandoned(session, now=now, max_attempts=policy.max_attempts, channel=channel)
    ids = await repository.claim_ids(
        session,
        worker=worker,
        limit=limit,
        now=now,
        until=now + policy.lease,
        max_attempts=policy.max_attempts,
        channel=channel,
    )
    return await repository.load(session, ids) if ids else []


async def take_over(
    session: AsyncSession,
    *,
    channel: Channel,
    worker: str,
    now: dt.datetime | None = None,
    policy: RetryPolicy = DEFAULT_RETRY,
) -> None:
    """Settle every claim on the channel that ``worker`` does not hold: call it on taking the channel's lease.

    Whoever held them is gone (the lease ran out), so there is no need to wait for their claims to lapse.
    """
    await repository.settle_abandoned(
        session, now=now or utcnow(), max_attempts=policy.max_attempts, channel=channel, worker=worker
    )


async def _claimed(session: AsyncSession, message_id: int, worker: str) -> OutboxMessage:
    message = await session.get(OutboxMessage, message_id, populate_existing=True)
    if message is None:
        raise NotFound(f"outbox row {message_id} not found")
    if message.status is not OutboxStatus.SENDING or message.claimed_by != worker:
        # Our lease ran out and the row went to someone else (or was settled): do not overwrite.
        raise Conflict(f"outbox row {message_id} is not claimed by {worker}")
    return message


async def mark_sent(
    session: AsyncSession,
    *,
    message_id: int,
    worker: str,
    external_id: str | None = None,
    now: dt.datetime | None = None,
) -> OutboxMessage:
    """Record that the platform accepted the message."""
    message = await _claimed(session, message_id, worker)
    message.status = OutboxStatus.SENT
    message.sent_at = now or utcnow()
    message.external_id = external_id
    message.claimed_by = None
    message.claimed_until = None
    message.last_error = None
    await session.flush()
    return message


async def mark_started(
    session: AsyncSession, *, message_id: int, worker: str, now: dt.datetime | None = None
) -> OutboxMessage:
    """Record that the row is about to go to the platform (commit this before sending it).

    From here on a crash leaves the row UNCONFIRMED instead of sending it again.
    """
    message = await _claimed(session, message_id, worker)
    message.send_started_at = now or utcnow()
    await session.flush()
    return message


async def mark_part_sent(session: AsyncSession, *, message_id: int, worker: str, parts_sent: int) -> OutboxMessage:
    """Record that the first ``parts_sent`` parts of a long message reached the platform (commit it at once).

    The row stays claimed; the next part is started with ``mark_started`` again. A failure or a
    crash from here on never sends the delivered parts a second time.
    """
    message = await _claimed(session, message_id, worker)
    message.parts_sent = parts_sent
    message.send_started_at = None
    await session.flush()
    return message


async def defer(
    session: AsyncSession, *, message_id: int, worker: str, until: dt.datetime, reason: str | None = None
) -> OutboxMessage:
    """Put a claimed row back, unsent and without counting the attempt, to be sent at ``until``.

    For a platform's flood wait (``retry_after``) and for a chat's later rows held back behind an
    earlier one that failed.
    """
    message = await _claimed(session, message_id, worker)
    message.status = OutboxStatus.PENDING
    message.attempts = max(message.attempts - 1, 0)
    message.next_attempt_at = until
    message.claimed_by = None
    message.claimed_until = None
    message.send_started_at = None
    if reason is not None:
        message.last_error = reason[:MAX_ERROR_CHARS]
    await session.flush()
    return message


async def mark_unconfirmed(session: AsyncSession, *, message_id: int, worker: str, error: str) -> OutboxMessage:
    """Record a send that ended in something unexpected: the platform may have the message, so it is never resent."""
    message = await _claimed(session, message_id, worker)
    message.status = OutboxStatus.UNCONFIRMED
    message.last_error = error[:MAX_ERROR_CHARS]
    message.claimed_by = None
    message.claimed_until = None
    await session.flush()
    return message


async def mark_failed(
    session: AsyncSession,
    *,
    message_id: int,
    worker: str,
    error: str,
    retry_after: dt.timedelta | None = None,
    permanent: bool = False,
    now: dt.datetime | None = None,
    policy: RetryPolicy = DEFAULT_RETRY,
) -> OutboxMessage:
    """Record a failed send: retry later with backoff (or the platform's retry_after), or give up."""
    message = await _claimed(session, message_id, worker)
    now = now or utcnow()
    # Platform errors may quote the request; keep the row small and the text short.
    message.last_error = error[:MAX_ERROR_CHARS]
    message.claimed_by = None
    message.claimed_until = None
    message.send_started_at = None
    if permanent or message.attempts >= policy.max_attempts:
        message.status = OutboxStatus.DEAD
    else:
        message.status = OutboxStatus.FAILED
        message.next_attempt_at = now + max(policy.backoff(message.attempts), retry_after or dt.timedelta(0))
    await session.flush()
    return message
