"""Telegram through the real application: webhooks in, the dispatcher out to a fake Bot API over real HTTP.

The application runs in-process (its lifespan starts the Telegram dispatcher); the fake Bot API
is a real HTTP server on 127.0.0.1 that python-telegram-bot talks to.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from admin_api.context import context_of
from casework.conversations.models import ProcessedUpdate
from casework.tickets.models import Ticket, TicketAttachment
from caunoi.app import create_app
from tests.admin_api.conftest import empty_database, settings_for
from tests.fakes.server import Call, running
from tests.fakes.telegram import FakeTelegram

TOKEN = "123456:TEST-token"  # noqa: S105 - the fake's
SECRET = "a-webhook-secret-of-32-characters"  # noqa: S105 - a test secret
CHAT = 700001
CODE = re.compile(r"CB-[0-9A-Z-]+")


@pytest.fixture
def fake() -> Iterator[tuple[FakeTelegram, str]]:
    telegram = FakeTelegram(TOKEN)
    with running(telegram.app) as base:
        yield telegram, base


@pytest.fixture
async def app(database_url: str, tmp_path: Path, fake: tuple[FakeTelegram, str]) -> AsyncIterator[FastAPI]:
    _, base = fake
    settings = settings_for(
        database_url,
        tmp_path,
        telegram_token=TOKEN,
        telegram_api_url=f"{base}/bot",
        telegram_webhook_url="https://caunoi.example.org/webhooks/telegram",
        telegram_webhook_secret=SECRET,
    )
    await empty_database(settings.resolved_database_url)
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def webhook(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        yield http


@pytest.fixture
def sessions(app: FastAPI) -> async_sessionmaker[AsyncSession]:
    return context_of(app).sessions


class Citizen:
    """A Telegram user: sends updates through the webhook, reads what the fake Bot API received for the chat."""

    def __init__(self, telegram: FakeTelegram, http: httpx.AsyncClient, chat: int = CHAT) -> None:
        self.telegram = telegram
        self.http = http
        self.chat = chat
        self.seen = 0

    async def deliver(self, update: dict[str, Any], *, secret: str | None = SECRET) -> httpx.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        return await self.http.post("/webhooks/telegram", json=update, headers=headers)

    async def send(self, update: dict[str, Any]) -> list[Call]:
        response = await self.deliver(update)
        assert response.status_code == 200, response.text
        return await self.replies()

    async def replies(self, timeout: float = 10.0) -> list[Call]:
        """The messages the bot sent since the last look (waits until some arrive and the flow is quiet)."""
        deadline = time.monotonic() + timeout
        count = -1
        while True:
            sent = self.telegram.sent(self.chat)
            if len(sent) > self.seen and len(sent) == count:
                new, self.seen = sent[self.seen :], len(sent)
                return new
            assert time.monotonic() < deadline, self.telegram.describe()
            count = len(sent)
            await asyncio.sleep(1.1)  # one message per second per chat: wait for the next part

    async def say(self, text: str) -> list[Call]:
        return await self.send(self.telegram.text_update(self.chat, text))

    async def tap(self, label: str, replies: list[Call]) -> list[Call]:
        data = [b["callback_data"] for call in replies for b in buttons(call) if label in b["text"]]
        assert len(data) == 1, (label, [b["text"] for call in replies for b in buttons(call)])
        return await self.send(self.telegram.callback_update(self.chat, data[0]))


def buttons(call: Call) -> list[dict[str, Any]]:
    markup = call.params.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


async def to_description(citizen: Citizen) -> None:
    """From /start through the report's kind and commune to the step that takes the description."""
    replies = await citizen.tap("Gửi phản ánh", await citizen.say("/start"))
    replies = await citizen.tap("Phản ánh, kiến nghị", replies)
    if "Không rõ" in str([b["text"] for call in replies for b in buttons(call)]):
        await citizen.tap("Xã Hạ Lang", await citizen.say("ha lang"))


def text_of(calls: list[Call]) -> str:
    return "\n".join(str(call.params.get("text", "")) for call in calls)


async def processed(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(ProcessedUpdate)) or 0)


