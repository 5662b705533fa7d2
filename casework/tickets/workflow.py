"""What officials do to a ticket: assign, change status, reply, note, merge, extend the deadline.

Each function checks the role, the unit scope and (when given) the version the caller read,
records the change as a ticket event and in the audit log, and only flushes.

Messages to citizens are written here in Vietnamese and each names the tracking code it is
about, so that a citizen with several tickets knows which one it concerns. A public reply on a
ticket also goes to the chats of the tickets merged into it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from casework.audit.models import ActorKind, AuditAction
from casework.audit.service import record
from casework.calendar.service import load_calendar
from casework.db import utcnow
from casework.deadlines.schemas import DEFAULT_RULES, DeadlineRules
from casework.deadlines.service import ExtensionKind, current_deadline, legal_day, next_extension
from casework.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from casework.officials.models import PROVINCE, Official, Role
from casework.officials.permissions import Action, can
from casework.outbox.models import OutboxKind
from casework.outbox.schemas import OutboxPayload
from casework.outbox.service import enqueue
from casework.tickets import repository
from casework.tickets.lifecycle import RUNNING, apply_transition, check_transition
from casework.tickets.models import EventKind, ReplyApproval, Ticket, TicketEvent, TicketKind, TicketStatus
from casework.tickets.schemas import MAX_TEXT, TicketChange, TicketEventPublic
from casework.tickets.scope import is_visible
from casework.tickets.service import add_event, load_for_change, public, recompute_deadline, save

_CAN_EXTEND = frozenset({TicketStatus.ACCEPTED, TicketStatus.IN_PROGRESS})
# How a reply's header names the ticket to the citizen.
_KIND_NAMES = {
    TicketKind.QUESTION: "câu hỏi",
    TicketKind.FEEDBACK: "phản ánh",
    TicketKind.COMPLAINT: "khiếu nại",
    TicketKind.DENUNCIATION: "tố cáo",
}


def _text(value: str, field: str) -> str:
    value = value.strip()
    if not value or len(value) > MAX_TEXT:
        raise ValidationFailed(f"{field} must have 1 to {MAX_TEXT} characters", field=field)
    return value


async def _change(
    session: AsyncSession, ticket: Ticket, event: TicketEvent, rules: DeadlineRules, now: dt.datetime
) -> TicketChange:
    calendar = await load_calendar(session)
    loaded = await repository.event_with_delivery(session, event.id)
    return TicketChange(ticket=public(ticket, rules, calendar, now), event=TicketEventPublic.model_validate(loaded))


async def _notify(session: AsyncSession, ticket: Ticket, event: TicketEvent, kind: OutboxKind, text: str) -> None:
    """Queue a message to the citizen through the channel the ticket came from, if it has one."""
    if ticket.chat_ref is None or not ticket.channel.delivers:
        return  # entered from a phone call or a letter: the official answers the same way
    await enqueue(
        session,
        channel=ticket.channel,
        chat_ref=ticket.chat_ref,
        payload=OutboxPayload(text=text),
        kind=kind,
        dedupe_key=f"ticket-event:{event.id}",
        ticket_id=ticket.id,
        event_id=event.id,
    )


def citizen_reply_text(ticket: Ticket, text: str) -> str:
    """A public reply as the citizen's chat shows it: a header naming the ticket, then the official's text."""
    return f"**Trả lời {_KIND_NAMES[ticket.kind]} {ticket.code}:**\n\n{text}"


async def _send_reply(session: AsyncSession, ticket: Ticket, reply: TicketEvent) -> None:
    """Queue a public reply to the ticket's chat and to the chats of the tickets merged into it (once per chat).

    The stored reply keeps the official's text; only the queued messages carry the header. The
    copies to merged tickets' chats are linked to those tickets, not to the reply, whose delivery
    state in the thread is the original chat's.
    """
    text = citizen_reply_text(ticket, reply.body or "")
    await _notify(session, ticket, reply, OutboxKind.REPLY, text)
    reached = {(ticket.channel, ticket.chat_ref)}
    for duplicate in await repository.duplicates_of(session, ticket.id):
        chat = (duplicate.channel, duplicate.chat_ref)
        if duplicate.chat_ref is None or not duplicate.channel.delivers or chat in reached:
            continue
        reached.add(chat)
        await enqueue(
            session,
            channel=duplicate.channel,
            chat_ref=duplicate.chat_ref,
            payload=OutboxPayload(text=text),
            kind=OutboxKind.REPLY,
            dedupe_key=f"ticket-event:{reply.id}:merged:{duplicate.id}",
            ticket_id=duplicate.id,
        )


async def assign(
    session: AsyncSession,
    *,
    actor: Official,
    code: str,
    assignee_id: int | None,
    expected_version: int | None = None,
    rules: DeadlineRules = DEFAULT_RULES,
    now: dt.datetime | None = None,
) -> TicketChange:
    """Give the ticket to an official of its unit (or take it back with None)."""
    now = now or utcnow()
    ticket = await load_for_change(
        session, actor=actor, action=Action.TICKET_ASSIGN, code=code, expected_version=expected_version
    )
    if ticket.kind is TicketKind.DENUNCIATION and actor.role not in _DESIGNATE_RESOLVER:
        # Its assignee reads the denouncer's identity: the unit's head designates them, no one takes it.
        raise Forbidden("a denunciation is assigned by a supervisor or an admin of its unit")
    if assignee_id is not None:
        assignee = await repository.official_by_id(session, assignee_id)
        if assignee is None or not can(assignee, Action.TICKET_WORK) or not is_visible(assignee, ticket):
            raise ValidationFailed(
                "the assignee must be an active officer who can see this ticket", field="assignee_id"
            )
    event = add_event(
        session, ticket, EventKind.ASSIGNMENT, actor, now, data={"from": ticket.assignee_id, "to": assignee_id}
    )
    ticket.assignee_id = assignee_id
    await save(session, now, ticket)
    await record(
        session,
        actor=actor,
        action=AuditAction.TICKET_ASSIGN,
        object_type="ticket",
        object_id=ticket.code,
        detail={"assignee_id": assignee_id},
    )
    return await _change(session, ticket, event, rules, now)


async def release_assignments(
    session: AsyncSession, *, official: Official, actor: Official | None, now: dt.datetime | None = None
) -> list[str]:
    """Take back the open tickets an official can no longer work on; return their codes.

    Called after an official is disabled, moved to another unit or given a role that does not work
    cases: their tickets would otherwise stay assigned to someone who cannot open them, and out of
    the "unassigned" queue. Each gets an assignment event by whoever made the change.
    """
    now = now or utcnow()
    released = []
    for ticket in await repository.running_assigned_to(session, official.id):
        if can(official, Action.TICKET_WORK) and is_visible(official, ticket):
            continue
        add_event(
            session,
            ticket,
            EventKind.ASSIGNMENT,
            actor or ActorKind.SYSTEM,
            now,
            data={"from": official.id, "to": None, "reason": "the assignee can no longer work on it"},
        )
        ticket.assignee_id = None
        await save(session, now, ticket)
        released.append(ticket.code)
    return released


async def recompute_deadlines(
    session: AsyncSession,
    *,
    actor: Official | None,
    reason: str,
    since: dt.date | None = None,
    rules: DeadlineRules = DEFAULT_RULES,
    now: dt.datetime | None = None,
) -> list[str]:
    """Bring running deadlines in line with the calendar and rules in force now; return the codes moved.

    A deadline is stored when it is set, so a day off declared later, a working day given back or
    a commune added to the remote list would otherwise leave open cases on the old count. ``since``
    is the first day whose status changed: a deadline before it was counted without that day and
    cannot move. Each moved deadline gets a deadline event (``reason`` in its data) by ``actor``
    (None: the system).
    """
    now = now or utcnow()
    calendar = await load_calendar(session)
    moved = [
        ticket
        for ticket in await repository.running_due_from(session, since)
        if recompute_deadline(session, ticket, actor or ActorKind.SYSTEM, rules, calendar, now, reason=reason)
    ]
    if moved:
        await save(session, now, *moved)
    return [ticket.code for ticket in moved]


async def change_status(
    session: AsyncSession,
    *,
    actor: Official,
    code: str,
    status: TicketStatus,
    reason: str | None = None,
    commune_code: str | None = None,
    expected_version: int | None = None,
    rules: DeadlineRules = DEFAULT_RULES,
    now: dt.datetime | None = None,
) -> TicketChange:
    """Move the ticket along its lifecycle; a transfer names the receiving unit in ``commune_code``."""
    now = now or utcnow()
    reason = _text(reason, "reason") if reason is not None and reason.strip() else None
    ticket = await load_for_change(
        session, actor=actor, action=Action.TICKET_CHANGE_STATUS, code=code, expected_version=expected_version
    )
    check_transition(ticket, status, reason=reason, transfer_to=commune_code)
    calendar = await load_calendar(session)
    previous = ticket.status
    if status is TicketStatus.ACCEPTED:
        # Until now the deadline that ran was the one to accept the case (or, with none, to settle it).
        ticket.accepted_late = legal_day(now) > ticket.deadline
    apply_transition(ticket, status, now=now, transfer_to=commune_code)
    data = {"from": previous, "to": status, "reason": reason}
    if status is TicketStatus.TRANSFERRED:
        data["commune_code"] = ticket.commune_code
    event = add_event(session, ticket, EventKind.STATUS_CHANGE, actor, now, data=data)
    if status in {TicketStatus.ACCEPTED, TicketStatus.TRANSFERRED} or (status in RUNNING and previous not in RUNNING):
        # Accepted, transferred or reopened: its clock runs again, on today's calendar.
        recompute_deadline(session, ticket, actor, rules, calendar, now)
    await save(session, now, ticket)
    if status is TicketStatus.REJECTED:
        # A refusal to handle a case must reach the citizen with its reason (Luật Khiếu nại art. 27).
        text = f"Hồ sơ {ticket.code} của bạn không được thụ lý giải quyết. Lý do: {reason}"
        await _notify(session, ticket, event, OutboxKind.NOTICE, text)
    await record(
        session,
        actor=actor,
        action=AuditAction.TICKET_STATUS,
        object_type="ticket",
        object_id=ticket.code,
        detail={"from": previous, "to": status},
    )
    return await _change(session, ticket, event, rules, now)


async def add_public_reply(
    session: AsyncSession,
    *,
    actor: Official,
    code: str,
    text: str,
    expected_version: int | None = None,
    rules: DeadlineRules = DEFAULT_RULES,
    approval_units: frozenset[str] = frozenset(),
    now: dt.datetime | None = None,
) -> TicketChange:
    """Answer the citizen: the reply joins the thread and is queued to their chat in the same transaction.

    The queued message starts with a header naming the ticket; it also goes to the chats of the
    tickets merged into this one (``_send_reply``).

    When the ticket's unit is in ``approval_units`` and the author may not approve replies, the
    reply waits in the thread (approval ``pending``) and nothing is queued until it is approved.
    """
    now = now or utcnow()
    text = _text(text, "text")
    ticket = await load_for_change(
        session, actor=actor, action=Action.TICKET_REPLY, code=code, expected_version=expected_version
    )
    if ticket.status is TicketStatus.DUPLICATE:
        raise InvalidTransition("reply on the original ticket, not on a duplicate")
    event = add_event(session, ticket, EventKind.PUBLIC_REPLY, actor, now, body=text)
    # The author already passed the scope check: one who may approve is a supervisor of this unit.
    pending = needs_approval(ticket, approval_units) and not can(actor, Action.TICKET_APPROVE_REPLY)
    if pending:
        event.approval = ReplyApproval.PENDING
    await save(session, now, ticket)
    if not pending:
        await _send_reply(session, ticket, event)
    await record(
        session,
        actor=actor,
        action=AuditAction.TICKET_REPLY,
        object_type="ticket",
        object_id=ticket.code,
        detail={"event_id": event.id, "approval": ReplyApproval.PENDING} if pending else {},
    )
    return await _change(session, ticket, event, rules, now)


def reply_unit(ticket: Ticket) -> str:
    """The unit that answers for a ticket's replies: its commune, or the province (unplaced or confidential)."""
    if ticket.confidential or ticket.commune_code is None:
        return PROVINCE
    return ticket.commune_code


