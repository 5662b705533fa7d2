"""Every casework table, imported in one place so the metadata (and Alembic) sees them all."""

from __future__ import annotations

from casework.audit.models import AuditEntry
from casework.calendar.models import CalendarOverride
from casework.db import Base
from casework.officials.models import ApiToken, LoginAttempt, Official
from casework.outbox.models import OutboxMessage
from casework.tickets.models import Ticket, TicketAttachment, TicketEvent

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Base",
    "CalendarOverride",
    "LoginAttempt",
    "Official",
    "OutboxMessage",
    "Ticket",
    "TicketAttachment",
    "TicketEvent",
]
