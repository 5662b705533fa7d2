"""The queue and the work on tickets through HTTP: filters, pages, the thread, staff entry and each write."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.audit.models import AuditAction, AuditEntry
from casework.calendar.workdays import WorkingCalendar
from casework.channels import Channel
from casework.db import utcnow
from casework.deadlines.schemas import DEFAULT_RULES
from casework.deadlines.service import due_soon_limit, legal_day
from casework.officials.models import PROVINCE, Role
from casework.tickets.models import TicketKind
from tests.admin_api.conftest import API, COMMUNE_A, COMMUNE_B, LONG_AGO, World, new_ticket

TICKETS = f"{API}/tickets"


async def codes(client: httpx.AsyncClient, world: World, role: Role = Role.OFFICER, **params: object) -> list[str]:
    response = await client.get(TICKETS, params=params, headers=world.headers(role))
    assert response.status_code == 200, response.text
    return [item["code"] for item in response.json()["items"]]


async def test_every_item_shows_its_deadline_and_whether_it_is_overdue_or_due_soon(
    client: httpx.AsyncClient, world: World
) -> None:
    items = (await client.get(TICKETS, headers=world.headers(Role.OFFICER))).json()["items"]
    by_code = {item["code"]: item for item in items}
    assert by_code[world.a.code]["overdue"] is True and by_code[world.a.code]["due_soon"] is False
    assert by_code[world.other.code]["overdue"] is False
    assert all({"deadline", "overdue", "due_soon", "version"} <= set(item) for item in items)
    assert all("chat_ref" not in item and "contact_phone" not in item for item in items)


async def test_the_queue_filters(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    officer = world.official(Role.OFFICER)
    async with sessions() as session:
        complaint = await new_ticket(
            session, kind=TicketKind.COMPLAINT, topic="tro-cap", text="Khiếu nại về danh sách hộ nghèo năm nay."
        )
        await session.commit()
    assign = await client.post(
        f"{TICKETS}/{complaint.code}/assign", json={"assignee_id": officer.id}, headers=world.headers(Role.SUPERVISOR)
    )
    assert assign.status_code == 200, assign.text
    assert await codes(client, world, kind="complaint") == [complaint.code]
    assert await codes(client, world, topic="tro-cap") == [complaint.code]
    assert await codes(client, world, assignee="me") == [complaint.code]
    assert await codes(client, world, assignee=str(officer.id)) == [complaint.code]
    assert set(await codes(client, world, assignee="none")) == {world.a.code, world.other.code}
    assert await codes(client, world, overdue="true") == [world.a.code]
    assert world.a.code not in await codes(client, world, overdue="false")
    assert set(await codes(client, world, status=["new", "accepted"])) == {
        world.a.code,
        world.other.code,
        complaint.code,
    }
    assert await codes(client, world, status="closed") == []
    assert await codes(client, world, commune=COMMUNE_A, q="danh sach ho ngheo") == [complaint.code]  # no diacritics
    assert await codes(client, world, q="DANH SÁCH") == [complaint.code]
    assert await codes(client, world, q=complaint.code[:7].lower()) == [complaint.code]  # part of the code, "cb-7k3m"
    assert await codes(client, world, q=complaint.code[-4:]) == [complaint.code]
    today = dt.date.today()
    recent = await codes(client, world, received_from=str(today - dt.timedelta(days=7)))
    assert world.a.code not in recent and world.other.code in recent
    old = await codes(client, world, received_to=str(today - dt.timedelta(days=LONG_AGO.days - 1)))
    assert old == [world.a.code]


async def test_due_soon_finds_deadlines_in_the_next_working_days(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session:
        # Received 8 to 16 days ago: ten working days later falls around today, some within three working days.
        made = [await new_ticket(session, received_ago=dt.timedelta(days=days)) for days in range(8, 17)]
        await session.commit()
    today = legal_day(utcnow())
    limit = due_soon_limit(DEFAULT_RULES, WorkingCalendar(), today)
    expected = {ticket.code for ticket in made if today <= ticket.deadline <= limit}
    assert expected, "none of the deadlines fell within three working days"
    assert set(await codes(client, world, due_soon="true")) == expected
    assert expected.isdisjoint(await codes(client, world, due_soon="false"))


async def test_pages_cover_the_queue_once_in_deadline_order(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session:
        for days in range(0, 40, 3):
            await new_ticket(session, received_ago=dt.timedelta(days=days))
        await session.commit()
    seen: list[dict[str, object]] = []
    cursor = None
    while True:
        params: dict[str, object] = {"sort": "deadline", "limit": 4, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(TICKETS, params=params, headers=world.headers(Role.OFFICER))).json()
        seen.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    keys = [(item["deadline"], item["code"]) for item in seen]
    assert len({item["code"] for item in seen}) == len(seen) == 16
    assert [deadline for deadline, _ in keys] == sorted(deadline for deadline, _ in keys)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 101}, "limit"),
        ({"limit": 0}, "limit"),
        ({"status": "lost"}, "status.0"),
        ({"stauts": "new"}, "stauts"),  # a typo is refused, not silently ignored
        ({"cursor": "eyJvIjoiZGVhZGxpbmUiLCJ2IjpbXX0"}, "cursor"),  # a cursor made for nothing
        ({"assignee": "someone"}, "assignee"),
        ({"received_from": "26/11/2026"}, "received_from"),
        ({"commune": "99999"}, "commune"),  # five digits, but no commune of Cao Bằng
    ],
)
async def test_bad_queue_parameters_are_422_naming_the_field(
    client: httpx.AsyncClient, world: World, params: dict[str, object], field: str
) -> None:
    response = await client.get(TICKETS, params=params, headers=world.headers(Role.OFFICER))
    assert response.status_code == 422
    assert response.json()["error"] == "validation_failed"
    assert response.json()["field"] == field


async def test_the_detail_has_the_thread_with_delivery_states_an_etag_and_an_audited_read(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    url = f"{TICKETS}/{world.a.code}"
    reply = await client.post(
        f"{url}/replies", json={"text": "Xã sẽ cử người kiểm tra."}, headers=world.headers(Role.OFFICER)
    )
    assert reply.status_code == 201
    response = await client.get(url.lower().replace("cb-", "cb "), headers=world.headers(Role.OFFICER))
    assert response.status_code == 200, response.text
    detail = response.json()
    assert response.headers["ETag"] == f'"{detail["ticket"]["version"]}"' == '"2"'
    [event] = detail["events"]
    assert event["kind"] == "public_reply" and event["delivery"]["status"] == "pending"
    assert "chat_ref" not in detail["contact"] and "chat_ref" not in response.text
    async with sessions() as session:
        reads = await session.scalar(
            select(func.count()).where(
                AuditEntry.action == AuditAction.TICKET_READ_PERSONAL, AuditEntry.object_id == world.a.code
            )
        )
    assert reads == 1
    viewer = (await client.get(url, headers=world.headers(Role.VIEWER))).json()
    assert viewer["contact"] is None


async def test_staff_enter_a_phoned_in_case_for_their_commune(client: httpx.AsyncClient, world: World) -> None:
    body = {
        "kind": "feedback",
        "channel": "phone",
        "commune_code": COMMUNE_A,
        "topic": "ha-tang",
        "text": "Bà Lường Thị Nga gọi điện: cầu treo bản Khuổi bị hỏng.",
        "contact": {
            "phone": "0912 345 678",
            "consent": {"given_at": "2026-03-02T03:00:00Z", "channel": "phone", "wording_version": "v1"},
        },
    }
    response = await client.post(TICKETS, json=body, headers=world.headers(Role.OFFICER))
    assert response.status_code == 201, response.text
    ticket = response.json()
    assert response.headers["Location"] == f"{TICKETS}/{ticket['code']}"
    assert response.headers["ETag"] == '"1"'
    assert (ticket["channel"], ticket["status"], ticket["commune_code"]) == ("phone", "new", COMMUNE_A)
    detail = (await client.get(response.headers["Location"], headers=world.headers(Role.OFFICER))).json()
    assert detail["contact"]["contact_phone"] == "0912 345 678"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"commune_code": COMMUNE_B}, "commune_code"),  # another commune's case
        ({"commune_code": "99999"}, "commune_code"),  # not a commune of Cao Bằng
        ({"channel": "telegram"}, "channel"),  # chats file their own tickets
        ({"text": "   "}, "text"),
        ({"text": "a\x00b"}, "text"),
        ({"contact": {"phone": "0912345678"}}, "contact.consent"),  # a phone needs the recorded consent
        ({"received_at": "2099-01-01T00:00:00Z"}, "received_at"),  # in the future
        ({"status": "closed"}, "status"),  # not settable on entry
    ],
)
async def test_bad_entries_are_422_naming_the_field(
    client: httpx.AsyncClient, world: World, change: dict[str, object], field: str
) -> None:
    body = {
        "kind": "feedback",
        "channel": "paper",
        "commune_code": COMMUNE_A,
        "text": "Đơn gửi qua bưu điện.",
        **change,
    }
    response = await client.post(TICKETS, json=body, headers=world.headers(Role.OFFICER))
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field


async def test_the_lifecycle_through_the_api(client: httpx.AsyncClient, world: World) -> None:
    url = f"{TICKETS}/{world.other.code}"
    headers = world.headers(Role.OFFICER)
    version = world.other.version
    for status in ("accepted", "in_progress", "answered", "closed"):
        response = await client.post(
            f"{url}/status", json={"status": status}, headers={**headers, "If-Match": f'"{version}"'}
        )
        assert response.status_code == 200, response.text
        assert response.json()["ticket"]["status"] == status
        assert response.headers["ETag"] == f'"{version + 1}"'
        version += 1
    illegal = await client.post(f"{url}/status", json={"status": "accepted"}, headers=headers)
    assert illegal.status_code == 409 and illegal.json()["error"] == "invalid_transition"


async def test_a_rejection_without_a_reason_is_422_naming_reason(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        f"{TICKETS}/{world.a.code}/status", json={"status": "rejected"}, headers=world.headers(Role.OFFICER)
    )
    assert response.status_code == 422
    assert (response.json()["error"], response.json()["field"]) == ("validation_failed", "reason")


async def test_a_transfer_hands_the_ticket_to_the_other_commune(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        f"{TICKETS}/{world.a.code}/status",
        json={"status": "transferred", "commune_code": COMMUNE_B, "reason": "Thuộc địa bàn xã khác."},
        headers=world.headers(Role.OFFICER),
    )
    assert response.status_code == 200, response.text
    assert (await client.get(f"{TICKETS}/{world.a.code}", headers=world.headers(Role.OFFICER))).status_code == 404
    assert (
        await client.get(f"{TICKETS}/{world.a.code}", headers=world.headers(Role.OFFICER, COMMUNE_B))
    ).status_code == 200


async def test_notes_stay_internal_and_merges_link_both_tickets(client: httpx.AsyncClient, world: World) -> None:
    headers = world.headers(Role.OFFICER)
    note = await client.post(f"{TICKETS}/{world.a.code}/notes", json={"text": "Đã gọi trưởng thôn."}, headers=headers)
    assert note.status_code == 201 and note.json()["event"]["kind"] == "internal_note"
    merged = await client.post(f"{TICKETS}/{world.other.code}/merge", json={"into": world.a.code}, headers=headers)
    assert merged.status_code == 200, merged.text
    assert merged.json()["ticket"]["status"] == "duplicate"
    original = (await client.get(f"{TICKETS}/{world.a.code}", headers=headers)).json()
    assert [event["kind"] for event in original["events"]] == ["internal_note", "merge"]
    into_b = await client.post(f"{TICKETS}/{world.a.code}/merge", json={"into": world.b.code}, headers=headers)
    assert into_b.status_code == 404


async def test_a_denunciation_extends_twice_and_the_third_is_422_limit_reached(
    client: httpx.AsyncClient, world: World
) -> None:
    supervisor = world.headers(Role.SUPERVISOR)
    body = {
        "kind": "denunciation",
        "channel": "in_person",
        "commune_code": COMMUNE_A,
        "text": "Tố cáo việc lập khống hồ sơ.",
    }
    code = (await client.post(TICKETS, json=body, headers=supervisor)).json()["code"]
    url = f"{TICKETS}/{code}"
    assert (await client.post(f"{url}/status", json={"status": "accepted"}, headers=supervisor)).status_code == 200
    assert (await client.post(f"{url}/extend", json={"reason": "   "}, headers=supervisor)).status_code == 422
    deadlines = []
    for _ in range(2):
        response = await client.post(f"{url}/extend", json={"reason": "Cần xác minh tại thôn."}, headers=supervisor)
        assert response.status_code == 200, response.text
        deadlines.append(response.json()["ticket"]["deadline"])
    assert deadlines == sorted(deadlines) and deadlines[0] != deadlines[1]
    third = await client.post(f"{url}/extend", json={"reason": "Lần thứ ba."}, headers=supervisor)
    assert third.status_code == 422 and third.json()["error"] == "limit_reached"
    officer = await client.post(f"{url}/extend", json={"reason": "Cán bộ."}, headers=world.headers(Role.OFFICER))
    assert officer.status_code == 403


async def test_an_assignee_must_be_able_to_see_the_ticket(client: httpx.AsyncClient, world: World) -> None:
    stranger = world.official(Role.OFFICER, COMMUNE_B)
    response = await client.post(
        f"{TICKETS}/{world.a.code}/assign", json={"assignee_id": stranger.id}, headers=world.headers(Role.SUPERVISOR)
    )
    assert response.status_code == 422 and response.json()["field"] == "assignee_id"


async def test_province_staff_may_enter_a_case_for_any_commune(client: httpx.AsyncClient, world: World) -> None:
    body = {"kind": "question", "channel": "paper", "commune_code": COMMUNE_B, "text": "Hỏi về chế độ BHYT."}
    response = await client.post(TICKETS, json=body, headers=world.headers(Role.OFFICER, PROVINCE))
    assert response.status_code == 201, response.text
    assert response.json()["channel"] == Channel.PAPER


async def test_a_period_that_ends_before_it_starts_is_422_not_an_empty_page(
    client: httpx.AsyncClient, world: World
) -> None:
    backwards = {"received_from": "2026-11-26", "received_to": "2026-11-01"}
    for url, headers in (
        (TICKETS, world.headers(Role.OFFICER)),
        (f"{API}/reports/summary", world.headers(Role.VIEWER)),
    ):
        response = await client.get(url, params=backwards, headers=headers)
        assert response.status_code == 422, (url, response.text)
        assert "start is after the end" in str(response.json())
    audit = await client.get(
        f"{API}/audit",
        params={"since": "2026-11-26T00:00:00+07:00", "until": "2026-11-01T00:00:00+07:00"},
        headers=world.headers(Role.ADMIN, "province"),
    )
    assert audit.status_code == 422 and "start is after the end" in str(audit.json())
    same_day = await client.get(
        TICKETS,
        params={"received_from": "2026-11-26", "received_to": "2026-11-26"},
        headers=world.headers(Role.OFFICER),
    )
    assert same_day.status_code == 200
