"""Failed logins lock a username out only from the address they came from, never everywhere."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.admin_api.conftest import API, PASSWORD, World

TOKEN = f"{API}/auth/token"
USERNAME = "officer-01273"
ATTACKER = "198.51.100.66"
OFFICIAL = "203.0.113.10"


@pytest.fixture
async def clients(app: FastAPI) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """One HTTP client per client address (what uvicorn reads from the proxy's X-Forwarded-For)."""
    opened: dict[str, httpx.AsyncClient] = {}
    try:
        for address in (ATTACKER, OFFICIAL):
            transport = httpx.ASGITransport(app=app, client=(address, 50000))
            opened[address] = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        yield opened
    finally:
        for http in opened.values():
            await http.aclose()


async def log_in(client: httpx.AsyncClient, password: str, username: str = USERNAME) -> httpx.Response:
    return await client.post(TOKEN, data={"username": username, "password": password})


async def test_failures_from_one_address_do_not_lock_the_official_out_elsewhere(
    clients: dict[str, httpx.AsyncClient], world: World
) -> None:
    attacker, official = clients[ATTACKER], clients[OFFICIAL]
    for _ in range(5):
        assert (await log_in(attacker, "đoán-mật-khẩu")).status_code == 401
    locked = await log_in(attacker, PASSWORD)  # even the right password, from the attacker's address
    assert locked.status_code == 429 and locked.json()["error"] == "login_locked"
    assert int(locked.headers["Retry-After"]) > 0
    response = await log_in(official, PASSWORD)
    assert response.status_code == 200, response.text


async def test_one_address_trying_many_usernames_is_still_throttled(
    clients: dict[str, httpx.AsyncClient], world: World
) -> None:
    attacker, official = clients[ATTACKER], clients[OFFICIAL]
    for number in range(20):
        assert (await log_in(attacker, "đoán-mật-khẩu", username=f"ten-{number}")).status_code == 401
    assert (await log_in(attacker, PASSWORD)).status_code == 429
    assert (await log_in(official, PASSWORD)).status_code == 200
