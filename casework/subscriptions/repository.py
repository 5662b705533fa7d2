"""Queries on subscriptions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.channels import Channel
from casework.subscriptions.models import Subscription


async def of_chat(session: AsyncSession, *, channel: Channel, chat_ref: str) -> Sequence[Subscription]:
    """A chat's subscriptions, oldest first."""
    statement = (
        select(Subscription)
        .where(Subscription.channel == channel, Subscription.chat_ref == chat_ref)
        .order_by(Subscription.id)
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).all()


async def one(session: AsyncSession, *, channel: Channel, chat_ref: str, commune_code: str) -> Subscription | None:
    """A chat's subscription to one commune, if any."""
    statement = select(Subscription).where(
        Subscription.channel == channel, Subscription.chat_ref == chat_ref, Subscription.commune_code == commune_code
    )
    return (await session.scalars(statement.execution_options(populate_existing=True))).one_or_none()


async def delete_of_chat(
    session: AsyncSession, *, channel: Channel, chat_ref: str, commune_code: str | None = None
) -> int:
    """Delete the subscriptions of a chat (to one commune, or all); return how many there were."""
    statement = delete(Subscription).where(Subscription.channel == channel, Subscription.chat_ref == chat_ref)
    if commune_code is not None:
        statement = statement.where(Subscription.commune_code == commune_code)
    result = await session.execute(statement.execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


async def of_commune(session: AsyncSession, *, commune_code: str, after_id: int, limit: int) -> Sequence[Subscription]:
    """One page of a commune's subscribers, by id (for a broadcast to walk through them all)."""
    statement = (
        select(Subscription)
        .where(Subscription.commune_code == commune_code, Subscription.id > after_id)
        .order_by(Subscription.id)
        .limit(limit)
    )
    return (await session.scalars(statement)).all()


def new(values: dict[str, object], at: dt.datetime) -> Subscription:
    """A subscription row from validated values."""
    return Subscription(**values, created_at=at, updated_at=at)
