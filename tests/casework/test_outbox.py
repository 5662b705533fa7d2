"""The outbox: queued once, claimed by one dispatcher at a time, retried with backoff, sent once."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.channels import Channel
from casework.errors import Conflict, NotFound, ValidationFailed
from casework.outbox.models import OutboxKind, OutboxMessage, OutboxStatus
from casework.outbox.schemas import Button, OutboxPayload, RetryPolicy
from casework.outbox.service import claim_batch, enqueue, mark_failed, mark_sent
from tests.casework.factories import NOW

LEASE = RetryPolicy().lease


async def queue(session: AsyncSession, key: str, kind: OutboxKind = OutboxKind.REPLY, **extra: object) -> OutboxMessage:
    return await enqueue(
        session,
        channel=Channel.TELEGRAM,
        chat_ref=f"chat-{key}",
        payload=OutboxPayload(text=f"Tin nhắn {key}"),
        kind=kind,
        dedupe_key=key,
        now=NOW,
        **extra,  # type: ignore[arg-type]
    )


async def test_the_same_dedupe_key_queues_one_message(session: AsyncSession) -> None:
    first = await queue(session, "reply:1")
    again = await queue(session, "reply:1")
    assert first.id == again.id
    assert len((await session.scalars(select(OutboxMessage))).all()) == 1
    assert (first.status, first.attempts, first.priority) == (OutboxStatus.PENDING, 0, 0)


async def test_buttons_travel_in_the_payload(session: AsyncSession) -> None:
    payload = OutboxPayload(text="Bạn hài lòng không?", buttons=[Button(text="Có", data="survey:yes")])
    message = await enqueue(
        session, channel=Channel.ZALO, chat_ref="z-1", payload=payload, kind=OutboxKind.NOTICE, dedupe_key="n:1"
    )
    assert message.payload == {"text": "Bạn hài lòng không?", "buttons": [{"text": "Có", "data": "survey:yes"}]}


async def test_nothing_is_queued_to_a_channel_without_a_chat(session: AsyncSession) -> None:
    with pytest.raises(ValidationFailed):
        await enqueue(
            session,
            channel=Channel.PAPER,
            chat_ref="-",
            payload=OutboxPayload(text="x"),
            kind=OutboxKind.REPLY,
            dedupe_key="p:1",
        )


async def test_replies_are_claimed_before_announcements(session: AsyncSession) -> None:
    for number in range(3):
        await queue(session, f"broadcast:{number}", OutboxKind.BROADCAST)
    await queue(session, "notice:1", OutboxKind.NOTICE)
    await queue(session, "reply:1", OutboxKind.REPLY)
    claimed = await claim_batch(session, worker="w1", limit=3, now=NOW)
    assert [m.dedupe_key for m in claimed] == ["reply:1", "notice:1", "broadcast:0"]
    assert all(
        (m.status, m.claimed_by, m.claimed_until, m.attempts) == (OutboxStatus.SENDING, "w1", NOW + LEASE, 1)
        for m in claimed
    )


async def test_claimed_rows_are_not_claimed_again_until_the_lease_expires(session: AsyncSession) -> None:
    await queue(session, "reply:1")
    assert len(await claim_batch(session, worker="w1", limit=10, now=NOW)) == 1
    assert await claim_batch(session, worker="w2", limit=10, now=NOW + LEASE - dt.timedelta(seconds=1)) == []
    # The first worker died mid-send: once its claim expires the row is someone else's.
    [reclaimed] = await claim_batch(session, worker="w2", limit=10, now=NOW + LEASE + dt.timedelta(seconds=1))
    assert (reclaimed.claimed_by, reclaimed.attempts) == ("w2", 2)
    with pytest.raises(Conflict):
        await mark_sent(session, message_id=reclaimed.id, worker="w1")


async def test_a_sent_message_is_done(session: AsyncSession) -> None:
    message = await queue(session, "reply:1")
    await claim_batch(session, worker="w1", limit=1, now=NOW)
    sent = await mark_sent(session, message_id=message.id, worker="w1", external_id="tg-msg-77", now=NOW)
    assert (sent.status, sent.sent_at, sent.external_id, sent.claimed_by) == (OutboxStatus.SENT, NOW, "tg-msg-77", None)
    assert await claim_batch(session, worker="w1", limit=1, now=NOW + dt.timedelta(days=1)) == []
    with pytest.raises(Conflict):
        await mark_sent(session, message_id=message.id, worker="w1")
    with pytest.raises(NotFound):
        await mark_sent(session, message_id=999_999, worker="w1")


async def test_failures_back_off_exponentially_then_die(session: AsyncSession) -> None:
    policy = RetryPolicy(max_attempts=3)
    message = await queue(session, "reply:1")
    now = NOW
    waits = []
    for _ in range(2):
        await claim_batch(session, worker="w1", limit=1, now=now, policy=policy)
        failed = await mark_failed(session, message_id=message.id, worker="w1", error="502", now=now, policy=policy)
        assert failed.status is OutboxStatus.FAILED and failed.claimed_by is None
        waits.append(failed.next_attempt_at - now)
        assert (
            await claim_batch(session, worker="w1", limit=1, now=failed.next_attempt_at - dt.timedelta(seconds=1)) == []
        )
        now = failed.next_attempt_at
    assert waits == [dt.timedelta(seconds=30), dt.timedelta(seconds=60)]
    await claim_batch(session, worker="w1", limit=1, now=now, policy=policy)
    dead = await mark_failed(session, message_id=message.id, worker="w1", error="502 " * 500, now=now, policy=policy)
    assert dead.status is OutboxStatus.DEAD and len(dead.last_error or "") == 500
    assert await claim_batch(session, worker="w1", limit=1, now=now + dt.timedelta(days=1)) == []


async def test_the_platforms_retry_after_is_honoured(session: AsyncSession) -> None:
    message = await queue(session, "reply:1")
    await claim_batch(session, worker="w1", limit=1, now=NOW)
    failed = await mark_failed(
        session, message_id=message.id, worker="w1", error="429", retry_after=dt.timedelta(minutes=2), now=NOW
    )
    assert failed.next_attempt_at == NOW + dt.timedelta(minutes=2)


async def test_a_permanent_failure_is_dead_at_once(session: AsyncSession) -> None:
    message = await queue(session, "reply:1")
    await claim_batch(session, worker="w1", limit=1, now=NOW)
    dead = await mark_failed(session, message_id=message.id, worker="w1", error="403 blocked", permanent=True, now=NOW)
    assert dead.status is OutboxStatus.DEAD


async def test_a_row_that_keeps_killing_its_dispatcher_is_buried(session: AsyncSession) -> None:
    policy = RetryPolicy(max_attempts=2)
    await queue(session, "reply:poison")
    now = NOW
    for _ in range(2):
        assert len(await claim_batch(session, worker="w1", limit=1, now=now, policy=policy)) == 1
        now += policy.lease + dt.timedelta(seconds=1)  # never reported: the process died
    assert await claim_batch(session, worker="w1", limit=1, now=now, policy=policy) == []
    row = (await session.scalars(select(OutboxMessage))).one()
    await session.refresh(row)
    assert (row.status, row.last_error) == (OutboxStatus.DEAD, "claim expired")


async def test_a_second_claimer_never_gets_a_row_held_by_an_open_claim(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as setup:
        for number in range(6):
            await queue(setup, f"reply:{number}")
        await setup.commit()
    async with sessions() as first, sessions() as second:
        mine = {m.id for m in await claim_batch(first, worker="w1", limit=3, now=NOW)}
        theirs_task = asyncio.create_task(claim_batch(second, worker="w2", limit=10, now=NOW))
        await asyncio.sleep(0.3)
        if first.get_bind().dialect.name == "postgresql":
            # SKIP LOCKED: the second dispatcher goes past the rows the first one holds, without waiting.
            assert theirs_task.done()
        else:
            # SQLite has a single writer: the second claim waits for the first transaction to end.
            assert not theirs_task.done()
        await first.commit()
        theirs = {m.id for m in await theirs_task}
        await second.commit()
    assert len(mine) == 3 and len(theirs) == 3 and not mine & theirs


async def test_concurrent_dispatchers_share_the_work_without_overlap(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as setup:
        for number in range(40):
            await queue(setup, f"reply:{number}")
        await setup.commit()

    async def dispatcher(name: str) -> list[int]:
        claimed: list[int] = []
        while True:
            async with sessions() as session:
                batch = await claim_batch(session, worker=name, limit=3, now=NOW)
                for message in batch:
                    await mark_sent(session, message_id=message.id, worker=name, now=NOW)
                await session.commit()
            if not batch:
                return claimed
            claimed.extend(message.id for message in batch)

    results = await asyncio.gather(*(dispatcher(f"w{n}") for n in range(4)))
    every = [message_id for result in results for message_id in result]
    assert len(every) == len(set(every)) == 40
    async with sessions() as check:
        statuses = set((await check.scalars(select(OutboxMessage.status))).all())
    assert statuses == {OutboxStatus.SENT}


async def test_naive_times_are_refused_before_they_reach_the_database(session: AsyncSession) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        await claim_batch(session, worker="w1", limit=1, now=dt.datetime(2026, 3, 2, 10, 0))
