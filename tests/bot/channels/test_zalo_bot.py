"""The Zalo Bot platform through the real application: webhook and polling in, the dispatcher out, over real HTTP.

The application runs in-process (its lifespan starts the Zalo Bot dispatcher, and the poller when no
webhook URL is set); the fake Zalo Bot API is a real HTTP server on 127.0.0.1. The platform has no
buttons: choices arrive as a numbered list, and the citizen types the number back.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from admin_api.context import context_of
from bot.channels.zalo_bot import ZaloBotApi, ZaloBotSender
from bot.dispatcher import DispatchConfig, Dispatcher
from casework.channels import Channel
from casework.conversations.models import Conversation, ProcessedUpdate
from casework.conversations.service import load_conversation
from casework.database import create_session_factory
from casework.leases.models import Lease
from casework.outbox.models import OutboxKind, OutboxMessage, OutboxStatus
from casework.outbox.schemas import Button, OutboxPayload, RetryPolicy
from casework.outbox.service import enqueue
from casework.tickets.models import Ticket, TicketAttachment
from caunoi.app import create_app
from tests.admin_api.conftest import empty_database, settings_for
from tests.fakes.server import Call, running
from tests.fakes.zalo_bot import FakeZaloBot

TOKEN = "1459232241454765289:zalo-bot-test-token"  # noqa: S105 - the fake's
SECRET = "a-zalo-bot-webhook-secret-of-40-chars!!!"  # noqa: S105 - a test secret
WEBHOOK = "/webhooks/zalo-bot"
CHAT = "6ede9afa66b88fe6d6a9"
NUMBERED = re.compile(r"^(\d+)\. (.+)$", re.MULTILINE)
HINT = re.compile(r"\n\nTrả lời ((?:\d+, )*\d+ hoặc )?(\d+)\.$")
SETTLED = (OutboxStatus.SENT, OutboxStatus.DEAD, OutboxStatus.UNCONFIRMED)
FAST = DispatchConfig(
    policy=RetryPolicy(base_delay=dt.timedelta(milliseconds=200), max_delay=dt.timedelta(seconds=1)),
    lease_ttl=dt.timedelta(seconds=3),
    idle_poll=0.05,
)


@pytest.fixture
def fake() -> Iterator[tuple[FakeZaloBot, str]]:
    zalo = FakeZaloBot(TOKEN)
    with running(zalo.app) as base:
        yield zalo, base


@asynccontextmanager
async def launched(database_url: str, tmp_path: Path, **overrides: Any) -> AsyncIterator[FastAPI]:
    """The application on an empty database with its lifespan entered (dispatcher, and poller if no webhook)."""
    settings = settings_for(database_url, tmp_path, **overrides)
    await empty_database(settings.resolved_database_url)
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def app(database_url: str, tmp_path: Path, fake: tuple[FakeZaloBot, str]) -> AsyncIterator[FastAPI]:
    _, base = fake
    async with launched(
        database_url,
        tmp_path,
        zalo_bot_token=TOKEN,
        zalo_bot_api_url=base,
        zalo_bot_webhook_url="https://caunoi.example.org/webhooks/zalo-bot",
        zalo_bot_webhook_secret=SECRET,
    ) as application:
        yield application


@pytest.fixture
async def webhook(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        yield http


@pytest.fixture
def sessions(app: FastAPI) -> async_sessionmaker[AsyncSession]:
    return context_of(app).sessions


@pytest.fixture
def db(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """A bare casework schema, for the dispatcher tests that run without the application."""
    return create_session_factory(engine)


@pytest.fixture
async def sender(fake: tuple[FakeZaloBot, str]) -> AsyncIterator[ZaloBotSender]:
    _, base = fake
    api = ZaloBotApi(TOKEN, base)
    yield ZaloBotSender(api)
    await api.aclose()


async def deliver(http: httpx.AsyncClient, body: Any, *, secret: str | None = SECRET) -> httpx.Response:
    headers = {"X-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return await http.post(WEBHOOK, json=body, headers=headers)


async def outbox(sessions: async_sessionmaker[AsyncSession], chat: str) -> list[OutboxMessage]:
    async with sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_ref == chat).order_by(OutboxMessage.id)
        )
        return list(rows.all())


async def processed(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(ProcessedUpdate)) or 0)


class Citizen:
    """A Zalo user: updates through the webhook; what the bot answered, as the fake platform received it."""

    def __init__(
        self, zalo: FakeZaloBot, http: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], chat: str
    ) -> None:
        self.zalo, self.http, self.sessions, self.chat = zalo, http, sessions, chat
        self.seen = 0

    async def send(self, update: dict[str, Any]) -> None:
        response = await deliver(self.http, update)
        assert response.status_code == 200, response.text

    async def say(self, text: str) -> str:
        """Type a message; return what the bot sent back (every outbox row of the chat settled)."""
        await self.send(self.zalo.text_update(self.chat, text))
        deadline = time.monotonic() + 15
        # The update's rows were committed before the webhook answered: wait until each has gone out.
        while not all(row.status in SETTLED for row in await outbox(self.sessions, self.chat)):
            assert time.monotonic() < deadline, self.zalo.describe()
            await asyncio.sleep(0.02)
        sent = self.zalo.sent(self.chat)
        new, self.seen = sent[self.seen :], len(sent)
        assert new, self.zalo.describe()
        assert all(set(call.params) == {"chat_id", "text"} for call in new)  # plain text, nothing else
        return "\n".join(str(call.text) for call in new)

    async def choose(self, label: str) -> None:
        """Type the number of the offered choice whose label contains ``label`` (read from the chat's last row)."""
        [*_, last] = await outbox(self.sessions, self.chat)
        numbers = [str(n) for n, button in enumerate(last.payload["buttons"], 1) if label in button["text"]]
        assert len(numbers) == 1, (label, last.payload["buttons"])
        await self.send(self.zalo.text_update(self.chat, numbers[0]))


async def sent_to(zalo: FakeZaloBot, chat: str, count: int) -> list[Call]:
    """Wait (off the event loop, which serves the application) until ``count`` messages reached the chat."""
    return await asyncio.to_thread(zalo.wait_for, count, 10.0, chat_id=chat)


def choices(text: str) -> dict[str, str]:
    """The numbered choices of a reply: label -> number."""
    return {label: number for number, label in NUMBERED.findall(text)}


async def test_the_menu_is_a_numbered_list_in_plain_text_and_a_typed_number_moves_the_dialogue_on(
    fake: tuple[FakeZaloBot, str], webhook: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    zalo, _ = fake
    citizen = Citizen(zalo, webhook, sessions, CHAT)
    menu = await citizen.say("/start")
    offered = choices(menu)
    assert "Hỏi chính sách" in offered and "Gửi phản ánh" in offered
    hint = HINT.search(menu)
    assert hint and hint.group(2) == str(len(offered)), menu  # "Trả lời 1, 2 … hoặc 7." names the last number
    assert "Cầu Nối" in menu and "**" not in menu  # the greeting's bold arrives as plain text
    step = await citizen.say(offered["Gửi phản ánh"])
    assert "Phản ánh, kiến nghị" in choices(step), step

    # Another chat asks a question: the answer names its sources, without the markup's asterisks.
    other = Citizen(zalo, webhook, sessions, "7a1b2c3d4e5f60718293")
    answer = await other.say("ho ngheo duoc ho tro gi")
    assert "Căn cứ:" in answer and "**" not in answer


async def test_an_image_sent_during_a_report_is_kept_as_the_attachments_file_ref(
    fake: tuple[FakeZaloBot, str], webhook: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    zalo, _ = fake
    citizen = Citizen(zalo, webhook, sessions, CHAT)
    photo = "https://photo-stal-0.zadn.vn/pb/2025/cau-treo-na-mo.jpg"
    # The replies go out at one per second in the background; the dialogue's state is already stored.
    await citizen.send(zalo.text_update(CHAT, "/start"))
    await citizen.choose("Gửi phản ánh")
    await citizen.choose("Phản ánh, kiến nghị")
    await citizen.send(zalo.text_update(CHAT, "ha lang"))
    await citizen.choose("Xã Hạ Lang")
    await citizen.send(zalo.text_update(CHAT, "Cầu treo bản Nà Mò bị gãy một nhịp, chưa ai sửa."))
    await citizen.send(zalo.image_update(CHAT, photo_url=photo, caption="Ảnh chụp sáng nay"))
    for label in ("Tiếp tục", "Không để lại số", "Không cần giữ kín", "Gửi"):
        await citizen.choose(label)
    async with sessions() as session:
        ticket = (await session.scalars(select(Ticket))).one()
        files = (await session.scalars(select(TicketAttachment))).all()
    assert ticket.chat_ref == CHAT and ticket.channel is Channel.ZALO and "Nà Mò" in ticket.text
    assert [(f.file_ref, f.ticket_id) for f in files] == [(photo, ticket.id)]


async def test_a_text_over_2000_characters_goes_in_parts_at_paragraph_breaks(
    fake: tuple[FakeZaloBot, str], sender: ZaloBotSender, db: async_sessionmaker[AsyncSession]
) -> None:
    zalo, _ = fake
    paragraphs = [f"**Mục {n}.** " + f"Nội dung thông báo số {n} của xã Hạ Lang. " * 19 for n in range(6)]
    assert all(600 < len(paragraph) < 1000 for paragraph in paragraphs)
    async with db() as session:
        row = await enqueue(
            session,
            channel=Channel.ZALO,
            chat_ref=CHAT,
            payload=OutboxPayload(
                text="\n\n".join(paragraphs), buttons=[Button(text="Có", data="y"), Button(text="Không", data="n")]
            ),
            kind=OutboxKind.BROADCAST,
            dedupe_key="test:long",
        )
        await session.commit()
    dispatcher = Dispatcher(sender, db, FAST)
    while await dispatcher.run_once():
        pass
    parts = zalo.delivered_texts(CHAT)
    assert len(parts) == 3 and all(len(part) <= 2000 for part in parts), [len(part) for part in parts]
    plain = "\n\n".join(paragraphs).replace("**", "")
    assert "\n\n".join(parts) == plain + "\n\n1. Có\n2. Không\n\nTrả lời 1 hoặc 2."  # nothing lost, nothing added
    async with db() as session:
        stored = await session.get(OutboxMessage, row.id)
    assert stored is not None and stored.status is OutboxStatus.SENT
    assert stored.external_id == zalo.sent(CHAT)[-1].response["result"]["message_id"]


async def test_a_repeated_or_concurrent_delivery_of_one_update_has_one_effect(
    fake: tuple[FakeZaloBot, str], webhook: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    zalo, _ = fake
    update = zalo.text_update(CHAT, "/start")
    first, second = await asyncio.gather(deliver(webhook, update), deliver(webhook, update))
    third = await deliver(webhook, update)
    assert (first.status_code, second.status_code, third.status_code) == (200, 200, 200)
    assert await processed(sessions) == 1
    assert len(await outbox(sessions, CHAT)) == 1  # everything the three deliveries queued
    await sent_to(zalo, CHAT, 1)
    assert len(zalo.sent(CHAT)) == 1


async def test_a_forged_or_missing_secret_is_refused_and_a_body_that_is_not_json_is_a_400(
    fake: tuple[FakeZaloBot, str], webhook: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    zalo, _ = fake
    update = zalo.text_update(CHAT, "/start")
    for secret in (SECRET[:-1] + "?", SECRET[:-1], "", None):
        response = await deliver(webhook, update, secret=secret)
        assert response.status_code == 403 and response.json()["error"] == "forbidden"
    for garbage in (b"{not json", b"[1, 2]", b'"text"'):
        response = await webhook.post(
            WEBHOOK, content=garbage, headers={"X-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
        )
        assert response.status_code == 400 and response.json()["error"] == "invalid_body"
    assert await processed(sessions) == 0
    assert await outbox(sessions, CHAT) == []


async def test_a_wrapped_update_is_served_and_group_chats_and_bots_are_acknowledged_and_ignored(
    fake: tuple[FakeZaloBot, str], webhook: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    zalo, _ = fake
    group = zalo.text_update("g-3f9a0c", "/start")
    group["message"]["chat"]["chat_type"] = "GROUP"
    bot = zalo.text_update("b-77aa01", "/start")
    bot["message"]["from"]["is_bot"] = True
    for ignored in (group, bot):
        response = await deliver(webhook, ignored)
        assert response.status_code == 200 and response.json() == {"ok": True}
    assert await processed(sessions) == 0
    response = await deliver(webhook, {"ok": True, "result": zalo.text_update(CHAT, "/menu")})
    assert response.status_code == 200
    assert await processed(sessions) == 1
    [reply] = await sent_to(zalo, CHAT, 1)
    assert "Gửi phản ánh" in str(reply.text)
    async with sessions() as session:
        chats = (await session.scalars(select(Conversation.chat_ref))).all()
    assert chats == [CHAT]


async def test_without_a_webhook_url_the_poller_serves_updates_under_a_lease(
    fake: tuple[FakeZaloBot, str], database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    zalo, base = fake
    caplog.set_level(logging.INFO, logger="bot.channels.zalo_bot")
    async with launched(database_url, tmp_path, zalo_bot_token=TOKEN, zalo_bot_api_url=base) as application:
        # An empty long poll ends in 408: the poller asks again at once, without a warning.
        deadline = time.monotonic() + 10
        while not any(call.method == "getUpdates" and call.status == 408 for call in zalo.calls):
            assert time.monotonic() < deadline, zalo.describe()
            await asyncio.sleep(0.05)
        zalo.push_update(zalo.text_update(CHAT, "/start"))
        [reply] = await sent_to(zalo, CHAT, 1)
        assert "Gửi phản ánh" in str(reply.text)
        sessions = context_of(application).sessions
        assert await processed(sessions) == 1
        async with sessions() as session:
            lease = await session.get(Lease, "poll:zalo_bot")
        assert lease is not None and lease.holder.startswith("poll:zalo_bot")
    polls = [call for call in zalo.calls if call.method == "getUpdates"]
    assert all(call.params == {"timeout": 25} for call in polls)
    assert not [r for r in caplog.records if r.name == "bot.channels.zalo_bot" and r.levelno >= logging.WARNING]


async def test_a_chat_that_blocked_the_bot_is_marked_unreachable_and_its_rows_are_dead(
    fake: tuple[FakeZaloBot, str], sender: ZaloBotSender, db: async_sessionmaker[AsyncSession]
) -> None:
    zalo, _ = fake
    async with db() as session:
        await load_conversation(session, channel=Channel.ZALO, chat_ref=CHAT)
        await session.commit()
    zalo.block(CHAT)
    async with db() as session:
        for number in range(2):
            await enqueue(
                session,
                channel=Channel.ZALO,
                chat_ref=CHAT,
                payload=OutboxPayload(text=f"Thông báo {number}"),
                kind=OutboxKind.BROADCAST,
                dedupe_key=f"test:blocked:{number}",
            )
        await session.commit()
    dispatcher = Dispatcher(sender, db, FAST)
    while await dispatcher.run_once():
        pass
    rows = await outbox(db, CHAT)
    assert [row.status for row in rows] == [OutboxStatus.DEAD, OutboxStatus.DEAD]
    assert rows[0].last_error is not None and "refused the chat" in rows[0].last_error
    assert [call.status for call in zalo.calls if call.method == "sendMessage"] == [403]  # the second never tried
    async with db() as session:
        conversation = (await session.scalars(select(Conversation))).one()
    assert conversation.unreachable_since is not None
