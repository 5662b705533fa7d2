"""Every casework table, imported in one place so the metadata (and Alembic) sees them all."""

from __future__ import annotations

from casework.audit.models import AuditEntry
from casework.calendar.models import CalendarOverride
from casework.conversations.models import AnswerFeedback, Conversation, ProcessedUpdate, TicketRating
from casework.credentials.models import ChannelToken
from casework.db import Base
from casework.idempotency.models import IdempotencyKey
from casework.leases.models import Lease
from casework.officials.models import ApiToken, LoginAttempt, Official
from casework.outbox.models import OutboxMessage
from casework.subscriptions.models import Subscription
from casework.tickets.models import Ticket, TicketAttachment, TicketEvent

__all__ = [
    "AnswerFeedback",
    "ApiToken",
    "AuditEntry",
    "Base",
    "CalendarOverride",
    "ChannelToken",
    "Conversation",
    "IdempotencyKey",
    "Lease",
    "LoginAttempt",
    "Official",
    "OutboxMessage",
    "ProcessedUpdate",
    "Subscription",
    "Ticket",
    "TicketAttachment",
    "TicketEvent",
    "TicketRating",
]
