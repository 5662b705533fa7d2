"""Audit log rows and the vocabulary of actors and actions."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.db import Base, str_enum, utcnow


class ActorKind(enum.StrEnum):
    OFFICIAL = "official"
    CITIZEN = "citizen"
    SYSTEM = "system"  # the command line, the scheduler, the dispatcher


class AuditAction(enum.StrEnum):
    TICKET_SUBMIT = "ticket.submit"
    TICKET_READ_PERSONAL = "ticket.read_personal"
    TICKET_CITIZEN_MESSAGE = "ticket.citizen_message"
    TICKET_ASSIGN = "ticket.assign"
    TICKET_STATUS = "ticket.status"
    TICKET_REPLY = "ticket.reply"
    TICKET_REPLY_APPROVE = "ticket.reply_approve"
    TICKET_REPLY_RETURN = "ticket.reply_return"
    TICKET_NOTE = "ticket.note"
    TICKET_MERGE = "ticket.merge"
    TICKET_EXTEND = "ticket.extend"
    OFFICIAL_CREATE = "official.create"
    OFFICIAL_DISABLE = "official.disable"
    OFFICIAL_ENABLE = "official.enable"
    OFFICIAL_PASSWORD_RESET = "official.password_reset"  # noqa: S105 - an action name, not a secret
    OFFICIAL_ROLE_CHANGE = "official.role_change"
    TOKEN_ISSUE = "token.issue"  # noqa: S105 - an action name, not a secret
    TOKEN_REVOKE = "token.revoke"  # noqa: S105 - an action name, not a secret
    CALENDAR_SET = "calendar.set"
    CALENDAR_REMOVE = "calendar.remove"


class AuditEntry(Base):
    """Who did what to which object, and when; ``detail`` never holds personal data."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor_kind: Mapped[ActorKind] = mapped_column(str_enum(ActorKind))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"), index=True)
    action: Mapped[AuditAction] = mapped_column(str_enum(AuditAction), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
