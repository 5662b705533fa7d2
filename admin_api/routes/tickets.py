"""The queue and the work on a ticket: list, read, enter, assign, move, reply, note, merge, extend.

Writes take ``If-Match`` (the version from ``ETag``; 412 when it moved on), accept an
``Idempotency-Key``, and answer with the ticket's new ``ETag``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from admin_api.deps import ContextDep, ExpectedVersion, SessionDep, allowed, etag
from admin_api.errors import documented
from admin_api.idempotency import OnceDep, respond
from admin_api.schemas import (
    AssignRequest,
    ExtendRequest,
    MergeRequest,
    ReturnRequest,
    StatusRequest,
    TextRequest,
    TicketEntry,
    TicketListParams,
    TrackingCode,
)
from casework.officials.models import Official
from casework.officials.permissions import Action
from casework.tickets import workflow
from casework.tickets.schemas import TicketChange, TicketDetail, TicketPage, TicketPublic
from casework.tickets.service import get_ticket_by_code, list_tickets, submit_ticket

router = APIRouter(prefix="/tickets", tags=["tickets"])

Code = Annotated[TrackingCode, Path(description="The tracking code, e.g. CB-7K3M-9Q2X.")]
EventId = Annotated[int, Path(ge=1, le=2_147_483_647, description="The id of the reply in the ticket's thread.")]
ETAG_HEADER = {
    "ETag": {"description": 'The ticket\'s version, to send back in If-Match ("3").', "schema": {"type": "string"}}
}
WRITE_ERRORS = (401, 403, 404, 409, 412, 422)


def _changed(description: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"description": description, "headers": ETAG_HEADER}, **documented(*WRITE_ERRORS)}


def _created(description: str) -> dict[int | str, dict[str, Any]]:
    return {201: {"description": description, "headers": ETAG_HEADER}, **documented(*WRITE_ERRORS)}


@router.get("", responses=documented(401, 403, 404, 422))
async def list_queue(
    params: Annotated[TicketListParams, Query()],
    actor: Annotated[Official, allowed(Action.TICKET_READ)],
    session: SessionDep,
    context: ContextDep,
) -> TicketPage:
    """One page of the tickets the official may see, with deadline, overdue and due-soon on each."""
    return await list_tickets(session, actor=actor, query=params.to_query(actor), rules=context.rules)


@router.post(
    "",
    status_code=201,
    response_model=TicketPublic,
    responses={
        201: {"description": "Entered; Location names the new ticket.", "headers": ETAG_HEADER},
        **documented(401, 403, 404, 409, 422),
    },
)
async def enter_ticket(
    body: TicketEntry,
    actor: Annotated[Official, allowed(Action.TICKET_CREATE)],
    once: OnceDep,
    context: ContextDep,
) -> Response:
    """Enter a case received by phone, on paper or in person, on the citizen's behalf."""
    ticket = await submit_ticket(once.session, data=body.to_create(), submitted_by=actor, rules=context.rules)
    return await respond(
        once, ticket, status_code=201, version=ticket.version, location=f"/api/v1/tickets/{ticket.code}"
    )


@router.get(
    "/{code}",
    responses={
        200: {"description": "The ticket and its thread.", "headers": ETAG_HEADER},
        **documented(401, 403, 404, 422),
    },
)
async def read_ticket(
    code: Code,
    actor: Annotated[Official, allowed(Action.TICKET_READ)],
    session: SessionDep,
    context: ContextDep,
    response: Response,
) -> TicketDetail:
    """The ticket with its thread (and each reply's delivery state); the read is audited."""
    detail = await get_ticket_by_code(session, actor=actor, code=code, rules=context.rules)
    response.headers["ETag"] = etag(detail.ticket.version)
    return detail


@router.post("/{code}/assign", response_model=TicketChange, responses=_changed("Assigned."))
async def assign_ticket(
    code: Code,
    body: AssignRequest,
    actor: Annotated[Official, allowed(Action.TICKET_ASSIGN)],
    version: ExpectedVersion,
    once: OnceDep,
    context: ContextDep,
) -> Response:
    """Give the ticket to an official of its unit (`null` takes it back)."""
    change = await workflow.assign(
        once.session,
        actor=actor,
        code=code,
        assignee_id=body.assignee_id,
        expected_version=version,
        rules=context.rules,
    )
    return await respond(once, change, status_code=200, version=change.ticket.version)


