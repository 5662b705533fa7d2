"""Logging in and out: tokens that work, and tokens that stop working (expired, revoked, after a password change)."""

from __future__ import annotations

import datetime as dt

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.db import utcnow
from casework.officials.models import PROVINCE, LoginAttempt, Role
from casework.officials.service import issue_token
from tests.admin_api.conftest import API, COMMUNE_A, PASSWORD, World

ME = f"{API}/officials/me"
TOKEN = f"{API}/auth/token"


async def log_in(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post(TOKEN, data={"username": username, "password": password, "grant_type": "password"})


async def test_a_good_login_gives_a_bearer_token_that_identifies_the_official(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await log_in(client, "OFFICER-01273", PASSWORD)  # usernames are case-insensitive
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer" and 0 < body["expires_in"] <= 12 * 3600  # noqa: S105
    me = await client.get(ME, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert (me.json()["username"], me.json()["unit"]) == ("officer-01273", COMMUNE_A)
    assert "ticket.reply" in me.json()["permissions"] and "audit.read" not in me.json()["permissions"]
    assert "password_hash" not in me.text


async def test_a_wrong_password_is_401_with_the_error_shape(client: httpx.AsyncClient, world: World) -> None:
    response = await log_in(client, "officer-01273", "not the password")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["error"] == "unauthenticated"
    assert "not the password" not in response.text


async def test_the_sixth_bad_login_in_the_window_is_429_with_retry_after(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    for _ in range(5):
        assert (await log_in(client, "officer-01273", "wrong password")).status_code == 401
    locked = await log_in(client, "officer-01273", "wrong password")
    assert locked.status_code == 429
    assert locked.json()["error"] == "login_locked"
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    # Even the right password waits now: the lock is on the account, not on the guess.
    assert (await log_in(client, "officer-01273", PASSWORD)).status_code == 429
    async with sessions() as session:
        failures = await session.scalar(select(func.count()).where(LoginAttempt.succeeded.is_(False)))
    assert failures == 5  # committed although each request failed


async def test_requests_without_a_usable_token_are_401(client: httpx.AsyncClient, world: World) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer nonsense"},
        {"Authorization": f"Basic {world.tokens[(Role.ADMIN, PROVINCE)]}"},
    ):
        response = await client.get(ME, headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_an_expired_token_is_401(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session:
        issued = await issue_token(
            session, official=world.official(Role.OFFICER), now=utcnow() - dt.timedelta(hours=12, seconds=1)
        )
        await session.commit()
    response = await client.get(ME, headers={"Authorization": f"Bearer {issued.token}"})
    assert response.status_code == 401


async def test_logout_revokes_the_token(client: httpx.AsyncClient, world: World) -> None:
    headers = world.headers(Role.OFFICER)
    assert (await client.post(f"{API}/auth/logout", headers=headers)).status_code == 204
    assert (await client.get(ME, headers=headers)).status_code == 401
    assert (await client.post(f"{API}/auth/logout", headers=headers)).status_code == 401


async def test_a_password_change_ends_every_earlier_token(client: httpx.AsyncClient, world: World) -> None:
    officer = world.official(Role.OFFICER)
    old_headers = world.headers(Role.OFFICER)
    response = await client.put(
        f"{API}/officials/{officer.id}/password",
        json={"password": "một-mật-khẩu-mới-đủ-dài"},
        headers=world.headers(Role.ADMIN, COMMUNE_A),
    )
    assert response.status_code == 200, response.text
    assert (await client.get(ME, headers=old_headers)).status_code == 401
    assert (await log_in(client, officer.username, PASSWORD)).status_code == 401
    assert (await log_in(client, officer.username, "một-mật-khẩu-mới-đủ-dài")).status_code == 200


async def test_a_disabled_account_can_neither_use_its_token_nor_log_in(client: httpx.AsyncClient, world: World) -> None:
    officer = world.official(Role.OFFICER)
    response = await client.post(f"{API}/officials/{officer.id}/disable", headers=world.headers(Role.ADMIN, PROVINCE))
    assert response.status_code == 200 and response.json()["disabled"] is True
    assert (await client.get(ME, headers=world.headers(Role.OFFICER))).status_code == 401
    assert (await log_in(client, officer.username, PASSWORD)).status_code == 401


async def test_the_login_form_refuses_unknown_fields_without_echoing_them(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        TOKEN, data={"username": "officer-01273", "password": PASSWORD, "remember_me": "bí-mật-123"}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "remember_me"
    assert "bí-mật-123" not in response.text and PASSWORD not in response.text
