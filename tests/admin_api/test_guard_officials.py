"""Accounts: units that exist, passwords that resist guessing, and a province that always keeps an admin."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.audit.models import AuditEntry
from casework.officials.models import PROVINCE, Role
from tests.admin_api.conftest import API, COMMUNE_A, COMMUNE_B, PASSWORD, World

OFFICIALS = f"{API}/officials"


def new_account(**fields: Any) -> dict[str, Any]:
    values = {
        "username": "be.thi.moi",
        "display_name": "Bế Thị Mới",
        "password": "mật-khẩu-đủ-dài",
        "role": "officer",
        "unit": COMMUNE_A,
    }
    return {**values, **fields}


async def log_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post(f"{API}/auth/token", data={"username": username, "password": password})


async def test_officials_can_only_belong_to_the_province_or_a_commune_of_the_gazetteer(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = world.headers(Role.ADMIN, PROVINCE)
    created = await client.post(OFFICIALS, json=new_account(unit="99999"), headers=admin)
    assert created.status_code == 422, created.text
    assert (created.json()["error"], created.json()["field"]) == ("validation_failed", "unit")
    assert "gazetteer" in created.json()["detail"]
    assert world.target is not None
    moved = await client.put(
        f"{OFFICIALS}/{world.target.id}/role", json={"role": "officer", "unit": "99999"}, headers=admin
    )
    assert moved.status_code == 422 and moved.json()["field"] == "unit"
    for unit in (PROVINCE, COMMUNE_B):
        ok = await client.post(OFFICIALS, json=new_account(username=f"moi-{unit}", unit=unit), headers=admin)
        assert ok.status_code == 201, ok.text


@pytest.mark.parametrize(
    ("password", "why"),
    [
        (" " * 12, "only spaces"),
        ("1234567890", "neighbouring"),
        ("0987654321", "neighbouring"),
        ("Password123", "common"),
        ("be.thi.moi-2026", "username"),
        ("BeThiMoi2026!", "username"),
    ],
)
async def test_weak_passwords_are_refused_for_new_accounts_and_resets(
    client: httpx.AsyncClient, world: World, password: str, why: str
) -> None:
    admin = world.headers(Role.ADMIN, PROVINCE)
    created = await client.post(OFFICIALS, json=new_account(password=password), headers=admin)
    assert created.status_code == 422, created.text
    assert (created.json()["error"], created.json()["field"]) == ("validation_failed", "password")
    assert why in created.json()["detail"] and (password.isspace() or password not in created.text)
    assert world.target is not None
    reset = await client.put(
        f"{OFFICIALS}/{world.target.id}/password",
        json={"password": password.replace("be.thi.moi", "target-01273").replace("BeThiMoi", "Target01273")},
        headers=admin,
    )
    assert reset.status_code == 422, reset.text
    assert reset.json()["field"] == "password"


async def test_the_last_active_province_admin_cannot_be_disabled_or_demoted(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = world.headers(Role.ADMIN, PROVINCE)
    last = world.official(Role.ADMIN, PROVINCE)
    disabled = await client.post(f"{OFFICIALS}/{last.id}/disable", headers=admin)
    assert disabled.status_code == 409, disabled.text  # the admins of communes A and B do not count
    assert disabled.json()["error"] == "conflict" and "last active province admin" in disabled.json()["detail"]
    for change in ({"role": "supervisor", "unit": PROVINCE}, {"role": "admin", "unit": COMMUNE_A}):
        refused = await client.put(f"{OFFICIALS}/{last.id}/role", json=change, headers=admin)
        assert refused.status_code == 409, refused.text
    second = await client.post(
        OFFICIALS, json=new_account(username="quan.tri.hai", role="admin", unit=PROVINCE), headers=admin
    )
    assert second.status_code == 201, second.text
    assert (await client.post(f"{OFFICIALS}/{last.id}/disable", headers=admin)).status_code == 200
    token = (await log_in(client, "quan.tri.hai", "mật-khẩu-đủ-dài")).json()["access_token"]
    second_admin = {"Authorization": f"Bearer {token}"}
    itself = await client.post(f"{OFFICIALS}/{second.json()['id']}/disable", headers=second_admin)
    assert itself.status_code == 409, itself.text


async def test_a_disabled_official_can_be_enabled_again_by_their_admins(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    assert world.target is not None
    target = world.target.id
    commune_admin = world.headers(Role.ADMIN, COMMUNE_A)
    assert (await client.post(f"{OFFICIALS}/{target}/disable", headers=commune_admin)).status_code == 200
    assert (await log_in(client, "target-01273")).status_code == 401
    for refused in (world.headers(Role.ADMIN, COMMUNE_B), world.headers(Role.SUPERVISOR, COMMUNE_A)):
        assert (await client.post(f"{OFFICIALS}/{target}/enable", headers=refused)).status_code == 403
    enabled = await client.post(f"{OFFICIALS}/{target}/enable", headers=commune_admin)
    assert enabled.status_code == 200, enabled.text
    assert enabled.json()["disabled"] is False
    assert (await log_in(client, "target-01273")).status_code == 200
    async with sessions() as session:
        actions = (
            await session.scalars(
                select(AuditEntry.action).where(
                    AuditEntry.object_type == "official", AuditEntry.object_id == str(target)
                )
            )
        ).all()
    assert actions == ["official.disable", "official.enable"]


@pytest.mark.parametrize("change", ["move", "disable"])
async def test_an_official_who_can_no_longer_work_a_ticket_gives_it_back_to_the_queue(
    client: httpx.AsyncClient, world: World, change: str
) -> None:
    officer = world.official(Role.OFFICER)
    tickets = f"{API}/tickets"
    assigned = await client.post(
        f"{tickets}/{world.a.code}/assign", json={"assignee_id": officer.id}, headers=world.headers(Role.SUPERVISOR)
    )
    assert assigned.status_code == 200, assigned.text
    admin = world.headers(Role.ADMIN, PROVINCE)
    if change == "move":
        done = await client.put(
            f"{OFFICIALS}/{officer.id}/role", json={"role": "officer", "unit": COMMUNE_B}, headers=admin
        )
    else:
        done = await client.post(f"{OFFICIALS}/{officer.id}/disable", headers=admin)
    assert done.status_code == 200, done.text
    detail = (await client.get(f"{tickets}/{world.a.code}", headers=world.headers(Role.SUPERVISOR))).json()
    assert detail["ticket"]["assignee_id"] is None
    last = detail["events"][-1]
    assert last["kind"] == "assignment" and last["data"]["from"] == officer.id and last["data"]["to"] is None
    queue = await client.get(tickets, params={"assignee": "none"}, headers=world.headers(Role.SUPERVISOR))
    assert world.a.code in {item["code"] for item in queue.json()["items"]}
