"""Who may do what: the one table from role to allowed actions. Anything not listed is denied.

A few actions reach beyond one commune (the calendar moves every commune's deadlines, the audit
trail names every commune's tickets, confidential ones included): a role grants them only to
officials at province level (``PROVINCE_ONLY``).
"""

from __future__ import annotations

import enum

from casework.errors import Forbidden
from casework.officials.models import Official, Role


class Action(enum.StrEnum):
    TICKET_READ = "ticket.read"
    TICKET_READ_CONTACT = "ticket.read_contact"  # the citizen's chat reference and phone
    TICKET_CREATE = "ticket.create"
    TICKET_ASSIGN = "ticket.assign"
    TICKET_CHANGE_STATUS = "ticket.change_status"
    TICKET_REPLY = "ticket.reply"
    TICKET_NOTE = "ticket.note"
    TICKET_MERGE = "ticket.merge"
    TICKET_EXTEND = "ticket.extend"
    TICKET_WORK = "ticket.work"  # may be the assignee of a ticket
    TICKET_APPROVE_REPLY = "ticket.approve_reply"  # approve or return a reply awaiting approval
    REPORT_READ = "report.read"
    BROADCAST_SEND = "broadcast.send"
    FAQ_EDIT = "faq.edit"
    CALENDAR_EDIT = "calendar.edit"
    OFFICIALS_MANAGE = "officials.manage"
    AUDIT_READ = "audit.read"


_CASEWORK = {
    Action.TICKET_READ,
    Action.TICKET_READ_CONTACT,
    Action.TICKET_CREATE,
    Action.TICKET_ASSIGN,
    Action.TICKET_CHANGE_STATUS,
    Action.TICKET_REPLY,
    Action.TICKET_NOTE,
    Action.TICKET_MERGE,
    Action.TICKET_WORK,
    Action.REPORT_READ,
}

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.SUPERVISOR: frozenset(
        _CASEWORK | {Action.TICKET_EXTEND, Action.TICKET_APPROVE_REPLY, Action.BROADCAST_SEND, Action.CALENDAR_EDIT}
    ),
    Role.OFFICER: frozenset(_CASEWORK),
    # Editors turn answered questions into FAQ entries: they read tickets, not citizens' contacts.
    Role.EDITOR: frozenset({Action.TICKET_READ, Action.FAQ_EDIT, Action.REPORT_READ}),
    Role.VIEWER: frozenset({Action.TICKET_READ, Action.REPORT_READ}),
}


# Province-wide in effect, so out of reach of commune officials whatever their role.
PROVINCE_ONLY: frozenset[Action] = frozenset({Action.CALENDAR_EDIT, Action.AUDIT_READ})


def can(official: Official, action: Action) -> bool:
    """Tell whether an active official's role (and, for province-wide actions, unit) allows the action."""
    if official.disabled or action not in PERMISSIONS.get(official.role, frozenset()):
        return False
    return official.at_province or action not in PROVINCE_ONLY


def allowed_actions(official: Official) -> list[Action]:
    """Every action the official may perform, sorted."""
    return sorted(action for action in Action if can(official, action))


def require(official: Official, action: Action) -> None:
    """Raise Forbidden unless the official may perform the action."""
    if can(official, action):
        return
    if action in PERMISSIONS.get(official.role, frozenset()) and not official.disabled:
        raise Forbidden(f"{action} is for province-level officials; unit {official.unit} may not")
    raise Forbidden(f"role {official.role} may not {action}")
