"""Queries on idempotency keys."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.db import insert_ignoring_conflict
from casework.idempotency.models import IdempotencyKey


async def find(session: AsyncSession, *, official_id: int, key: str) -> IdempotencyKey | None:
    """An official's key, freshly read (a concurrent request may just have committed it)."""
    statement = (
        select(IdempotencyKey)
        .where(IdempotencyKey.official_id == official_id, IdempotencyKey.key == key)
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).one_or_none()


async def insert(session: AsyncSession, values: dict[str, Any]) -> int | None:
    """Insert a key; None when the official already holds it (on PostgreSQL, after its transaction ends)."""
    return await insert_ignoring_conflict(session, IdempotencyKey, values, conflict_on=["official_id", "key"])


async def delete_expired(session: AsyncSession, *, now: dt.datetime) -> int:
    """Delete every key past its lifetime; return how many went."""
    result = await session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0)
