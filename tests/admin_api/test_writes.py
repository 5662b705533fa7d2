"""Safe writes: If-Match (412 on a stale version, ETag back) and Idempotency-Key (a retry acts once)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.officials.models import Role
from casework.outbox.models import OutboxMessage, OutboxStatus
from casework.tickets.models import EventKind, Ticket, TicketEvent
from tests.admin_api.conftest import API, COMMUNE_A, World

TICKETS = f"{API}/tickets"


async def count(sessions: async_sessionmaker[AsyncSession], *where: object) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).where(*where)) or 0)  # type: ignore[arg-type]


async def test_a_stale_if_match_is_412_and_changes_nothing(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    url = f"{TICKETS}/{world.a.code}"
    first = await client.post(
        f"{url}/notes", json={"text": "Một"}, headers=world.headers(Role.OFFICER, **{"If-Match": '"1"'})
    )
    assert first.status_code == 201 and first.headers["ETag"] == '"2"'
    stale = await client.post(
        f"{url}/replies", json={"text": "Hai"}, headers=world.headers(Role.SUPERVISOR, **{"If-Match": '"1"'})
    )
    assert stale.status_code == 412
    assert stale.json()["error"] == "stale_version"
    assert await count(sessions, TicketEvent.kind == EventKind.PUBLIC_REPLY) == 0
    assert await count(sessions, OutboxMessage.id.is_not(None)) == 0
    fresh = await client.post(
        f"{url}/replies",
        json={"text": "Hai"},
        headers=world.headers(Role.SUPERVISOR, **{"If-Match": first.headers["ETag"]}),
    )
    assert fresh.status_code == 201 and fresh.headers["ETag"] == '"3"'


@pytest.mark.parametrize("value", ['"1"', "1", 'W/"1"', "*"])
async def test_if_match_accepts_the_etag_forms(client: httpx.AsyncClient, world: World, value: str) -> None:
    response = await client.post(
        f"{TICKETS}/{world.a.code}/notes",
        json={"text": "Ghi chú"},
        headers=world.headers(Role.OFFICER, **{"If-Match": value}),
    )
    assert response.status_code == 201, response.text


async def test_a_malformed_if_match_is_422(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        f"{TICKETS}/{world.a.code}/notes",
        json={"text": "x"},
        headers=world.headers(Role.OFFICER, **{"If-Match": "abc"}),
    )
    assert response.status_code == 422 and response.json()["field"] == "If-Match"


async def test_a_retried_reply_acts_once_and_gets_the_first_answer(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    headers = world.headers(Role.OFFICER, **{"Idempotency-Key": "reply-7f3a", "If-Match": '"1"'})
    body = {"text": "Xã đã sửa xong đường, mời bà kiểm tra."}
    first = await client.post(f"{TICKETS}/{world.a.code}/replies", json=body, headers=headers)
    retry = await client.post(f"{TICKETS}/{world.a.code}/replies", json=body, headers=headers)
    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content
    assert retry.headers["ETag"] == first.headers["ETag"] == '"2"'
    assert retry.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert await count(sessions, TicketEvent.kind == EventKind.PUBLIC_REPLY) == 1
    assert await count(sessions, OutboxMessage.status == OutboxStatus.PENDING) == 1


async def test_the_same_key_with_another_body_is_422(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    headers = world.headers(Role.OFFICER, **{"Idempotency-Key": "k-1"})
    assert (
        await client.post(f"{TICKETS}/{world.a.code}/notes", json={"text": "A"}, headers=headers)
    ).status_code == 201
    other = await client.post(f"{TICKETS}/{world.a.code}/notes", json={"text": "B"}, headers=headers)
    assert other.status_code == 422 and other.json()["field"] == "Idempotency-Key"
    elsewhere = await client.post(f"{TICKETS}/{world.other.code}/notes", json={"text": "A"}, headers=headers)
    assert elsewhere.status_code == 422
    assert await count(sessions, TicketEvent.kind == EventKind.INTERNAL_NOTE) == 1


async def test_keys_belong_to_one_official(client: httpx.AsyncClient, world: World) -> None:
    body = {"text": "Ghi chú"}
    for role in (Role.OFFICER, Role.SUPERVISOR):
        headers = world.headers(role, **{"Idempotency-Key": "shared"})
        response = await client.post(f"{TICKETS}/{world.a.code}/notes", json=body, headers=headers)
        assert response.status_code == 201 and "Idempotent-Replayed" not in response.headers


async def test_a_retried_entry_files_one_ticket(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    body = {"kind": "feedback", "channel": "paper", "commune_code": COMMUNE_A, "text": "Đơn thư gửi qua bưu điện."}
    headers = world.headers(Role.OFFICER, **{"Idempotency-Key": "letter-2026-114"})
    before = await count(sessions, Ticket.id.is_not(None))
    first = await client.post(TICKETS, json=body, headers=headers)
    retry = await client.post(TICKETS, json=body, headers=headers)
    assert first.status_code == retry.status_code == 201
    assert first.json()["code"] == retry.json()["code"]
    assert retry.headers["Location"] == first.headers["Location"]
    assert await count(sessions, Ticket.id.is_not(None)) == before + 1


async def test_a_failed_request_does_not_use_up_its_key(client: httpx.AsyncClient, world: World) -> None:
    headers = world.headers(Role.OFFICER, **{"Idempotency-Key": "try-again", "If-Match": '"9"'})
    url = f"{TICKETS}/{world.a.code}/notes"
    assert (await client.post(url, json={"text": "x"}, headers=headers)).status_code == 412
    headers["If-Match"] = '"1"'
    assert (await client.post(url, json={"text": "x"}, headers=headers)).status_code == 201


async def test_two_identical_requests_at_once_act_once(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    headers = world.headers(Role.OFFICER, **{"Idempotency-Key": "double-click"})
    url = f"{TICKETS}/{world.a.code}/replies"
    responses = await asyncio.gather(*(client.post(url, json={"text": "Trả lời"}, headers=headers) for _ in range(2)))
    assert await count(sessions, TicketEvent.kind == EventKind.PUBLIC_REPLY) == 1
    done = [response for response in responses if response.status_code == 201]
    assert done, [response.text for response in responses]
    assert all(response.content == done[0].content for response in done)
    # SQLite has one writer: the loser may be told to retry (503) rather than wait; it never acts twice.
    assert all(response.status_code in {201, 503} for response in responses)


@pytest.mark.parametrize("text", ["\u200b", "\u200b \u200d\u2060", "\ufeff\n"])
async def test_a_reply_of_invisible_characters_only_is_refused(
    client: httpx.AsyncClient, world: World, text: str
) -> None:
    response = await client.post(
        f"{TICKETS}/{world.a.code}/replies", json={"text": text}, headers=world.headers(Role.OFFICER)
    )
    assert response.status_code == 422 and response.json()["error"] == "validation_failed"
    visible = await client.post(
        f"{TICKETS}/{world.a.code}/replies", json={"text": "\u200bĐã nhận"}, headers=world.headers(Role.OFFICER)
    )
    assert visible.status_code == 201, visible.text
