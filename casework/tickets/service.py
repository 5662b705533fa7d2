"""Tickets in and out: submission, the citizen's side of the thread, the officials' queue and detail.

The status-changing work (assign, status, reply, note, merge, extend) is in ``workflow``; the
helpers both modules share are at the end of this one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from casework.audit.models import ActorKind, AuditAction
from casework.audit.service import Actor, actor_columns, record, record_read
from casework.calendar.service import load_calendar
from casework.calendar.workdays import WorkingCalendar
from casework.channels import Channel
from casework.db import utcnow
from casework.deadlines.schemas import DEFAULT_RULES, DeadlineRules
from casework.deadlines.service import LEGAL_ZONE, current_deadline, deadline_state, due_soon_limit, legal_day
from casework.errors import LimitReached, NotFound, StaleVersion, ValidationFailed
from casework.officials.models import Official
from casework.officials.permissions import Action, require
from casework.pagination import decode_cursor, encode_cursor
from casework.tickets import repository
from casework.tickets.codes import new_tracking_code, normalize_tracking_code
from casework.tickets.lifecycle import REOPEN_FROM, RUNNING, apply_transition, check_transition
from casework.tickets.models import EventKind, Ticket, TicketAttachment, TicketEvent, TicketStatus
from casework.tickets.schemas import (
    AttachmentCreate,
    AttachmentPublic,
    CitizenReply,
    CitizenTicketView,
    TicketContact,
    TicketCreate,
    TicketDetail,
    TicketEventPublic,
    TicketPage,
    TicketPublic,
    TicketQuery,
)
from casework.tickets.scope import ensure_visible, may_read_contact, visible_clause
from knowledge.text import fold

CODE_ATTEMPTS = 8  # a collision among 30^8 codes is already a one-in-a-million event
HOURLY_SUBMISSIONS_PER_CHAT = 5
# How far ahead of our clock a consent time may be (the bot's or a staff member's clock running fast).
CLOCK_SKEW = dt.timedelta(minutes=5)


async def submit_ticket(
    session: AsyncSession,
    *,
    data: TicketCreate,
    submitted_by: Official | None = None,
    rules: DeadlineRules = DEFAULT_RULES,
    now: dt.datetime | None = None,
) -> TicketPublic:
    """File a ticket from the citizen's chat (``submitted_by`` None) or entered by staff on their behalf.

    Refused (ValidationFailed): a receipt time in the future, a consent time more than
    ``CLOCK_SKEW`` ahead, and an anonymous ticket with a contact phone.
    """
    now = now or utcnow()
    if submitted_by is not None:
        require(submitted_by, Action.TICKET_CREATE)
        if not submitted_by.at_province and data.commune_code != submitted_by.unit:
            raise ValidationFailed("a commune official files tickets for that commune only", field="commune_code")
    elif data.chat_ref is not None:
        recent = await repository.submissions_since(
            session, channel=data.channel, chat_ref=data.chat_ref, since=now - dt.timedelta(hours=1)
        )
        if recent >= HOURLY_SUBMISSIONS_PER_CHAT:
            raise LimitReached(f"at most {HOURLY_SUBMISSIONS_PER_CHAT} tickets per hour from one chat")
    received_at = data.received_at or now
    if received_at > now:
        raise ValidationFailed("the receipt time is in the future", field="received_at")
    if data.anonymous and data.contact_phone:
        raise ValidationFailed("an anonymous ticket has no contact phone", field="contact_phone")
    if data.phone_consent and data.phone_consent.given_at > now + CLOCK_SKEW:
        raise ValidationFailed("the consent time is in the future", field="phone_consent.given_at")
    values: dict[str, Any] = {
        "kind": data.kind,
        "topic": data.topic,
        "commune_code": data.commune_code,
        "channel": data.channel,
        "chat_ref": data.chat_ref,
        "contact_phone": data.contact_phone,
        "phone_consent_at": data.phone_consent.given_at if data.phone_consent else None,
        "phone_consent_channel": data.phone_consent.channel if data.phone_consent else None,
        "phone_consent_wording": data.phone_consent.wording_version if data.phone_consent else None,
        "anonymous": data.anonymous,
        "confidential": data.confidential,
        "text": data.text,
        "search_text": searchable(data.text, data.topic),
        "status": TicketStatus.NEW,
        "priority": int(data.priority),
        "created_by": submitted_by.id if submitted_by else None,
        "received_at": received_at,
        "accepted_at": None,
        "is_complex": False,
        "extended_count": 0,
        "updated_at": now,
        "version": 1,
    }
    calendar = await load_calendar(session)
    values["deadline"] = current_deadline(rules, calendar, Ticket(**values))
    ticket = None
    for _ in range(CODE_ATTEMPTS):
        ticket = await repository.insert_ticket(session, {**values, "code": new_tracking_code()})
        if ticket is not None:
            break
    if ticket is None:  # pragma: no cover - would take a broken random number generator
        raise RuntimeError("no free tracking code after several draws")
    add_attachments(session, ticket, data.attachments, event_id=None)
    await session.flush()
    await record(
        session,
        actor=submitted_by or ActorKind.CITIZEN,
        action=AuditAction.TICKET_SUBMIT,
        object_type="ticket",
        object_id=ticket.code,
        detail={"kind": data.kind, "channel": data.channel, "commune_code": data.commune_code},
    )
    return public(ticket, rules, calendar, now)


async def find_citizen_ticket(session: AsyncSession, *, code: str, channel: Channel, chat_ref: str) -> Ticket:
    """The ticket with this code filed from this chat; NotFound otherwise (a code alone is not enough)."""
    normalized = normalize_tracking_code(code)
    ticket = await repository.by_code(session, normalized) if normalized else None
    if ticket is None or ticket.channel is not channel or ticket.chat_ref != chat_ref:
        raise NotFound(f"ticket {code!r} not found for this chat")
    return ticket


async def citizen_view(session: AsyncSession, *, code: str, channel: Channel, chat_ref: str) -> CitizenTicketView:
    """What the citizen sees of their ticket: status, deadline and the officials' public replies."""
    ticket = await find_citizen_ticket(session, code=code, channel=channel, chat_ref=chat_ref)
    original = await _merged_into(session, ticket)
    worked_on = original or ticket
    replies = await repository.public_replies(session, worked_on.id)
    if original is not None:
        # Replies written before the merge were addressed to the original's citizen alone.
        merged_at = ticket.closed_at or ticket.updated_at
        replies = [reply for reply in replies if reply.at >= merged_at]
    return CitizenTicketView(
        code=ticket.code,
        kind=ticket.kind,
        status=ticket.status,
        received_at=ticket.received_at,
        deadline=worked_on.deadline,
        replies=[CitizenReply(at=reply.at, text=reply.body or "") for reply in replies],
        merged_into=original.code if original else None,
        merged_status=original.status if original else None,
    )


