"""Issue 4's "done when": an official logs in, finds the overdue tickets of their commune, answers one,
and sees the reply queued for delivery — all through the documented API."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.channels import Channel
from casework.outbox.models import OutboxKind, OutboxMessage, OutboxStatus
from tests.admin_api.conftest import API, COMMUNE_A, LONG_AGO, PASSWORD, World, new_ticket


async def test_an_official_answers_an_overdue_ticket_and_the_reply_is_queued(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session:
        zalo = await new_ticket(
            session,
            channel=Channel.ZALO,
            chat_ref="zalo-84912",
            text="Nhà tôi thuộc hộ nghèo nhưng chưa được cấp thẻ BHYT năm nay.",
            received_ago=LONG_AGO,
        )
        await session.commit()

    # 1. Log in with the OAuth2 password form.
    login = await client.post(f"{API}/auth/token", data={"username": "officer-01273", "password": PASSWORD})
    assert login.status_code == 200, login.text
    auth = {"Authorization": f"Bearer {login.json()['access_token']}"}

    # 2. The commune's overdue tickets, most urgent deadline first.
    queue = await client.get(
        f"{API}/tickets", params={"commune": COMMUNE_A, "overdue": "true", "sort": "deadline"}, headers=auth
    )
    assert queue.status_code == 200, queue.text
    items = queue.json()["items"]
    assert {item["code"] for item in items} == {world.a.code, zalo.code}
    assert all(item["overdue"] and item["commune_code"] == COMMUNE_A for item in items)

    # 3. Open one, then answer it on the version read.
    opened = await client.get(f"{API}/tickets/{zalo.code}", headers=auth)
    assert opened.status_code == 200
    answer = "Xã đã lập danh sách đề nghị cấp thẻ BHYT; bà sẽ nhận thẻ trước ngày 15."
    reply = await client.post(
        f"{API}/tickets/{zalo.code}/replies",
        json={"text": answer},
        headers={**auth, "If-Match": opened.headers["ETag"], "Idempotency-Key": "reply-bhyt-1"},
    )
    assert reply.status_code == 201, reply.text
    assert reply.json()["event"]["delivery"]["status"] == "pending"

    # 4. The thread shows the reply waiting for the dispatcher; the outbox holds it for the citizen's chat.
    thread = (await client.get(f"{API}/tickets/{zalo.code}", headers=auth)).json()["events"]
    assert [(event["kind"], event["body"], event["delivery"]["status"]) for event in thread] == [
        ("public_reply", answer, "pending")
    ]
    async with sessions() as session:
        [row] = (await session.scalars(select(OutboxMessage))).all()
    assert (row.channel, row.chat_ref, row.kind, row.status) == (
        Channel.ZALO,
        "zalo-84912",
        OutboxKind.REPLY,
        OutboxStatus.PENDING,
    )
    assert row.payload["text"] == f"**Trả lời phản ánh {zalo.code}:**\n\n{answer}"
