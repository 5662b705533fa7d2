"""Which tickets an official may see: the rule in Python and the same rule in SQL, side by side.

Province officials see every ticket. A commune official sees its own commune's tickets,
except confidential ones (a complaint about commune staff goes to the province only).
Anything else is answered as "not found", so that no one learns a ticket exists.

Seeing a ticket is not seeing its citizen's contact: roles that may read contacts see them,
except on a denunciation, whose denouncer's identity is secret (Luật Tố cáo 2018 art. 47ff):
only its assignee and the province's admins read that contact.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, true

from casework.errors import OutOfScope
from casework.officials.models import Official, Role
from casework.officials.permissions import Action, can
from casework.tickets.models import Ticket, TicketKind


def is_visible(official: Official, ticket: Ticket) -> bool:
    """Whether the ticket lies within the official's unit and the official may read tickets."""
    if not can(official, Action.TICKET_READ):
        return False
    if official.at_province:
        return True
    return ticket.commune_code == official.unit and not ticket.confidential


def ensure_visible(official: Official, ticket: Ticket) -> None:
    """Raise OutOfScope (a NotFound) unless the official may see the ticket."""
    if not is_visible(official, ticket):
        raise OutOfScope(f"ticket {ticket.code} not found")


def may_read_contact(official: Official, ticket: Ticket) -> bool:
    """Whether the official may read the contact of a ticket they can see (need-to-know for a denouncer)."""
    if not can(official, Action.TICKET_READ_CONTACT):
        return False
    if ticket.kind is TicketKind.DENUNCIATION:
        return ticket.assignee_id == official.id or (official.at_province and official.role is Role.ADMIN)
    return True


def visible_clause(official: Official) -> ColumnElement[bool]:
    """The SQL condition selecting exactly the tickets ``is_visible`` accepts."""
    if not can(official, Action.TICKET_READ):
        return false()
    if official.at_province:
        return true()
    return and_(Ticket.commune_code == official.unit, Ticket.confidential.is_(False))
