"""Leases: one holder at a time, renewed by the holder, taken over only once it ran out."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.leases.service import acquire, release
from tests.casework.factories import NOW

TTL = dt.timedelta(seconds=15)


async def test_one_holder_at_a_time_until_the_lease_runs_out(session: AsyncSession) -> None:
    assert await acquire(session, name="dispatch:telegram", holder="a", ttl=TTL, now=NOW)
    assert not await acquire(session, name="dispatch:telegram", holder="b", ttl=TTL, now=NOW + dt.timedelta(seconds=14))
    assert await acquire(session, name="dispatch:telegram", holder="a", ttl=TTL, now=NOW + dt.timedelta(seconds=10))
    # Renewed at +10 s: still a's at +20 s, b's only after +25 s.
    assert not await acquire(session, name="dispatch:telegram", holder="b", ttl=TTL, now=NOW + dt.timedelta(seconds=20))
    assert await acquire(session, name="dispatch:telegram", holder="b", ttl=TTL, now=NOW + dt.timedelta(seconds=26))
    assert not await acquire(session, name="dispatch:telegram", holder="a", ttl=TTL, now=NOW + dt.timedelta(seconds=27))


async def test_leases_are_independent_and_a_released_one_is_free_at_once(session: AsyncSession) -> None:
    assert await acquire(session, name="poll:telegram", holder="a", ttl=TTL, now=NOW)
    assert await acquire(session, name="poll:zalo_bot", holder="b", ttl=TTL, now=NOW)
    await release(session, name="poll:telegram", holder="b")  # not b's: nothing happens
    assert not await acquire(session, name="poll:telegram", holder="b", ttl=TTL, now=NOW)
    await release(session, name="poll:telegram", holder="a")
    assert await acquire(session, name="poll:telegram", holder="b", ttl=TTL, now=NOW)


async def test_two_processes_racing_for_a_free_lease_get_one_holder(sessions: async_sessionmaker[AsyncSession]) -> None:
    async def contend(holder: str) -> bool:
        async with sessions() as session:
            held = await acquire(session, name="dispatch:zalo", holder=holder, ttl=TTL, now=NOW)
            await session.commit()
            return held

    results = await asyncio.gather(*(contend(f"p{number}") for number in range(5)))
    assert sorted(results) == [False, False, False, False, True]
