"""Tickets, their events (the thread and the history) and their attachments."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.audit.models import ActorKind
from casework.channels import Channel
from casework.db import Base, str_enum, utcnow
from casework.outbox.models import OutboxMessage


class TicketKind(enum.StrEnum):
    QUESTION = "question"  # forwarded because the FAQ had no answer
    FEEDBACK = "feedback"  # phản ánh, kiến nghị
    COMPLAINT = "complaint"  # khiếu nại
    DENUNCIATION = "denunciation"  # tố cáo


class TicketStatus(enum.StrEnum):
    NEW = "new"
    ACCEPTED = "accepted"  # thụ lý
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    CLOSED = "closed"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    TRANSFERRED = "transferred"  # handed to another unit, waiting for it to accept


class TicketPriority(enum.IntEnum):
    LOW = 0
    NORMAL = 1
    HIGH = 2
    URGENT = 3


class EventKind(enum.StrEnum):
    CITIZEN_MESSAGE = "citizen_message"
    PUBLIC_REPLY = "public_reply"
    INTERNAL_NOTE = "internal_note"
    STATUS_CHANGE = "status_change"
    ASSIGNMENT = "assignment"
    DEADLINE_CHANGE = "deadline_change"
    MERGE = "merge"
    CONTACT_ERASED = "contact_erased"  # the citizen deleted their data: replies can no longer reach them


class ReplyApproval(enum.StrEnum):
    """Where a public reply stands when its unit needs a supervisor's approval (None: none needed)."""

    PENDING = "pending"  # in the thread, not queued to the citizen
    APPROVED = "approved"  # queued to the citizen
    RETURNED = "returned"  # sent back to its author with a comment (an internal note); never sent


class Ticket(Base):
    """One case: a question, feedback, complaint or denunciation, and where it stands."""

    __tablename__ = "tickets"
    __table_args__ = (
        # The queue: a commune's open tickets by deadline; the province's by status and deadline.
        Index("ix_tickets_commune_status_deadline", "commune_code", "status", "deadline", "id"),
        Index("ix_tickets_status_deadline", "status", "deadline", "id"),
        Index("ix_tickets_received_at", "received_at", "id"),
        Index("ix_tickets_assignee_status", "assignee_id", "status"),
        Index("ix_tickets_kind", "kind"),
        Index("ix_tickets_topic", "topic"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    kind: Mapped[TicketKind] = mapped_column(str_enum(TicketKind))
    topic: Mapped[str | None] = mapped_column(String(64))
    commune_code: Mapped[str | None] = mapped_column(String(16))  # None: not yet placed, province queue
    # Personal data: the citizen's chat and phone are shown only to roles that may read contacts, and a
    # denouncer's only to the assignee and the province's admins (``scope.may_read_contact``).
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    chat_ref: Mapped[str | None] = mapped_column(String(128))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    phone_consent_at: Mapped[dt.datetime | None]
    phone_consent_channel: Mapped[Channel | None] = mapped_column(str_enum(Channel))
    phone_consent_wording: Mapped[str | None] = mapped_column(String(32))  # version of the consent text
    anonymous: Mapped[bool] = mapped_column(default=False)
    confidential: Mapped[bool] = mapped_column(default=False)  # province level only
    text: Mapped[str] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text)  # folded (no diacritics, lower case) for `q`
    status: Mapped[TicketStatus] = mapped_column(str_enum(TicketStatus), default=TicketStatus.NEW)
    priority: Mapped[int] = mapped_column(default=TicketPriority.NORMAL)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))  # staff entering it for a citizen
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    received_at: Mapped[dt.datetime]
    accepted_at: Mapped[dt.datetime | None]
    # Accepted (thụ lý) after the deadline to accept had passed: the case can no longer count as
    # settled on time, whatever the resolution deadline that then started says.
    accepted_late: Mapped[bool] = mapped_column(default=False, server_default=false())
    deadline: Mapped[dt.date]
    is_complex: Mapped[bool] = mapped_column(default=False)
    extended_count: Mapped[int] = mapped_column(default=0)
    resolved_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    attachments: Mapped[list[TicketAttachment]] = relationship(
        lazy="raise", order_by="TicketAttachment.id", viewonly=True
    )
    events: Mapped[list[TicketEvent]] = relationship(lazy="raise", order_by="TicketEvent.id", viewonly=True)

    __mapper_args__ = {"version_id_col": version}


class TicketEvent(Base):
    """One entry of a ticket's thread or history, with who did it and when."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_ticket_id", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind))
    actor_kind: Mapped[ActorKind] = mapped_column(str_enum(ActorKind))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    body: Mapped[str | None] = mapped_column(Text)  # messages, replies and notes
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)  # statuses, reason, assignee, dates, codes
    # A public reply awaiting, or past, a supervisor's approval; None where the unit needs none.
    approval: Mapped[ReplyApproval | None] = mapped_column(str_enum(ReplyApproval))
    approval_by: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    approval_at: Mapped[dt.datetime | None]

    # A public reply's outbox row, so the thread can show whether it was delivered.
    delivery: Mapped[OutboxMessage | None] = relationship(lazy="raise", viewonly=True, uselist=False)


class TicketAttachment(Base):
    """A file the citizen sent, kept as the channel's own file reference."""

    __tablename__ = "ticket_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_events.id"))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    file_ref: Mapped[str] = mapped_column(String(512))
    mime_type: Mapped[str | None] = mapped_column(String(100))
    size_bytes: Mapped[int | None]
    file_name: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
