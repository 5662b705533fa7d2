"""The audit trail, calendar overrides and officials' accounts through the API."""

from __future__ import annotations

import httpx

from casework.officials.models import PROVINCE, Role
from tests.admin_api.conftest import API, COMMUNE_A, COMMUNE_B, World

CALENDAR = f"{API}/calendar/overrides"


async def test_the_audit_trail_shows_writes_and_reads_to_admins_only(client: httpx.AsyncClient, world: World) -> None:
    await client.post(
        f"{API}/tickets/{world.a.code}/notes", json={"text": "Ghi chú"}, headers=world.headers(Role.OFFICER)
    )
    await client.get(f"{API}/tickets/{world.a.code}", headers=world.headers(Role.VIEWER))
    admin = world.headers(Role.ADMIN, PROVINCE)
    page = (await client.get(f"{API}/audit", params={"object_id": world.a.code}, headers=admin)).json()
    actions = [(item["action"], item["actor_id"]) for item in page["items"]]
    assert actions[:2] == [
        ("ticket.read_personal", world.official(Role.VIEWER).id),
        ("ticket.note", world.official(Role.OFFICER).id),
    ]
    assert all("text" not in item["detail"] for item in page["items"])
    notes = (await client.get(f"{API}/audit", params={"action": "ticket.note"}, headers=admin)).json()
    assert [item["object_id"] for item in notes["items"]] == [world.a.code]
    first = (await client.get(f"{API}/audit", params={"limit": 2}, headers=admin)).json()
    second = (
        await client.get(f"{API}/audit", params={"limit": 2, "cursor": first["next_cursor"]}, headers=admin)
    ).json()
    assert {item["id"] for item in first["items"]}.isdisjoint(item["id"] for item in second["items"])
    assert (await client.get(f"{API}/audit", headers=world.headers(Role.SUPERVISOR, PROVINCE))).status_code == 403


async def test_officials_edit_days_off_and_everyone_reads_them(client: httpx.AsyncClient, world: World) -> None:
    supervisor = world.headers(Role.SUPERVISOR, PROVINCE)  # an override moves every commune's deadlines
    put = await client.put(
        f"{CALENDAR}/2026-11-24", json={"is_working_day": False, "note": "Ngày Văn hóa Việt Nam"}, headers=supervisor
    )
    assert put.status_code == 200, put.text
    assert put.json()["created_by"] == world.official(Role.SUPERVISOR, PROVINCE).id
    again = await client.put(
        f"{CALENDAR}/2026-11-24", json={"is_working_day": True, "note": "Đi làm"}, headers=supervisor
    )
    assert again.json()["is_working_day"] is True
    listed = (await client.get(CALENDAR, headers=world.headers(Role.VIEWER))).json()
    assert [(day["day"], day["is_working_day"]) for day in listed] == [("2026-11-24", True)]
    refused = await client.put(
        f"{CALENDAR}/2026-11-25", json={"is_working_day": False, "note": "x"}, headers=world.headers(Role.OFFICER)
    )
    assert refused.status_code == 403
    assert (await client.delete(f"{CALENDAR}/2026-11-24", headers=supervisor)).status_code == 204
    assert (await client.delete(f"{CALENDAR}/2026-11-24", headers=supervisor)).status_code == 404
    assert (await client.get(CALENDAR, headers=supervisor)).json() == []


async def test_admins_manage_the_accounts_of_their_unit(client: httpx.AsyncClient, world: World) -> None:
    admin = world.headers(Role.ADMIN, COMMUNE_A)
    body = {
        "username": "Nong.Van.Ba",
        "display_name": "Nông Văn Ba",
        "password": "mật-khẩu-đủ-dài",
        "role": "officer",
        "unit": COMMUNE_A,
    }
    created = await client.post(f"{API}/officials", json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["username"] == "nong.van.ba" and "mật-khẩu-đủ-dài" not in created.text
    assert "password_hash" not in created.text
    assert (await client.post(f"{API}/officials", json=body, headers=admin)).status_code == 409
    official_id = created.json()["id"]
    role = await client.put(
        f"{API}/officials/{official_id}/role", json={"role": "supervisor", "unit": COMMUNE_A}, headers=admin
    )
    assert role.status_code == 200 and role.json()["role"] == "supervisor"
    moved = await client.put(
        f"{API}/officials/{official_id}/role", json={"role": "officer", "unit": COMMUNE_B}, headers=admin
    )
    assert moved.status_code == 403
    assert (await client.post(f"{API}/officials/999999/disable", headers=admin)).status_code == 404
    short = await client.put(f"{API}/officials/{official_id}/password", json={"password": "ngắn"}, headers=admin)
    assert short.status_code == 422 and short.json()["field"] == "password"