async def test_start_shows_the_menu_as_an_inline_keyboard_in_html(
    fake: tuple[FakeTelegram, str], webhook: httpx.AsyncClient
) -> None:
    telegram, _ = fake
    citizen = Citizen(telegram, webhook)
    [menu] = await citizen.say("/start")
    assert menu.params["parse_mode"] == "HTML"
    labels = [button["text"] for button in buttons(menu)]
    assert "Hỏi chính sách" in " ".join(labels) and "Gửi phản ánh" in " ".join(labels)
    assert all(len(button["callback_data"].encode()) <= 64 for button in buttons(menu))


async def test_a_question_is_answered_with_its_source_and_a_tap_moves_the_dialogue_on(
    fake: tuple[FakeTelegram, str], webhook: httpx.AsyncClient
) -> None:
    telegram, _ = fake
    citizen = Citizen(telegram, webhook)
    answer = await citizen.say("ho ngheo duoc ho tro gi")
    assert "Căn cứ" in text_of(answer)
    assert "<b>" in text_of(answer)  # the markup's bold arrives as Telegram HTML
    menu = await citizen.say("/start")
    step = await citizen.tap("Gửi phản ánh", menu)
    assert "Phản ánh, kiến nghị" in str([b["text"] for call in step for b in buttons(call)])
    # The tap's spinner was stopped.
    assert any(call.method == "answerCallbackQuery" for call in telegram.calls)


