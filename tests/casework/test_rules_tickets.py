"""Legal and need-to-know rules on tickets: anonymous formal cases, a denouncer's contact, replies and merges."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.channels import Channel
from casework.errors import Conflict, InvalidTransition, ValidationFailed
from casework.officials.models import PROVINCE, Role
from casework.outbox.models import OutboxKind, OutboxMessage
from casework.tickets.models import TicketKind, TicketStatus
from casework.tickets.schemas import ConsentCreate
from casework.tickets.service import get_ticket_by_code
from casework.tickets.workflow import add_public_reply, approve_reply, assign, change_status, merge
from tests.casework.factories import COMMUNE_A, NOW, make_official, make_ticket

PHONE = "0912 345 678"


def consent(given_at: dt.datetime = NOW) -> ConsentCreate:
    return ConsentCreate(given_at=given_at, channel=Channel.TELEGRAM, wording_version="v1")


async def outbox_rows(session: AsyncSession) -> list[OutboxMessage]:
    return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def test_an_anonymous_complaint_can_never_be_accepted(session: AsyncSession) -> None:
    ticket = await make_ticket(session, kind=TicketKind.COMPLAINT, anonymous=True)
    officer = await make_official(session)
    with pytest.raises(InvalidTransition, match="anonymous complaint cannot be accepted.*feedback"):
        await change_status(session, actor=officer, code=ticket.code, status=TicketStatus.ACCEPTED, now=NOW)
    rejected = await change_status(
        session, actor=officer, code=ticket.code, status=TicketStatus.REJECTED, reason="Cần đơn có chữ ký", now=NOW
    )
    assert rejected.ticket.status is TicketStatus.REJECTED


async def test_anonymous_feedback_and_questions_are_still_accepted(session: AsyncSession) -> None:
    officer = await make_official(session)
    for kind in (TicketKind.FEEDBACK, TicketKind.QUESTION):
        ticket = await make_ticket(session, kind=kind, anonymous=True)
        change = await change_status(session, actor=officer, code=ticket.code, status=TicketStatus.ACCEPTED, now=NOW)
        assert change.ticket.status is TicketStatus.ACCEPTED


async def test_a_denouncers_contact_is_read_by_the_assignee_and_province_admins_only(session: AsyncSession) -> None:
    ticket = await make_ticket(session, kind=TicketKind.DENUNCIATION, contact_phone=PHONE, phone_consent=consent())
    assignee = await make_official(session)
    colleague = await make_official(session)
    commune_supervisor = await make_official(session, role=Role.SUPERVISOR)
    commune_admin = await make_official(session, role=Role.ADMIN)
    province_officer = await make_official(session, unit=PROVINCE)
    province_admin = await make_official(session, role=Role.ADMIN, unit=PROVINCE)
    await assign(session, actor=commune_supervisor, code=ticket.code, assignee_id=assignee.id, now=NOW)
    readers = {}
    for official in (assignee, colleague, commune_supervisor, commune_admin, province_officer, province_admin):
        detail = await get_ticket_by_code(session, actor=official, code=ticket.code, now=NOW)
        readers[official.id] = detail.contact is not None and detail.contact.contact_phone == PHONE
    assert {official_id for official_id, read in readers.items() if read} == {assignee.id, province_admin.id}


async def test_other_kinds_keep_their_contact_for_every_casework_role(session: AsyncSession) -> None:
    ticket = await make_ticket(session, kind=TicketKind.COMPLAINT, contact_phone=PHONE, phone_consent=consent())
    officer = await make_official(session)
    detail = await get_ticket_by_code(session, actor=officer, code=ticket.code, now=NOW)
    assert detail.contact is not None and detail.contact.contact_phone == PHONE


async def test_staff_cannot_file_an_anonymous_ticket_with_a_phone(session: AsyncSession) -> None:
    with pytest.raises(ValidationFailed) as error:
        await make_ticket(session, anonymous=True, contact_phone=PHONE, phone_consent=consent())
    assert error.value.field == "contact_phone"


async def test_a_consent_given_in_the_future_is_refused_beyond_a_small_clock_skew(session: AsyncSession) -> None:
    with pytest.raises(ValidationFailed) as error:
        await make_ticket(session, contact_phone=PHONE, phone_consent=consent(NOW + dt.timedelta(minutes=6)))
    assert error.value.field == "phone_consent.given_at"
    ticket = await make_ticket(session, contact_phone=PHONE, phone_consent=consent(NOW + dt.timedelta(minutes=4)))
    assert ticket.code


async def test_tickets_of_different_kinds_are_not_merged(session: AsyncSession) -> None:
    complaint = await make_ticket(session, kind=TicketKind.COMPLAINT)
    feedback = await make_ticket(session, kind=TicketKind.FEEDBACK)
    officer = await make_official(session)
    with pytest.raises(Conflict, match="same kind"):
        await merge(session, actor=officer, code=complaint.code, into_code=feedback.code, now=NOW)
    detail = await get_ticket_by_code(session, actor=officer, code=complaint.code, now=NOW)
    assert detail.ticket.status is TicketStatus.NEW


async def test_the_duplicates_citizen_is_told_where_the_answer_will_come_from(session: AsyncSession) -> None:
    original = await make_ticket(session, chat_ref="tg-1")
    duplicate = await make_ticket(session, channel=Channel.ZALO, chat_ref="zalo-2")
    officer = await make_official(session)
    change = await merge(session, actor=officer, code=duplicate.code, into_code=original.code, now=NOW)
    [notice] = await outbox_rows(session)
    assert (notice.channel, notice.chat_ref, notice.kind) == (Channel.ZALO, "zalo-2", OutboxKind.NOTICE)
    assert notice.event_id == change.event.id
    text = notice.payload["text"]
    assert f"Hồ sơ {duplicate.code} của bạn" in text and f"dưới mã {original.code}" in text


async def test_a_reply_on_the_original_reaches_each_merged_chat_once(session: AsyncSession) -> None:
    original = await make_ticket(session, chat_ref="tg-1")
    by_zalo = await make_ticket(session, channel=Channel.ZALO, chat_ref="zalo-2")
    again = await make_ticket(session, chat_ref="tg-1")  # the same citizen filed twice
    on_paper = await make_ticket(session, channel=Channel.PAPER, chat_ref=None)
    officer = await make_official(session)
    for duplicate in (by_zalo, again, on_paper):
        await merge(session, actor=officer, code=duplicate.code, into_code=original.code, now=NOW)
    notices = len(await outbox_rows(session))
    change = await add_public_reply(session, actor=officer, code=original.code, text="Xã sẽ sửa đường.", now=NOW)
    replies = (await outbox_rows(session))[notices:]
    expected = f"**Trả lời phản ánh {original.code}:**\n\nXã sẽ sửa đường."
    assert [(row.chat_ref, row.kind, row.payload["text"]) for row in replies] == [
        ("tg-1", OutboxKind.REPLY, expected),
        ("zalo-2", OutboxKind.REPLY, expected),
    ]
    assert replies[0].event_id == change.event.id and replies[1].event_id is None
    assert change.event.body == "Xã sẽ sửa đường."
    assert change.event.delivery is not None  # the thread shows the original chat's delivery


async def test_an_approved_reply_also_reaches_the_merged_chats(session: AsyncSession) -> None:
    original = await make_ticket(session, kind=TicketKind.QUESTION, chat_ref="tg-1", commune_code=COMMUNE_A)
    duplicate = await make_ticket(session, kind=TicketKind.QUESTION, chat_ref="tg-2", commune_code=COMMUNE_A)
    officer = await make_official(session)
    supervisor = await make_official(session, role=Role.SUPERVISOR)
    await merge(session, actor=officer, code=duplicate.code, into_code=original.code, now=NOW)
    pending = await add_public_reply(
        session, actor=officer, code=original.code, text="Đã thụ lý.", approval_units=frozenset({COMMUNE_A}), now=NOW
    )
    before = len(await outbox_rows(session))
    await approve_reply(session, actor=supervisor, code=original.code, event_id=pending.event.id, now=NOW)
    rows = (await outbox_rows(session))[before:]
    assert [(row.chat_ref, row.payload["text"]) for row in rows] == [
        ("tg-1", f"**Trả lời câu hỏi {original.code}:**\n\nĐã thụ lý."),
        ("tg-2", f"**Trả lời câu hỏi {original.code}:**\n\nĐã thụ lý."),
    ]
