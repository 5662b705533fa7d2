"""The dialogue engine's entry point: one event in, the replies out, everything in the caller's transaction.

``handle`` records the update as processed (a repeated id changes nothing and sends nothing),
loads the chat's state, runs the flow, saves the state, lets the flow's effects go through
casework (tickets, subscriptions, erasure) and writes every reply to the outbox, all before
the caller commits. It only flushes. ``handle_update`` is the same in a unit of work of its own.

Two updates of one chat at once: the conversation row carries a version. The work of an update
runs in a savepoint; if another update saved the conversation first, the savepoint is rolled
back and the update handled again on the fresh state, once; if it loses again, the citizen is
asked to resend and nothing else changes. A bug in a flow does not reach the channel either:
its work is rolled back, the state reset, and the citizen gets an apology and the menu.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.events import Event
from bot.flows.common import menu_buttons
from bot.flows.router import FLOWS, KNOWN_FLOWS, dispatch
from bot.i18n import translator
from bot.replies import Reply, split_text
from bot.state import State
from bot.turn import Deps, Limits, Turn
from casework.conversations.service import (
    conversation_language,
    load_conversation,
    mark_processed,
    rewrite_idle_states,
    save_conversation,
)
from casework.errors import StaleVersion
from casework.outbox.models import OutboxKind
from casework.outbox.schemas import Button as OutboxButton
from casework.outbox.schemas import OutboxPayload
from casework.outbox.service import enqueue

__all__ = ["Deps", "Limits", "handle", "handle_update"]

log = logging.getLogger(__name__)

OUTBOX_TEXT_LIMIT = 8000  # the outbox payload's own limit; channels split further at theirs


async def handle(session: AsyncSession, event: Event, *, deps: Deps) -> list[Reply]:
    """Handle one event inside the caller's transaction; return the replies (also queued in the outbox)."""
    processed = await mark_processed(session, channel=event.channel, update_id=event.update_id, now=deps.now())
    if processed is None:
        log.info("update already handled: channel=%s", event.channel)
        return []
    for attempt in range(deps.limits.state_retries + 1):
        try:
            async with session.begin_nested():
                return await _run(session, event, deps, processed)
        except StaleVersion:
            log.info("conversation changed by a concurrent update (attempt %d): channel=%s", attempt + 1, event.channel)
        except SQLAlchemyError:
            raise  # the database is in trouble: let the caller roll back and the platform retry
        except Exception as error:
            # The frames, not the message: a validation error quotes its input (a phone number, a text).
            log.error(
                "a dialogue flow failed: channel=%s error=%s\n%s",
                event.channel,
                type(error).__name__,
                "".join(traceback.format_tb(error.__traceback__)),
            )
            return await _apologise(session, event, deps, processed)
    return await _ask_to_resend(session, event, deps, processed)


async def handle_update(sessions: async_sessionmaker[AsyncSession], event: Event, *, deps: Deps) -> list[Reply]:
    """Handle one event in a unit of work of its own: commit on success, roll back on any error."""
    async with sessions() as session:
        try:
            replies = await handle(session, event, deps=deps)
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
    return replies


async def _run(session: AsyncSession, event: Event, deps: Deps, processed: int) -> list[Reply]:
    conversation = await load_conversation(session, channel=event.channel, chat_ref=event.chat_ref, now=deps.now())
    turn = Turn(session, event, deps, conversation, State.from_json(conversation.state, KNOWN_FLOWS))
    _expire_old_state(turn)
    await dispatch(turn)
    if not turn.erased:
        await save_conversation(
            session,
            conversation,
            state=turn.state.to_json(),
            language=turn.t.language,
            inbound_ref=event.message_ref,
            now=turn.now,
        )
    await _enqueue(session, event, processed, turn.replies, turn)
    return turn.replies


async def forget_expired_forms(session: AsyncSession, *, now: dt.datetime, ttl: dt.timedelta) -> int:
    """Drop what expired forms hold (a story, a phone number, a household's answers); return how many.

    A form untouched for longer than ``ttl`` is dropped when its chat writes again (``_expire_old_state``);
    its contents must not wait for that, as the privacy notice promises they go after a day. The
    flow and step stay, so that the citizen who comes back still gets the note that it expired.
    """

    def forgotten(raw: object) -> dict[str, Any] | None:
        state = State.from_json(raw, KNOWN_FLOWS)
        if not state.data and not state.offered:
            return None
        return State(flow=state.flow, step=state.step, capture=state.capture).to_json()

    return await rewrite_idle_states(session, before=now - ttl, rewrite=forgotten)


def _expire_old_state(turn: Turn) -> None:
    """A state untouched for longer than the limit is dropped; an unfinished form gets a polite note."""
    if turn.now - turn.conversation.updated_at <= turn.limits.state_ttl:
        return
    flow = FLOWS.get(turn.state.flow)
    if turn.state.capture and flow is not None:
        turn.say(
            turn.t.gettext(
                "Việc bạn đang làm dở ({what}) đã quá một ngày nên đã được huỷ; chưa có gì được gửi đi. "
                "Mời bạn bắt đầu lại nếu cần."
            ).format(what=turn.t.gettext(flow.title))
        )
    turn.reset()


async def _enqueue(
    session: AsyncSession, event: Event, processed: int, replies: list[Reply], turn: Turn | None
) -> None:
    """Queue every reply to the chat in order; a text longer than the outbox allows goes in several rows."""
    index = 0
    now = turn.now if turn else None
    for reply in replies:
        parts = split_text(reply.text, OUTBOX_TEXT_LIMIT)
        for number, part in enumerate(parts, 1):
            buttons = reply.buttons if number == len(parts) else ()
            await enqueue(
                session,
                channel=event.channel,
                chat_ref=event.chat_ref,
                payload=OutboxPayload(text=part, buttons=[OutboxButton(text=b.label, data=b.payload) for b in buttons]),
                kind=OutboxKind.REPLY,
                dedupe_key=f"bot:{processed}:{index}",
                now=now,
            )
            index += 1


async def _language(session: AsyncSession, event: Event) -> str:
    return await conversation_language(session, channel=event.channel, chat_ref=event.chat_ref)


async def _apologise(session: AsyncSession, event: Event, deps: Deps, processed: int) -> list[Reply]:
    """After a flow failed: reset the conversation and say sorry with the menu."""
    async with session.begin_nested():
        conversation = await load_conversation(session, channel=event.channel, chat_ref=event.chat_ref, now=deps.now())
        t = translator(conversation.language)
        await save_conversation(session, conversation, state=State().to_json(), now=deps.now())
        replies = [
            Reply(
                t.gettext("Xin lỗi, Cầu Nối gặp lỗi khi xử lý tin nhắn này. Mời bạn thử lại, hoặc chọn một mục:"),
                tuple(menu_buttons(t)),
            )
        ]
        await _enqueue(session, event, processed, replies, None)
    return replies


async def _ask_to_resend(session: AsyncSession, event: Event, deps: Deps, processed: int) -> list[Reply]:
    """Still losing the race for the conversation: change nothing, ask the citizen to send it again."""
    async with session.begin_nested():
        t = translator(await _language(session, event))
        replies = [
            Reply(
                t.gettext(
                    "Cầu Nối đang xử lý tin nhắn trước của bạn nên chưa nhận được tin này. Bạn vui lòng gửi lại "
                    "sau giây lát."
                )
            )
        ]
        await _enqueue(session, event, processed, replies, None)
    return replies
