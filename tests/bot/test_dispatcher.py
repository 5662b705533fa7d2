"""The dispatcher against a fake Telegram Bot API over real HTTP: pace, order, flood waits, blocks, retries, crashes.

Rows are queued straight into the outbox (as an official's reply or an announcement would be);
the dispatcher sends them with the real ``TelegramSender``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.telegram import TelegramSender, make_bot
from bot.dispatcher import DispatchConfig, Dispatcher, Outgoing, Pace
from casework.channels import Channel
from casework.conversations.models import Conversation
from casework.conversations.service import load_conversation, save_conversation
from casework.outbox.models import OutboxKind, OutboxMessage, OutboxStatus
from casework.outbox.schemas import OutboxPayload, RetryPolicy
from casework.outbox.service import enqueue
from tests.fakes.server import running
from tests.fakes.telegram import FakeTelegram

TOKEN = "424242:dispatch-test"  # noqa: S105 - the fake's
FAST = DispatchConfig(
    policy=RetryPolicy(base_delay=dt.timedelta(milliseconds=200), max_delay=dt.timedelta(seconds=1)),
    lease_ttl=dt.timedelta(seconds=3),
    idle_poll=0.05,
)


@pytest.fixture
def fake() -> Iterator[tuple[FakeTelegram, str]]:
    telegram = FakeTelegram(TOKEN, enforce_limits=True)
    with running(telegram.app) as base:
        yield telegram, base


@pytest.fixture
async def sender(fake: tuple[FakeTelegram, str]) -> AsyncIterator[TelegramSender]:
    _, base = fake
    bot = make_bot(TOKEN, f"{base}/bot")
    yield TelegramSender(bot)
    await bot.shutdown()


async def queue(sessions: async_sessionmaker[AsyncSession], *messages: tuple[int, str]) -> list[int]:
    async with sessions() as session:
        ids = []
        for chat, text in messages:
            row = await enqueue(
                session,
                channel=Channel.TELEGRAM,
                chat_ref=str(chat),
                payload=OutboxPayload(text=text),
                kind=OutboxKind.BROADCAST,
                dedupe_key=f"test:{chat}:{uuid.uuid4()}",
            )
            ids.append(row.id)
        await session.commit()
    return ids


async def statuses(sessions: async_sessionmaker[AsyncSession]) -> dict[int, OutboxStatus]:
    async with sessions() as session:
        return {row.id: row.status for row in (await session.scalars(select(OutboxMessage))).all()}


async def drain(dispatcher: Dispatcher, until: float = 20.0) -> None:
    """Run the dispatcher until a pass over the outbox finds nothing to do."""
    deadline = time.monotonic() + until
    while await dispatcher.run_once():
        assert time.monotonic() < deadline, "the dispatcher never finished"


async def test_a_burst_goes_out_within_the_platforms_limits_and_in_order_per_chat(
    fake: tuple[FakeTelegram, str], sender: TelegramSender, sessions: async_sessionmaker[AsyncSession]
) -> None:
    telegram, _ = fake
    messages = [(chat, f"Thông báo {number}") for number in range(3) for chat in range(1, 21)]
    await queue(sessions, *messages)
    dispatcher = Dispatcher(sender, sessions, FAST)
    started = time.monotonic()
    await drain(dispatcher)
    elapsed = time.monotonic() - started
    assert telegram.limit_violations == 0
    assert len(telegram.sent()) == 60
    for chat in range(1, 21):
        assert telegram.delivered_texts(chat) == [f"Thông báo {number}" for number in range(3)]
    assert elapsed >= 59 / 30  # paced, not burst
    assert set((await statuses(sessions)).values()) == {OutboxStatus.SENT}


async def test_a_flood_wait_is_honoured_exactly_then_the_row_goes(
    fake: tuple[FakeTelegram, str], sender: TelegramSender, sessions: async_sessionmaker[AsyncSession]
) -> None:
    telegram, _ = fake
    telegram.fail_next("sendMessage", 429, retry_after=2)
    await queue(sessions, (1, "một"))
    dispatcher = Dispatcher(sender, sessions, FAST)
    await dispatcher.run_once()
    refused_at = telegram.calls[0].at
    # Another chat's message queued once the flood wait is known (one already on its way when the 429
    # comes back cannot be called back: Telegram answers it with a 429 of its own).
    await queue(sessions, (2, "hai"))
    deadline = time.monotonic() + 10
    while len(telegram.delivered_texts()) < 2:
        assert time.monotonic() < deadline, telegram.describe()
        await dispatcher.run_once()
        await asyncio.sleep(0.05)
    sends = [call for call in telegram.calls if call.method == "sendMessage"]
    assert [call.status for call in sends] == [429, 200, 200]
    # Nothing at all reached Telegram during the wait (another chat's message waited too); then both went.
    assert sends[1].at - refused_at >= 2.0
    assert sorted(telegram.delivered_texts()) == ["hai", "một"]
    async with sessions() as session:
        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    assert [row.attempts for row in rows] == [1, 1]  # the flood wait did not count as a failure


async def test_a_blocked_chat_is_marked_unreachable_and_gets_nothing_more_until_it_writes(
    fake: tuple[FakeTelegram, str], sender: TelegramSender, sessions: async_sessionmaker[AsyncSession]
) -> None:
    telegram, _ = fake
    async with sessions() as session:
        await load_conversation(session, channel=Channel.TELEGRAM, chat_ref="9")
        await session.commit()
    telegram.block(9)
    first, second, other = await queue(sessions, (9, "một"), (9, "hai"), (10, "ba"))
    dispatcher = Dispatcher(sender, sessions, FAST)
    await drain(dispatcher)
    states = await statuses(sessions)
    assert (states[first], states[second], states[other]) == (OutboxStatus.DEAD, OutboxStatus.DEAD, OutboxStatus.SENT)
    assert len([call for call in telegram.calls if call.method == "sendMessage"]) == 2  # "hai" was never tried
    [later] = await queue(sessions, (9, "bốn"))
    await drain(dispatcher)
    assert (await statuses(sessions))[later] is OutboxStatus.DEAD
    assert len([call for call in telegram.calls if call.method == "sendMessage"]) == 2

    # The citizen unblocks the bot and writes: the chat is reachable again.
    telegram.unblock(9)
    async with sessions() as session:
        conversation = await load_conversation(session, channel=Channel.TELEGRAM, chat_ref="9")
        assert conversation.unreachable_since is not None
        await save_conversation(session, conversation, state={})
        await session.commit()
    [again] = await queue(sessions, (9, "năm"))
    await drain(dispatcher)
    assert (await statuses(sessions))[again] is OutboxStatus.SENT
    assert telegram.delivered_texts(9) == ["năm"]


async def test_server_errors_are_retried_with_backoff_and_keep_the_chats_order(
    fake: tuple[FakeTelegram, str], sender: TelegramSender, sessions: async_sessionmaker[AsyncSession]
) -> None:
    telegram, _ = fake
    telegram.fail_next("sendMessage", 502, count=2)
    await queue(sessions, (5, "một"), (5, "hai"), (5, "ba"))
    dispatcher = Dispatcher(sender, sessions, FAST)
    deadline = time.monotonic() + 20
    while len(telegram.delivered_texts(5)) < 3:
        assert time.monotonic() < deadline, telegram.describe()
        await dispatcher.run_once()
        await asyncio.sleep(0.1)
    assert telegram.delivered_texts(5) == ["một", "hai", "ba"]
    async with sessions() as session:
        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    assert rows[0].attempts == 3 and rows[0].status is OutboxStatus.SENT


async def test_a_rejected_message_is_dead_with_the_reason_and_the_rest_go(
    fake: tuple[FakeTelegram, str], sender: TelegramSender, sessions: async_sessionmaker[AsyncSession]
) -> None:
    telegram, _ = fake
    telegram.fail_next("sendMessage", 400, description="Bad Request: chat not found")
    bad, good = await queue(sessions, (6, "một"), (7, "hai"))
    await drain(Dispatcher(sender, sessions, FAST))
    async with sessions() as session:
        row = await session.get(OutboxMessage, bad)
        assert row is not None and row.status is OutboxStatus.DEAD
        assert row.last_error is not None and "chat not found" in row.last_error.lower()
    assert (await statuses(sessions))[good] is OutboxStatus.SENT


async def test_an_answer_the_sender_cannot_read_leaves_the_row_unconfirmed_never_resent_and_the_chat_goes_on(
    fake: tuple[FakeTelegram, str], sender: TelegramSender, sessions: async_sessionmaker[AsyncSession]
) -> None:
    telegram, _ = fake
    telegram.garble_next("sendMessage")
    garbled, after = await queue(sessions, (8, "một"), (8, "hai"))
    await drain(Dispatcher(sender, sessions, FAST))
    async with sessions() as session:
        row = await session.get(OutboxMessage, garbled)
        assert row is not None and row.status is OutboxStatus.UNCONFIRMED
        assert row.last_error is not None and "unexpected error" in row.last_error
    assert (await statuses(sessions))[after] is OutboxStatus.SENT
    assert [call.params["text"] for call in telegram.sent("8")] == ["một", "hai"]  # each once, in order


async def test_a_row_that_cannot_even_be_prepared_is_dead_and_the_chat_goes_on(
    fake: tuple[FakeTelegram, str], sessions: async_sessionmaker[AsyncSession]
) -> None:
    telegram, base = fake

    class Broken(TelegramSender):
        async def prepare(self, message: Outgoing) -> list[dict[str, Any]]:
            if message.payload.text == "hỏng":
                raise KeyError("a bug")
            return await super().prepare(message)

    bot = make_bot(TOKEN, f"{base}/bot")
    try:
        broken, after = await queue(sessions, (9, "hỏng"), (9, "tiếp"))
        await drain(Dispatcher(Broken(bot), sessions, FAST))
    finally:
        await bot.shutdown()
    assert await statuses(sessions) == {broken: OutboxStatus.DEAD, after: OutboxStatus.SENT}
    assert [call.params["text"] for call in telegram.sent("9")] == ["tiếp"]


async def test_a_dispatcher_killed_mid_send_leaves_that_row_unconfirmed_and_its_heir_sends_the_rest_once(
    fake: tuple[FakeTelegram, str], sender: TelegramSender, sessions: async_sessionmaker[AsyncSession]
) -> None:
    telegram, _ = fake
    ids = await queue(sessions, *[(chat, f"Tin {chat}") for chat in range(1, 11)])
    telegram.hold()
    first = Dispatcher(sender, sessions, DispatchConfig(lease_ttl=dt.timedelta(seconds=1), pace=Pace(in_flight=1)))
    task = asyncio.create_task(first.run())
    while telegram.held_count < 1:
        await asyncio.sleep(0.01)
    task.cancel()  # a crash, for the rows: no result is recorded for the held request, the lease is kept
    await asyncio.gather(task, return_exceptions=True)
    telegram.release()
    await asyncio.sleep(1.2)  # the lease runs out
    heir = Dispatcher(sender, sessions, FAST)
    await drain(heir)
    states = await statuses(sessions)
    assert states[ids[0]] is OutboxStatus.UNCONFIRMED
    assert all(states[row] is OutboxStatus.SENT for row in ids[1:])
    texts = telegram.delivered_texts()
    assert sorted(texts) == sorted(f"Tin {chat}" for chat in range(1, 11))  # each exactly once


async def test_only_the_lease_holder_sends(
    fake: tuple[FakeTelegram, str], sender: TelegramSender, sessions: async_sessionmaker[AsyncSession]
) -> None:
    telegram, _ = fake
    await queue(sessions, *[(chat, "Thông báo") for chat in range(1, 31)])
    one, two = Dispatcher(sender, sessions, FAST), Dispatcher(sender, sessions, FAST)
    tasks = [asyncio.create_task(one.run()), asyncio.create_task(two.run())]
    deadline = time.monotonic() + 20
    while len(telegram.sent()) < 30:
        assert time.monotonic() < deadline, telegram.describe()
        await asyncio.sleep(0.05)
    one.stop()
    two.stop()
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=10)
    assert sorted([one.sent, two.sent]) == [0, 30]
    assert telegram.limit_violations == 0


async def test_a_chat_that_never_talked_is_sent_to_in_vietnamese(
    sessions: async_sessionmaker[AsyncSession], sender: TelegramSender, fake: tuple[FakeTelegram, str]
) -> None:
    telegram, _ = fake
    await queue(sessions, (11, "**Thông báo** của xã <Hạ Lang>"))
    await drain(Dispatcher(sender, sessions, FAST))
    [call] = telegram.sent(11)
    assert call.params["text"] == "<b>Thông báo</b> của xã &lt;Hạ Lang&gt;"
    async with sessions() as session:
        assert (await session.scalars(select(Conversation))).first() is None


async def test_a_long_message_goes_in_paced_parts_and_a_failed_part_never_resends_the_ones_delivered(
    fake: tuple[FakeTelegram, str], sender: TelegramSender, sessions: async_sessionmaker[AsyncSession]
) -> None:
    telegram, _ = fake
    paragraphs = [f"Đoạn {number}: " + "chữ " * 350 for number in range(5)]  # ~1,400 characters each
    [row] = await queue(sessions, (12, "\n\n".join(paragraphs)))
    telegram.fail_next("sendMessage", 502, count=1)
    dispatcher = Dispatcher(sender, sessions, FAST)
    # Part one: refused (502), retried after the backoff; parts go at one per second per chat.
    deadline = time.monotonic() + 20
    while (await statuses(sessions))[row] is not OutboxStatus.SENT:
        assert time.monotonic() < deadline, telegram.describe()
        await dispatcher.run_once()
        await asyncio.sleep(0.05)
    assert [call.status for call in telegram.calls if call.method == "sendMessage"][0] == 502
    delivered = telegram.delivered_texts(12)
    assert len(delivered) == 3 and "".join(delivered).count("Đoạn") == 5  # each part once, none doubled
    sends = [call for call in telegram.calls if call.method == "sendMessage" and call.status == 200]
    assert all(later.at - earlier.at >= 0.95 for earlier, later in zip(sends, sends[1:], strict=False))


async def test_a_part_refused_midway_resumes_after_the_delivered_ones(
    fake: tuple[FakeTelegram, str], sender: TelegramSender, sessions: async_sessionmaker[AsyncSession]
) -> None:
    telegram, _ = fake
    text = "\n\n".join(f"Phần {number}: " + "chữ " * 900 for number in range(2))  # two parts of ~3,600
    [row] = await queue(sessions, (13, text))
    dispatcher = Dispatcher(sender, sessions, FAST)

    original = sender.send_part
    calls = 0

    async def second_part_fails_once(message: Outgoing, part: Any) -> str | None:
        nonlocal calls
        calls += 1
        if calls == 2:
            telegram.fail_next("sendMessage", 500, count=1)
        return await original(message, part)

    sender.send_part = second_part_fails_once  # type: ignore[method-assign]
    deadline = time.monotonic() + 20
    while (await statuses(sessions))[row] is not OutboxStatus.SENT:
        assert time.monotonic() < deadline, telegram.describe()
        await dispatcher.run_once()
        await asyncio.sleep(0.05)
    delivered = telegram.delivered_texts(13)
    assert [part.split(":")[0] for part in delivered] == ["Phần 0", "Phần 1"]  # part 0 was not sent again
    async with sessions() as session:
        stored = await session.get(OutboxMessage, row)
        assert stored is not None and stored.attempts == 2 and stored.parts_sent == 1
