"""A Zalo Official Account over real HTTP: signed webhook events in, customer-service messages out, tokens refreshed.

The webhook tests run the application in-process (its lifespan seeds the OA tokens and starts the
dispatcher); the sender tests drive the real ``OaApi``, ``ZaloOaSender`` and a dispatcher on a bare
schema. The fake OA is a real HTTP server on 127.0.0.1 that keeps its own free reply window and
single-use refresh tokens, so a reply outside the window or a refresh done twice shows up there too.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from admin_api.context import context_of
from bot.channels.inbox import Inbox
from bot.channels.zalo_oa import OaApi, OaConfig, ZaloOaChannel, ZaloOaSender
from bot.dispatcher import DispatchConfig, Dispatcher, Pace
from bot.engine import Deps
from casework.channels import Channel
from casework.conversations.models import Conversation, ProcessedUpdate
from casework.credentials.models import ChannelToken
from casework.database import create_engine, create_session_factory
from casework.db import utcnow
from casework.outbox.models import OutboxKind, OutboxMessage, OutboxStatus
from casework.outbox.schemas import OutboxPayload
from casework.outbox.service import enqueue
from casework.tickets.models import Ticket, TicketAttachment
from caunoi.app import create_app
from knowledge.engine import AnswerEngine
from tests.admin_api.conftest import empty_database, settings_for
from tests.fakes.server import Call, running
from tests.fakes.zalo_oa import FakeZaloOA

OA_ID = "2491302944280861639"
APP_ID = "1467098326372719478"
APP_SECRET = "app-secret-for-the-token-refresh"  # noqa: S105 - the fake's
SECRET_KEY = "oa-secret-key-for-the-signatures"  # noqa: S105 - the fake's
ACCESS = "first-access-token"  # noqa: S105 - the fake's
REFRESH = "first-refresh-token"  # noqa: S105 - the fake's
ACCOUNT = f"zalo_oa:{OA_ID}"
WEBHOOK = "/webhooks/zalo-oa"
SIGNATURE = "X-ZEvent-Signature"
USER = "8420149315722117462"
SETTLED = (OutboxStatus.SENT, OutboxStatus.DEAD, OutboxStatus.UNCONFIRMED)
OUTSIDE = "outside the free reply window"
FAST = DispatchConfig(pace=Pace(per_chat_interval=0.0), lease_ttl=dt.timedelta(seconds=3), idle_poll=0.05)


@pytest.fixture
def fake() -> Iterator[tuple[FakeZaloOA, str]]:
    oa = FakeZaloOA(
        oa_id=OA_ID,
        app_id=APP_ID,
        oa_secret_key=SECRET_KEY,
        app_secret=APP_SECRET,
        access_token=ACCESS,
        refresh_token=REFRESH,
    )
    with running(oa.app) as base:
        yield oa, base


def oa_config(base: str) -> OaConfig:
    return OaConfig(OA_ID, APP_ID, APP_SECRET, SECRET_KEY, api_url=base, oauth_url=base)


def encoded(event: dict[str, Any]) -> bytes:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()


async def outbox(sessions: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with sessions() as session:
        return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def processed(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(ProcessedUpdate)) or 0)


async def stored_tokens(sessions: async_sessionmaker[AsyncSession]) -> tuple[str, str]:
    async with sessions() as session:
        token = await session.get(ChannelToken, ACCOUNT, populate_existing=True)
    assert token is not None
    return token.access_token, token.refresh_token


async def sent_to(oa: FakeZaloOA, count: int) -> list[Call]:
    """Wait (off the event loop, which serves the application) until ``count`` messages reached the user."""
    return await asyncio.to_thread(oa.wait_for, count, 10.0, chat_id=USER)


# -- the webhook, through the application ------------------------------------------------------------


@pytest.fixture
async def app(database_url: str, tmp_path: Path, fake: tuple[FakeZaloOA, str]) -> AsyncIterator[FastAPI]:
    _, base = fake
    settings = settings_for(
        database_url,
        tmp_path,
        zalo_oa_id=OA_ID,
        zalo_oa_app_id=APP_ID,
        zalo_oa_app_secret=APP_SECRET,
        zalo_oa_secret_key=SECRET_KEY,
        zalo_oa_access_token=ACCESS,
        zalo_oa_refresh_token=REFRESH,
        zalo_oa_api_url=base,
        zalo_oa_oauth_url=base,
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


async def post(
    http: httpx.AsyncClient, raw: bytes, signature: str | None, *, content_type: str = "application/json"
) -> httpx.Response:
    headers = {"Content-Type": content_type} | ({SIGNATURE: signature} if signature is not None else {})
    return await http.post(WEBHOOK, content=raw, headers=headers)


async def deliver(http: httpx.AsyncClient, oa: FakeZaloOA, event: dict[str, Any]) -> None:
    """POST an event as Zalo does, signed; it must be accepted."""
    raw = encoded(event)
    response = await post(http, raw, oa.signature(raw, str(event["timestamp"])))
    assert response.status_code == 200, response.text


async def test_a_signed_message_is_answered_through_the_cs_api_quoting_its_msg_id(
    fake: tuple[FakeZaloOA, str], webhook: httpx.AsyncClient
) -> None:
    oa, _ = fake
    event = oa.user_text_event(USER, "ho ngheo duoc ho tro gi")
    # Keys reversed and indented: the signature covers these bytes, not a re-encoding of the event.
    raw = json.dumps(dict(reversed(event.items())), ensure_ascii=False, indent=2).encode()
    assert raw != encoded(event) and raw != json.dumps(event).encode()
    response = await post(webhook, raw, oa.signature(raw, event["timestamp"]))
    assert response.status_code == 200, response.text
    [reply] = await sent_to(oa, 1)
    assert reply.params["recipient"] == {"message_id": event["message"]["msg_id"]}
    assert reply.text is not None and "Căn cứ:" in reply.text and "**" not in reply.text
    assert reply.response["data"]["quota"]["quota_type"] == "reply"  # free, not a paid proactive message


async def test_forged_missing_or_stale_signatures_are_refused_and_nothing_is_stored(
    fake: tuple[FakeZaloOA, str], webhook: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    oa, _ = fake
    event = oa.user_text_event(USER, "/start")
    raw, timestamp = encoded(event), event["timestamp"]
    other = encoded(oa.user_text_event(USER, "/menu"))
    refused = [
        (raw, "mac=" + "0" * 64),
        (raw, None),
        (raw, ""),
        (raw, oa.signature(other, timestamp)),  # a genuine signature, of another body
        (raw, oa.signature(raw, str(int(timestamp) + 1))),  # of this body with another timestamp
        (raw, oa.signature(raw, timestamp).replace("mac=", "")),
    ]
    # Correctly signed, but two days old (a replayed capture: Zalo itself redelivers for 12 hours at most)
    # or ten minutes ahead (a forged clock).
    for minutes in (-48 * 60, 10):
        shifted = event | {"timestamp": str(int((time.time() + minutes * 60) * 1000))}
        refused.append((encoded(shifted), oa.signature(encoded(shifted), shifted["timestamp"])))
    for body, signature in refused:
        response = await post(webhook, body, signature)
        assert response.status_code == 403, (signature, response.text)
    for garbage in (b"{not json", b"[1, 2]"):
        response = await post(webhook, garbage, oa.signature(garbage, timestamp))
        assert response.status_code == 400 and response.json()["error"] == "invalid_body"
    assert await processed(sessions) == 0
    async with sessions() as session:
        assert (await session.scalars(select(Conversation))).first() is None
    # An event Zalo redelivers hours later (we answered 503 during an outage) is still taken.
    late = event | {"timestamp": str(int((time.time() - 6 * 3600) * 1000))}
    response = await post(webhook, encoded(late), oa.signature(encoded(late), late["timestamp"]))
    assert response.status_code == 200, response.text
    assert await processed(sessions) == 1


async def test_a_repeated_or_concurrent_delivery_of_one_event_has_one_effect(
    fake: tuple[FakeZaloOA, str], webhook: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    oa, _ = fake
    raw = encoded(oa.user_text_event(USER, "/start"))
    signature = oa.signature(raw, json.loads(raw)["timestamp"])
    responses = [*await asyncio.gather(post(webhook, raw, signature), post(webhook, raw, signature))]
    responses.append(await post(webhook, raw, signature))
    assert [response.status_code for response in responses] == [200, 200, 200]
    assert await processed(sessions) == 1
    assert len(await outbox(sessions)) == 1  # everything the three deliveries queued
    await sent_to(oa, 1)
    assert len(oa.sent(USER)) == 1


async def test_an_unfollow_event_marks_the_chat_unreachable(
    fake: tuple[FakeZaloOA, str], webhook: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    oa, _ = fake
    await deliver(webhook, oa, oa.user_text_event(USER, "/start"))
    await deliver(webhook, oa, oa.follow_event(USER) | {"event_name": "unfollow"})
    async with sessions() as session:
        conversation = (await session.scalars(select(Conversation))).one()
    assert conversation.chat_ref == USER and conversation.unreachable_since is not None


async def test_an_image_sent_during_a_report_is_kept_as_the_attachments_file_ref(
    fake: tuple[FakeZaloOA, str], webhook: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    oa, _ = fake
    photo = "https://photo-talk.zadn.vn/2025/oa/cau-treo-na-mo.jpg"

    async def say(text: str) -> None:
        await deliver(webhook, oa, oa.user_text_event(USER, text))

    async def choose(label: str) -> None:
        """Type the number of the offered choice whose label contains ``label``."""
        last = (await outbox(sessions))[-1]
        numbers = [str(n) for n, button in enumerate(last.payload["buttons"], 1) if label in button["text"]]
        assert len(numbers) == 1, (label, last.payload["buttons"])
        await say(numbers[0])

    # The replies go out in the background; the dialogue's state is stored before each event is acknowledged.
    await say("/phan_anh")
    await choose("Phản ánh, kiến nghị")
    await say("ha lang")
    await choose("Xã Hạ Lang")
    await say("Cầu treo bản Nà Mò bị gãy một nhịp, chưa ai sửa.")
    await deliver(webhook, oa, oa.user_image_event(USER, photo, caption="Ảnh chụp sáng nay"))
    for label in ("Tiếp tục", "Không để lại số", "Không cần giữ kín", "Gửi"):
        await choose(label)
    async with sessions() as session:
        ticket = (await session.scalars(select(Ticket))).one()
        files = (await session.scalars(select(TicketAttachment))).all()
    assert ticket.chat_ref == USER and ticket.channel is Channel.ZALO_OA and "Nà Mò" in ticket.text
    assert [(f.file_ref, f.ticket_id) for f in files] == [(photo, ticket.id)]


# -- the sender: tokens and the free reply window, on a bare schema ------------------------------------


@pytest.fixture
def db(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@pytest.fixture
async def api(fake: tuple[FakeZaloOA, str], db: async_sessionmaker[AsyncSession]) -> AsyncIterator[OaApi]:
    _, base = fake
    oa_api = OaApi(oa_config(base), db)
    await oa_api.seed(ACCESS, REFRESH)
    yield oa_api
    await oa_api.aclose()


@pytest.fixture
def channel(api: OaApi, db: async_sessionmaker[AsyncSession], knowledge_engine: AnswerEngine) -> ZaloOaChannel:
    return ZaloOaChannel(api.config, api, Inbox(db, Deps(knowledge=lambda: knowledge_engine)))


async def drain(dispatcher: Dispatcher) -> None:
    deadline = time.monotonic() + 20
    while await dispatcher.run_once():
        assert time.monotonic() < deadline, "the dispatcher never finished"


async def queue(db: async_sessionmaker[AsyncSession], *texts: str) -> list[int]:
    async with db() as session:
        rows = [
            await enqueue(
                session,
                channel=Channel.ZALO_OA,
                chat_ref=USER,
                payload=OutboxPayload(text=text),
                kind=OutboxKind.NOTICE,
                dedupe_key=f"test:{uuid.uuid4()}",
            )
            for text in texts
        ]
        await session.commit()
    return [row.id for row in rows]


def cs_calls(oa: FakeZaloOA) -> list[Call]:
    return [call for call in oa.calls if call.method == "message/cs"]


async def test_an_expired_access_token_is_refreshed_once_stored_and_the_message_goes_out(
    fake: tuple[FakeZaloOA, str], api: OaApi, channel: ZaloOaChannel, db: async_sessionmaker[AsyncSession]
) -> None:
    oa, base = fake
    event = oa.user_text_event(USER, "/menu")
    assert await channel.receive(event)
    oa.expire_access_token()
    await drain(Dispatcher(ZaloOaSender(api), db, FAST))
    assert [call.response["error"] for call in cs_calls(oa)] == [-216, 0]
    assert oa.refresh_calls == 1
    [refresh] = [call for call in oa.calls if call.method == "access_token"]
    assert refresh.params["refresh_token"] == REFRESH and refresh.ok
    assert await stored_tokens(db) == (oa.access_token, oa.refresh_token)  # the new pair, kept
    assert oa.refresh_token != REFRESH  # the configured one is spent
    assert [row.status for row in await outbox(db)] == [OutboxStatus.SENT]

    # Another process starting with the configured (spent) tokens uses the stored ones: no refresh.
    restarted = OaApi(oa_config(base), db)
    await restarted.seed(ACCESS, REFRESH)
    assert await restarted.send_text(event["message"]["msg_id"], "Thông báo của xã")
    await restarted.aclose()
    assert [call.response["error"] for call in cs_calls(oa)] == [-216, 0, 0]
    assert oa.refresh_calls == 1


async def test_two_processes_refreshing_at_once_spend_the_refresh_token_once(
    fake: tuple[FakeZaloOA, str], database_url: str, db: async_sessionmaker[AsyncSession]
) -> None:
    oa, base = fake
    other_engine = create_engine(database_url)  # another process: its own connections
    one, two = OaApi(oa_config(base), db), OaApi(oa_config(base), create_session_factory(other_engine))
    try:
        await one.seed(ACCESS, REFRESH)
        await two.seed(ACCESS, REFRESH)
        oa.expire_access_token()
        first, second = await asyncio.gather(one.access_token(stale=ACCESS), two.access_token(stale=ACCESS))
        assert first == second == oa.access_token != ACCESS
        assert oa.refresh_calls == 1

        # Both find the token expired while sending: one refresh again, both messages go out.
        msg_id = oa.user_text_event(USER, "xin chào")["message"]["msg_id"]
        oa.expire_access_token()
        sent = await asyncio.gather(one.send_text(msg_id, "một"), two.send_text(msg_id, "hai"))
        assert all(sent)
        assert oa.refresh_calls == 2
        assert sorted(oa.delivered_texts(USER)) == ["hai", "một"]
        assert await stored_tokens(db) == (oa.access_token, oa.refresh_token)
    finally:
        await one.aclose()
        await two.aclose()
        await other_engine.dispose()


class Clock:
    """The sender's clock: now, or some hours on."""

    def __init__(self) -> None:
        self.offset = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return utcnow() + self.offset


