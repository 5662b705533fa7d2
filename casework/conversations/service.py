"""The conversation side of one bot update: mark it handled, load and save the chat's state, erase a chat.

Services only flush; the unit of work that handles the update commits. The processed-update
row, the new state, the tickets and the outbox rows an update causes share one transaction, so
a repeated delivery of the update finds its row and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from casework.channels import Channel
from casework.conversations import repository
from casework.conversations.models import Conversation
from casework.conversations.schemas import MAX_SCORE, AnswerVote, Erasure
from casework.db import utcnow
from casework.errors import NotFound, StaleVersion, ValidationFailed
from casework.subscriptions.service import unsubscribe_all
from casework.tickets import repository as tickets_repository
from casework.tickets.lifecycle import REOPEN_FROM
from casework.tickets.models import Ticket
from casework.tickets.service import find_citizen_ticket

MAX_REF_CHARS = 128


def _check_ref(value: str, field: str) -> None:
    if not value or len(value) > MAX_REF_CHARS:
        raise ValidationFailed(f"{field} must have 1 to {MAX_REF_CHARS} characters", field=field)


async def mark_processed(
    session: AsyncSession, *, channel: Channel, update_id: str, now: dt.datetime | None = None
) -> int | None:
    """Record that this update is being handled: its row id, or None if it was handled before."""
    _check_ref(update_id, "update_id")
    return await repository.insert_processed(session, channel=channel, update_id=update_id, at=now or utcnow())


async def forget_processed(session: AsyncSession, *, before: dt.datetime) -> int:
    """Delete the processed-update records older than ``before``; return how many went."""
    return await repository.delete_processed_before(session, before=before)


async def rewrite_idle_states(
    session: AsyncSession, *, before: dt.datetime, rewrite: Callable[[Any], dict[str, Any] | None]
) -> int:
    """Replace the state of every conversation untouched since ``before`` by ``rewrite(state)``; return how many.

    ``rewrite`` returns None to leave a state as it is. A conversation written to meanwhile keeps
    its new state (the version moved on); the time of its last message stays, so the dialogue
    still sees how long it has been idle.
    """
    rewritten = 0
    for conversation_id, version, state in await repository.states_untouched_since(session, before=before):
        new_state = rewrite(state)
        if new_state is not None and await repository.replace_state(
            session, conversation_id=conversation_id, version=version, state=new_state
        ):
            rewritten += 1
    return rewritten


async def load_conversation(
    session: AsyncSession, *, channel: Channel, chat_ref: str, language: str = "vi", now: dt.datetime | None = None
) -> Conversation:
    """The chat's conversation, created on its first message."""
    _check_ref(chat_ref, "chat_ref")
    found = await repository.conversation(session, channel=channel, chat_ref=chat_ref)
    if found is None:
        await repository.insert_conversation(
            session, channel=channel, chat_ref=chat_ref, language=language, at=now or utcnow()
        )
        found = await repository.conversation(session, channel=channel, chat_ref=chat_ref)
    if found is None:  # pragma: no cover - inserted above, or by a concurrent update
        raise NotFound("conversation vanished while it was created")
    return found


async def find_conversation(session: AsyncSession, *, channel: Channel, chat_ref: str) -> Conversation | None:
    """The chat's conversation if it exists (a channel adapter reading the language, say)."""
    return await repository.conversation(session, channel=channel, chat_ref=chat_ref)


async def conversation_language(session: AsyncSession, *, channel: Channel, chat_ref: str, default: str = "vi") -> str:
    """The language the chat chose (for a channel rendering numbered choices), or the default."""
    found = await repository.conversation(session, channel=channel, chat_ref=chat_ref)
    return found.language if found else default


async def save_conversation(
    session: AsyncSession,
    conversation: Conversation,
    *,
    state: dict[str, Any],
    language: str | None = None,
    commune_code: str | None = None,
    inbound_ref: str | None = None,
    now: dt.datetime | None = None,
) -> Conversation:
    """Store the new state (and language or commune when given); StaleVersion if another update saved first.

    The citizen wrote, so the chat is reachable again; ``inbound_ref`` is the platform's id of the
    message (a Zalo OA reply quotes it).
    """
    conversation.state = state
    flag_modified(conversation, "state")  # a new dict or the same one changed: written either way
    if language is not None:
        conversation.language = language
    if commune_code is not None:
        conversation.commune_code = commune_code
    conversation.updated_at = now or utcnow()
    conversation.unreachable_since = None
    if inbound_ref is not None:
        conversation.last_inbound_ref = inbound_ref
        conversation.last_inbound_at = conversation.updated_at
    try:
        await session.flush()
    except StaleDataError as error:
        raise StaleVersion() from error
    return conversation


