"""Calendar overrides are province business, and no set of them can stop deadlines being computed."""

from __future__ import annotations

import datetime as dt

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.calendar.models import CalendarOverride
from casework.calendar.workdays import MAX_DAYS_OFF_IN_A_ROW
from casework.officials.models import PROVINCE, Role
from tests.admin_api.conftest import API, COMMUNE_A, COMMUNE_B, World

CALENDAR = f"{API}/calendar/overrides"
DAY_OFF = {"is_working_day": False, "note": "Nghỉ bù"}


async def test_commune_officials_cannot_write_the_province_wide_calendar(
    client: httpx.AsyncClient, world: World
) -> None:
    province = world.headers(Role.SUPERVISOR, PROVINCE)
    assert (await client.put(f"{CALENDAR}/2026-12-31", json=DAY_OFF, headers=province)).status_code == 200
    for unit in (COMMUNE_A, COMMUNE_B):
        for role in (Role.ADMIN, Role.SUPERVISOR):
            headers = world.headers(role, unit)
            put = await client.put(f"{CALENDAR}/2026-12-30", json=DAY_OFF, headers=headers)
            assert put.status_code == 403, f"{role}@{unit}: {put.text}"
            assert put.json()["error"] == "forbidden" and "province" in put.json()["detail"]
            deleted = await client.delete(f"{CALENDAR}/2026-12-31", headers=headers)
            assert deleted.status_code == 403, f"{role}@{unit}: {deleted.text}"
            listed = await client.get(CALENDAR, headers=headers)  # reading stays open to every official
            assert [day["day"] for day in listed.json()] == ["2026-12-31"]
    me = (await client.get(f"{API}/officials/me", headers=world.headers(Role.ADMIN, COMMUNE_A))).json()
    assert "calendar.edit" not in me["permissions"] and "audit.read" not in me["permissions"]
    admin = world.headers(Role.ADMIN, PROVINCE)
    assert (await client.put(f"{CALENDAR}/2026-12-30", json=DAY_OFF, headers=admin)).status_code == 200
    assert (await client.delete(f"{CALENDAR}/2026-12-31", headers=admin)).status_code == 204


async def test_an_override_making_more_than_30_days_off_in_a_row_is_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    supervisor = world.headers(Role.SUPERVISOR, PROVINCE)
    # Every weekday of July 2026 off: with the weekends around them, 4 July to 2 August is 30 days off.
    july = [dt.date(2026, 7, 6) + dt.timedelta(days=n) for n in range(26)]
    for day in (day for day in july if day.weekday() < 5):
        response = await client.put(f"{CALENDAR}/{day.isoformat()}", json=DAY_OFF, headers=supervisor)
        assert response.status_code == 200, f"{day}: {response.text}"
    refused = await client.put(f"{CALENDAR}/2026-08-03", json=DAY_OFF, headers=supervisor)
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert (body["error"], body["field"]) == ("validation_failed", "day")
    assert "more than 30 days off in a row" in body["detail"]
    # A working day may always be set, and removing it is refused when that makes the run too long.
    working = {"is_working_day": True, "note": "Làm bù"}
    assert (await client.put(f"{CALENDAR}/2026-08-01", json=working, headers=supervisor)).status_code == 200
    assert (await client.put(f"{CALENDAR}/2026-08-03", json=DAY_OFF, headers=supervisor)).status_code == 200
    removed = await client.delete(f"{CALENDAR}/2026-08-01", headers=supervisor)
    assert removed.status_code == 422 and removed.json()["field"] == "day"


async def test_overrides_stored_around_the_check_never_fail_requests(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    today = dt.date.today()
    async with sessions() as session:
        for n in range(-90, 2 * MAX_DAYS_OFF_IN_A_ROW + 30):
            written = "ghi thẳng vào cơ sở dữ liệu"
            session.add(CalendarOverride(day=today + dt.timedelta(days=n), is_working_day=False, note=written))
        await session.commit()
    officer = world.headers(Role.OFFICER)
    listed = await client.get(f"{API}/tickets", headers=officer)
    assert listed.status_code == 200, listed.text
    ticket = await client.get(f"{API}/tickets/{world.a.code}", headers=officer)
    assert ticket.status_code == 200, ticket.text
    note = await client.post(f"{API}/tickets/{world.a.code}/notes", json={"text": "Ghi chú"}, headers=officer)
    assert note.status_code < 300, note.text
    report = {"kind": "feedback", "channel": "phone", "commune_code": COMMUNE_A, "text": "Đèn đường hỏng."}
    submitted = await client.post(f"{API}/tickets", json=report, headers=officer)
    assert submitted.status_code == 201, submitted.text
    assert dt.date.fromisoformat(submitted.json()["deadline"]) > today


async def test_a_day_off_declared_later_moves_the_running_deadlines_it_falls_in_and_back(
    client: httpx.AsyncClient, world: World
) -> None:
    supervisor = world.headers(Role.SUPERVISOR, PROVINCE)
    reader = world.headers(Role.ADMIN, PROVINCE)

    async def ticket(code: str) -> dict:  # type: ignore[type-arg]
        response = await client.get(f"{API}/tickets/{code}", headers=reader)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    fresh, old = await ticket(world.other.code), await ticket(world.a.code)
    deadline = dt.date.fromisoformat(fresh["ticket"]["deadline"])
    assert dt.date.fromisoformat(old["ticket"]["deadline"]) < deadline  # received long ago: its count ended earlier
    # The last day of the fresh ticket's period becomes a day off: one more working day is needed.
    put = await client.put(f"{CALENDAR}/{deadline.isoformat()}", json=DAY_OFF, headers=supervisor)
    assert put.status_code == 200, put.text
    assert put.json()["deadlines_moved"] >= 1
    moved = await ticket(world.other.code)
    later = dt.date.fromisoformat(moved["ticket"]["deadline"])
    assert later > deadline and later.weekday() < 5
    assert moved["ticket"]["version"] == fresh["ticket"]["version"] + 1
    [event] = [e for e in moved["events"] if e["kind"] == "deadline_change"]
    assert event["data"] == {"from": deadline.isoformat(), "to": later.isoformat(), "reason": "calendar"}
    assert event["actor_id"] == world.official(Role.SUPERVISOR, PROVINCE).id
    assert (await ticket(world.a.code))["ticket"]["deadline"] == old["ticket"]["deadline"]
    # Giving the day back counts the old deadline again.
    assert (await client.delete(f"{CALENDAR}/{deadline.isoformat()}", headers=supervisor)).status_code == 204
    back = await ticket(world.other.code)
    assert back["ticket"]["deadline"] == deadline.isoformat()
    assert [e["data"]["to"] for e in back["events"] if e["kind"] == "deadline_change"] == [
        later.isoformat(),
        deadline.isoformat(),
    ]
    # Setting a day that changes nothing moves nothing.
    unchanged = await client.put(
        f"{CALENDAR}/{(deadline + dt.timedelta(days=60)).isoformat()}", json=DAY_OFF, headers=supervisor
    )
    assert unchanged.json()["deadlines_moved"] == 0