def needs_approval(ticket: Ticket, approval_units: frozenset[str]) -> bool:
    """Whether public replies on this ticket wait for a supervisor's approval."""
    return reply_unit(ticket) in approval_units


async def _pending_reply(
    session: AsyncSession, *, actor: Official, code: str, event_id: int, expected_version: int | None
) -> tuple[Ticket, TicketEvent]:
    ticket = await load_for_change(
        session, actor=actor, action=Action.TICKET_APPROVE_REPLY, code=code, expected_version=expected_version
    )
    reply = await repository.reply_of_ticket(session, ticket.id, event_id)
    if reply is None:
        raise NotFound(f"reply {event_id} not found on ticket {ticket.code}")
    if reply.approval is not ReplyApproval.PENDING:
        state = reply.approval or "sent without approval"
        raise Conflict(f"reply {event_id} is not awaiting approval: {state}")
    return ticket, reply


async def approve_reply(
    session: AsyncSession,
    *,
    actor: Official,
    code: str,
    event_id: int,
    expected_version: int | None = None,
    rules: DeadlineRules = DEFAULT_RULES,
    now: dt.datetime | None = None,
) -> TicketChange:
    """Approve a reply awaiting approval: it is queued to the citizen, once, and the approver recorded."""
    now = now or utcnow()
    ticket, reply = await _pending_reply(
        session, actor=actor, code=code, event_id=event_id, expected_version=expected_version
    )
    reply.approval = ReplyApproval.APPROVED
    reply.approval_by = actor.id
    reply.approval_at = now
    # The ticket's version moves too: of two approvals racing, the second fails as stale.
    await save(session, now, ticket)
    await _send_reply(session, ticket, reply)
    await record(
        session,
        actor=actor,
        action=AuditAction.TICKET_REPLY_APPROVE,
        object_type="ticket",
        object_id=ticket.code,
        detail={"event_id": reply.id},
    )
    return await _change(session, ticket, reply, rules, now)


