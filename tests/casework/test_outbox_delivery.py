"""The outbox for platform dispatchers: per channel, in order per chat, at most once across a crash."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.channels import Channel
from casework.errors import Conflict
from casework.outbox.models import OutboxKind, OutboxMessage, OutboxStatus
from casework.outbox.schemas import OutboxPayload, RetryPolicy
from casework.outbox.service import (
    claim_batch,
    defer,
    enqueue,
    mark_failed,
    mark_sent,
    mark_started,
    take_over,
)
from tests.casework.factories import NOW

POLICY = RetryPolicy()
AFTER_LEASE = NOW + POLICY.lease + dt.timedelta(seconds=1)


async def queue(session: AsyncSession, key: str, *, channel: Channel = Channel.TELEGRAM, chat: str = "c1") -> int:
    message = await enqueue(
        session,
        channel=channel,
        chat_ref=chat,
        payload=OutboxPayload(text=f"Tin {key}"),
        kind=OutboxKind.REPLY,
        dedupe_key=key,
        now=NOW,
    )
    return message.id


async def statuses(session: AsyncSession) -> dict[int, OutboxStatus]:
    rows = (await session.execute(select(OutboxMessage.id, OutboxMessage.status))).all()
    return {row_id: status for row_id, status in rows}


async def test_a_dispatcher_claims_only_its_own_channel(session: AsyncSession) -> None:
    telegram = await queue(session, "t", channel=Channel.TELEGRAM)
    await queue(session, "z", channel=Channel.ZALO)
    await queue(session, "w", channel=Channel.WEB)
    claimed = await claim_batch(session, worker="w1", limit=10, channel=Channel.TELEGRAM, now=NOW)
    assert [row.id for row in claimed] == [telegram]


async def test_a_row_started_and_never_reported_is_unconfirmed_not_sent_again(session: AsyncSession) -> None:
    first = await queue(session, "a")
    second = await queue(session, "b", chat="c2")
    await claim_batch(session, worker="dead", limit=10, channel=Channel.TELEGRAM, now=NOW)
    await mark_started(session, message_id=first, worker="dead", now=NOW)
    # The worker dies. After its claim lapses, the row it handed over is not claimable again…
    claimed = await claim_batch(session, worker="w2", limit=10, channel=Channel.TELEGRAM, now=AFTER_LEASE)
    assert [row.id for row in claimed] == [second]  # …while the one it never started is.
    assert (await statuses(session))[first] is OutboxStatus.UNCONFIRMED


async def test_taking_over_a_channel_settles_the_old_holders_claims_at_once(session: AsyncSession) -> None:
    started = await queue(session, "a")
    waiting = await queue(session, "b", chat="c2")
    other_channel = await queue(session, "z", channel=Channel.ZALO)
    await claim_batch(session, worker="dead", limit=10, channel=Channel.TELEGRAM, now=NOW)
    await claim_batch(session, worker="dead-zalo", limit=10, channel=Channel.ZALO, now=NOW)
    await mark_started(session, message_id=started, worker="dead", now=NOW)
    await take_over(session, channel=Channel.TELEGRAM, worker="heir", now=NOW)  # long before the claims lapse
    states = await statuses(session)
    assert states[started] is OutboxStatus.UNCONFIRMED
    assert states[waiting] is OutboxStatus.PENDING
    assert states[other_channel] is OutboxStatus.SENDING  # another channel's sender is not ours to judge
    [again] = await claim_batch(session, worker="heir", limit=10, channel=Channel.TELEGRAM, now=NOW)
    assert (again.id, again.attempts) == (waiting, 1)  # the lapsed claim did not count as an attempt


async def test_a_chats_later_rows_wait_behind_an_earlier_one_that_failed(session: AsyncSession) -> None:
    first = await queue(session, "a")
    second = await queue(session, "b")
    other_chat = await queue(session, "c", chat="c2")
    await claim_batch(session, worker="w", limit=1, channel=Channel.TELEGRAM, now=NOW)
    failed = await mark_failed(session, message_id=first, worker="w", error="HTTP 502", now=NOW)
    claimed = await claim_batch(session, worker="w", limit=10, channel=Channel.TELEGRAM, now=NOW)
    assert [row.id for row in claimed] == [other_chat]  # not `second`: it would overtake `first`
    later = await claim_batch(session, worker="w", limit=10, channel=Channel.TELEGRAM, now=failed.next_attempt_at)
    assert [row.id for row in later] == [first, second]


async def test_a_flood_wait_puts_the_row_back_without_counting_the_attempt(session: AsyncSession) -> None:
    row = await queue(session, "a")
    await claim_batch(session, worker="w", limit=1, channel=Channel.TELEGRAM, now=NOW)
    until = NOW + dt.timedelta(seconds=7)
    deferred = await defer(session, message_id=row, worker="w", until=until, reason="429")
    assert (deferred.status, deferred.attempts, deferred.next_attempt_at) == (OutboxStatus.PENDING, 0, until)
    assert (
        await claim_batch(session, worker="w", limit=1, channel=Channel.TELEGRAM, now=until - dt.timedelta(0, 1)) == []
    )
    assert len(await claim_batch(session, worker="w", limit=1, channel=Channel.TELEGRAM, now=until)) == 1


async def test_only_the_claim_holder_may_report(session: AsyncSession) -> None:
    row = await queue(session, "a")
    await claim_batch(session, worker="w1", limit=1, channel=Channel.TELEGRAM, now=NOW)
    await take_over(session, channel=Channel.TELEGRAM, worker="w2", now=NOW)
    for report in (
        mark_started(session, message_id=row, worker="w1", now=NOW),
        mark_sent(session, message_id=row, worker="w1", now=NOW),
    ):
        try:
            await report
        except Conflict:
            continue
        raise AssertionError("a worker reported on a row it no longer holds")
