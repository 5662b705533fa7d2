"""Take, renew and give up leases with single statements, so two processes never both hold one."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from casework.db import insert_if_absent, utcnow
from casework.leases.models import Lease


async def acquire(
    session: AsyncSession, *, name: str, holder: str, ttl: dt.timedelta, now: dt.datetime | None = None
) -> bool:
    """Take or renew the lease for ``ttl``; True if ``holder`` holds it now (in the caller's transaction).

    The holder keeps it by renewing well within ``ttl``; another process gets it only once it has run
    out. The conditional UPDATE is atomic on both backends: of two processes racing for an expired
    lease, the second finds it already renewed by the first.
    """
    now = now or utcnow()
    if await insert_if_absent(
        session, Lease, {"name": name, "holder": holder, "expires_at": now + ttl}, conflict_on=["name"]
    ):
        return True
    result = await session.execute(
        update(Lease)
        .where(Lease.name == name, or_(Lease.holder == holder, Lease.expires_at < now))
        .values(holder=holder, expires_at=now + ttl)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def release(session: AsyncSession, *, name: str, holder: str) -> None:
    """Give the lease up now (on a clean stop), so that another process need not wait for it to run out."""
    await session.execute(
        update(Lease)
        .where(Lease.name == name, Lease.holder == holder)
        .values(expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        .execution_options(synchronize_session=False)
    )
