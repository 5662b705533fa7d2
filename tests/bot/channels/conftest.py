"""Web chat fixtures: the real application (lifespan, migrations) on each backend, and a citizen's browser."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.admin_api.conftest import _applications, app, sessions, settings  # noqa: F401 - fixtures


@pytest.fixture
async def browser(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:  # noqa: F811 - the fixture
    """One visitor: an HTTP client with its own cookie jar, speaking to the application in-process."""
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def other_browser(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:  # noqa: F811 - the fixture
    """A second visitor, with a cookie jar of its own."""
    transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
