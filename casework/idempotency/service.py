"""Claim an idempotency key before a write, store the answer with the write, replay it to retries.

A request carrying a key first *claims* it: an INSERT under a unique (official, key)
constraint, so of two identical requests racing, the second waits for the first to commit
(PostgreSQL holds it on the unique index; SQLite has one writer) and then finds its answer.
The answer is stored in the same transaction as the change, so a key is either unused or
answered: never "done but answer lost". A failed request rolls its claim back with it and
may be retried.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from casework.db import utcnow
from casework.errors import Conflict, NotFound, ValidationFailed
from casework.idempotency import repository
from casework.idempotency.models import IdempotencyKey
from casework.idempotency.schemas import KEY_LIFETIME, MAX_KEY_CHARS, StoredResponse

FIELD = "Idempotency-Key"


def _answer(row: IdempotencyKey, fingerprint: str) -> StoredResponse:
    if row.fingerprint != fingerprint:
        raise ValidationFailed("this idempotency key was used for a different request", field=FIELD)
    if row.status_code is None or row.response_body is None:
        # Only a request that forgot to store its answer leaves this behind.
        raise Conflict("the first request with this idempotency key has no stored answer")
    return StoredResponse(status_code=row.status_code, body=row.response_body, headers=dict(row.response_headers))


async def claim_key(
    session: AsyncSession,
    *,
    official_id: int,
    key: str,
    fingerprint: str,
    now: dt.datetime | None = None,
    lifetime: dt.timedelta = KEY_LIFETIME,
) -> StoredResponse | None:
    """Claim a key for a new request (None), or return the answer an identical earlier request got.

    The same key with a different request is a ValidationFailed naming the header.
    """
    if not key or len(key) > MAX_KEY_CHARS:
        raise ValidationFailed(f"an idempotency key has 1 to {MAX_KEY_CHARS} characters", field=FIELD)
    now = now or utcnow()
    existing = await repository.find(session, official_id=official_id, key=key)
    if existing is not None and existing.expires_at <= now:
        await session.delete(existing)
        await session.flush()
        existing = None
    if existing is not None:
        return _answer(existing, fingerprint)
    inserted = await repository.insert(
        session,
        {
            "official_id": official_id,
            "key": key,
            "fingerprint": fingerprint,
            "created_at": now,
            "expires_at": now + lifetime,
            "status_code": None,
            "response_body": None,
            "response_headers": {},
        },
    )
    if inserted is not None:
        return None
    # Lost the race to an identical request that has committed since: answer as it was answered.
    winner = await repository.find(session, official_id=official_id, key=key)
    if winner is None:  # pragma: no cover - the conflicting row was deleted between two statements
        raise Conflict("the idempotency key changed hands; retry the request")
    return _answer(winner, fingerprint)


async def store_response(session: AsyncSession, *, official_id: int, key: str, response: StoredResponse) -> None:
    """Record the answer to the request that claimed the key (in its own transaction)."""
    row = await repository.find(session, official_id=official_id, key=key)
    if row is None:
        raise NotFound("idempotency key not claimed in this transaction")
    row.status_code = response.status_code
    row.response_body = response.body
    row.response_headers = dict(response.headers)
    await session.flush()


async def purge_expired(session: AsyncSession, *, now: dt.datetime | None = None) -> int:
    """Forget keys past their lifetime (a scheduled job's work); return how many were dropped."""
    return await repository.delete_expired(session, now=now or utcnow())
