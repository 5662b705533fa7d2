"""Queries on conversations, processed updates, answer feedback and ticket ratings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from casework.audit.models import ActorKind
from casework.channels import Channel
from casework.conversations.models import AnswerFeedback, Conversation, ProcessedUpdate, TicketRating
from casework.db import insert_ignoring_conflict
from casework.outbox.models import OutboxMessage, OutboxStatus
from casework.tickets.models import EventKind, Ticket, TicketEvent

ERASED_CHAT = "erased"


async def insert_processed(session: AsyncSession, *, channel: Channel, update_id: str, at: dt.datetime) -> int | None:
    """Record an update as handled; None when it already was (on PostgreSQL, once the first commits)."""
    return await insert_ignoring_conflict(
        session,
        ProcessedUpdate,
        {"channel": channel, "update_id": update_id, "processed_at": at},
        conflict_on=["channel", "update_id"],
    )


async def delete_processed_before(session: AsyncSession, *, before: dt.datetime) -> int:
    """Forget handled updates older than a time (platforms stop redelivering long before)."""
    result = await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < before))
    return int(getattr(result, "rowcount", 0) or 0)


async def conversation(session: AsyncSession, *, channel: Channel, chat_ref: str) -> Conversation | None:
    """The chat's conversation, freshly read (another process may just have changed it)."""
    return (await session.scalars(_CONVERSATION, {"channel": channel, "chat_ref": chat_ref})).one_or_none()


# Built once, bound when it runs: a statement rebuilt each time costs as much as running it.
_CONVERSATION = (
    select(Conversation)
    .where(Conversation.channel == bindparam("channel"), Conversation.chat_ref == bindparam("chat_ref"))
    .execution_options(populate_existing=True)
)


async def insert_conversation(
    session: AsyncSession, *, channel: Channel, chat_ref: str, language: str, at: dt.datetime
) -> None:
    """Create the chat's conversation unless another update of the same chat just did."""
    await insert_ignoring_conflict(
        session,
        Conversation,
        {
            "channel": channel,
            "chat_ref": chat_ref,
            "language": language,
            "commune_code": None,
            "state": {},
            "created_at": at,
            "updated_at": at,
            "version": 1,
        },
        conflict_on=["channel", "chat_ref"],
    )


async def upsert_vote(
    session: AsyncSession, *, conversation_id: int, entry_id: str, helpful: bool, channel: Channel, at: dt.datetime
) -> None:
    """Record a chat's vote on an answer, replacing its earlier vote on the same answer."""
    values = {
        "conversation_id": conversation_id,
        "entry_id": entry_id,
        "helpful": helpful,
        "channel": channel,
        "at": at,
    }
    inserted = await insert_ignoring_conflict(
        session, AnswerFeedback, values, conflict_on=["conversation_id", "entry_id"]
    )
    if inserted is None:
        await session.execute(
            update(AnswerFeedback)
            .where(AnswerFeedback.conversation_id == conversation_id, AnswerFeedback.entry_id == entry_id)
            .values(helpful=helpful, at=at)
        )


async def upsert_rating(session: AsyncSession, *, ticket_id: int, score: int, at: dt.datetime) -> None:
    """Record the rating of a ticket's answer, replacing an earlier one."""
    inserted = await insert_ignoring_conflict(
        session, TicketRating, {"ticket_id": ticket_id, "score": score, "at": at}, conflict_on=["ticket_id"]
    )
    if inserted is None:
        await session.execute(
            update(TicketRating).where(TicketRating.ticket_id == ticket_id).values(score=score, at=at)
        )


async def rating_of(session: AsyncSession, ticket_id: int) -> TicketRating | None:
    """The rating of a ticket's answer, if the citizen gave one."""
    statement = (
        select(TicketRating).where(TicketRating.ticket_id == ticket_id).execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).one_or_none()


async def tickets_of_chat(session: AsyncSession, *, channel: Channel, chat_ref: str, limit: int) -> Sequence[Ticket]:
    """The chat's most recent tickets, newest first."""
    statement = (
        select(Ticket)
        .where(Ticket.channel == channel, Ticket.chat_ref == chat_ref)
        .order_by(Ticket.received_at.desc(), Ticket.id.desc())
        .limit(limit)
    )
    return (await session.scalars(statement)).all()


