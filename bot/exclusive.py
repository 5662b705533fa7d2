"""Run a job in one process of the deployment at a time, under a lease (a poller: two would fight).

While the lease is held the job runs and the lease is renewed every third of its lifetime; if a
renewal fails (the database is down, or another process took the lease after we stalled) the job
is stopped, and this process goes back to waiting for the lease.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.leases.service import acquire, release

log = logging.getLogger(__name__)


async def run_exclusively(
    name: str,
    job: Callable[[], Coroutine[Any, Any, None]],
    sessions: async_sessionmaker[AsyncSession],
    *,
    ttl: dt.timedelta = dt.timedelta(seconds=15),
    holder: str | None = None,
) -> None:
    """Run ``job()`` whenever this process holds the lease ``name``; until cancelled."""
    holder = holder or f"{name}-{uuid.uuid4().hex[:12]}"
    wait = ttl.total_seconds() / 3
    while True:
        if not await _renew(name, holder, ttl, sessions):
            await asyncio.sleep(wait)
            continue
        log.info("%s: this process holds the lease", name)
        task = asyncio.create_task(job())
        try:
            while not task.done():
                done, _ = await asyncio.wait({task}, timeout=wait)
                if not done and not await _renew(name, holder, ttl, sessions):
                    log.warning("%s: lost the lease; stopping here", name)
                    break
        finally:
            if not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                await _release(name, holder, sessions)
        if task.done() and not task.cancelled() and task.exception() is not None:
            log.error("%s stopped with %s; starting again", name, type(task.exception()).__name__)
            await asyncio.sleep(wait)


async def _renew(name: str, holder: str, ttl: dt.timedelta, sessions: async_sessionmaker[AsyncSession]) -> bool:
    try:
        async with sessions() as session:
            held = await acquire(session, name=name, holder=holder, ttl=ttl)
            await session.commit()
            return held
    except (SQLAlchemyError, OSError) as failure:
        log.warning("%s: the lease could not be renewed: %s", name, type(failure).__name__)
        return False


async def _release(name: str, holder: str, sessions: async_sessionmaker[AsyncSession]) -> None:
    try:
        async with sessions() as session:
            await release(session, name=name, holder=holder)
            await session.commit()
    except (SQLAlchemyError, OSError):  # pragma: no cover - the lease runs out by itself
        pass
