"""Replies that wait for a supervisor's approval: nothing reaches the outbox until one approves, and only once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.audit.models import AuditAction, AuditEntry
from casework.channels import Channel
from casework.errors import Conflict, Forbidden, NotFound, StaleVersion, ValidationFailed
from casework.officials.models import PROVINCE, Official, Role
from casework.outbox.models import OutboxKind, OutboxMessage
from casework.tickets.models import EventKind, ReplyApproval
from casework.tickets.schemas import TicketPublic
from casework.tickets.service import citizen_view, get_ticket_by_code
from casework.tickets.workflow import add_public_reply, approve_reply, return_reply
from tests.casework.factories import COMMUNE_A, COMMUNE_B, NOW, make_official, make_ticket

UNITS_A = frozenset({COMMUNE_A})
LATER = NOW + dt.timedelta(hours=1)


async def outbox_rows(session: AsyncSession) -> list[OutboxMessage]:
    return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def audit_actions(session: AsyncSession) -> list[AuditAction]:
    return list((await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all())


async def pending_reply(session: AsyncSession, ticket: TicketPublic, officer: Official) -> int:
    change = await add_public_reply(
        session, actor=officer, code=ticket.code, text="Xã sẽ sửa đường trong tuần.", approval_units=UNITS_A, now=NOW
    )
    assert change.event.approval is ReplyApproval.PENDING and change.event.delivery is None
    return change.event.id


async def test_without_configured_units_replies_go_out_as_before(session: AsyncSession) -> None:
    ticket = await make_ticket(session)
    officer = await make_official(session)
    change = await add_public_reply(session, actor=officer, code=ticket.code, text="Đã tiếp nhận.", now=NOW)
    assert change.event.approval is None
    [row] = await outbox_rows(session)
    assert row.event_id == change.event.id and row.kind is OutboxKind.REPLY


async def test_an_officers_reply_waits_and_queues_nothing(session: AsyncSession) -> None:
    ticket = await make_ticket(session)
    officer = await make_official(session)
    event_id = await pending_reply(session, ticket, officer)
    assert await outbox_rows(session) == []
    detail = await get_ticket_by_code(session, actor=officer, code=ticket.code, now=NOW)
    [reply] = [event for event in detail.events if event.id == event_id]
    assert reply.approval is ReplyApproval.PENDING and reply.delivery is None
    assert AuditAction.TICKET_REPLY in await audit_actions(session)


async def test_the_citizen_does_not_see_a_pending_or_returned_reply(session: AsyncSession) -> None:
    ticket = await make_ticket(session, chat_ref="tg-approval")
    officer = await make_official(session)
    supervisor = await make_official(session, role=Role.SUPERVISOR)
    first = await pending_reply(session, ticket, officer)
    view = await citizen_view(session, code=ticket.code, channel=Channel.TELEGRAM, chat_ref="tg-approval")
    assert view.replies == []
    await return_reply(session, actor=supervisor, code=ticket.code, event_id=first, comment="Ghi rõ ngày.", now=LATER)
    second = await pending_reply(session, ticket, officer)
    await approve_reply(session, actor=supervisor, code=ticket.code, event_id=second, now=LATER)
    view = await citizen_view(session, code=ticket.code, channel=Channel.TELEGRAM, chat_ref="tg-approval")
    assert len(view.replies) == 1


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
async def test_a_supervisor_or_admin_of_the_unit_replies_without_approval(session: AsyncSession, role: Role) -> None:
    ticket = await make_ticket(session)
    chief = await make_official(session, role=role)
    change = await add_public_reply(
        session, actor=chief, code=ticket.code, text="Đã xử lý.", approval_units=UNITS_A, now=NOW
    )
    assert change.event.approval is None
    assert len(await outbox_rows(session)) == 1


async def test_another_units_setting_does_not_apply(session: AsyncSession) -> None:
    ticket = await make_ticket(session)
    officer = await make_official(session)
    change = await add_public_reply(
        session, actor=officer, code=ticket.code, text="Đã xử lý.", approval_units=frozenset({COMMUNE_B}), now=NOW
    )
    assert change.event.approval is None
    assert len(await outbox_rows(session)) == 1


async def test_confidential_tickets_follow_the_province_setting(session: AsyncSession) -> None:
    ticket = await make_ticket(session, confidential=True)
    officer = await make_official(session, unit=PROVINCE)
    change = await add_public_reply(
        session, actor=officer, code=ticket.code, text="Tỉnh đã nhận.", approval_units=frozenset({PROVINCE}), now=NOW
    )
    assert change.event.approval is ReplyApproval.PENDING
    assert await outbox_rows(session) == []


async def test_approving_queues_exactly_one_row_and_records_the_approver(session: AsyncSession) -> None:
    ticket = await make_ticket(session)
    officer = await make_official(session)
    supervisor = await make_official(session, role=Role.SUPERVISOR)
    event_id = await pending_reply(session, ticket, officer)
    change = await approve_reply(session, actor=supervisor, code=ticket.code, event_id=event_id, now=LATER)
    assert change.event.id == event_id and change.event.kind is EventKind.PUBLIC_REPLY
    assert change.event.approval is ReplyApproval.APPROVED
    assert change.event.approval_by == supervisor.id and change.event.approval_at == LATER
    assert change.event.delivery is not None
    [row] = await outbox_rows(session)
    assert row.event_id == event_id and row.kind is OutboxKind.REPLY
    assert row.payload["text"] == f"**Trả lời phản ánh {ticket.code}:**\n\nXã sẽ sửa đường trong tuần."
    with pytest.raises(Conflict):
        await approve_reply(session, actor=supervisor, code=ticket.code, event_id=event_id, now=LATER)
    with pytest.raises(Conflict):
        await return_reply(session, actor=supervisor, code=ticket.code, event_id=event_id, comment="Muộn.")
    assert len(await outbox_rows(session)) == 1
    assert (await audit_actions(session)).count(AuditAction.TICKET_REPLY_APPROVE) == 1


async def test_returning_adds_the_comment_as_a_note_and_queues_nothing(session: AsyncSession) -> None:
    ticket = await make_ticket(session)
    officer = await make_official(session)
    supervisor = await make_official(session, role=Role.SUPERVISOR)
    event_id = await pending_reply(session, ticket, officer)
    change = await return_reply(
        session, actor=supervisor, code=ticket.code, event_id=event_id, comment="Cần ghi rõ ngày sửa.", now=LATER
    )
    assert change.event.approval is ReplyApproval.RETURNED and change.event.approval_by == supervisor.id
    assert await outbox_rows(session) == []
    detail = await get_ticket_by_code(session, actor=officer, code=ticket.code, now=LATER)
    [note] = [event for event in detail.events if event.kind is EventKind.INTERNAL_NOTE]
    assert note.body == "Cần ghi rõ ngày sửa." and note.actor_id == supervisor.id
    assert note.data == {"returned_reply": event_id}
    with pytest.raises(Conflict):
        await approve_reply(session, actor=supervisor, code=ticket.code, event_id=event_id, now=LATER)
    with pytest.raises(Conflict):
        await return_reply(session, actor=supervisor, code=ticket.code, event_id=event_id, comment="Lại.")
    assert await outbox_rows(session) == []
    assert AuditAction.TICKET_REPLY_RETURN in await audit_actions(session)


async def test_a_return_needs_a_comment(session: AsyncSession) -> None:
    ticket = await make_ticket(session)
    officer = await make_official(session)
    supervisor = await make_official(session, role=Role.SUPERVISOR)
    event_id = await pending_reply(session, ticket, officer)
    with pytest.raises(ValidationFailed):
        await return_reply(session, actor=supervisor, code=ticket.code, event_id=event_id, comment="   ")


async def test_a_reply_sent_without_approval_cannot_be_approved(session: AsyncSession) -> None:
    ticket = await make_ticket(session)
    supervisor = await make_official(session, role=Role.SUPERVISOR)
    change = await add_public_reply(session, actor=supervisor, code=ticket.code, text="Đã xử lý.", now=NOW)
    with pytest.raises(Conflict):
        await approve_reply(session, actor=supervisor, code=ticket.code, event_id=change.event.id)
    assert len(await outbox_rows(session)) == 1


async def test_who_may_approve_and_what(session: AsyncSession) -> None:
    ticket = await make_ticket(session)
    other = await make_ticket(session)
    officer = await make_official(session)
    event_id = await pending_reply(session, ticket, officer)
    with pytest.raises(Forbidden):
        await approve_reply(session, actor=officer, code=ticket.code, event_id=event_id)
    with pytest.raises(NotFound):  # a supervisor of another commune does not see the ticket
        await approve_reply(
            session,
            actor=await make_official(session, role=Role.SUPERVISOR, unit=COMMUNE_B),
            code=ticket.code,
            event_id=event_id,
        )
    supervisor = await make_official(session, role=Role.SUPERVISOR)
    with pytest.raises(NotFound):  # the event belongs to another ticket
        await approve_reply(session, actor=supervisor, code=other.code, event_id=event_id)
    sent = await add_public_reply(session, actor=supervisor, code=ticket.code, text="x", now=NOW)
    with pytest.raises(NotFound):
        await approve_reply(session, actor=supervisor, code=ticket.code, event_id=sent.event.id + 1000)
    assert len(await outbox_rows(session)) == 1  # only the supervisor's own reply


async def test_a_stale_version_is_refused(session: AsyncSession) -> None:
    ticket = await make_ticket(session)
    officer = await make_official(session)
    supervisor = await make_official(session, role=Role.SUPERVISOR)
    event_id = await pending_reply(session, ticket, officer)
    with pytest.raises(StaleVersion):
        await approve_reply(
            session, actor=supervisor, code=ticket.code, event_id=event_id, expected_version=ticket.version
        )
    assert await outbox_rows(session) == []


async def test_racing_approvals_queue_one_row(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        ticket = await make_ticket(session)
        officer = await make_official(session)
        supervisor = await make_official(session, role=Role.SUPERVISOR)
        event_id = await pending_reply(session, ticket, officer)
        await session.commit()
    outcomes: list[str] = []
    async with sessions() as first, sessions() as second:
        await approve_reply(first, actor=supervisor, code=ticket.code, event_id=event_id, now=LATER)
        await first.commit()
        try:
            await approve_reply(second, actor=supervisor, code=ticket.code, event_id=event_id, now=LATER)
            await second.commit()
            outcomes.append("approved")
        except (Conflict, StaleVersion):
            await second.rollback()
            outcomes.append("refused")
    assert outcomes == ["refused"]
    async with sessions() as check:
        assert len(await outbox_rows(check)) == 1
