"""Queries on the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.audit.models import AuditEntry
from casework.audit.schemas import AuditQuery
from casework.pagination import SortKey, after, order_terms

NEWEST_FIRST = [SortKey(AuditEntry.id, int, descending=True)]


def _conditions(query: AuditQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.action is not None:
        conditions.append(AuditEntry.action == query.action)
    if query.actor_id is not None:
        conditions.append(AuditEntry.actor_id == query.actor_id)
    if query.object_type is not None:
        conditions.append(AuditEntry.object_type == query.object_type)
    if query.object_id is not None:
        conditions.append(AuditEntry.object_id == query.object_id)
    if query.since is not None:
        conditions.append(AuditEntry.at >= query.since)
    if query.until is not None:
        conditions.append(AuditEntry.at < query.until)
    return conditions


async def newest_entries(
    session: AsyncSession, *, query: AuditQuery, last: Sequence[Any] | None, limit: int
) -> list[AuditEntry]:
    """Entries matching the query, newest first, after the keyset ``last`` if given."""
    statement = select(AuditEntry).where(*_conditions(query))
    if last is not None:
        statement = statement.where(after(NEWEST_FIRST, last))
    statement = statement.order_by(*order_terms(NEWEST_FIRST)).limit(limit)
    return list((await session.scalars(statement)).all())
