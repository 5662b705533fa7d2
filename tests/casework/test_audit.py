"""The audit trail: every write and every read of personal data, and never the personal data itself."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.audit.models import ActorKind, AuditAction, AuditEntry
from casework.audit.schemas import AuditQuery
from casework.audit.service import list_entries, record
from casework.channels import Channel
from casework.errors import Forbidden
from casework.officials.models import PROVINCE, Role
from casework.officials.service import authenticate, issue_token
from casework.tickets.models import TicketKind, TicketStatus
from casework.tickets.schemas import ConsentCreate
from casework.tickets.service import add_citizen_message, get_ticket_by_code
from casework.tickets.workflow import add_internal_note, add_public_reply, assign, change_status, extend_deadline, merge
from tests.casework.factories import NOW, PASSWORD, make_official, make_ticket

PHONE = "0987 654 321"
CHAT = "tg-denouncer-55501"
DENOUNCER_TEXT = "Tôi là Hoàng Văn Tố, tố cáo cán bộ xã nhận tiền."


async def test_personal_data_is_refused_in_audit_detail(session: AsyncSession) -> None:
    with pytest.raises(ValueError, match="personal data"):
        await record(
            session,
            actor=ActorKind.SYSTEM,
            action=AuditAction.TICKET_SUBMIT,
            object_type="ticket",
            object_id="CB-2222-2222",
            detail={"phone": PHONE},
        )


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every log record at DEBUG, SQL included, from before the engine exists (SQLAlchemy decides on connect)."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    return caplog


async def test_every_write_and_read_is_in_the_trail_without_personal_data(
    debug_logs: pytest.LogCaptureFixture, session: AsyncSession
) -> None:
    consent = ConsentCreate(given_at=NOW, channel=Channel.TELEGRAM, wording_version="v1")
    ticket = await make_ticket(
        session,
        kind=TicketKind.DENUNCIATION,
        chat_ref=CHAT,
        contact_phone=PHONE,
        phone_consent=consent,
        text=DENOUNCER_TEXT,
        confidential=True,
    )
    # Only feedback and questions merge (a denunciation is settled for its own denouncer).
    other = await make_ticket(session, chat_ref="tg-2")
    original = await make_ticket(session, chat_ref="tg-3")
    supervisor = await make_official(session, role=Role.SUPERVISOR, unit=PROVINCE, username="giam.sat")
    await authenticate(session, username="giam.sat", password=PASSWORD, address="203.0.113.5")
    await issue_token(session, official=supervisor)
    await assign(session, actor=supervisor, code=ticket.code, assignee_id=supervisor.id, now=NOW)
    await change_status(session, actor=supervisor, code=ticket.code, status=TicketStatus.ACCEPTED, now=NOW)
    await add_public_reply(session, actor=supervisor, code=ticket.code, text="Đã thụ lý.", now=NOW)
    await add_internal_note(session, actor=supervisor, code=ticket.code, text=f"Gọi {PHONE}", now=NOW)
    await extend_deadline(session, actor=supervisor, code=ticket.code, reason="Cần xác minh", now=NOW)
    await add_citizen_message(session, code=ticket.code, channel=Channel.TELEGRAM, chat_ref=CHAT, text="Cảm ơn")
    await merge(session, actor=supervisor, code=other.code, into_code=original.code, now=NOW)
    await get_ticket_by_code(session, actor=supervisor, code=ticket.code, now=NOW)

    entries = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
    assert [entry.action for entry in entries] == [
        AuditAction.TICKET_SUBMIT,
        AuditAction.TICKET_SUBMIT,
        AuditAction.TICKET_SUBMIT,
        AuditAction.TOKEN_ISSUE,
        AuditAction.TICKET_ASSIGN,
        AuditAction.TICKET_STATUS,
        AuditAction.TICKET_REPLY,
        AuditAction.TICKET_NOTE,
        AuditAction.TICKET_EXTEND,
        AuditAction.TICKET_CITIZEN_MESSAGE,
        AuditAction.TICKET_MERGE,
        AuditAction.TICKET_READ_PERSONAL,
    ]
    assert all(entry.at is not None for entry in entries)
    trail = json.dumps(
        [[e.actor_kind, e.actor_id, e.action, e.object_type, e.object_id, e.detail] for e in entries],
        ensure_ascii=False,
    )
    logs = "\n".join(record.getMessage() for record in debug_logs.records)
    assert "INSERT INTO tickets" in logs  # the SQL was logged, its values were not
    for secret in (PHONE, CHAT, "Hoàng Văn Tố", PASSWORD):
        assert secret not in trail
        assert secret not in logs


async def test_admins_page_through_the_trail_newest_first(session: AsyncSession) -> None:
    admin = await make_official(session, role=Role.ADMIN, unit=PROVINCE)
    tickets = [await make_ticket(session) for _ in range(5)]
    first = await list_entries(session, actor=admin, query=AuditQuery(limit=2))
    second = await list_entries(session, actor=admin, query=AuditQuery(limit=2, cursor=first.next_cursor))
    third = await list_entries(session, actor=admin, query=AuditQuery(limit=2, cursor=second.next_cursor))
    seen = [e.object_id for page in (first, second, third) for e in page.items]
    assert seen == [t.code for t in reversed(tickets)]
    assert third.next_cursor is None
    only = await list_entries(
        session, actor=admin, query=AuditQuery(object_type="ticket", object_id=tickets[2].code, action="ticket.submit")
    )
    assert [e.object_id for e in only.items] == [tickets[2].code]
    assert (await list_entries(session, actor=admin, query=AuditQuery(actor_id=admin.id))).items == []
    # Audit times are the wall clock's, whatever time the services were told it is.
    in_an_hour = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    assert (await list_entries(session, actor=admin, query=AuditQuery(since=in_an_hour))).items == []
    assert len((await list_entries(session, actor=admin, query=AuditQuery(until=in_an_hour))).items) == 5


async def test_only_admins_read_the_trail(session: AsyncSession) -> None:
    supervisor = await make_official(session, role=Role.SUPERVISOR, unit=PROVINCE)
    with pytest.raises(Forbidden):
        await list_entries(session, actor=supervisor, query=AuditQuery())
