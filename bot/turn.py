"""What a flow works with while it handles one update: the ``Turn``, and the engine's dependencies.

A flow reads the event and the state from the turn, changes the state through ``go`` and
``reset``, speaks through ``say``, and performs effects through casework services on
``turn.session``. It never commits and never knows the channel's capabilities.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import Attachment, Event
from bot.i18n import Translator, translator
from bot.payloads import Payload
from bot.replies import Button, Reply
from bot.state import IDLE, State
from casework.channels import Channel
from casework.conversations.models import Conversation
from casework.db import utcnow
from casework.deadlines.schemas import DEFAULT_RULES, DeadlineRules
from casework.deadlines.service import LEGAL_ZONE
from knowledge.eligibility import Standards, default_standards
from knowledge.engine import AnswerEngine


@dataclass(frozen=True, slots=True)
class Limits:
    """What one chat may send; a setting each (see ``caunoi.settings``)."""

    max_text_chars: int = 2000  # a longer message is refused politely, never cut
    max_tickets_per_day: int = 5  # new tickets (questions and reports) per chat per Vietnamese calendar day
    state_ttl: dt.timedelta = dt.timedelta(days=1)  # a half-filled form expires after this
    max_attachments: int = 10  # per report (the ticket's own limit)
    max_report_chars: int = 4000  # a report's whole description (the ticket holds 5,000)
    state_retries: int = 1  # tries again on a conversation another update of the chat just saved


@dataclass(frozen=True)
class Deps:
    """What the engine needs from the process: injected so tests use fixed clocks and small data."""

    knowledge: Callable[[], AnswerEngine]  # e.g. ``lambda: live.engine`` (picks up FAQ edits)
    now: Callable[[], dt.datetime] = utcnow  # timezone-aware
    zone: ZoneInfo = LEGAL_ZONE  # what "today" means for answers, standards and the daily limit
    limits: Limits = field(default_factory=Limits)
    rules: DeadlineRules = DEFAULT_RULES  # ``settings.deadline_rules``: the answer dates promised
    standards: Callable[[], Standards] = default_standards


class Turn:
    """One update being handled: the event, the conversation, the state, and the replies so far."""

    def __init__(
        self, session: AsyncSession, event: Event, deps: Deps, conversation: Conversation, state: State
    ) -> None:
        self.session = session
        self.event = event
        self.deps = deps
        self.conversation = conversation
        self.state = state
        self.now = deps.now()
        self.today = self.now.astimezone(deps.zone).date()
        self.t: Translator = translator(conversation.language)
        self.replies: list[Reply] = []
        self.erased = False  # the conversation row is gone: nothing to save

    @property
    def channel(self) -> Channel:
        return self.event.channel

    @property
    def chat_ref(self) -> str:
        return self.event.chat_ref

    @property
    def limits(self) -> Limits:
        return self.deps.limits

    def say(self, text: str, buttons: Sequence[Button] = (), *, numeric: bool = False) -> None:
        """Queue a reply; its buttons become the choices the next update may pick from.

        ``numeric`` marks a question answered with a number: a typed "3" is then the answer, so the
        buttons of such a question must be numbered as their values ("1".."6"), or be none.
        """
        self.replies.append(Reply(text, tuple(buttons)))
        if buttons or numeric:
            self.state.offered = [(b.payload, b.label) for b in buttons]
            self.state.numeric = numeric

    def go(self, flow: str, step: str, data: dict[str, Any] | None = None, *, capture: bool = True) -> None:
        """Move to a step of a flow (keeping the form data unless new data is given)."""
        keep = self.state.data if data is None and flow == self.state.flow else {}
        self.state = State(flow=flow, step=step, data=data if data is not None else keep, capture=capture)

    def reset(self) -> None:
        """Back to no flow: free text goes to the knowledge engine again."""
        self.state = State(flow=IDLE)

    def set_language(self, language: str) -> None:
        """Speak another language from now on (stored with the conversation)."""
        self.t = translator(language)

    def remember_commune(self, code: str) -> None:
        """Remember the chat's commune so it is asked only once."""
        self.conversation.commune_code = code


Prompt = Callable[[Turn], Awaitable[None]]
TextHandler = Callable[[Turn, str], Awaitable[None]]
ButtonHandler = Callable[[Turn, Payload], Awaitable[None]]
AttachmentHandler = Callable[[Turn, Attachment], Awaitable[bool]]
ContactHandler = Callable[[Turn, str], Awaitable[bool]]


@dataclass(frozen=True)
class Flow:
    """A dialogue flow: re-ask its current step, and take text, its buttons, files or a phone number."""

    name: str
    title: str  # what the citizen was doing, for "your unfinished … expired" (marked with N_)
    prompt: Prompt
    on_text: TextHandler
    on_button: ButtonHandler
    on_attachment: AttachmentHandler | None = None
    on_contact: ContactHandler | None = None