async def _merged_into(session: AsyncSession, ticket: Ticket) -> Ticket | None:
    """The ticket this one was merged into (the one being worked on), or None."""
    if ticket.status is not TicketStatus.DUPLICATE or ticket.duplicate_of_id is None:
        return None
    return await session.get(Ticket, ticket.duplicate_of_id)


async def add_citizen_message(
    session: AsyncSession,
    *,
    code: str,
    channel: Channel,
    chat_ref: str,
    text: str,
    attachments: list[AttachmentCreate] | None = None,
    dispute: bool = False,
    rules: DeadlineRules = DEFAULT_RULES,
    now: dt.datetime | None = None,
) -> TicketEventPublic:
    """Add the citizen's follow-up to the thread; ``dispute`` reopens an answered or closed ticket of theirs."""
    now = now or utcnow()
    own = await find_citizen_ticket(session, code=code, channel=channel, chat_ref=chat_ref)
    # What a citizen adds to a merged ticket goes to the one being worked on, marked with their code.
    ticket = await _merged_into(session, own) or own
    if dispute and ticket is own and ticket.status in REOPEN_FROM:
        calendar = await load_calendar(session)
        check_transition(ticket, TicketStatus.IN_PROGRESS)
        previous = ticket.status
        apply_transition(ticket, TicketStatus.IN_PROGRESS, now=now, transfer_to=None)
        add_event(
            session,
            ticket,
            EventKind.STATUS_CHANGE,
            ActorKind.CITIZEN,
            now,
            data={"from": previous, "to": ticket.status},
        )
        recompute_deadline(session, ticket, ActorKind.CITIZEN, rules, calendar, now)  # its clock runs again
    ticket.search_text = f"{ticket.search_text} {searchable(text, None)}"
    via = {} if ticket is own else {"via": own.code}
    event = add_event(session, ticket, EventKind.CITIZEN_MESSAGE, ActorKind.CITIZEN, now, body=text, data=via)
    await save(session, now, ticket)
    add_attachments(session, ticket, attachments or [], event_id=event.id, channel=channel)
    await record(
        session,
        actor=ActorKind.CITIZEN,
        action=AuditAction.TICKET_CITIZEN_MESSAGE,
        object_type="ticket",
        object_id=ticket.code,
        detail={"dispute": dispute},
    )
    return TicketEventPublic.model_validate(await repository.event_with_delivery(session, event.id))