async def return_reply(
    session: AsyncSession,
    *,
    actor: Official,
    code: str,
    event_id: int,
    comment: str,
    expected_version: int | None = None,
    rules: DeadlineRules = DEFAULT_RULES,
    now: dt.datetime | None = None,
) -> TicketChange:
    """Send a reply awaiting approval back to its author: never queued; the comment joins the thread as a note."""
    now = now or utcnow()
    comment = _text(comment, "comment")
    ticket, reply = await _pending_reply(
        session, actor=actor, code=code, event_id=event_id, expected_version=expected_version
    )
    reply.approval = ReplyApproval.RETURNED
    reply.approval_by = actor.id
    reply.approval_at = now
    add_event(session, ticket, EventKind.INTERNAL_NOTE, actor, now, body=comment, data={"returned_reply": reply.id})
    await save(session, now, ticket)
    await record(
        session,
        actor=actor,
        action=AuditAction.TICKET_REPLY_RETURN,
        object_type="ticket",
        object_id=ticket.code,
        detail={"event_id": reply.id},
    )
    return await _change(session, ticket, reply, rules, now)


async def add_internal_note(
    session: AsyncSession,
    *,
    actor: Official,
    code: str,
    text: str,
    expected_version: int | None = None,
    rules: DeadlineRules = DEFAULT_RULES,
    now: dt.datetime | None = None,
) -> TicketChange:
    """Add a note only officials see."""
    now = now or utcnow()
    text = _text(text, "text")
    ticket = await load_for_change(
        session, actor=actor, action=Action.TICKET_NOTE, code=code, expected_version=expected_version
    )
    event = add_event(session, ticket, EventKind.INTERNAL_NOTE, actor, now, body=text)
    await save(session, now, ticket)
    await record(session, actor=actor, action=AuditAction.TICKET_NOTE, object_type="ticket", object_id=ticket.code)
    return await _change(session, ticket, event, rules, now)


