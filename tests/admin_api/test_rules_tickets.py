"""Legal and need-to-know rules through HTTP: anonymous formal cases, a denouncer's contact, merges, staff entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.channels import Channel
from casework.officials.models import PROVINCE, Role
from casework.outbox.models import OutboxKind, OutboxMessage
from casework.tickets.models import TicketKind
from casework.tickets.schemas import ConsentCreate
from tests.admin_api.conftest import API, COMMUNE_A, PASSWORD, World, new_ticket

TICKETS = f"{API}/tickets"
PHONE = "0912 345 678"


def entry(**change: Any) -> dict[str, Any]:
    """A case staff enter for commune A, with any field replaced."""
    return {
        "kind": "feedback",
        "channel": "paper",
        "commune_code": COMMUNE_A,
        "text": "Đơn gửi qua bưu điện.",
        **change,
    }


def contact(given_at: dt.datetime) -> dict[str, Any]:
    consent = {"given_at": given_at.isoformat(), "channel": "phone", "wording_version": "v1"}
    return {"phone": PHONE, "consent": consent}


async def test_an_anonymous_complaint_cannot_be_accepted_and_the_detail_says_what_to_do(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = world.headers(Role.OFFICER)
    created = await client.post(TICKETS, json=entry(kind="complaint", anonymous=True), headers=headers)
    assert created.status_code == 201, created.text
    response = await client.post(
        f"{TICKETS}/{created.json()['code']}/status", json={"status": "accepted"}, headers=headers
    )
    assert response.status_code == 409, response.text
    assert response.json()["error"] == "invalid_transition"
    assert "anonymous complaint cannot be accepted" in response.json()["detail"]
    assert "feedback (phản ánh)" in response.json()["detail"]


async def test_a_denouncers_contact_is_shown_to_the_assignee_and_province_admins_only(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session:
        consent = ConsentCreate(given_at=dt.datetime.now(dt.UTC), channel=Channel.TELEGRAM, wording_version="v1")
        denunciation = await new_ticket(
            session, kind=TicketKind.DENUNCIATION, contact_phone=PHONE, phone_consent=consent
        )
        await session.commit()
    url = f"{TICKETS}/{denunciation.code}"
    assignee = world.official(Role.OFFICER)
    assigned = await client.post(
        f"{url}/assign", json={"assignee_id": assignee.id}, headers=world.headers(Role.SUPERVISOR)
    )
    assert assigned.status_code == 200, assigned.text
    seen = {}
    for role, unit in [
        (Role.OFFICER, COMMUNE_A),  # the assignee
        (Role.SUPERVISOR, COMMUNE_A),  # another casework role of the same commune
        (Role.ADMIN, COMMUNE_A),
        (Role.SUPERVISOR, PROVINCE),
        (Role.ADMIN, PROVINCE),
    ]:
        response = await client.get(url, headers=world.headers(role, unit))
        assert response.status_code == 200, response.text
        seen[(role, unit)] = response.json()["contact"]
    assert seen.pop((Role.OFFICER, COMMUNE_A))["contact_phone"] == PHONE
    assert seen.pop((Role.ADMIN, PROVINCE))["contact_phone"] == PHONE
    assert seen == {key: None for key in seen}


async def test_another_officer_of_the_commune_does_not_see_the_denouncers_contact(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session:
        consent = ConsentCreate(given_at=dt.datetime.now(dt.UTC), channel=Channel.TELEGRAM, wording_version="v1")
        denunciation = await new_ticket(
            session, kind=TicketKind.DENUNCIATION, contact_phone=PHONE, phone_consent=consent
        )
        await session.commit()
    url = f"{TICKETS}/{denunciation.code}"
    assigned = await client.post(
        f"{url}/assign", json={"assignee_id": world.official(Role.OFFICER).id}, headers=world.headers(Role.SUPERVISOR)
    )
    assert assigned.status_code == 200, assigned.text
    other_officer = await client.post(f"{API}/auth/token", data={"username": "target-01273", "password": PASSWORD})
    assert other_officer.status_code == 200, other_officer.text
    auth = {"Authorization": f"Bearer {other_officer.json()['access_token']}"}
    response = await client.get(url, headers=auth)
    assert response.status_code == 200, response.text
    assert response.json()["contact"] is None and PHONE not in response.text


async def test_tickets_of_different_kinds_are_not_merged(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session:
        complaint = await new_ticket(session, kind=TicketKind.COMPLAINT, text="Khiếu nại danh sách hộ nghèo.")
        await session.commit()
    response = await client.post(
        f"{TICKETS}/{complaint.code}/merge", json={"into": world.a.code}, headers=world.headers(Role.OFFICER)
    )
    assert response.status_code == 409, response.text
    assert response.json()["error"] == "conflict" and "same kind" in response.json()["detail"]


async def test_a_merge_tells_the_duplicates_citizen_and_later_replies_reach_them(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    headers = world.headers(Role.OFFICER)
    merged = await client.post(f"{TICKETS}/{world.other.code}/merge", json={"into": world.a.code}, headers=headers)
    assert merged.status_code == 200, merged.text
    reply = await client.post(f"{TICKETS}/{world.a.code}/replies", json={"text": "Xã sẽ sửa đường."}, headers=headers)
    assert reply.status_code == 201, reply.text
    async with sessions() as session:
        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    notice, to_original, to_duplicate = rows
    assert notice.kind is OutboxKind.NOTICE and f"dưới mã {world.a.code}" in notice.payload["text"]
    assert to_original.kind is to_duplicate.kind is OutboxKind.REPLY
    assert notice.chat_ref == to_duplicate.chat_ref != to_original.chat_ref
    header = f"**Trả lời phản ánh {world.a.code}:**\n\n"
    assert to_original.payload["text"] == to_duplicate.payload["text"] == f"{header}Xã sẽ sửa đường."
    thread = (await client.get(f"{TICKETS}/{world.a.code}", headers=headers)).json()["events"]
    assert thread[-1]["body"] == "Xã sẽ sửa đường."  # officials see the reply as written


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"anonymous": True, "contact": contact(dt.datetime(2026, 3, 2, tzinfo=dt.UTC))}, "contact"),
        ({"contact": contact(dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))}, "contact.consent.given_at"),
        ({"contact": contact(dt.datetime(2099, 1, 1, tzinfo=dt.UTC))}, "contact.consent.given_at"),
    ],
)
async def test_inconsistent_entries_are_422_naming_the_field(
    client: httpx.AsyncClient, world: World, change: dict[str, Any], field: str
) -> None:
    response = await client.post(TICKETS, json=entry(**change), headers=world.headers(Role.OFFICER))
    assert response.status_code == 422, response.text
    assert (response.json()["error"], response.json()["field"]) == ("validation_failed", field)


async def test_a_consent_a_few_minutes_ahead_is_within_the_clock_skew(client: httpx.AsyncClient, world: World) -> None:
    body = entry(contact=contact(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)))
    response = await client.post(TICKETS, json=body, headers=world.headers(Role.OFFICER))
    assert response.status_code == 201, response.text