@router.post("/{code}/status", response_model=TicketChange, responses=_changed("Status changed."))
async def change_status(
    code: Code,
    body: StatusRequest,
    actor: Annotated[Official, allowed(Action.TICKET_CHANGE_STATUS)],
    version: ExpectedVersion,
    once: OnceDep,
    context: ContextDep,
) -> Response:
    """Move the ticket along its lifecycle; a rejection needs a reason, a transfer the receiving unit."""
    change = await workflow.change_status(
        once.session,
        actor=actor,
        code=code,
        status=body.status,
        reason=body.reason,
        commune_code=body.commune_code,
        expected_version=version,
        rules=context.rules,
    )
    return await respond(once, change, status_code=200, version=change.ticket.version)


@router.post("/{code}/replies", status_code=201, response_model=TicketChange, responses=_created("Reply queued."))
async def reply(
    code: Code,
    body: TextRequest,
    actor: Annotated[Official, allowed(Action.TICKET_REPLY)],
    version: ExpectedVersion,
    once: OnceDep,
    context: ContextDep,
) -> Response:
    """Answer the citizen: the reply joins the thread and is queued to their chat through the outbox.

    Where the ticket's unit needs a supervisor's approval, a reply by anyone who may not approve
    waits in the thread with `approval` "pending" and is queued only once approved.
    """
    change = await workflow.add_public_reply(
        once.session,
        actor=actor,
        code=code,
        text=body.text,
        expected_version=version,
        rules=context.rules,
        approval_units=context.reply_approval_units,
    )
    return await respond(once, change, status_code=201, version=change.ticket.version)


@router.post(
    "/{code}/replies/{event_id}/approve", response_model=TicketChange, responses=_changed("Approved and queued.")
)
async def approve_reply(
    code: Code,
    event_id: EventId,
    actor: Annotated[Official, allowed(Action.TICKET_APPROVE_REPLY)],
    version: ExpectedVersion,
    once: OnceDep,
    context: ContextDep,
) -> Response:
    """Approve a reply awaiting approval: it is queued to the citizen (once); 409 if not pending."""
    change = await workflow.approve_reply(
        once.session, actor=actor, code=code, event_id=event_id, expected_version=version, rules=context.rules
    )
    return await respond(once, change, status_code=200, version=change.ticket.version)


@router.post("/{code}/replies/{event_id}/return", response_model=TicketChange, responses=_changed("Returned."))
async def return_reply(
    code: Code,
    event_id: EventId,
    body: ReturnRequest,
    actor: Annotated[Official, allowed(Action.TICKET_APPROVE_REPLY)],
    version: ExpectedVersion,
    once: OnceDep,
    context: ContextDep,
) -> Response:
    """Return a reply awaiting approval to its author with a comment (an internal note); 409 if not pending."""
    change = await workflow.return_reply(
        once.session,
        actor=actor,
        code=code,
        event_id=event_id,
        comment=body.comment,
        expected_version=version,
        rules=context.rules,
    )
    return await respond(once, change, status_code=200, version=change.ticket.version)


@router.post("/{code}/notes", status_code=201, response_model=TicketChange, responses=_created("Note added."))
async def add_note(
    code: Code,
    body: TextRequest,
    actor: Annotated[Official, allowed(Action.TICKET_NOTE)],
    version: ExpectedVersion,
    once: OnceDep,
    context: ContextDep,
) -> Response:
    """Add an internal note, seen by officials only."""
    change = await workflow.add_internal_note(
        once.session, actor=actor, code=code, text=body.text, expected_version=version, rules=context.rules
    )
    return await respond(once, change, status_code=201, version=change.ticket.version)


@router.post("/{code}/merge", response_model=TicketChange, responses=_changed("Merged."))
async def merge_ticket(
    code: Code,
    body: MergeRequest,
    actor: Annotated[Official, allowed(Action.TICKET_MERGE)],
    version: ExpectedVersion,
    once: OnceDep,
    context: ContextDep,
) -> Response:
    """Mark this ticket a duplicate of another (`into`); If-Match applies to this one."""
    change = await workflow.merge(
        once.session, actor=actor, code=code, into_code=body.into, expected_version=version, rules=context.rules
    )
    return await respond(once, change, status_code=200, version=change.ticket.version)


@router.post("/{code}/extend", response_model=TicketChange, responses=_changed("Deadline extended."))
async def extend_deadline(
    code: Code,
    body: ExtendRequest,
    actor: Annotated[Official, allowed(Action.TICKET_EXTEND)],
    version: ExpectedVersion,
    once: OnceDep,
    context: ContextDep,
) -> Response:
    """Extend the deadline as the law allows (a complex complaint once; a denunciation at most twice)."""
    change = await workflow.extend_deadline(
        once.session, actor=actor, code=code, reason=body.reason, expected_version=version, rules=context.rules
    )
    return await respond(once, change, status_code=200, version=change.ticket.version)
