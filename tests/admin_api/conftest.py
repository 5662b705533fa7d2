"""API fixtures: the real application (lifespan, migrations) on each backend, an HTTP client, and a small world.

The world: officials of every role in commune A, commune B and the province, each with a
bearer token, and tickets of both communes (one of A's confidential).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from admin_api.context import context_of
from casework.database import create_engine
from casework.db import utcnow
from casework.models import Base
from casework.officials.models import PROVINCE, Official, Role
from casework.officials.service import issue_token
from casework.tickets.schemas import TicketPublic
from casework.tickets.service import submit_ticket
from caunoi.app import create_app
from caunoi.settings import Environment, Settings
from tests.casework.factories import PASSWORD, make_official, ticket_data

COMMUNE_A = "01273"  # Phường Thục Phán
COMMUNE_B = "01279"  # another unit of the gazetteer
UNITS = (COMMUNE_A, COMMUNE_B, PROVINCE)
API = "/api/v1"
# Far enough back that a feedback ticket received then is overdue today, whatever today is.
LONG_AGO = dt.timedelta(days=60)


async def empty_database(url: str) -> None:
    """Empty every casework table, keeping a migrated schema (dropping anything else, so the app migrates it).

    The PostgreSQL database is shared with the casework tests, which leave it empty; emptying
    instead of re-migrating keeps each API test to a few milliseconds of setup.
    """
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            present = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
            if present != set(Base.metadata.tables) | {"alembic_version"}:
                await connection.run_sync(Base.metadata.drop_all)
                await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
            elif connection.dialect.name == "postgresql":
                names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
                await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(Base.metadata.sorted_tables):
                    await connection.execute(table.delete())
    finally:
        await engine.dispose()


def settings_for(database_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    """Settings of a test process on this database (no environment needed)."""
    values: dict[str, Any] = {
        "environment": Environment.TEST,
        "secret_key": "a-test-secret-that-is-not-the-default",
        "database_url": database_url,
        "data_dir": tmp_path / "data",
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def _applications(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Settings, FastAPI]]:
    """One application per backend for the session: FastAPI builds its routes once, not once per test."""
    return {}


@pytest.fixture
def settings(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, _applications: dict[str, tuple[Settings, FastAPI]]
) -> Settings:
    backend = make_url(database_url).get_backend_name()
    if backend not in _applications:
        # SQLite too gets one file for the session, emptied between tests like the PostgreSQL database.
        directory = tmp_path_factory.mktemp("api")
        url = f"sqlite+aiosqlite:///{directory / 'caunoi.db'}" if backend == "sqlite" else database_url
        built = settings_for(url, directory)
        _applications[backend] = (built, create_app(built))
    return _applications[backend][0]


@pytest.fixture
async def app(settings: Settings, _applications: dict[str, tuple[Settings, FastAPI]]) -> AsyncIterator[FastAPI]:
    """The application with its lifespan entered on an empty database: migrated, context attached."""
    [application] = [built for known, built in _applications.values() if known is settings]
    await empty_database(settings.resolved_database_url)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client speaking to the application in-process (real requests, no network)."""
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def sessions(app: FastAPI) -> async_sessionmaker[AsyncSession]:
    """Sessions on the application's own database, for arranging data and checking what was stored."""
    return context_of(app).sessions


@dataclass
class World:
    """Officials of every role in each unit with their tokens, and tickets of both communes."""

    officials: dict[tuple[Role, str], Official] = field(default_factory=dict)
    tokens: dict[tuple[Role, str], str] = field(default_factory=dict)
    target: Official | None = None  # an account for admins to act on, holding none of the tokens
    ticket_a: TicketPublic | None = None
    other_ticket_a: TicketPublic | None = None
    confidential_a: TicketPublic | None = None
    ticket_b: TicketPublic | None = None

    def headers(self, role: Role, unit: str = COMMUNE_A, **extra: str) -> dict[str, str]:
        """The Authorization header of that official, plus any other headers."""
        return {"Authorization": f"Bearer {self.tokens[(role, unit)]}", **extra}

    def official(self, role: Role, unit: str = COMMUNE_A) -> Official:
        return self.officials[(role, unit)]

    @property
    def a(self) -> TicketPublic:
        assert self.ticket_a is not None
        return self.ticket_a

    @property
    def b(self) -> TicketPublic:
        assert self.ticket_b is not None
        return self.ticket_b

    @property
    def other(self) -> TicketPublic:
        assert self.other_ticket_a is not None
        return self.other_ticket_a

    @property
    def confidential(self) -> TicketPublic:
        assert self.confidential_a is not None
        return self.confidential_a


async def new_ticket(
    session: AsyncSession, *, received_ago: dt.timedelta = dt.timedelta(0), **fields: Any
) -> TicketPublic:
    """A citizen's ticket (Telegram, commune A unless given) received some time ago."""
    return await submit_ticket(session, data=ticket_data(**fields), now=utcnow() - received_ago)


@pytest.fixture
async def world(sessions: async_sessionmaker[AsyncSession]) -> World:
    built = World()
    async with sessions() as session:
        for unit in UNITS:
            for role in Role:
                official = await make_official(session, role=role, unit=unit, username=f"{role}-{unit}")
                built.officials[(role, unit)] = official
                built.tokens[(role, unit)] = (await issue_token(session, official=official)).token
        built.target = await make_official(session, role=Role.OFFICER, unit=COMMUNE_A, username="target-01273")
        built.ticket_a = await new_ticket(session, commune_code=COMMUNE_A, received_ago=LONG_AGO)
        built.other_ticket_a = await new_ticket(session, commune_code=COMMUNE_A, text="Chưa nhận được tiền hỗ trợ.")
        built.confidential_a = await new_ticket(
            session, commune_code=COMMUNE_A, confidential=True, text="Cán bộ xã đòi tiền khi làm hồ sơ."
        )
        built.ticket_b = await new_ticket(session, commune_code=COMMUNE_B, received_ago=LONG_AGO)
        await session.commit()
    return built


__all__ = ["PASSWORD", "World"]
