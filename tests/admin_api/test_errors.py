"""One error shape everywhere, and never a stack trace."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from admin_api.errors import STATUS_OF
from casework.errors import CaseworkError
from casework.officials.models import Role
from caunoi.app import create_app
from tests.admin_api.conftest import API, World, empty_database, settings_for

SHAPE = {"error", "detail", "field", "problems"}


async def test_unknown_paths_and_methods_answer_in_the_error_shape(client: httpx.AsyncClient) -> None:
    missing = await client.get(f"{API}/nothing-here")
    assert missing.status_code == 404 and set(missing.json()) == SHAPE
    wrong = await client.delete(f"{API}/healthz")
    assert wrong.status_code == 405 and wrong.json()["error"] == "method_not_allowed"
    assert wrong.headers["Allow"] == "GET"
    slash = await client.get(f"{API}/healthz/")  # a trailing slash is another path, not a redirect
    assert slash.status_code == 404 and set(slash.json()) == SHAPE


async def test_a_body_that_is_not_json_is_422(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        f"{API}/tickets/{world.a.code}/notes",
        content=b"{not json",
        headers=world.headers(Role.OFFICER, **{"Content-Type": "application/json"}),
    )
    assert response.status_code == 422 and response.json()["error"] == "validation_failed"


async def test_a_huge_body_is_refused_before_it_is_read(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        f"{API}/tickets/{world.a.code}/notes",
        content=b'{"text": "' + b"a" * 2_000_000 + b'"}',
        headers=world.headers(Role.OFFICER, **{"Content-Type": "application/json"}),
    )
    assert response.status_code == 413 and response.json()["error"] == "payload_too_large"


async def test_every_answer_carries_the_security_headers(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{API}/healthz")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    assert "server" not in response.headers


@pytest.fixture
async def fragile_app(database_url: str, tmp_path: Path) -> AsyncIterator[FastAPI]:
    """The application plus one route that fails the way a bug would."""
    settings = settings_for(database_url, tmp_path)
    await empty_database(settings.resolved_database_url)
    app = create_app(settings)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals: /srv/caunoi/db password=hunter2")

    async with app.router.lifespan_context(app):
        yield app


async def test_an_unexpected_error_is_logged_and_answered_500_without_a_trace(
    fragile_app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    transport = httpx.ASGITransport(app=fragile_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        with caplog.at_level(logging.ERROR, logger="admin_api.errors"):
            response = await client.get("/boom")
    assert response.status_code == 500
    assert response.json() == {
        "error": "internal",
        "detail": "internal error; it has been logged",
        "field": None,
        "problems": [],
    }
    assert "hunter2" not in response.text and "Traceback" not in response.text
    assert any(record.exc_info for record in caplog.records)


async def test_a_huge_streamed_body_is_refused_too(client: httpx.AsyncClient, world: World) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"text": "'
        for _ in range(40):
            yield b"a" * 50_000
        yield b'"}'

    response = await client.post(
        f"{API}/tickets/{world.a.code}/notes",
        content=chunks(),
        headers=world.headers(Role.OFFICER, **{"Content-Type": "application/json"}),
    )
    assert response.status_code == 413 and response.json()["error"] == "payload_too_large"


def _all_subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    return found.union(*(_all_subclasses(sub) for sub in found)) if found else found


def test_every_domain_error_has_its_own_status() -> None:
    mapped = {error_class for error_class, _, _ in STATUS_OF}
    for error_class in _all_subclasses(CaseworkError):
        assert any(issubclass(error_class, known) for known in mapped), error_class


async def test_a_wrong_method_lists_every_method_the_path_serves(client: httpx.AsyncClient) -> None:
    response = await client.patch(f"{API}/tickets")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, POST"


async def test_a_body_that_is_not_utf8_is_422(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        f"{API}/tickets/{world.a.code}/notes",
        content=b"\xff\xfe\x00",
        headers=world.headers(Role.OFFICER, **{"Content-Type": "application/json"}),
    )
    assert response.status_code == 422 and response.json()["field"] == "body"


@pytest.mark.parametrize(
    "payload",
    [
        b'{"o":"deadline","v":["2026-01-01",1e400]}',  # a number too large for any integer
        b'{"o":"deadline","v":["2026-01-01",99999999999999999999]}',  # beyond PostgreSQL's integer
        b'{"o":"-received_at","v":["2026-01-01T00:00:00",5]}',  # a time without its zone
    ],
)
async def test_a_forged_cursor_is_never_a_server_error(client: httpx.AsyncClient, world: World, payload: bytes) -> None:
    cursor = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    sort = json.loads(payload)["o"]
    response = await client.get(
        f"{API}/tickets", params={"sort": sort, "cursor": cursor}, headers=world.headers(Role.OFFICER)
    )
    assert response.status_code == 422, response.text