async def record_vote(
    session: AsyncSession, conversation: Conversation, *, vote: AnswerVote, now: dt.datetime | None = None
) -> None:
    """Record whether an answer helped this chat (a later vote on the same answer replaces it)."""
    await repository.upsert_vote(
        session,
        conversation_id=conversation.id,
        entry_id=vote.entry_id,
        helpful=vote.helpful,
        channel=conversation.channel,
        at=now or utcnow(),
    )


async def rate_ticket(
    session: AsyncSession, *, code: str, channel: Channel, chat_ref: str, score: int, now: dt.datetime | None = None
) -> Ticket:
    """Record the citizen's rating (1-5) of the answer to their own ticket, once it is answered."""
    if not 1 <= score <= MAX_SCORE:
        raise ValidationFailed(f"a rating is 1 to {MAX_SCORE}", field="score")
    ticket = await find_citizen_ticket(session, code=code, channel=channel, chat_ref=chat_ref)
    if ticket.status not in REOPEN_FROM:
        raise ValidationFailed("only an answered or closed ticket can be rated", field="status")
    await repository.upsert_rating(session, ticket_id=ticket.id, score=score, at=now or utcnow())
    return ticket


async def rating_of(session: AsyncSession, ticket: Ticket) -> int | None:
    """The score the citizen gave the answer to a ticket, if any."""
    rating = await repository.rating_of(session, ticket.id)
    return rating.score if rating else None


async def chat_tickets(session: AsyncSession, *, channel: Channel, chat_ref: str, limit: int = 5) -> list[Ticket]:
    """The tickets filed from this chat, newest first."""
    return list(await repository.tickets_of_chat(session, channel=channel, chat_ref=chat_ref, limit=limit))


async def ticket_by_code(session: AsyncSession, *, code: str) -> Ticket | None:
    """Any ticket by its canonical tracking code (for a status-only answer to another chat's code)."""
    return await tickets_repository.by_code(session, code)


async def tickets_filed_since(session: AsyncSession, *, channel: Channel, chat_ref: str, since: dt.datetime) -> int:
    """How many tickets the chat filed since a time (for the daily limit)."""
    return await tickets_repository.submissions_since(session, channel=channel, chat_ref=chat_ref, since=since)


async def erase_chat(
    session: AsyncSession, *, channel: Channel, chat_ref: str, now: dt.datetime | None = None
) -> Erasure:
    """Delete or anonymise one chat's personal data; tickets keep their content without chat or phone."""
    _check_ref(chat_ref, "chat_ref")
    now = now or utcnow()
    tickets = await repository.unlink_tickets(session, channel=channel, chat_ref=chat_ref, at=now)
    subscriptions = await unsubscribe_all(session, channel=channel, chat_ref=chat_ref)
    deliveries = await repository.scrub_deliveries(session, channel=channel, chat_ref=chat_ref)
    conversation = await repository.conversation(session, channel=channel, chat_ref=chat_ref)
    if conversation is not None:
        await repository.unlink_votes(session, conversation_id=conversation.id)
        await session.delete(conversation)
    try:
        await session.flush()
    except StaleDataError as error:
        raise StaleVersion() from error
    return Erasure(
        tickets_unlinked=tickets,
        subscriptions_removed=subscriptions,
        deliveries_scrubbed=deliveries,
        conversation_removed=conversation is not None,
    )


async def mark_unreachable(session: AsyncSession, *, channel: Channel, chat_ref: str, now: dt.datetime) -> None:
    """The platform refused the chat for good (the citizen blocked the bot): send nothing more until they write."""
    await repository.set_unreachable(session, channel=channel, chat_ref=chat_ref, at=now)


async def unreachable_chats(session: AsyncSession, *, channel: Channel, chat_refs: Iterable[str]) -> set[str]:
    """Which of these chats are marked unreachable."""
    return await repository.unreachable_among(session, channel=channel, chat_refs=set(chat_refs))


async def chat_languages(session: AsyncSession, *, channel: Channel, chat_refs: Iterable[str]) -> dict[str, str]:
    """The language each of these chats speaks (chats without a conversation are absent: Vietnamese)."""
    return await repository.languages_among(session, channel=channel, chat_refs=set(chat_refs))
