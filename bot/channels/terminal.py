"""The terminal channel (``caunoi chat``): the citizen's conversation at a prompt, buttons as numbered choices.

Each line typed is one ``Event(channel=terminal, …)`` with a fresh update id, handled by
``bot.engine.handle``; in the same transaction the chat's pending outbox rows (this turn's
replies, and anything an official sent since) are taken and marked sent, as the web chat does
(``casework.outbox.pull``: no dispatcher sends terminal rows). Buttons are shown with
``render_numbered``; the engine accepts "1", "2"… back. An empty line just looks for new messages.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.engine import Deps, handle
from bot.events import Event, text_or_command
from bot.i18n import translator
from bot.replies import Button, Reply, render_numbered
from casework.channels import Channel
from casework.conversations.service import conversation_language
from casework.outbox.models import OutboxMessage
from casework.outbox.pull import take_for_chat
from knowledge.markup import render_markup

QUIT_WORDS = frozenset({"thoát", "thoat", "exit", "quit"})


def as_reply(row: OutboxMessage) -> Reply:
    """An outbox row back as a channel-neutral reply (its text and buttons)."""
    buttons = tuple(Button(b["text"], b["data"]) for b in row.payload.get("buttons", []))
    return Reply(str(row.payload.get("text") or " "), buttons)


class TerminalChat:
    """One local chat: send a line, get back what the citizen reads."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        deps: Deps,
        *,
        chat_ref: str,
        ansi: bool = False,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
    ) -> None:
        self.sessions = sessions
        self.deps = deps
        self.chat_ref = chat_ref
        self.ansi = ansi
        self.new_id = new_id

    async def send(self, line: str | None) -> list[str]:
        """Handle one typed line (None: only look for new messages); return the texts to print, in order."""
        async with self.sessions() as session:
            try:
                if line is not None:
                    event = Event(Channel.TERMINAL, self.chat_ref, self.new_id(), text_or_command(line))
                    await handle(session, event, deps=self.deps)
                rows = await take_for_chat(session, channel=Channel.TERMINAL, chat_ref=self.chat_ref)
                language = await conversation_language(session, channel=Channel.TERMINAL, chat_ref=self.chat_ref)
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
        t = translator(language)
        return [render_markup(render_numbered(as_reply(row), t), self.ansi) for row in rows]


async def converse(chat: TerminalChat, lines: Iterable[str | None], write: Callable[[str], None]) -> None:
    """Greet, then answer each line until a quit word or the end of input (None ends it too)."""
    for text in await chat.send("/start"):
        write(text + "\n")
    for line in lines:
        if line is None or line.strip().lower() in QUIT_WORDS:
            return
        for text in await chat.send(line if line.strip() else None):
            write(text + "\n")