async def merge(
    session: AsyncSession,
    *,
    actor: Official,
    code: str,
    into_code: str,
    expected_version: int | None = None,
    rules: DeadlineRules = DEFAULT_RULES,
    now: dt.datetime | None = None,
) -> TicketChange:
    """Mark ticket ``code`` a duplicate of ``into_code``; both threads record the link.

    Only tickets of the same kind merge: a complaint or denunciation keeps its own legal clock,
    which a merge into another kind would lose. The duplicate's citizen is told, in their chat,
    that answers will come under the original's code.
    """
    now = now or utcnow()
    duplicate = await load_for_change(
        session, actor=actor, action=Action.TICKET_MERGE, code=code, expected_version=expected_version
    )
    original = await load_for_change(
        session, actor=actor, action=Action.TICKET_MERGE, code=into_code, expected_version=None
    )
    if original.id == duplicate.id:
        raise ValidationFailed("a ticket cannot be merged into itself", field="into_code")
    if original.status is TicketStatus.DUPLICATE:
        raise ValidationFailed("merge into the original ticket, not into another duplicate", field="into_code")
    _ensure_mergeable(duplicate, original)
    check_transition(duplicate, TicketStatus.DUPLICATE, merging=True)
    # The tickets merged into this one follow it, so that answers still reach their chats (queried
    # before any change: autoflush would write the tickets early and move their versions twice).
    followers = await repository.duplicates_of(session, duplicate.id)
    previous = duplicate.status
    apply_transition(duplicate, TicketStatus.DUPLICATE, now=now, transfer_to=None)
    duplicate.duplicate_of_id = original.id
    add_event(session, duplicate, EventKind.STATUS_CHANGE, actor, now, data={"from": previous, "to": duplicate.status})
    event = add_event(session, duplicate, EventKind.MERGE, actor, now, data={"into": original.code})
    add_event(session, original, EventKind.MERGE, actor, now, data={"merged": duplicate.code})
    follower_events = []
    for follower in followers:
        follower.duplicate_of_id = original.id
        follower_events.append(
            add_event(
                session, follower, EventKind.MERGE, actor, now, data={"into": original.code, "via": duplicate.code}
            )
        )
        add_event(session, original, EventKind.MERGE, actor, now, data={"merged": follower.code})
    await save(session, now, original, duplicate, *followers)
    for merged, merge_event in ((duplicate, event), *zip(followers, follower_events, strict=True)):
        await _notify(session, merged, merge_event, OutboxKind.NOTICE, _merge_notice(merged, original))
    await record(
        session,
        actor=actor,
        action=AuditAction.TICKET_MERGE,
        object_type="ticket",
        object_id=duplicate.code,
        detail={"into": original.code},
    )
    return await _change(session, duplicate, event, rules, now)