async def unlink_tickets(session: AsyncSession, *, channel: Channel, chat_ref: str, at: dt.datetime) -> int:
    """Remove the chat reference and phone from the chat's tickets (their content stays, for the record).

    Each ticket's thread records it, so that its officials know a reply can no longer reach the
    citizen. The version moves on, so an official holding the old version is told the ticket changed.
    """
    mine = (Ticket.channel == channel, Ticket.chat_ref == chat_ref)
    ids = list((await session.scalars(select(Ticket.id).where(*mine))).all())
    await session.execute(
        update(Ticket)
        .where(*mine)
        .values(chat_ref=None, contact_phone=None, updated_at=at, version=Ticket.version + 1)
        .execution_options(synchronize_session=False)
    )
    session.add_all(
        TicketEvent(ticket_id=ticket_id, kind=EventKind.CONTACT_ERASED, actor_kind=ActorKind.CITIZEN, at=at, data={})
        for ticket_id in ids
    )
    return len(ids)


async def scrub_deliveries(session: AsyncSession, *, channel: Channel, chat_ref: str) -> int:
    """Blank the chat reference and text of messages already delivered to (or given up on for) the chat.

    Messages still waiting are left alone: among them is the confirmation of the erasure itself.
    """
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.chat_ref == chat_ref,
            OutboxMessage.status.in_([OutboxStatus.SENT, OutboxStatus.DEAD, OutboxStatus.UNCONFIRMED]),
        )
        .values(chat_ref=ERASED_CHAT, payload={"text": "-", "buttons": []})
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def unlink_votes(session: AsyncSession, *, conversation_id: int) -> None:
    """Keep a conversation's answer votes in the statistics, without the link to the chat."""
    await session.execute(
        update(AnswerFeedback)
        .where(AnswerFeedback.conversation_id == conversation_id)
        .values(conversation_id=None)
        .execution_options(synchronize_session=False)
    )


async def set_unreachable(session: AsyncSession, *, channel: Channel, chat_ref: str, at: dt.datetime) -> None:
    """Mark the chat unreachable (a Core UPDATE: it must not collide with the conversation's version)."""
    await session.execute(
        update(Conversation)
        .where(Conversation.channel == channel, Conversation.chat_ref == chat_ref)
        .values(unreachable_since=at)
        .execution_options(synchronize_session=False)
    )


async def unreachable_among(session: AsyncSession, *, channel: Channel, chat_refs: set[str]) -> set[str]:
    """The chats of ``chat_refs`` marked unreachable."""
    if not chat_refs:
        return set()
    statement = select(Conversation.chat_ref).where(
        Conversation.channel == channel,
        Conversation.chat_ref.in_(chat_refs),
        Conversation.unreachable_since.is_not(None),
    )
    return set((await session.scalars(statement)).all())


async def languages_among(session: AsyncSession, *, channel: Channel, chat_refs: set[str]) -> dict[str, str]:
    """The language of each of these chats that has a conversation."""
    if not chat_refs:
        return {}
    statement = select(Conversation.chat_ref, Conversation.language).where(
        Conversation.channel == channel, Conversation.chat_ref.in_(chat_refs)
    )
    return {chat_ref: language for chat_ref, language in (await session.execute(statement)).all()}


async def states_untouched_since(session: AsyncSession, *, before: dt.datetime) -> list[tuple[int, int, Any]]:
    """(id, version, state) of the conversations nobody has written to since ``before``."""
    statement = select(Conversation.id, Conversation.version, Conversation.state).where(
        Conversation.updated_at < before
    )
    return [(row[0], row[1], row[2]) for row in (await session.execute(statement)).all()]


async def replace_state(session: AsyncSession, *, conversation_id: int, version: int, state: dict[str, Any]) -> bool:
    """Replace a conversation's state unless it changed since it was read (its version); its time stays."""
    statement = (
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.version == version)
        .values(state=state, version=version + 1)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]
