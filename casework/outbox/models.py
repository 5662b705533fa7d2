"""Outbox rows: one message to one chat, with its delivery state."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casework.channels import Channel
from casework.db import Base, str_enum, utcnow


class OutboxKind(enum.StrEnum):
    REPLY = "reply"  # an official's answer to one citizen
    NOTICE = "notice"  # a status notice to one citizen (extension, rejection)
    BROADCAST = "broadcast"  # an announcement to subscribers


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # failed at least once, waiting for its next attempt
    DEAD = "dead"  # given up: too many attempts, or refused for good (last_error says why)
    # The sender stopped (a crash) after handing the message to the platform and before hearing back:
    # it may have arrived. Never sent again (at most once); officials see it.
    UNCONFIRMED = "unconfirmed"


# Lower is sooner: one citizen waiting for an answer goes before 10,000 announcement rows.
DEFAULT_PRIORITY = {OutboxKind.REPLY: 0, OutboxKind.NOTICE: 1, OutboxKind.BROADCAST: 5}


class OutboxMessage(Base):
    """A message waiting for, undergoing or done with delivery."""

    __tablename__ = "outbox"
    __table_args__ = (
        # The dispatcher's claim query: one channel's claimable rows by priority, then age.
        Index("ix_outbox_claim", "channel", "status", "priority", "id"),
        # A chat's rows: the web chat's poll, the order of one chat's messages, erasure.
        Index("ix_outbox_chat", "channel", "chat_ref", "status"),
        Index("ix_outbox_claimed_until", "claimed_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_events.id"), index=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    chat_ref: Mapped[str] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]]
    kind: Mapped[OutboxKind] = mapped_column(str_enum(OutboxKind))
    priority: Mapped[int]
    status: Mapped[OutboxStatus] = mapped_column(str_enum(OutboxStatus), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[dt.datetime | None]
    # When the claimed row was handed to the platform: a claim that ends without a result after this
    # point is UNCONFIRMED, before it the row is simply sent again.
    send_started_at: Mapped[dt.datetime | None]
    # A message longer than the platform allows goes in parts; those already delivered are not sent again.
    parts_sent: Mapped[int] = mapped_column(default=0, server_default="0")
    sent_at: Mapped[dt.datetime | None]
    external_id: Mapped[str | None] = mapped_column(String(128))
    last_error: Mapped[str | None] = mapped_column(Text)
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)