async def get_ticket_by_code(
    session: AsyncSession,
    *,
    actor: Official,
    code: str,
    rules: DeadlineRules = DEFAULT_RULES,
    now: dt.datetime | None = None,
) -> TicketDetail:
    """A ticket with its thread, for an official who may see it; the read is audited.

    The citizen's contact is None for roles that may not read it, and on a denunciation for
    anyone but its assignee and the province's admins (``scope.may_read_contact``).
    """
    require(actor, Action.TICKET_READ)
    now = now or utcnow()
    normalized = normalize_tracking_code(code)
    ticket = await repository.by_code(session, normalized, with_thread=True) if normalized else None
    if ticket is None:
        raise NotFound(f"ticket {code!r} not found")
    ensure_visible(actor, ticket)
    await record_read(session, actor=actor, ticket_code=ticket.code)
    calendar = await load_calendar(session)
    contact = TicketContact.model_validate(ticket) if may_read_contact(actor, ticket) else None
    return TicketDetail(
        ticket=public(ticket, rules, calendar, now),
        contact=contact,
        events=[TicketEventPublic.model_validate(event) for event in ticket.events],
        attachments=[AttachmentPublic.model_validate(attachment) for attachment in ticket.attachments],
    )


async def list_tickets(
    session: AsyncSession,
    *,
    actor: Official,
    query: TicketQuery,
    rules: DeadlineRules = DEFAULT_RULES,
    now: dt.datetime | None = None,
) -> TicketPage:
    """One page of the tickets the official may see, filtered and sorted, with an opaque cursor to the next."""
    require(actor, Action.TICKET_READ)
    now = now or utcnow()
    today = legal_day(now)
    calendar = await load_calendar(session)
    keys = repository.SORT_KEYS[query.sort]
    last = decode_cursor(query.cursor, query.sort, keys) if query.cursor else None
    rows = await repository.page(
        session,
        query=query,
        scope=visible_clause(actor),
        received_between=(_local_midnight(query.received_from, 0), _local_midnight(query.received_to, 1)),
        folded_words=searchable(query.q or "", None).split(),
        today=today,
        due_soon_until=due_soon_limit(rules, calendar, today),
        last=last,
    )
    items, more = rows[: query.limit], len(rows) > query.limit
    next_cursor = None
    if more:
        next_cursor = encode_cursor(query.sort, [getattr(items[-1], key.attribute.key) for key in keys])
    return TicketPage(items=[public(ticket, rules, calendar, now) for ticket in items], next_cursor=next_cursor)


