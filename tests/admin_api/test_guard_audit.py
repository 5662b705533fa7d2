"""The audit trail spans every commune, confidential tickets included: province admins only."""

from __future__ import annotations

import httpx

from casework.officials.models import PROVINCE, Role
from tests.admin_api.conftest import API, COMMUNE_A, COMMUNE_B, World

AUDIT = f"{API}/audit"


async def test_commune_admins_cannot_read_the_audit_trail(client: httpx.AsyncClient, world: World) -> None:
    # An event on commune A's confidential ticket, which its own commune admin cannot open.
    province = world.headers(Role.ADMIN, PROVINCE)
    assert (await client.get(f"{API}/tickets/{world.confidential.code}", headers=province)).status_code == 200
    assert (
        await client.get(f"{API}/tickets/{world.confidential.code}", headers=world.headers(Role.ADMIN))
    ).status_code == 404
    for unit in (COMMUNE_A, COMMUNE_B):
        for params in ({}, {"object_id": world.confidential.code}):
            response = await client.get(AUDIT, params=params, headers=world.headers(Role.ADMIN, unit))
            assert response.status_code == 403, f"admin@{unit}: {response.text}"
            assert response.json()["error"] == "forbidden"
            assert world.confidential.code not in response.text
    trail = await client.get(AUDIT, params={"object_id": world.confidential.code}, headers=province)
    assert trail.status_code == 200
    assert [item["action"] for item in trail.json()["items"]][0] == "ticket.read_personal"