async def test_replies_go_only_within_48_hours_and_8_messages_of_the_citizens_last_message(
    fake: tuple[FakeZaloOA, str], api: OaApi, channel: ZaloOaChannel, db: async_sessionmaker[AsyncSession]
) -> None:
    oa, _ = fake
    clock = Clock()
    dispatcher = Dispatcher(ZaloOaSender(api, now=clock), db, FAST)

    # 49 hours after the citizen's message the reply would be a paid message: it is not sent.
    await channel.receive(oa.user_text_event(USER, "/menu"))
    clock.offset = dt.timedelta(hours=49)
    await drain(dispatcher)
    [late] = await outbox(db)
    assert late.status is OutboxStatus.DEAD and late.last_error is not None and OUTSIDE in late.last_error
    assert cs_calls(oa) == []

    # The citizen writes again: the window opens. Its reply, three rows of two parts and one row a stopped
    # sender left unconfirmed (Zalo may have it) make eight messages; the ninth is refused before Zalo.
    clock.offset = dt.timedelta()
    event = oa.user_text_event(USER, "/menu")
    await channel.receive(event)
    long = "\n\n".join(f"Đoạn {n}: " + "thông báo của xã Hạ Lang " * 50 for n in range(2))  # two parts
    await queue(db, *[f"{long} ({n})" for n in range(3)])
    [unconfirmed] = await queue(db, "Tin thứ tám")
    async with db() as session:
        row = await session.get(OutboxMessage, unconfirmed)
        assert row is not None
        row.status, row.send_started_at = OutboxStatus.UNCONFIRMED, utcnow()
        await session.commit()
    await queue(db, "Tin thứ chín")
    await drain(dispatcher)
    rows = (await outbox(db))[1:]
    assert [row.status for row in rows] == [OutboxStatus.SENT] * 4 + [OutboxStatus.UNCONFIRMED, OutboxStatus.DEAD]
    assert rows[-1].last_error is not None and OUTSIDE in rows[-1].last_error
    replies = oa.sent(USER)
    assert len(replies) == 7
    assert {str(call.params["recipient"]) for call in replies} == {str({"message_id": event["message"]["msg_id"]})}
    assert all(call.ok for call in cs_calls(oa))  # Zalo itself never had to refuse one

    # A new message resets the count.
    event = oa.user_text_event(USER, "/menu")
    await channel.receive(event)
    await drain(dispatcher)
    assert (await outbox(db))[-1].status is OutboxStatus.SENT
    assert oa.sent(USER)[-1].params["recipient"] == {"message_id": event["message"]["msg_id"]}
