"""Database engines: the embedded SQLite file by default, PostgreSQL in production."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def _keep_personal_data_out_of_logs() -> None:
    """Bound values and result rows are citizens' phones, chats and words: they must never reach a log.

    ``hide_parameters`` (below) covers SQL logs and error messages; result rows are logged at
    DEBUG by SQLAlchemy and statements with their values by aiosqlite, so those loggers are capped
    at INFO even when someone turns SQL logging on.
    """
    for name in ("sqlalchemy.engine", "aiosqlite"):
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)


def create_engine(url: str) -> AsyncEngine:
    """Create an async engine; for a SQLite file, make its folder and enable WAL."""
    parsed = make_url(url)
    _keep_personal_data_out_of_logs()
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True, hide_parameters=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # How long a writer waits for SQLite's lock before failing: 30 s unless the URL says (``?timeout=5``).
    connect_args = {} if "timeout" in parsed.query else {"timeout": 30}
    engine = create_async_engine(url, connect_args=connect_args, hide_parameters=True)

    @event.listens_for(engine.sync_engine, "connect")
    def _pragmas(connection, _record):  # type: ignore[no-untyped-def]
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


async def ping(engine: AsyncEngine) -> str:
    """Run a trivial query and return the server's dialect name; raise if unreachable."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
    return engine.dialect.name


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for one unit of work each; objects stay readable after commit (no lazy reload in async)."""
    return async_sessionmaker(engine, expire_on_commit=False)
