"""A chat's conversation state, the platform updates already handled, and citizens' feedback."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.channels import Channel
from casework.db import Base, str_enum, utcnow


class Conversation(Base):
    """One chat on one channel: its language, the commune it told us, and where its dialogue stands.

    Personal data (the chat reference, the commune): erased on the citizen's request.
    """

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "chat_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    chat_ref: Mapped[str] = mapped_column(String(128))
    language: Mapped[str] = mapped_column(String(8), default="vi")
    commune_code: Mapped[str | None] = mapped_column(String(16))  # remembered once asked
    # The dialogue engine's own JSON (flow, step, form data, the buttons last offered); casework never reads it.
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The citizen's latest message: its platform id and time (a Zalo OA reply must quote it, and is
    # free only within a window after it).
    last_inbound_ref: Mapped[str | None] = mapped_column(String(128))
    last_inbound_at: Mapped[dt.datetime | None]
    # Set when the platform refused a delivery for good (the citizen blocked the bot): nothing more is
    # sent until the citizen writes again.
    unreachable_since: Mapped[dt.datetime | None]
    # Two updates of one chat handled at once: the second to save finds the version moved on.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class ProcessedUpdate(Base):
    """A platform update already handled: a second delivery of it changes nothing and sends nothing."""

    __tablename__ = "processed_updates"
    __table_args__ = (UniqueConstraint("channel", "update_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    update_id: Mapped[str] = mapped_column(String(128))
    processed_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class AnswerFeedback(Base):
    """Whether an FAQ answer helped ("Có hữu ích không? 👍 👎"): one vote per chat and answer."""

    __tablename__ = "answer_feedback"
    __table_args__ = (UniqueConstraint("conversation_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Cleared when the citizen erases their data: the vote stays in the statistics, unlinked.
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    entry_id: Mapped[str] = mapped_column(String(80), index=True)
    helpful: Mapped[bool]
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class TicketRating(Base):
    """How the citizen rated the officials' answer to their ticket (1 to 5); the latest rating counts."""

    __tablename__ = "ticket_ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    score: Mapped[int]
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
