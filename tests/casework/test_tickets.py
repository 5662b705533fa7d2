"""Tickets in and out: tracking codes, submission, the citizen's view, detail, scope and the queue."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.audit.models import AuditAction, AuditEntry
from casework.channels import Channel
from casework.errors import LimitReached, NotFound, OutOfScope, ValidationFailed
from casework.officials.models import PROVINCE, Role
from casework.tickets import repository, service
from casework.tickets.codes import ALPHABET, new_tracking_code, normalize_tracking_code
from casework.tickets.models import EventKind, Ticket, TicketAttachment, TicketKind, TicketStatus
from casework.tickets.schemas import AttachmentCreate, ConsentCreate, TicketQuery
from casework.tickets.scope import is_visible, visible_clause
from casework.tickets.service import (
    add_citizen_message,
    citizen_view,
    get_ticket_by_code,
    list_tickets,
    submit_ticket,
)
from casework.tickets.workflow import add_internal_note, add_public_reply, assign, change_status
from tests.casework.factories import COMMUNE_A, COMMUNE_B, NOW, make_official, make_ticket, ticket_data

CODE = re.compile(rf"^CB-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$")


def test_tracking_codes_are_random_and_unambiguous() -> None:
    codes = {new_tracking_code() for _ in range(20_000)}
    assert len(codes) == 20_000
    assert all(CODE.match(code) for code in codes)
    assert not set("01ILOU").intersection("".join(codes).replace("CB-", ""))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("CB-7K3M-9Q2X", "CB-7K3M-9Q2X"),
        ("cb 7k3m 9q2x", "CB-7K3M-9Q2X"),
        ("7K3M9Q2X", "CB-7K3M-9Q2X"),
        ("CB-7K3M-9Q2", None),  # too short
        ("CB-7K3M-9Q2O", None),  # O is not in the alphabet
        ("'; DROP TABLE tickets; --", None),
    ],
)
def test_typed_codes_are_normalized_or_refused(typed: str, expected: str | None) -> None:
    assert normalize_tracking_code(typed) == expected


async def test_citizen_submission_gets_a_code_a_deadline_and_an_audit_entry(session: AsyncSession) -> None:
    ticket = await make_ticket(session, contact_phone="0912 345 678", phone_consent=consent())
    assert CODE.match(ticket.code)
    assert ticket.status is TicketStatus.NEW
    assert ticket.deadline == dt.date(2026, 3, 16)  # 10 working days after Monday 2 March
    assert ticket.version == 1 and not ticket.overdue
    entry = (await session.scalars(select(AuditEntry))).one()
    assert (entry.action, entry.object_id, entry.actor_kind) == (AuditAction.TICKET_SUBMIT, ticket.code, "citizen")
    stored = await repository.by_code(session, ticket.code)
    assert stored is not None and stored.phone_consent_wording == "v1" and stored.contact_phone == "0912 345 678"


async def test_a_taken_code_is_drawn_again(session: AsyncSession, monkeypatch: pytest.MonkeyPatch) -> None:
    first = await make_ticket(session)
    draws = iter([first.code, first.code, "CB-2222-3333"])
    monkeypatch.setattr(service, "new_tracking_code", lambda: next(draws))
    second = await make_ticket(session)
    assert second.code == "CB-2222-3333"
    assert (await session.execute(select(func.count()).select_from(Ticket))).scalar_one() == 2


async def test_attachments_are_kept_as_channel_file_references(session: AsyncSession) -> None:
    photo = AttachmentCreate(file_ref="AgACAgUAAxkBAAIB", mime_type="image/jpeg", size_bytes=120_000)
    ticket = await make_ticket(session, attachments=[photo])
    admin = await make_official(session, role=Role.ADMIN, unit=PROVINCE)
    detail = await get_ticket_by_code(session, actor=admin, code=ticket.code, now=NOW)
    assert [(a.file_ref, a.mime_type) for a in detail.attachments] == [("AgACAgUAAxkBAAIB", "image/jpeg")]


@pytest.mark.parametrize(
    "fields",
    [
        {"contact_phone": "0912345678"},  # no consent recorded
        {"channel": Channel.TELEGRAM, "chat_ref": None},  # nowhere to answer
        {"channel": Channel.PAPER},  # a letter has no chat
        {"text": "   "},
        {"commune_code": "Hà Quảng"},
        {"received_at": dt.datetime(2026, 3, 1, 9, 0)},  # no time zone: whose 9 o'clock?
        {"unknown": 1},
    ],
)
def test_invalid_submissions_are_refused(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ticket_data(**fields)


async def test_a_receipt_time_in_the_future_is_refused(session: AsyncSession) -> None:
    with pytest.raises(ValidationFailed) as error:
        await make_ticket(session, received_at=NOW + dt.timedelta(days=1))
    assert error.value.field == "received_at"


async def test_one_chat_may_file_only_five_tickets_an_hour(session: AsyncSession) -> None:
    for minute in range(5):
        await make_ticket(session, chat_ref="tg-busy", now=NOW + dt.timedelta(minutes=minute))
    with pytest.raises(LimitReached):
        await make_ticket(session, chat_ref="tg-busy", now=NOW + dt.timedelta(minutes=10))
    await make_ticket(session, chat_ref="tg-busy", now=NOW + dt.timedelta(minutes=61))


async def test_staff_enter_a_paper_case_for_their_own_commune_only(session: AsyncSession) -> None:
    officer = await make_official(session, unit=COMMUNE_A)
    paper = ticket_data(channel=Channel.PAPER, chat_ref=None, kind=TicketKind.COMPLAINT)
    ticket = await submit_ticket(session, data=paper, submitted_by=officer, now=NOW)
    assert ticket.channel is Channel.PAPER
    assert ticket.deadline == dt.date(2026, 3, 12)  # a complaint must be accepted within 10 days
    with pytest.raises(ValidationFailed):
        await submit_ticket(session, data=ticket_data(commune_code=COMMUNE_B), submitted_by=officer, now=NOW)


async def test_viewers_cannot_enter_tickets(session: AsyncSession) -> None:
    viewer = await make_official(session, role=Role.VIEWER)
    with pytest.raises(Exception, match="may not ticket.create"):
        await submit_ticket(session, data=ticket_data(), submitted_by=viewer, now=NOW)


async def test_the_citizen_sees_status_and_public_replies_but_no_notes(session: AsyncSession) -> None:
    ticket = await make_ticket(session, chat_ref="tg-42")
    officer = await make_official(session)
    await add_internal_note(session, actor=officer, code=ticket.code, text="Hộ này đã được hỗ trợ năm ngoái.", now=NOW)
    await add_public_reply(session, actor=officer, code=ticket.code, text="Xã sẽ cử người kiểm tra.", now=NOW)
    view = await citizen_view(session, code=ticket.code.lower(), channel=Channel.TELEGRAM, chat_ref="tg-42")
    assert view.status is TicketStatus.NEW
    assert [reply.text for reply in view.replies] == ["Xã sẽ cử người kiểm tra."]


async def test_a_code_from_another_chat_is_not_found(session: AsyncSession) -> None:
    ticket = await make_ticket(session, chat_ref="tg-42")
    with pytest.raises(NotFound):
        await citizen_view(session, code=ticket.code, channel=Channel.TELEGRAM, chat_ref="tg-43")
    with pytest.raises(NotFound):
        await citizen_view(session, code=ticket.code, channel=Channel.ZALO, chat_ref="tg-42")


async def test_citizen_follow_up_joins_the_thread_and_a_dispute_reopens(session: AsyncSession) -> None:
    ticket = await make_ticket(session, chat_ref="tg-7")
    officer = await make_official(session)
    for status in (TicketStatus.ACCEPTED, TicketStatus.ANSWERED):
        await change_status(session, actor=officer, code=ticket.code, status=status, now=NOW)
    photo = AttachmentCreate(file_ref="file-9")
    await add_citizen_message(
        session, code=ticket.code, channel=Channel.TELEGRAM, chat_ref="tg-7", text="Cảm ơn", attachments=[photo]
    )
    detail = await get_ticket_by_code(session, actor=officer, code=ticket.code, now=NOW)
    assert detail.ticket.status is TicketStatus.ANSWERED
    assert detail.attachments[0].event_id == detail.events[-1].id
    event = await add_citizen_message(
        session, code=ticket.code, channel=Channel.TELEGRAM, chat_ref="tg-7", text="Đường vẫn chưa sửa", dispute=True
    )
    assert event.kind is EventKind.CITIZEN_MESSAGE and event.actor_kind == "citizen"
    detail = await get_ticket_by_code(session, actor=officer, code=ticket.code, now=NOW)
    assert detail.ticket.status is TicketStatus.IN_PROGRESS and detail.ticket.resolved_at is None
    assert detail.events[-2].data == {"from": "answered", "to": "in_progress"}
    assert (await session.scalar(select(func.count()).select_from(TicketAttachment))) == 1


async def test_detail_shows_the_thread_and_audits_the_read(session: AsyncSession) -> None:
    ticket = await make_ticket(session, contact_phone="0912345678", phone_consent=consent())
    officer = await make_official(session)
    await add_public_reply(session, actor=officer, code=ticket.code, text="Đã nhận.", now=NOW)
    detail = await get_ticket_by_code(session, actor=officer, code=ticket.code, now=NOW)
    assert detail.contact is not None and detail.contact.contact_phone == "0912345678"
    reply = detail.events[0]
    assert reply.kind is EventKind.PUBLIC_REPLY and reply.delivery is not None
    assert reply.delivery.status == "pending"
    reads = await session.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.TICKET_READ_PERSONAL))
    assert [(entry.actor_id, entry.object_id) for entry in reads] == [(officer.id, ticket.code)]


async def test_viewers_see_the_ticket_but_not_the_citizens_contact(session: AsyncSession) -> None:
    ticket = await make_ticket(session)
    viewer = await make_official(session, role=Role.VIEWER)
    detail = await get_ticket_by_code(session, actor=viewer, code=ticket.code, now=NOW)
    assert detail.contact is None
    assert detail.ticket.code == ticket.code


async def test_an_official_of_another_commune_gets_not_found(session: AsyncSession) -> None:
    ticket = await make_ticket(session, commune_code=COMMUNE_A)
    stranger = await make_official(session, unit=COMMUNE_B)
    with pytest.raises(OutOfScope) as error:
        await get_ticket_by_code(session, actor=stranger, code=ticket.code, now=NOW)
    assert isinstance(error.value, NotFound)
    with pytest.raises(NotFound):
        await get_ticket_by_code(session, actor=stranger, code="CB-2222-2222", now=NOW)


async def test_confidential_tickets_are_for_the_province_only(session: AsyncSession) -> None:
    ticket = await make_ticket(session, confidential=True, kind=TicketKind.COMPLAINT)
    local = await make_official(session, unit=COMMUNE_A)
    province = await make_official(session, unit=PROVINCE)
    with pytest.raises(NotFound):
        await get_ticket_by_code(session, actor=local, code=ticket.code, now=NOW)
    assert (await get_ticket_by_code(session, actor=province, code=ticket.code, now=NOW)).ticket.confidential
    assert (await list_tickets(session, actor=local, query=TicketQuery(), now=NOW)).items == []


async def test_the_queue_holds_exactly_what_each_official_may_see(session: AsyncSession) -> None:
    mine = await make_ticket(session, commune_code=COMMUNE_A)
    await make_ticket(session, commune_code=COMMUNE_A, confidential=True)
    await make_ticket(session, commune_code=COMMUNE_B)
    await make_ticket(session, commune_code=None)
    local = await make_official(session, unit=COMMUNE_A)
    province = await make_official(session, role=Role.VIEWER, unit=PROVINCE)
    editor = await make_official(session, role=Role.EDITOR, unit=COMMUNE_B)
    assert [t.code for t in (await list_tickets(session, actor=local, query=TicketQuery(), now=NOW)).items] == [
        mine.code
    ]
    assert len((await list_tickets(session, actor=province, query=TicketQuery(), now=NOW)).items) == 4
    assert len((await list_tickets(session, actor=editor, query=TicketQuery(), now=NOW)).items) == 1


async def codes(session: AsyncSession, actor: object, **filters: object) -> set[str]:
    page = await list_tickets(session, actor=actor, query=TicketQuery(**filters), now=NOW)  # type: ignore[arg-type]
    return {ticket.code for ticket in page.items}


async def test_queue_filters(session: AsyncSession) -> None:
    officer = await make_official(session, unit=PROVINCE)
    other = await make_official(session, unit=PROVINCE)
    road = await make_ticket(session, text="Đường liên thôn hỏng nặng", topic="ha-tang", commune_code=COMMUNE_A)
    loan = await make_ticket(session, text="Hỏi về vay vốn hộ nghèo", topic="vay-von", kind=TicketKind.QUESTION)
    old = await make_ticket(
        session,
        text="Khiếu nại danh sách hộ nghèo",
        topic="ho-ngheo",
        kind=TicketKind.COMPLAINT,
        commune_code=COMMUNE_B,
        now=NOW - dt.timedelta(days=20),
    )
    await change_status(session, actor=officer, code=loan.code, status=TicketStatus.ACCEPTED, now=NOW)
    await assign(session, actor=officer, code=road.code, assignee_id=other.id, now=NOW)
    assert await codes(session, officer, status=[TicketStatus.ACCEPTED]) == {loan.code}
    assert await codes(session, officer, kind=[TicketKind.COMPLAINT, TicketKind.QUESTION]) == {loan.code, old.code}
    assert await codes(session, officer, topic="ha-tang") == {road.code}
    assert await codes(session, officer, commune_code=COMMUNE_B) == {old.code}
    assert await codes(session, officer, assignee_id=other.id) == {road.code}
    assert await codes(session, officer, unassigned=True) == {loan.code, old.code}
    assert await codes(session, officer, overdue=True) == {old.code}  # 10 days to accept a complaint, 20 gone
    assert await codes(session, officer, overdue=False) == {road.code, loan.code}
    assert await codes(session, officer, received_from=dt.date(2026, 3, 1)) == {road.code, loan.code}
    assert await codes(session, officer, received_to=dt.date(2026, 2, 20)) == {old.code}
    # Folded, case-insensitive, every word must appear.
    assert await codes(session, officer, q="DUONG lien") == {road.code}
    assert await codes(session, officer, q="hộ nghèo") == {loan.code, old.code}
    assert await codes(session, officer, q="ho ngheo vay") == {loan.code}
    assert await codes(session, officer, q="100%_") == set()


async def test_due_soon_counts_three_working_days(session: AsyncSession) -> None:
    officer = await make_official(session, unit=PROVINCE)
    # Feedback: 10 working days. Received 11 working days before Thursday 19 March 2026 -> due the 18th.
    late = await make_ticket(session, now=dt.datetime(2026, 3, 4, 3, tzinfo=dt.UTC))
    soon = await make_ticket(session, now=dt.datetime(2026, 3, 9, 3, tzinfo=dt.UTC))  # due 23 March
    later = await make_ticket(session, now=dt.datetime(2026, 3, 13, 3, tzinfo=dt.UTC))  # due 27 March
    thursday = dt.datetime(2026, 3, 19, 3, tzinfo=dt.UTC)
    page = await list_tickets(session, actor=officer, query=TicketQuery(sort="deadline"), now=thursday)
    assert [(t.code, t.overdue, t.due_soon) for t in page.items] == [
        (late.code, True, False),
        (soon.code, False, True),
        (later.code, False, False),
    ]
    due = await list_tickets(session, actor=officer, query=TicketQuery(due_soon=True), now=thursday)
    assert [t.code for t in due.items] == [soon.code]


@pytest.mark.parametrize("sort", ["-received_at", "received_at", "deadline", "-priority"])
async def test_keyset_pages_cover_the_queue_once_in_order(session: AsyncSession, sort: str) -> None:
    officer = await make_official(session, unit=PROVINCE)
    for day in range(7):
        for priority in (1, 3):
            await make_ticket(session, priority=priority, now=NOW + dt.timedelta(days=day // 2, hours=day))
    everything = await list_tickets(session, actor=officer, query=TicketQuery(sort=sort, limit=100), now=NOW)
    seen: list[str] = []
    cursor = None
    while True:
        page = await list_tickets(session, actor=officer, query=TicketQuery(sort=sort, limit=3, cursor=cursor), now=NOW)
        seen.extend(ticket.code for ticket in page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [ticket.code for ticket in everything.items]
    assert len(seen) == 14
    if sort == "-priority":
        assert [t.priority for t in everything.items] == sorted((t.priority for t in everything.items), reverse=True)


@pytest.mark.parametrize("cursor", ["not-base64!", "eyJvIjoiZGVhZGxpbmUiLCJ2IjpbXX0", "e30"])
async def test_a_forged_cursor_is_a_validation_error(session: AsyncSession, cursor: str) -> None:
    officer = await make_official(session, unit=PROVINCE)
    with pytest.raises(ValidationFailed) as error:
        await list_tickets(session, actor=officer, query=TicketQuery(cursor=cursor), now=NOW)
    assert error.value.field == "cursor"


def consent() -> ConsentCreate:
    return ConsentCreate(given_at=NOW, channel=Channel.TELEGRAM, wording_version="v1")


async def test_the_scope_rule_reads_the_same_in_python_and_in_sql(session: AsyncSession) -> None:
    for commune, confidential in [(COMMUNE_A, False), (COMMUNE_A, True), (COMMUNE_B, False), (None, False)]:
        await make_ticket(session, commune_code=commune, confidential=confidential)
    officials = [
        await make_official(session, unit=PROVINCE),
        await make_official(session, unit=COMMUNE_A),
        await make_official(session, role=Role.VIEWER, unit=COMMUNE_B),
        await make_official(session, role=Role.ADMIN, unit=PROVINCE),
    ]
    officials[3].disabled = True
    tickets = (await session.scalars(select(Ticket))).all()
    for official in officials:
        in_sql = set((await session.scalars(select(Ticket.id).where(visible_clause(official)))).all())
        in_python = {ticket.id for ticket in tickets if is_visible(official, ticket)}
        assert in_sql == in_python
    assert [len(set(await session.scalars(select(Ticket.id).where(visible_clause(o))))) for o in officials] == [
        4,
        1,
        1,
        0,
    ]


async def test_nfd_text_is_stored_as_nfc(session: AsyncSession) -> None:
    nfd = unicodedata.normalize("NFD", "Đường hỏng")
    ticket = await make_ticket(session, text=nfd)
    assert ticket.text == unicodedata.normalize("NFC", "Đường hỏng") != nfd
