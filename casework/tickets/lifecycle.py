"""The ticket lifecycle, enforced here and nowhere else.

```mermaid
stateDiagram-v2
    [*] --> new
    new --> accepted
    transferred --> accepted
    accepted --> in_progress
    accepted --> answered
    in_progress --> answered
    answered --> closed
    answered --> in_progress: reopen (citizen disputes)
    closed --> in_progress: reopen
    new --> rejected
    new --> duplicate
    new --> transferred
    note right of accepted: never an anonymous complaint or denunciation
    note right of rejected: reason required;\nalso from transferred, accepted, in_progress
    note right of duplicate: only through merge;\nalso from transferred, accepted, in_progress
    note right of transferred: to another unit;\nalso from accepted, in_progress
```
"""

from __future__ import annotations

import datetime as dt
import re

from casework.errors import InvalidTransition, ValidationFailed
from casework.officials.models import PROVINCE, UNIT_PATTERN
from casework.tickets.models import Ticket, TicketKind, TicketStatus

S = TicketStatus
_LEAVE_OPEN = frozenset({S.REJECTED, S.DUPLICATE, S.TRANSFERRED})

TRANSITIONS: dict[TicketStatus, frozenset[TicketStatus]] = {
    S.NEW: frozenset({S.ACCEPTED}) | _LEAVE_OPEN,
    S.TRANSFERRED: frozenset({S.ACCEPTED}) | _LEAVE_OPEN,
    S.ACCEPTED: frozenset({S.IN_PROGRESS, S.ANSWERED}) | _LEAVE_OPEN,
    S.IN_PROGRESS: frozenset({S.ANSWERED}) | _LEAVE_OPEN,
    S.ANSWERED: frozenset({S.CLOSED, S.IN_PROGRESS}),
    S.CLOSED: frozenset({S.IN_PROGRESS}),
    S.REJECTED: frozenset(),
    S.DUPLICATE: frozenset(),
}

# Kinds that are formal cases only with the filer's identity: an anonymous one is never accepted (thụ lý).
NEEDS_IDENTITY: dict[TicketKind, str] = {TicketKind.COMPLAINT: "complaint", TicketKind.DENUNCIATION: "denunciation"}

# Statuses whose deadline is running: the ones counted as overdue or due soon.
RUNNING = frozenset({S.NEW, S.TRANSFERRED, S.ACCEPTED, S.IN_PROGRESS})
REOPEN_FROM = frozenset({S.ANSWERED, S.CLOSED})


def commune_of_unit(unit: str) -> str | None:
    """The ticket's commune code for a unit: a commune's own code, or None for the province."""
    return None if unit == PROVINCE else unit


def check_transition(
    ticket: Ticket,
    target: TicketStatus,
    *,
    reason: str | None = None,
    transfer_to: str | None = None,
    merging: bool = False,
) -> None:
    """Raise unless the ticket may move to ``target`` with these arguments."""
    current = ticket.status
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (final status)"
        raise InvalidTransition(f"a {current} ticket cannot become {target}; allowed: {allowed}")
    if target is S.ACCEPTED and ticket.anonymous and ticket.kind in NEEDS_IDENTITY:
        # Luật Khiếu nại art. 8 needs the complainant's name, address and signature; Luật Tố cáo 2018
        # does not process a denunciation without the denouncer's name and address. Anonymous, it is
        # feedback or a tip, never a formal case with a legal clock.
        raise InvalidTransition(
            f"an anonymous {NEEDS_IDENTITY[ticket.kind]} cannot be accepted: the law needs the name and address "
            "of whoever files it; reject it with a reason (e.g. asking for a signed application), or handle "
            "the content as feedback (phản ánh) by entering it as a feedback ticket"
        )
    if target is S.REJECTED and not (reason and reason.strip()):
        raise ValidationFailed("a rejection needs a reason", field="reason")
    if target is S.DUPLICATE and not merging:
        raise InvalidTransition("mark a duplicate by merging it into the original ticket")
    if target is S.TRANSFERRED:
        if not transfer_to or not re.fullmatch(UNIT_PATTERN, transfer_to):
            raise ValidationFailed(
                "a transfer needs the receiving unit: a commune code or 'province'", field="commune_code"
            )
        if commune_of_unit(transfer_to) == ticket.commune_code:
            raise ValidationFailed("the ticket already belongs to this unit", field="commune_code")
    elif transfer_to is not None:
        raise ValidationFailed("only a transfer changes the unit", field="commune_code")


def apply_transition(ticket: Ticket, target: TicketStatus, *, now: dt.datetime, transfer_to: str | None) -> None:
    """Set the status and the timestamps and fields that go with it (after ``check_transition``)."""
    if target is S.ACCEPTED:
        ticket.accepted_at = now
    elif target is S.ANSWERED:
        ticket.resolved_at = now
    elif target in {S.CLOSED, S.REJECTED, S.DUPLICATE}:
        ticket.closed_at = now
    elif target is S.IN_PROGRESS and ticket.status in REOPEN_FROM:
        ticket.resolved_at = None
        ticket.closed_at = None
    elif target is S.TRANSFERRED:
        # The receiving unit decides who works on it and accepts it afresh: its clock starts anew,
        # without the extensions or the complexity the sending unit decided.
        ticket.commune_code = commune_of_unit(transfer_to) if transfer_to else None
        ticket.assignee_id = None
        ticket.accepted_at = None
        ticket.accepted_late = False
        ticket.extended_count = 0
        ticket.is_complex = False
    ticket.status = target