_MERGEABLE = frozenset({TicketKind.FEEDBACK, TicketKind.QUESTION})
# Roles that may designate who resolves a denunciation (and so who reads the denouncer's identity).
_DESIGNATE_RESOLVER = frozenset({Role.SUPERVISOR, Role.ADMIN})


def _ensure_mergeable(duplicate: Ticket, original: Ticket) -> None:
    """Refuse (Conflict) a merge that would mix cases the law keeps apart or show a citizen's words to others.

    Only feedback and questions merge: a complaint or a denunciation is settled for its own
    citizen, with its own legal clock, and a reply to one names them. Both tickets must be of one
    commune and equally confidential, or the original's officials would read what was kept from
    them; and the original must still be worked on, or the merged citizen would wait for nothing.
    """
    if duplicate.kind is not original.kind or duplicate.kind not in _MERGEABLE:
        raise Conflict(
            f"ticket {duplicate.code} is a {duplicate.kind} and {original.code} a {original.kind}: only feedback "
            "or questions of the same kind merge (a complaint or denunciation is settled for its own citizen); "
            "reject or answer it instead"
        )
    if duplicate.commune_code != original.commune_code or duplicate.confidential != original.confidential:
        raise Conflict(
            f"tickets {duplicate.code} and {original.code} differ in commune or confidentiality: merging would show "
            "one citizen's words to officials they were not sent to; answer each instead"
        )
    if original.status not in RUNNING:
        raise Conflict(
            f"ticket {original.code} is {original.status}, no longer worked on: answer {duplicate.code} instead"
        )


def _merge_notice(merged: Ticket, original: Ticket) -> str:
    return (
        f"Hồ sơ {merged.code} của bạn trùng nội dung với hồ sơ {original.code} nên đã được gộp vào hồ sơ đó "
        f"để giải quyết chung. Câu trả lời sẽ được gửi đến bạn tại đây, dưới mã {original.code}."
    )


async def extend_deadline(
    session: AsyncSession,
    *,
    actor: Official,
    code: str,
    reason: str,
    expected_version: int | None = None,
    rules: DeadlineRules = DEFAULT_RULES,
    now: dt.datetime | None = None,
) -> TicketChange:
    """Extend an accepted case's deadline as its rule allows (a complex complaint, a denunciation's extensions).

    Each extension needs a reason and queues a notice to the citizen; past the limit, LimitReached.
    """
    now = now or utcnow()
    reason = _text(reason, "reason")
    ticket = await load_for_change(
        session, actor=actor, action=Action.TICKET_EXTEND, code=code, expected_version=expected_version
    )
    if ticket.status not in _CAN_EXTEND:
        raise InvalidTransition(f"only an accepted case can be extended; this one is {ticket.status}")
    rule = rules.rule_for(ticket.kind, ticket.topic)
    extension = next_extension(rule, complex_case=ticket.is_complex, extended_count=ticket.extended_count)
    calendar = await load_calendar(session)
    if extension is ExtensionKind.COMPLEX:
        ticket.is_complex = True
    else:
        ticket.extended_count += 1
    previous = ticket.deadline
    ticket.deadline = current_deadline(rules, calendar, ticket)
    data = {"from": previous.isoformat(), "to": ticket.deadline.isoformat(), "reason": reason, "extension": extension}
    event = add_event(session, ticket, EventKind.DEADLINE_CHANGE, actor, now, data=data)
    await save(session, now, ticket)
    # Luật Tố cáo art. 30: every extension is a decision sent to the parties.
    text = (
        f"Thời hạn giải quyết hồ sơ {ticket.code} của bạn được gia hạn đến hết ngày "
        f"{ticket.deadline:%d/%m/%Y}. Lý do: {reason}"
    )
    await _notify(session, ticket, event, OutboxKind.NOTICE, text)
    await record(
        session,
        actor=actor,
        action=AuditAction.TICKET_EXTEND,
        object_type="ticket",
        object_id=ticket.code,
        detail={"extension": extension, "deadline": ticket.deadline.isoformat()},
    )
    return await _change(session, ticket, event, rules, now)