async def test_a_report_with_a_photo_gets_a_tracking_code_and_keeps_the_file_id(
    fake: tuple[FakeTelegram, str], webhook: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    telegram, _ = fake
    citizen = Citizen(telegram, webhook)
    await to_description(citizen)
    await citizen.say("Cầu treo bản Nà Mò bị gãy <một> nhịp & chưa ai sửa.")
    replies = await citizen.send(telegram.photo_update(CHAT, caption="Ảnh chụp sáng nay", file_id="AgACPhoto1"))
    replies = await citizen.tap("Tiếp tục", replies)
    replies = await citizen.tap("Không để lại số", replies)
    replies = await citizen.tap("Không cần giữ kín", replies)
    summary = text_of(replies)
    assert "&lt;một&gt; nhịp &amp; chưa" in summary  # the citizen's own words, escaped for HTML on the wire
    replies = await citizen.tap("Gửi", replies)
    code = CODE.search(text_of(replies))
    assert code, text_of(replies)
    async with sessions() as session:
        ticket = (await session.scalars(select(Ticket).where(Ticket.code == code.group(0)))).one()
        files = (await session.scalars(select(TicketAttachment).where(TicketAttachment.ticket_id == ticket.id))).all()
    assert ticket.chat_ref == str(CHAT) and "<một>" in ticket.text
    assert [f.file_ref for f in files] == ["AgACPhoto1"]


async def test_the_phone_number_is_shared_with_one_tap_and_kept_only_with_consent(
    fake: tuple[FakeTelegram, str], webhook: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    telegram, _ = fake
    citizen = Citizen(telegram, webhook)
    await to_description(citizen)
    replies = await citizen.tap("Tiếp tục", await citizen.say("Đường vào bản bị sạt lở."))
    replies = await citizen.tap("Để lại số điện thoại", replies)
    # Only a reply keyboard can ask for the contact: its first button does, the others send their label.
    [markup] = [call.params["reply_markup"] for call in replies if "reply_markup" in call.params]
    assert "inline_keyboard" not in markup and markup["one_time_keyboard"] is True
    keys = [button for row in markup["keyboard"] for button in row]
    assert keys[0]["request_contact"] is True
    assert [key["text"] for key in keys[1:]] == ["Thôi, không để lại số", "✖ Huỷ"]
    assert not any(key.get("request_contact") for key in keys[1:])
    replies = await citizen.send(telegram.contact_update(CHAT, "+84912345678"))
    assert "0912 345 678" in text_of(replies)
    replies = await citizen.tap("Tôi đồng ý", replies)
    replies = await citizen.tap("Gửi", await citizen.tap("Không cần giữ kín", replies))
    code = CODE.search(text_of(replies))
    assert code, text_of(replies)
    async with sessions() as session:
        ticket = (await session.scalars(select(Ticket).where(Ticket.code == code.group(0)))).one()
    assert ticket.contact_phone == "0912345678" and not ticket.anonymous


async def test_a_plain_key_of_the_phone_keyboard_arrives_as_its_label_and_is_taken_as_the_choice(
    fake: tuple[FakeTelegram, str], webhook: httpx.AsyncClient
) -> None:
    telegram, _ = fake
    citizen = Citizen(telegram, webhook)
    await to_description(citizen)
    replies = await citizen.tap("Tiếp tục", await citizen.say("Đường vào bản bị sạt lở."))
    await citizen.tap("Để lại số điện thoại", replies)
    replies = await citizen.say("Thôi, không để lại số")  # what the client sends for that key
    assert "Không cần giữ kín" in str([b["text"] for call in replies for b in buttons(call)])


async def test_a_repeated_or_concurrent_delivery_of_one_update_has_one_effect(
    fake: tuple[FakeTelegram, str], webhook: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    telegram, _ = fake
    citizen = Citizen(telegram, webhook)
    update = telegram.text_update(CHAT, "/start")
    first, second = await asyncio.gather(citizen.deliver(update), citizen.deliver(update))
    assert (first.status_code, second.status_code) == (200, 200)
    assert (await citizen.deliver(update)).status_code == 200
    assert len(await citizen.replies()) == 1
    await asyncio.sleep(1.5)
    assert len(telegram.sent(CHAT)) == 1
    assert await processed(sessions) == 1


async def test_a_forged_or_missing_secret_is_refused_and_nothing_is_stored(
    fake: tuple[FakeTelegram, str], webhook: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    telegram, _ = fake
    citizen = Citizen(telegram, webhook)
    update = telegram.text_update(CHAT, "/start")
    for secret in ("a-webhook-secret-of-32-characterX", "", None):
        response = await citizen.deliver(update, secret=secret)
        assert response.status_code == 403
        assert response.json()["error"] == "forbidden"
    assert await processed(sessions) == 0


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"update_id": "x"}', b'{"update_id": 5, "message": 7}'])
async def test_a_body_that_is_not_an_update_is_a_400(webhook: httpx.AsyncClient, body: bytes) -> None:
    response = await webhook.post(
        "/webhooks/telegram",
        content=body,
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_body"


async def test_group_chats_and_edits_are_acknowledged_and_ignored(
    fake: tuple[FakeTelegram, str], webhook: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    telegram, _ = fake
    update = telegram.text_update(CHAT, "/start")
    update["message"]["chat"] = {"id": -100123, "type": "supergroup", "title": "Nhóm xã"}
    edited = telegram.text_update(CHAT, "sửa lại")
    edited["edited_message"] = edited.pop("message")
    for body in (update, edited):
        response = await webhook.post(
            "/webhooks/telegram", json=body, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        )
        assert response.status_code == 200
    assert await processed(sessions) == 0


async def test_without_a_webhook_the_service_polls_and_confirms_only_handled_updates(
    database_url: str, tmp_path: Path, fake: tuple[FakeTelegram, str]
) -> None:
    telegram, base = fake
    settings = settings_for(
        database_url, tmp_path, telegram_token=TOKEN, telegram_api_url=f"{base}/bot", channel_lease="PT3S"
    )
    await empty_database(settings.resolved_database_url)
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        telegram.push_update(telegram.text_update(CHAT, "/start"))
        telegram.push_update(telegram.text_update(CHAT + 1, "ho ngheo duoc ho tro gi"))
        deadline = time.monotonic() + 20
        while len(telegram.sent()) < 2:
            assert time.monotonic() < deadline, telegram.describe()
            await asyncio.sleep(0.1)
        # Once handled, the updates are confirmed (the next getUpdates asks past them) and not handled again.
        while telegram.pending_updates:
            assert time.monotonic() < deadline, telegram.pending_updates
            await asyncio.sleep(0.1)
    assert "Căn cứ" in text_of(telegram.sent(CHAT + 1))
    assert len(telegram.sent(CHAT)) == 1
    polls = [call for call in telegram.calls if call.method == "getUpdates"]
    assert polls and all(call.params.get("allowed_updates") == ["message", "callback_query"] for call in polls)
