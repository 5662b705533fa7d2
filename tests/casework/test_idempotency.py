"""Idempotency keys: claimed once, answered with the first answer, refused for another request, forgotten in time."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.errors import Conflict, NotFound, ValidationFailed
from casework.idempotency.models import IdempotencyKey
from casework.idempotency.schemas import KEY_LIFETIME, StoredResponse
from casework.idempotency.service import claim_key, purge_expired, store_response
from tests.casework.factories import NOW, make_official

ANSWER = StoredResponse(status_code=201, body='{"ok": true}', headers={"ETag": '"2"'})


async def test_a_key_is_claimed_once_then_answers_with_the_stored_response(session: AsyncSession) -> None:
    official = await make_official(session)
    assert await claim_key(session, official_id=official.id, key="k", fingerprint="f", now=NOW) is None
    await store_response(session, official_id=official.id, key="k", response=ANSWER)
    assert await claim_key(session, official_id=official.id, key="k", fingerprint="f", now=NOW) == ANSWER


async def test_the_same_key_for_another_request_names_the_header(session: AsyncSession) -> None:
    official = await make_official(session)
    await claim_key(session, official_id=official.id, key="k", fingerprint="f", now=NOW)
    await store_response(session, official_id=official.id, key="k", response=ANSWER)
    with pytest.raises(ValidationFailed) as raised:
        await claim_key(session, official_id=official.id, key="k", fingerprint="other", now=NOW)
    assert raised.value.field == "Idempotency-Key"


async def test_keys_belong_to_their_official(session: AsyncSession) -> None:
    first, second = await make_official(session), await make_official(session)
    await claim_key(session, official_id=first.id, key="k", fingerprint="f", now=NOW)
    await store_response(session, official_id=first.id, key="k", response=ANSWER)
    assert await claim_key(session, official_id=second.id, key="k", fingerprint="f", now=NOW) is None


async def test_an_expired_key_can_be_used_again(session: AsyncSession) -> None:
    official = await make_official(session)
    await claim_key(session, official_id=official.id, key="k", fingerprint="f", now=NOW)
    await store_response(session, official_id=official.id, key="k", response=ANSWER)
    later = NOW + KEY_LIFETIME + dt.timedelta(seconds=1)
    assert await claim_key(session, official_id=official.id, key="k", fingerprint="g", now=later) is None


async def test_a_committed_key_without_an_answer_is_a_conflict(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as first:
        official = await make_official(first)
        await claim_key(first, official_id=official.id, key="k", fingerprint="f", now=NOW)
        await first.commit()  # a route that forgot to store its answer
    async with sessions() as retry:
        with pytest.raises(Conflict):
            await claim_key(retry, official_id=official.id, key="k", fingerprint="f", now=NOW)


@pytest.mark.parametrize("key", ["", "k" * 256])
async def test_keys_have_1_to_255_characters(session: AsyncSession, key: str) -> None:
    official = await make_official(session)
    with pytest.raises(ValidationFailed):
        await claim_key(session, official_id=official.id, key=key, fingerprint="f", now=NOW)


async def test_an_answer_needs_its_claim(session: AsyncSession) -> None:
    official = await make_official(session)
    with pytest.raises(NotFound):
        await store_response(session, official_id=official.id, key="never-claimed", response=ANSWER)


async def test_purging_forgets_only_expired_keys(session: AsyncSession) -> None:
    official = await make_official(session)
    await claim_key(session, official_id=official.id, key="old", fingerprint="f", now=NOW - KEY_LIFETIME)
    await claim_key(session, official_id=official.id, key="new", fingerprint="f", now=NOW)
    assert await purge_expired(session, now=NOW) == 1
    assert await session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1
