"""Bot fixtures: the real FAQ and gazetteer, a fixed clock, and a chat that talks through ``handle``."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.engine import Deps, Limits, handle_update
from bot.events import Attachment, AttachmentKind, ButtonPress, Event, Input, text_or_command
from bot.replies import Reply
from casework.channels import Channel
from casework.outbox.models import OutboxMessage
from casework.tickets.models import Ticket
from knowledge.engine import AnswerEngine
from knowledge.loader import load_knowledge
from tests.casework.conftest import empty_engine, engine, session, sessions  # noqa: F401 - fixtures

# Monday 2 March 2026, 10:00 in Cao Bằng: a working day, under Nghị định 07/2021/NĐ-CP.
NOW = dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC)
_chats = itertools.count(1)


@pytest.fixture(scope="session")
def knowledge_engine() -> AnswerEngine:
    """The shipped FAQ, loaded once for the whole session."""
    result = load_knowledge()
    assert not result.errors
    return AnswerEngine(result.base)


@dataclass
class Clock:
    now: dt.datetime = NOW

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def deps(knowledge_engine: AnswerEngine, clock: Clock) -> Deps:
    return Deps(knowledge=lambda: knowledge_engine, now=clock)


@dataclass
class Chat:
    """One citizen's chat: each call is one update, handled and committed like a channel would."""

    sessions: async_sessionmaker[AsyncSession]
    deps: Deps
    channel: Channel = Channel.WEB
    chat_ref: str = field(default_factory=lambda: f"chat-{next(_chats)}")
    updates: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    last: list[Reply] = field(default_factory=list)

    def event(self, event_input: Input, update_id: str | None = None) -> Event:
        # Update ids are unique per channel (as Telegram's are), so they carry the chat here.
        return Event(self.channel, self.chat_ref, update_id or f"{self.chat_ref}:{next(self.updates)}", event_input)

    async def send(self, event_input: Input, update_id: str | None = None) -> list[Reply]:
        self.last = await handle_update(self.sessions, self.event(event_input, update_id), deps=self.deps)
        return self.last

    async def say(self, text: str) -> list[Reply]:
        """Type a message (a leading slash makes it a command)."""
        return await self.send(text_or_command(text))

    async def tap(self, text: str) -> list[Reply]:
        """Tap the button of the last replies whose label contains ``text`` (exactly one must)."""
        found = [b for reply in self.last for b in reply.buttons if text in b.label]
        assert len(found) == 1, (
            f"{len(found)} buttons match {text!r}: {[b.label for r in self.last for b in r.buttons]}"
        )
        return await self.send(ButtonPress(found[0].payload))

    async def press(self, payload: str) -> list[Reply]:
        return await self.send(ButtonPress(payload))

    async def photo(self, file_ref: str = "photo-1", caption: str = "") -> list[Reply]:
        return await self.send(Attachment(AttachmentKind.PHOTO, file_ref, caption=caption, mime_type="image/jpeg"))

    @property
    def text(self) -> str:
        """Everything the last replies said."""
        return "\n".join(reply.text for reply in self.last)

    @property
    def labels(self) -> list[str]:
        return [button.label for reply in self.last for button in reply.buttons]

    @property
    def payloads(self) -> list[str]:
        return [button.payload for reply in self.last for button in reply.buttons]

    async def outbox(self) -> list[OutboxMessage]:
        async with self.sessions() as db:
            rows = await db.scalars(
                select(OutboxMessage).where(OutboxMessage.chat_ref == self.chat_ref).order_by(OutboxMessage.id)
            )
            return list(rows.all())

    async def tickets(self) -> list[Ticket]:
        async with self.sessions() as db:
            rows = await db.scalars(select(Ticket).order_by(Ticket.id))
            return [t for t in rows.all() if t.chat_ref == self.chat_ref]


@pytest.fixture
def chat(sessions: async_sessionmaker[AsyncSession], deps: Deps) -> Chat:  # noqa: F811 - the fixture
    return Chat(sessions, deps)


def with_limits(deps: Deps, **limits: object) -> Deps:
    """The same dependencies with other limits."""
    return Deps(knowledge=deps.knowledge, now=deps.now, limits=Limits(**limits))  # type: ignore[arg-type]


def texts(replies: Sequence[Reply]) -> str:
    return "\n".join(reply.text for reply in replies)
