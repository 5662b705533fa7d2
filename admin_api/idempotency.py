"""``Idempotency-Key`` at the edge: fingerprint the request, replay a stored answer, record a new one.

A write route takes ``Once`` and answers through ``respond``. With no key, ``respond`` only
renders the answer. With a key, the dependency claims it before the route runs (a retry of
an answered request leaves through ``ReplayStored`` with the first answer, byte for byte), and
``respond`` stores the answer in the route's own transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request, Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from admin_api.deps import CurrentOfficial, SessionDep, etag
from admin_api.errors import ReplayStored
from casework.idempotency.schemas import MAX_KEY_CHARS, StoredResponse
from casework.idempotency.service import claim_key, store_response


@dataclass(frozen=True, slots=True)
class Once:
    """The idempotency state of one write request."""

    session: AsyncSession
    official_id: int
    key: str | None


async def _fingerprint(request: Request) -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.url.path.encode(), request.url.query.encode()):
        digest.update(part + b"\0")
    digest.update(await request.body())
    return digest.hexdigest()


async def idempotency(
    request: Request,
    session: SessionDep,
    official: CurrentOfficial,
    key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=MAX_KEY_CHARS,
            pattern=r"^[!-~]+$",
            description="A client-chosen key (e.g. a UUID): a retry with the same key and body acts once "
            "and gets the first answer again; the same key with another body is refused (422).",
        ),
    ] = None,
) -> Once:
    """Claim the request's idempotency key, or replay the answer an identical earlier request got."""
    if key is not None:
        stored = await claim_key(session, official_id=official.id, key=key, fingerprint=await _fingerprint(request))
        if stored is not None:
            raise ReplayStored(stored)
    return Once(session=session, official_id=official.id, key=key)


OnceDep = Annotated[Once, Depends(idempotency)]


async def respond(
    once: Once, model: BaseModel, *, status_code: int, version: int | None = None, location: str | None = None
) -> Response:
    """Render a write's answer (with ETag and Location when given) and store it for retries of its key."""
    headers: dict[str, str] = {}
    if version is not None:
        headers["ETag"] = etag(version)
    if location is not None:
        headers["Location"] = location
    body = model.model_dump_json()
    if once.key is not None:
        stored = StoredResponse(status_code=status_code, body=body, headers=headers)
        await store_response(once.session, official_id=once.official_id, key=once.key, response=stored)
    return Response(body, status_code=status_code, headers=headers, media_type="application/json")
