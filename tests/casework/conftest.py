"""Casework fixtures: a fresh schema per test on each backend, and a session on it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from casework.database import create_engine, create_session_factory
from casework.models import Base


async def drop_everything(engine: AsyncEngine) -> None:
    """Leave the database empty: no casework table, no Alembic bookkeeping."""
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
        await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture
async def empty_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on an empty database (the PostgreSQL one is shared by the session's tests)."""
    engine = create_engine(database_url)
    await drop_everything(engine)
    try:
        yield engine
    finally:
        await drop_everything(engine)
        await engine.dispose()


@pytest.fixture
async def engine(empty_engine: AsyncEngine) -> AsyncEngine:
    """An engine on a database holding the casework schema and nothing else."""
    async with empty_engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    return empty_engine


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@pytest.fixture
async def session(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One unit of work; whatever the test leaves uncommitted is rolled back."""
    async with sessions() as session:
        yield session
        await session.rollback()
