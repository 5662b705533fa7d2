"""Replies awaiting a supervisor's approval, through the API: approve, return, who may, and the outbox."""

from __future__ import annotations

import dataclasses

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from admin_api.context import attach, context_of
from casework.audit.models import AuditAction, AuditEntry
from casework.officials.models import PROVINCE, Role
from casework.outbox.models import OutboxMessage
from tests.admin_api.conftest import API, COMMUNE_A, COMMUNE_B, World

TICKETS = f"{API}/tickets"


@pytest.fixture
def approval_in_a(app: FastAPI) -> None:
    """Commune A's replies need approval (the lifespan attaches a fresh context for the next test)."""
    attach(app, dataclasses.replace(context_of(app), reply_approval_units=frozenset({COMMUNE_A})))


async def outbox_count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int((await session.execute(select(func.count()).select_from(OutboxMessage))).scalar_one())


async def audited(sessions: async_sessionmaker[AsyncSession], action: AuditAction) -> int:
    async with sessions() as session:
        statement = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
        return int((await session.execute(statement)).scalar_one())


async def pending_reply(client: httpx.AsyncClient, world: World) -> int:
    response = await client.post(
        f"{TICKETS}/{world.a.code}/replies", json={"text": "Xã sẽ sửa đường."}, headers=world.headers(Role.OFFICER)
    )
    assert response.status_code == 201, response.text
    event = response.json()["event"]
    assert event["approval"] == "pending" and event["delivery"] is None
    return int(event["id"])


