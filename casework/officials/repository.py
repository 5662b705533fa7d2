"""Queries on officials, tokens and login attempts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.officials.models import PROVINCE, ApiToken, LoginAttempt, Official, Role


async def by_username(session: AsyncSession, username: str) -> Official | None:
    """The official with this (normalized) username."""
    return (await session.scalars(select(Official).where(Official.username == username))).one_or_none()


async def by_id(session: AsyncSession, official_id: int) -> Official | None:
    """The official with this id."""
    return await session.get(Official, official_id)


async def listed(session: AsyncSession, *, unit: str | None) -> list[Official]:
    """Officials by username, optionally of one unit only."""
    statement = select(Official).order_by(Official.username)
    if unit is not None:
        statement = statement.where(Official.unit == unit)
    return list((await session.scalars(statement)).all())


async def count_admins(session: AsyncSession) -> int:
    """How many active admins exist."""
    statement = select(func.count()).where(Official.role == Role.ADMIN, Official.disabled.is_(False))
    return int((await session.execute(statement)).scalar_one())


async def active_province_admin_ids(session: AsyncSession) -> list[int]:
    """Ids of the active province admins, locked until the transaction ends (PostgreSQL) so two removals cannot race."""
    statement = (
        select(Official.id)
        .where(Official.role == Role.ADMIN, Official.unit == PROVINCE, Official.disabled.is_(False))
        .with_for_update()
    )
    return list((await session.scalars(statement)).all())


async def token_with_owner(session: AsyncSession, token_hash: str) -> tuple[ApiToken, Official] | None:
    """A stored token and its official, found by the token's hash."""
    statement = (
        select(ApiToken, Official)
        .join(Official, Official.id == ApiToken.official_id)
        .where(ApiToken.token_hash == token_hash)
    )
    row = (await session.execute(statement)).one_or_none()
    return None if row is None else (row[0], row[1])


async def failure_times(
    session: AsyncSession,
    *,
    after: dt.datetime,
    limit: int,
    username: str | None = None,
    address: str | None = None,
    after_id: int | None = None,
) -> list[dt.datetime]:
    """Times of failed logins after ``after`` (and after attempt ``after_id``) for a username or an address, newest first."""
    statement = select(LoginAttempt.at).where(LoginAttempt.succeeded.is_(False), LoginAttempt.at > after)
    if username is not None:
        statement = statement.where(LoginAttempt.username == username)
    if address is not None:
        statement = statement.where(LoginAttempt.address == address)
    if after_id is not None:
        statement = statement.where(LoginAttempt.id > after_id)
    statement = statement.order_by(LoginAttempt.at.desc()).limit(limit)
    return list((await session.scalars(statement)).all())


async def last_success_id(session: AsyncSession, *, username: str, address: str, after: dt.datetime) -> int | None:
    """The id of this username's latest successful login from this address within the window, if any."""
    statement = select(func.max(LoginAttempt.id)).where(
        LoginAttempt.username == username,
        LoginAttempt.address == address,
        LoginAttempt.succeeded.is_(True),
        LoginAttempt.at > after,
    )
    value: int | None = (await session.execute(statement)).scalar_one()
    return value
