"""Read a platform account's tokens, and replace them under a row lock when they run out.

A Zalo OA refresh token works once: if two processes refreshed at the same time, the second would
present a spent token and the account would be locked out until someone configures it by hand. So
a refresh happens inside ``locked``: on PostgreSQL ``SELECT … FOR UPDATE`` holds the row; SQLite
has one writer, and the transaction takes the write lock before it reads. Whoever gets the lock
second finds the tokens already renewed and uses them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from casework.credentials.models import ChannelToken
from casework.db import insert_if_absent, utcnow


async def seed(
    session: AsyncSession, *, account: str, access_token: str, refresh_token: str, expires_at: dt.datetime
) -> None:
    """Store the configured tokens the first time; later starts keep the (newer) stored ones."""
    await insert_if_absent(
        session,
        ChannelToken,
        {
            "account": account,
            "access_token": access_token,
            "refresh_token": refresh_token,
            "expires_at": expires_at,
            "updated_at": utcnow(),
        },
        conflict_on=["account"],
    )


async def current(session: AsyncSession, *, account: str) -> ChannelToken | None:
    """The account's tokens as stored now."""
    statement = select(ChannelToken).where(ChannelToken.account == account).execution_options(populate_existing=True)
    return (await session.scalars(statement)).one_or_none()


async def locked(session: AsyncSession, *, account: str) -> ChannelToken | None:
    """The account's tokens, locked until the caller's transaction ends (see the module docstring)."""
    if session.get_bind().dialect.name == "sqlite":
        # Take SQLite's write lock now, before reading: a no-op write does it.
        await session.execute(
            update(ChannelToken).where(ChannelToken.account == account).values(account=ChannelToken.account)
        )
    statement = (
        select(ChannelToken)
        .where(ChannelToken.account == account)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).one_or_none()


async def replace(
    session: AsyncSession, token: ChannelToken, *, access_token: str, refresh_token: str, expires_at: dt.datetime
) -> None:
    """Store the tokens a refresh returned (in the transaction that holds the lock)."""
    token.access_token = access_token
    token.refresh_token = refresh_token
    token.expires_at = expires_at
    token.updated_at = utcnow()
    await session.flush()