def _local_midnight(day: dt.date | None, days_after: int) -> dt.datetime | None:
    if day is None:
        return None
    return dt.datetime.combine(day + dt.timedelta(days=days_after), dt.time(), LEGAL_ZONE)


# Helpers shared with ``workflow``.


def searchable(text: str, topic: str | None) -> str:
    """The folded form a text is searched in: no diacritics, lower case, single spaces."""
    return " ".join(fold(f"{text} {topic or ''}").lower().split())


def public(ticket: Ticket, rules: DeadlineRules, calendar: WorkingCalendar, now: dt.datetime) -> TicketPublic:
    """The officials' view of a ticket, with its overdue and due-soon flags as of ``now``."""
    state = deadline_state(
        rules, calendar, deadline=ticket.deadline, today=legal_day(now), running=ticket.status in RUNNING
    )
    return TicketPublic.model_validate(ticket).model_copy(update={"overdue": state.overdue, "due_soon": state.due_soon})


def add_event(
    session: AsyncSession,
    ticket: Ticket,
    kind: EventKind,
    actor: Actor,
    now: dt.datetime,
    *,
    body: str | None = None,
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    """Add one event to a ticket's thread."""
    actor_kind, actor_id = actor_columns(actor)
    event = TicketEvent(
        ticket_id=ticket.id, kind=kind, actor_kind=actor_kind, actor_id=actor_id, at=now, body=body, data=data or {}
    )
    session.add(event)
    return event


def add_attachments(
    session: AsyncSession,
    ticket: Ticket,
    attachments: list[AttachmentCreate],
    *,
    event_id: int | None,
    channel: Channel | None = None,
) -> None:
    """Store file references for a ticket (or one of its messages), of the channel they came by (the ticket's)."""
    session.add_all(
        TicketAttachment(ticket_id=ticket.id, event_id=event_id, channel=channel or ticket.channel, **item.model_dump())
        for item in attachments
    )


def recompute_deadline(
    session: AsyncSession,
    ticket: Ticket,
    actor: Actor,
    rules: DeadlineRules,
    calendar: WorkingCalendar,
    now: dt.datetime,
    *,
    reason: str | None = None,
) -> bool:
    """Count the ticket's deadline again; a change is recorded as a deadline event by ``actor``. True if it moved."""
    new_deadline = current_deadline(rules, calendar, ticket)
    if new_deadline == ticket.deadline:
        return False
    data = {"from": ticket.deadline.isoformat(), "to": new_deadline.isoformat()}
    if reason is not None:
        data["reason"] = reason
    add_event(session, ticket, EventKind.DEADLINE_CHANGE, actor, now, data=data)
    ticket.deadline = new_deadline
    return True


async def save(session: AsyncSession, now: dt.datetime, *tickets: Ticket) -> None:
    """Flush changes to tickets in one go, bumping each version once; a concurrent change becomes StaleVersion.

    Callers run no query between changing a ticket and saving it: autoflush would write the row
    early and the version would move twice.
    """
    for ticket in tickets:
        ticket.updated_at = now
        # Write the row even when nothing else on it changed (a note), so the version moves on.
        flag_modified(ticket, "updated_at")
    try:
        await session.flush()
    except StaleDataError as error:
        raise StaleVersion() from error


async def load_for_change(
    session: AsyncSession, *, actor: Official, action: Action, code: str, expected_version: int | None
) -> Ticket:
    """The ticket an official is about to change, after the permission, scope and version checks."""
    require(actor, action)
    normalized = normalize_tracking_code(code)
    ticket = await repository.by_code(session, normalized) if normalized else None
    if ticket is None:
        raise NotFound(f"ticket {code!r} not found")
    ensure_visible(actor, ticket)
    if expected_version is not None and expected_version != ticket.version:
        raise StaleVersion(expected_version, ticket.version)
    return ticket
