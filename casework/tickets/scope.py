"""Which tickets an official may see: the rule in Python and the same rule in SQL, side by side.

Province officials see every ticket. A commune official sees its own commune's tickets,
except confidential ones (a complaint about commune staff goes to the province only).
Anything else is answered as "not found", so that no one learns a ticket exists.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, true

from casework.errors import OutOfScope
from casework.officials.models import Official
from casework.officials.permissions import Action, can
from casework.tickets.models import Ticket


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


def visible_clause(official: Official) -> ColumnElement[bool]:
    """The SQL condition selecting exactly the tickets ``is_visible`` accepts."""
    if not can(official, Action.TICKET_READ):
        return false()
    if official.at_province:
        return true()
    return and_(Ticket.commune_code == official.unit, Ticket.confidential.is_(False))
