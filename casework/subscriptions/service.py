"""Opt in to a commune's announcements, stop them, and list who should receive one."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from casework.channels import Channel
from casework.db import utcnow
from casework.subscriptions import repository
from casework.subscriptions.schemas import SubscriptionCreate, SubscriptionPublic, Topic

PAGE = 500


async def subscribe(
    session: AsyncSession, *, data: SubscriptionCreate, now: dt.datetime | None = None
) -> SubscriptionPublic:
    """Start (or change the topics of) a chat's subscription to a commune, with the new consent."""
    now = now or utcnow()
    values = data.model_dump()
    values["topics"] = [str(topic) for topic in data.topics]
    existing = await repository.one(
        session, channel=data.channel, chat_ref=data.chat_ref, commune_code=data.commune_code
    )
    if existing is None:
        existing = repository.new(values, now)
        session.add(existing)
    else:
        existing.topics = values["topics"]
        existing.language = data.language
        existing.consent_at = data.consent_at
        existing.consent_wording = data.consent_wording
        existing.updated_at = now
    await session.flush()
    return SubscriptionPublic.model_validate(existing)


async def subscriptions_of_chat(session: AsyncSession, *, channel: Channel, chat_ref: str) -> list[SubscriptionPublic]:
    """What the chat is subscribed to."""
    rows = await repository.of_chat(session, channel=channel, chat_ref=chat_ref)
    return [SubscriptionPublic.model_validate(row) for row in rows]


async def unsubscribe_all(session: AsyncSession, *, channel: Channel, chat_ref: str) -> int:
    """Stop every announcement to the chat (consent withdrawn); return how many subscriptions ended."""
    return await repository.delete_of_chat(session, channel=channel, chat_ref=chat_ref)


async def unsubscribe(session: AsyncSession, *, channel: Channel, chat_ref: str, commune_code: str) -> bool:
    """Stop one commune's announcements to the chat; False if it had none."""
    return bool(await repository.delete_of_chat(session, channel=channel, chat_ref=chat_ref, commune_code=commune_code))


async def recipients(session: AsyncSession, *, commune_code: str, topic: Topic | None) -> list[SubscriptionPublic]:
    """Every chat subscribed to a commune's announcements on a topic (any topic when None)."""
    found: list[SubscriptionPublic] = []
    after = 0
    while True:
        rows = await repository.of_commune(session, commune_code=commune_code, after_id=after, limit=PAGE)
        if not rows:
            return found
        after = rows[-1].id
        found += [SubscriptionPublic.model_validate(row) for row in rows if topic is None or str(topic) in row.topics]