async def test_by_default_replies_are_queued_at_once(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    response = await client.post(
        f"{TICKETS}/{world.a.code}/replies", json={"text": "Đã nhận."}, headers=world.headers(Role.OFFICER)
    )
    assert response.status_code == 201
    assert response.json()["event"]["approval"] is None
    assert await outbox_count(sessions) == 1


@pytest.mark.usefixtures("approval_in_a")
async def test_a_pending_reply_queues_nothing_and_shows_in_the_thread(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    event_id = await pending_reply(client, world)
    assert await outbox_count(sessions) == 0
    thread = (await client.get(f"{TICKETS}/{world.a.code}", headers=world.headers(Role.OFFICER))).json()["events"]
    [reply] = [event for event in thread if event["id"] == event_id]
    assert reply["approval"] == "pending" and reply["delivery"] is None


@pytest.mark.usefixtures("approval_in_a")
async def test_approving_queues_one_row_and_twice_is_409(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    event_id = await pending_reply(client, world)
    url = f"{TICKETS}/{world.a.code}/replies/{event_id}/approve"
    supervisor = world.official(Role.SUPERVISOR)
    first = await client.post(url, headers=world.headers(Role.SUPERVISOR))
    assert first.status_code == 200, first.text
    event = first.json()["event"]
    assert event["approval"] == "approved" and event["approval_by"] == supervisor.id
    assert event["delivery"]["status"] == "pending"
    assert first.headers["ETag"] == f'"{first.json()["ticket"]["version"]}"'
    assert await outbox_count(sessions) == 1
    again = await client.post(url, headers=world.headers(Role.SUPERVISOR))
    assert again.status_code == 409 and again.json()["error"] == "conflict"
    returned = await client.post(
        f"{TICKETS}/{world.a.code}/replies/{event_id}/return",
        json={"comment": "Muộn."},
        headers=world.headers(Role.ADMIN),
    )
    assert returned.status_code == 409
    assert await outbox_count(sessions) == 1
    assert await audited(sessions, AuditAction.TICKET_REPLY_APPROVE) == 1


@pytest.mark.usefixtures("approval_in_a")
async def test_a_retried_approval_acts_once(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    event_id = await pending_reply(client, world)
    url = f"{TICKETS}/{world.a.code}/replies/{event_id}/approve"
    headers = world.headers(Role.SUPERVISOR, **{"Idempotency-Key": "approve-once"})
    first = await client.post(url, headers=headers)
    retry = await client.post(url, headers=headers)
    assert first.status_code == retry.status_code == 200
    assert retry.json() == first.json()
    assert await outbox_count(sessions) == 1


@pytest.mark.usefixtures("approval_in_a")
async def test_returning_adds_a_note_and_queues_nothing(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    event_id = await pending_reply(client, world)
    url = f"{TICKETS}/{world.a.code}/replies/{event_id}/return"
    for empty in ({}, {"comment": ""}, {"comment": "ok", "extra": 1}):
        refused = await client.post(url, json=empty, headers=world.headers(Role.SUPERVISOR))
        assert refused.status_code == 422, empty
    response = await client.post(url, json={"comment": "Ghi rõ ngày sửa."}, headers=world.headers(Role.SUPERVISOR))
    assert response.status_code == 200, response.text
    assert response.json()["event"]["approval"] == "returned"
    thread = (await client.get(f"{TICKETS}/{world.a.code}", headers=world.headers(Role.OFFICER))).json()["events"]
    [note] = [event for event in thread if event["kind"] == "internal_note"]
    assert note["body"] == "Ghi rõ ngày sửa." and note["data"] == {"returned_reply": event_id}
    approve = await client.post(
        f"{TICKETS}/{world.a.code}/replies/{event_id}/approve", headers=world.headers(Role.SUPERVISOR)
    )
    assert approve.status_code == 409
    assert await outbox_count(sessions) == 0
    assert await audited(sessions, AuditAction.TICKET_REPLY_RETURN) == 1


@pytest.mark.usefixtures("approval_in_a")
async def test_an_officer_cannot_approve_or_return(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    event_id = await pending_reply(client, world)
    base = f"{TICKETS}/{world.a.code}/replies/{event_id}"
    approve = await client.post(f"{base}/approve", headers=world.headers(Role.OFFICER))
    assert approve.status_code == 403 and approve.json()["error"] == "forbidden"
    returned = await client.post(f"{base}/return", json={"comment": "Không."}, headers=world.headers(Role.OFFICER))
    assert returned.status_code == 403
    assert await outbox_count(sessions) == 0


@pytest.mark.usefixtures("approval_in_a")
async def test_officials_of_another_commune_get_404(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    event_id = await pending_reply(client, world)
    base = f"{TICKETS}/{world.a.code}/replies/{event_id}"
    for role in (Role.SUPERVISOR, Role.ADMIN):
        approve = await client.post(f"{base}/approve", headers=world.headers(role, COMMUNE_B))
        assert approve.status_code == 404, (role, approve.text)
        assert approve.json()["detail"] == "not found"
        returned = await client.post(f"{base}/return", json={"comment": "x"}, headers=world.headers(role, COMMUNE_B))
        assert returned.status_code == 404, role
    # An officer of B is refused by role before any lookup (403 whether or not the reply exists),
    # and does not find A's ticket or its thread at all.
    officer_b = world.headers(Role.OFFICER, COMMUNE_B)
    assert (await client.post(f"{base}/approve", headers=officer_b)).status_code == 403
    assert (await client.get(f"{TICKETS}/{world.a.code}", headers=officer_b)).status_code == 404
    assert (
        await client.post(f"{TICKETS}/{world.a.code}/replies", json={"text": "x"}, headers=officer_b)
    ).status_code == 404
    # The event id under another ticket's code is not found either.
    elsewhere = await client.post(
        f"{TICKETS}/{world.other.code}/replies/{event_id}/approve", headers=world.headers(Role.SUPERVISOR)
    )
    assert elsewhere.status_code == 404
    assert await outbox_count(sessions) == 0
    province = await client.post(f"{base}/approve", headers=world.headers(Role.SUPERVISOR, PROVINCE))
    assert province.status_code == 200
    assert await outbox_count(sessions) == 1


@pytest.mark.usefixtures("approval_in_a")
async def test_a_supervisors_own_reply_goes_out_at_once(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    response = await client.post(
        f"{TICKETS}/{world.a.code}/replies", json={"text": "Đã xử lý."}, headers=world.headers(Role.SUPERVISOR)
    )
    assert response.status_code == 201 and response.json()["event"]["approval"] is None
    assert await outbox_count(sessions) == 1
    approve = await client.post(
        f"{TICKETS}/{world.a.code}/replies/{response.json()['event']['id']}/approve",
        headers=world.headers(Role.SUPERVISOR),
    )
    assert approve.status_code == 409
