"""Database engines: the embedded SQLite file by default, PostgreSQL in production."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import weakref
from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from functools import partial
from pathlib import Path
from typing import Any

import aiosqlite
from sqlalchemy import event, text
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
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


class _OneHopCursor:
    """An aiosqlite cursor that runs each statement in one trip to the connection's thread.

    aiosqlite makes a trip for creating the cursor, executing, fetching and closing it: four
    hand-offs between the event loop and the thread per statement, each a wake-up of both. Here
    the statement is executed, its rows fetched and the cursor closed in one trip; fetching and
    closing then need none. No query of ours streams its rows (server-side cursors are never asked
    for), so reading them all at once changes nothing but the number of trips.
    """

    arraysize = 1

    def __init__(self, connection: _OneHopConnection) -> None:
        self._connection = connection
        self._rows: list[Any] = []
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    async def __aenter__(self) -> _OneHopCursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        return None

    def _run(self, method: str, operation: str, parameters: Any) -> tuple[Any, list[Any], int, int | None]:
        cursor = self._connection._conn.cursor()
        try:
            getattr(cursor, method)(operation, parameters)
            description = cursor.description
            rows = cursor.fetchall() if description else []
            return description, rows, cursor.rowcount, cursor.lastrowid
        finally:
            cursor.close()

    async def _trip(self, method: str, operation: str, parameters: Any) -> _OneHopCursor:
        trip = self._connection._execute(self._run, method, operation, parameters)  # type: ignore[no-untyped-call]
        self.description, self._rows, self.rowcount, self.lastrowid = await trip
        return self

    async def execute(self, operation: str, parameters: Sequence[Any] | None = None) -> _OneHopCursor:
        return await self._trip("execute", operation, () if parameters is None else parameters)

    async def executemany(self, operation: str, parameters: Iterable[Sequence[Any]]) -> _OneHopCursor:
        return await self._trip("executemany", operation, list(parameters))

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        size = size or self.arraysize
        taken, self._rows = self._rows[:size], self._rows[size:]
        return taken

    async def fetchall(self) -> list[Any]:
        taken, self._rows = self._rows, []
        return taken

    async def setinputsizes(self, *_: Any) -> None:
        return None

    async def close(self) -> None:
        self._rows = []


class _OneHopConnection(aiosqlite.Connection):
    """aiosqlite's connection (its thread, commit, rollback, close) with the one-trip cursor."""

    def cursor(self) -> _OneHopCursor:  # type: ignore[override]
        return _OneHopCursor(self)


def _one_hop_connector(url: str, connect_args: dict[str, Any]) -> Any:
    """SQLAlchemy's ``async_creator`` for a SQLite URL: the arguments the aiosqlite dialect would use."""
    arguments, options = SQLiteDialect_aiosqlite().create_connect_args(make_url(url))
    options.update(connect_args)

    async def connect() -> _OneHopConnection:
        connection = _OneHopConnection(partial(sqlite3.connect, *arguments, **options), 64)
        connection._thread.daemon = True  # as SQLAlchemy does for aiosqlite: never keeps the process alive
        await connection  # starts its thread and opens the file there
        return connection

    return connect


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
    engine = create_async_engine(url, async_creator=_one_hop_connector(url, connect_args), hide_parameters=True)

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


_writers: weakref.WeakKeyDictionary[AsyncEngine, asyncio.Lock] = weakref.WeakKeyDictionary()


def writing(sessions: async_sessionmaker[AsyncSession]) -> AbstractAsyncContextManager[object]:
    """The process's turn to write: one lock per SQLite engine, nothing on a server database.

    SQLite has one writer. Without this, the writers of one process (web chat turns, webhooks,
    the dispatcher's small commits) wait for each other in SQLite's busy handler, which sleeps up
    to 100 ms at a time; in line behind an asyncio lock each starts the moment the last is done.
    """
    engine = sessions.kw.get("bind")
    if not isinstance(engine, AsyncEngine) or engine.dialect.name != "sqlite":
        return contextlib.nullcontext()
    lock = _writers.get(engine)
    if lock is None:
        lock = _writers[engine] = asyncio.Lock()
    return lock


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for one unit of work each; objects stay readable after commit (no lazy reload in async)."""
    return async_sessionmaker(engine, expire_on_commit=False)
