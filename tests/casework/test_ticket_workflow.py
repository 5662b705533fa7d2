"""What officials do to tickets: the lifecycle, assignment, replies through the outbox, merges, extensions."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.calendar.schemas import CalendarOverrideCreate
from casework.calendar.service import set_override
from casework.channels import Channel
from casework.deadlines.schemas import DeadlineRules
from casework.errors import (
    Conflict,
    Forbidden,
    InvalidTransition,
    LimitReached,
    NotFound,
    StaleVersion,
    ValidationFailed,
)
from casework.officials.models import PROVINCE, Role
from casework.outbox.models import OutboxKind, OutboxMessage
from casework.tickets.lifecycle import TRANSITIONS
from casework.tickets.models import EventKind, Ticket, TicketKind, TicketStatus
from casework.tickets.service import get_ticket_by_code
from casework.tickets.workflow import (
    add_internal_note,
    add_public_reply,
    assign,
    change_status,
    extend_deadline,
    merge,
)
from tests.casework.factories import COMMUNE_A, COMMUNE_B, NOW, make_official, make_ticket, ticket_data

S = TicketStatus


async def outbox_rows(session: AsyncSession) -> list[OutboxMessage]:
    return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def test_the_main_path_sets_each_timestamp(session: AsyncSession) -> None:
    ticket = await make_ticket(session)
    officer = await make_official(session)
    steps = [(S.ACCEPTED, "accepted_at"), (S.IN_PROGRESS, None), (S.ANSWERED, "resolved_at"), (S.CLOSED, "closed_at")]
    version = ticket.version
    for hours, (status, stamp) in enumerate(steps, start=1):
        moment = NOW + dt.timedelta(hours=hours)
        change = await change_status(
            session, actor=officer, code=ticket.code, status=status, expected_version=version, now=moment
        )
        assert change.ticket.status is status
        assert change.ticket.version == version + 1
        assert change.event.kind is EventKind.STATUS_CHANGE and change.event.actor_id == officer.id
        if stamp:
            assert getattr(change.ticket, stamp) == moment
        version = change.ticket.version


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], S.ANSWERED),  # not accepted yet
        ([], S.CLOSED),
        ([], S.IN_PROGRESS),
        ([S.ACCEPTED, S.ANSWERED], S.ACCEPTED),
        ([S.ACCEPTED, S.ANSWERED, S.CLOSED], S.ANSWERED),
        ([S.ACCEPTED, S.ANSWERED], S.REJECTED),
    ],
)
async def test_illegal_transitions_are_refused_with_a_clear_message(
    session: AsyncSession, path: list[TicketStatus], refused: TicketStatus
) -> None:
    ticket = await make_ticket(session)
    officer = await make_official(session)
    for status in path:
        await change_status(session, actor=officer, code=ticket.code, status=status, now=NOW)
    current = path[-1] if path else S.NEW
    with pytest.raises(InvalidTransition, match=f"a {current} ticket cannot become {refused}; allowed: "):
        await change_status(session, actor=officer, code=ticket.code, status=refused, reason="x", now=NOW)


def test_final_statuses_lead_nowhere() -> None:
    assert TRANSITIONS[S.REJECTED] == TRANSITIONS[S.DUPLICATE] == frozenset()
    assert set(TRANSITIONS) == set(TicketStatus)


async def test_answered_and_closed_tickets_can_be_reopened(session: AsyncSession) -> None:
    ticket = await make_ticket(session)
    officer = await make_official(session)
    for status in (S.ACCEPTED, S.ANSWERED, S.IN_PROGRESS, S.ANSWERED, S.CLOSED, S.IN_PROGRESS):
        change = await change_status(session, actor=officer, code=ticket.code, status=status, now=NOW)
    assert change.ticket.closed_at is None and change.ticket.resolved_at is None


async def test_a_rejection_needs_a_reason_and_tells_the_citizen(session: AsyncSession) -> None:
    ticket = await make_ticket(session, kind=TicketKind.COMPLAINT, chat_ref="tg-9")
    officer = await make_official(session)
    with pytest.raises(ValidationFailed) as error:
        await change_status(session, actor=officer, code=ticket.code, status=S.REJECTED, reason=" ", now=NOW)
    assert error.value.field == "reason"
    change = await change_status(
        session, actor=officer, code=ticket.code, status=S.REJECTED, reason="Đã quá thời hiệu khiếu nại", now=NOW
    )
    assert change.ticket.closed_at == NOW
    [notice] = await outbox_rows(session)
    assert notice.kind is OutboxKind.NOTICE and notice.chat_ref == "tg-9"
    assert "Đã quá thời hiệu khiếu nại" in notice.payload["text"] and ticket.code in notice.payload["text"]


async def test_an_anonymous_denunciation_can_never_be_accepted(session: AsyncSession) -> None:
    ticket = await make_ticket(session, kind=TicketKind.DENUNCIATION, anonymous=True)
    officer = await make_official(session)
    with pytest.raises(InvalidTransition, match="anonymous denunciation"):
        await change_status(session, actor=officer, code=ticket.code, status=S.ACCEPTED, now=NOW)
    await change_status(session, actor=officer, code=ticket.code, status=S.TRANSFERRED, commune_code=COMMUNE_B, now=NOW)
    province = await make_official(session, unit=PROVINCE)
    with pytest.raises(InvalidTransition):
        await change_status(session, actor=province, code=ticket.code, status=S.ACCEPTED, now=NOW)
    signed = await make_ticket(session, kind=TicketKind.DENUNCIATION)
    accepted = await change_status(session, actor=officer, code=signed.code, status=S.ACCEPTED, now=NOW)
    assert accepted.ticket.status is S.ACCEPTED


async def test_accepting_a_complaint_starts_the_decision_clock(session: AsyncSession) -> None:
    ticket = await make_ticket(session, kind=TicketKind.COMPLAINT)
    assert ticket.deadline == dt.date(2026, 3, 12)  # to accept
    officer = await make_official(session)
    thursday = dt.datetime(2026, 3, 5, 3, tzinfo=dt.UTC)
    change = await change_status(session, actor=officer, code=ticket.code, status=S.ACCEPTED, now=thursday)
    assert change.ticket.deadline == dt.date(2026, 4, 6)  # 30 days, rolled from Saturday to Monday
    detail = await get_ticket_by_code(session, actor=officer, code=ticket.code, now=thursday)
    deadline_change = [e for e in detail.events if e.kind is EventKind.DEADLINE_CHANGE]
    assert [e.data["to"] for e in deadline_change] == ["2026-04-06"]


async def test_a_remote_commune_gets_the_longer_complaint_periods(session: AsyncSession) -> None:
    rules = DeadlineRules(remote_communes=frozenset({COMMUNE_A}))
    ticket = await make_ticket(session, kind=TicketKind.COMPLAINT)
    officer = await make_official(session)
    thursday = dt.datetime(2026, 3, 5, 3, tzinfo=dt.UTC)
    change = await change_status(session, actor=officer, code=ticket.code, status=S.ACCEPTED, rules=rules, now=thursday)
    assert change.ticket.deadline == dt.date(2026, 4, 20)
    change = await extend_deadline(
        session,
        actor=await make_official(session, role=Role.SUPERVISOR),
        code=ticket.code,
        reason="Nhiều hộ liên quan",
        rules=rules,
        now=thursday,
    )
    assert change.ticket.deadline == dt.date(2026, 5, 4) and change.ticket.is_complex


async def test_a_transfer_moves_the_ticket_to_the_other_unit(session: AsyncSession) -> None:
    ticket = await make_ticket(session, commune_code=COMMUNE_A)
    here = await make_official(session, unit=COMMUNE_A)
    there = await make_official(session, unit=COMMUNE_B)
    await assign(session, actor=here, code=ticket.code, assignee_id=here.id, now=NOW)
    with pytest.raises(ValidationFailed):
        await change_status(session, actor=here, code=ticket.code, status=S.TRANSFERRED, now=NOW)
    with pytest.raises(ValidationFailed):
        await change_status(session, actor=here, code=ticket.code, status=S.TRANSFERRED, commune_code="Hà Quảng")
    with pytest.raises(ValidationFailed):
        await change_status(session, actor=here, code=ticket.code, status=S.TRANSFERRED, commune_code=COMMUNE_A)
    with pytest.raises(ValidationFailed):
        await change_status(session, actor=here, code=ticket.code, status=S.ACCEPTED, commune_code=COMMUNE_B)
    change = await change_status(
        session, actor=here, code=ticket.code, status=S.TRANSFERRED, commune_code=COMMUNE_B, now=NOW
    )
    assert (change.ticket.commune_code, change.ticket.assignee_id) == (COMMUNE_B, None)
    assert change.event.data["commune_code"] == COMMUNE_B
    with pytest.raises(NotFound):
        await get_ticket_by_code(session, actor=here, code=ticket.code, now=NOW)
    accepted = await change_status(session, actor=there, code=ticket.code, status=S.ACCEPTED, now=NOW)
    assert accepted.ticket.status is S.ACCEPTED
    to_province = await change_status(
        session, actor=there, code=ticket.code, status=S.TRANSFERRED, commune_code=PROVINCE, now=NOW
    )
    assert to_province.ticket.commune_code is None


async def test_assignment_goes_to_an_officer_who_can_see_the_ticket(session: AsyncSession) -> None:
    ticket = await make_ticket(session, commune_code=COMMUNE_A)
    supervisor = await make_official(session, role=Role.SUPERVISOR, unit=COMMUNE_A)
    officer = await make_official(session, unit=COMMUNE_A)
    for wrong in (
        await make_official(session, unit=COMMUNE_B),
        await make_official(session, role=Role.VIEWER, unit=COMMUNE_A),
    ):
        with pytest.raises(ValidationFailed):
            await assign(session, actor=supervisor, code=ticket.code, assignee_id=wrong.id, now=NOW)
    with pytest.raises(ValidationFailed):
        await assign(session, actor=supervisor, code=ticket.code, assignee_id=999_999, now=NOW)
    change = await assign(session, actor=supervisor, code=ticket.code, assignee_id=officer.id, now=NOW)
    assert change.ticket.assignee_id == officer.id
    assert change.event.data == {"from": None, "to": officer.id}
    released = await assign(session, actor=supervisor, code=ticket.code, assignee_id=None, now=NOW)
    assert released.ticket.assignee_id is None


async def test_a_public_reply_is_queued_to_the_citizens_chat_with_the_event_under_a_header_naming_it(
    session: AsyncSession,
) -> None:
    ticket = await make_ticket(session, channel=Channel.ZALO, chat_ref="zalo-123")
    officer = await make_official(session)
    change = await add_public_reply(
        session, actor=officer, code=ticket.code, text="Xã sẽ sửa đường trong tuần tới.", now=NOW
    )
    [row] = await outbox_rows(session)
    assert (row.channel, row.chat_ref, row.kind) == (Channel.ZALO, "zalo-123", OutboxKind.REPLY)
    assert (row.ticket_id, row.event_id) == (change.ticket.version and row.ticket_id, change.event.id)
    # The citizen's copy names the ticket; the thread keeps the official's text as written.
    assert row.payload == {
        "text": f"**Trả lời phản ánh {ticket.code}:**\n\nXã sẽ sửa đường trong tuần tới.",
        "buttons": [],
    }
    assert change.event.body == "Xã sẽ sửa đường trong tuần tới."
    assert change.event.delivery is not None and change.event.delivery.status == "pending"


async def test_a_reply_and_its_outbox_row_commit_or_vanish_together(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as setup:
        ticket = await make_ticket(setup)
        officer = await make_official(setup)
        await setup.commit()
    async with sessions() as request:
        await add_public_reply(request, actor=officer, code=ticket.code, text="Trả lời", now=NOW)
        await request.rollback()  # the request failed after the service returned
    async with sessions() as check:
        assert await outbox_rows(check) == []
        detail = await get_ticket_by_code(check, actor=officer, code=ticket.code, now=NOW)
        assert detail.events == []


async def test_a_reply_to_a_paper_case_is_recorded_but_not_queued(session: AsyncSession) -> None:
    officer = await make_official(session)
    from casework.tickets.service import submit_ticket

    ticket = await submit_ticket(
        session, data=ticket_data(channel=Channel.PAPER, chat_ref=None), submitted_by=officer, now=NOW
    )
    change = await add_public_reply(session, actor=officer, code=ticket.code, text="Đã gửi công văn trả lời.")
    assert change.event.kind is EventKind.PUBLIC_REPLY and change.event.delivery is None
    assert await outbox_rows(session) == []


async def test_internal_notes_stay_internal(session: AsyncSession) -> None:
    ticket = await make_ticket(session)
    officer = await make_official(session)
    change = await add_internal_note(session, actor=officer, code=ticket.code, text="Gọi lại trưởng thôn.", now=NOW)
    assert change.event.kind is EventKind.INTERNAL_NOTE and change.event.body == "Gọi lại trưởng thôn."
    assert await outbox_rows(session) == []
    with pytest.raises(ValidationFailed):
        await add_internal_note(session, actor=officer, code=ticket.code, text="   ", now=NOW)


async def test_viewers_cannot_write(session: AsyncSession) -> None:
    ticket = await make_ticket(session)
    viewer = await make_official(session, role=Role.VIEWER)
    with pytest.raises(Forbidden):
        await add_public_reply(session, actor=viewer, code=ticket.code, text="Xin chào", now=NOW)
    with pytest.raises(Forbidden):
        await change_status(session, actor=viewer, code=ticket.code, status=S.ACCEPTED, now=NOW)


async def test_a_stale_version_is_refused_before_anything_changes(session: AsyncSession) -> None:
    ticket = await make_ticket(session)
    officer = await make_official(session)
    await add_internal_note(session, actor=officer, code=ticket.code, text="Ghi chú", expected_version=1, now=NOW)
    with pytest.raises(StaleVersion) as error:
        await add_internal_note(session, actor=officer, code=ticket.code, text="Ghi chú", expected_version=1, now=NOW)
    assert (error.value.expected, error.value.actual) == (1, 2)


async def test_concurrent_writers_cannot_both_win(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as setup:
        ticket = await make_ticket(setup)
        officer = await make_official(setup)
        await setup.commit()
    async with sessions() as first, sessions() as second:
        # Both read version 1; the first commits; the second's UPDATE ... WHERE version = 1 then matches nothing.
        loaded = (await second.scalars(select(Ticket).where(Ticket.code == ticket.code))).one()
        await change_status(first, actor=officer, code=ticket.code, status=S.ACCEPTED, expected_version=1, now=NOW)
        await first.commit()
        loaded.priority = 3
        from casework.tickets.service import save

        with pytest.raises(StaleVersion):
            await save(second, NOW, loaded)


async def test_merge_links_the_duplicate_to_the_original(session: AsyncSession) -> None:
    original = await make_ticket(session)
    duplicate = await make_ticket(session)
    officer = await make_official(session)
    change = await merge(session, actor=officer, code=duplicate.code, into_code=original.code, now=NOW)
    assert change.ticket.status is S.DUPLICATE and change.event.data == {"into": original.code}
    stored = (await session.scalars(select(Ticket).where(Ticket.code == duplicate.code))).one()
    target = (await session.scalars(select(Ticket).where(Ticket.code == original.code))).one()
    assert stored.duplicate_of_id == target.id and target.version == 2
    detail = await get_ticket_by_code(session, actor=officer, code=original.code, now=NOW)
    assert [(e.kind, e.data) for e in detail.events] == [(EventKind.MERGE, {"merged": duplicate.code})]
    with pytest.raises(InvalidTransition):
        await add_public_reply(session, actor=officer, code=duplicate.code, text="Trả lời", now=NOW)


async def test_merges_that_make_no_sense_are_refused(session: AsyncSession) -> None:
    first, second, third = [await make_ticket(session) for _ in range(3)]
    officer = await make_official(session)
    with pytest.raises(ValidationFailed):
        await merge(session, actor=officer, code=first.code, into_code=first.code, now=NOW)
    await merge(session, actor=officer, code=second.code, into_code=first.code, now=NOW)
    with pytest.raises(ValidationFailed):
        await merge(session, actor=officer, code=third.code, into_code=second.code, now=NOW)
    with pytest.raises(InvalidTransition, match="merging"):
        await change_status(session, actor=officer, code=third.code, status=S.DUPLICATE, now=NOW)
    hidden = await make_ticket(session, commune_code=COMMUNE_B)
    with pytest.raises(NotFound):
        await merge(session, actor=officer, code=third.code, into_code=hidden.code, now=NOW)


async def test_a_denunciation_extends_twice_with_a_notice_each_time_and_no_more(session: AsyncSession) -> None:
    ticket = await make_ticket(session, kind=TicketKind.DENUNCIATION, chat_ref="tg-den")
    officer = await make_official(session)
    supervisor = await make_official(session, role=Role.SUPERVISOR)
    thursday = dt.datetime(2026, 3, 5, 3, tzinfo=dt.UTC)
    await change_status(session, actor=officer, code=ticket.code, status=S.ACCEPTED, now=thursday)
    with pytest.raises(Forbidden):
        await extend_deadline(session, actor=officer, code=ticket.code, reason="Phức tạp", now=thursday)
    with pytest.raises(ValidationFailed):
        await extend_deadline(session, actor=supervisor, code=ticket.code, reason="", now=thursday)
    deadlines = []
    for reason in ("Cần xác minh thêm", "Vụ việc rất phức tạp"):
        change = await extend_deadline(session, actor=supervisor, code=ticket.code, reason=reason, now=thursday)
        deadlines.append(change.ticket.deadline)
        assert change.event.kind is EventKind.DEADLINE_CHANGE and change.event.data["reason"] == reason
    assert deadlines == [dt.date(2026, 5, 4), dt.date(2026, 6, 3)]
    with pytest.raises(LimitReached):
        await extend_deadline(session, actor=supervisor, code=ticket.code, reason="Lần ba", now=thursday)
    notices = await outbox_rows(session)
    assert [n.kind for n in notices] == [OutboxKind.NOTICE, OutboxKind.NOTICE]
    assert "03/06/2026" in notices[1].payload["text"] and "Vụ việc rất phức tạp" in notices[1].payload["text"]


async def test_only_accepted_cases_can_be_extended(session: AsyncSession) -> None:
    ticket = await make_ticket(session, kind=TicketKind.COMPLAINT)
    supervisor = await make_official(session, role=Role.SUPERVISOR)
    with pytest.raises(InvalidTransition, match="only an accepted case"):
        await extend_deadline(session, actor=supervisor, code=ticket.code, reason="Phức tạp", now=NOW)


async def test_a_complex_complaint_gets_45_days_once(session: AsyncSession) -> None:
    ticket = await make_ticket(session, kind=TicketKind.COMPLAINT)
    supervisor = await make_official(session, role=Role.SUPERVISOR)
    thursday = dt.datetime(2026, 3, 5, 3, tzinfo=dt.UTC)
    await change_status(session, actor=supervisor, code=ticket.code, status=S.ACCEPTED, now=thursday)
    change = await extend_deadline(session, actor=supervisor, code=ticket.code, reason="Phức tạp", now=thursday)
    assert change.ticket.deadline == dt.date(2026, 4, 20) and change.event.data["extension"] == "complex"
    with pytest.raises(LimitReached):
        await extend_deadline(session, actor=supervisor, code=ticket.code, reason="Lần hai", now=thursday)


async def test_changing_an_unknown_ticket_is_not_found(session: AsyncSession) -> None:
    officer = await make_official(session)
    for code in ("CB-2222-2222", "not a code"):
        with pytest.raises(NotFound):
            await add_internal_note(session, actor=officer, code=code, text="Ghi chú", now=NOW)


async def test_only_running_feedback_or_questions_of_one_commune_and_confidentiality_merge(
    session: AsyncSession,
) -> None:
    officer = await make_official(session, unit=PROVINCE)
    for kind in (TicketKind.COMPLAINT, TicketKind.DENUNCIATION):  # settled for their own citizen
        first, second = [await make_ticket(session, kind=kind) for _ in range(2)]
        with pytest.raises(Conflict, match="only feedback or questions"):
            await merge(session, actor=officer, code=second.code, into_code=first.code, now=NOW)
    original = await make_ticket(session)
    for other in (await make_ticket(session, confidential=True), await make_ticket(session, commune_code=COMMUNE_B)):
        with pytest.raises(Conflict, match="commune or confidentiality"):
            await merge(session, actor=officer, code=other.code, into_code=original.code, now=NOW)
    rejected = await make_ticket(session)
    await change_status(session, actor=officer, code=rejected.code, status=S.REJECTED, reason="Không rõ", now=NOW)
    with pytest.raises(Conflict, match="no longer worked on"):
        await merge(session, actor=officer, code=original.code, into_code=rejected.code, now=NOW)
    stored = (await session.scalars(select(Ticket).where(Ticket.code == original.code))).one()
    assert stored.status is S.NEW and stored.duplicate_of_id is None


async def test_merging_a_ticket_takes_its_own_duplicates_along(session: AsyncSession) -> None:
    first, middle, last = [await make_ticket(session, chat_ref=f"tg-chain-{n}") for n in range(3)]
    officer = await make_official(session)
    await merge(session, actor=officer, code=first.code, into_code=middle.code, now=NOW)
    await merge(session, actor=officer, code=middle.code, into_code=last.code, now=NOW)
    tickets = {t.code: t for t in (await session.scalars(select(Ticket))).all()}
    assert tickets[first.code].duplicate_of_id == tickets[last.code].id
    assert tickets[middle.code].duplicate_of_id == tickets[last.code].id
    notices = [(row.chat_ref, row.payload["text"]) for row in await outbox_rows(session)]
    first_chat = [text for chat, text in notices if chat == "tg-chain-0"]
    assert len(first_chat) == 2 and "gộp vào hồ sơ đó để giải quyết chung" in first_chat[1]
    assert f"Hồ sơ {first.code} của bạn trùng nội dung với hồ sơ {last.code}" in first_chat[1]
    assert first_chat[1].endswith(f"dưới mã {last.code}.")
    before = len(notices)
    await add_public_reply(session, actor=officer, code=last.code, text="Đã sửa xong.", now=NOW)
    replies = (await outbox_rows(session))[before:]
    assert sorted(row.chat_ref for row in replies) == ["tg-chain-0", "tg-chain-1", "tg-chain-2"]


async def test_only_a_supervisor_or_admin_designates_who_resolves_a_denunciation(session: AsyncSession) -> None:
    ticket = await make_ticket(session, kind=TicketKind.DENUNCIATION)
    officer = await make_official(session)
    supervisor = await make_official(session, role=Role.SUPERVISOR)
    with pytest.raises(Forbidden, match="supervisor or an admin"):
        await assign(session, actor=officer, code=ticket.code, assignee_id=officer.id, now=NOW)
    change = await assign(session, actor=supervisor, code=ticket.code, assignee_id=officer.id, now=NOW)
    assert change.ticket.assignee_id == officer.id
    feedback = await make_ticket(session)  # other kinds are still taken by whoever works on them
    assert (
        await assign(session, actor=officer, code=feedback.code, assignee_id=officer.id, now=NOW)
    ).ticket.assignee_id


async def test_a_transferred_case_is_accepted_afresh_without_the_senders_extensions(session: AsyncSession) -> None:
    ticket = await make_ticket(session, kind=TicketKind.DENUNCIATION, chat_ref="tg-transfer")
    supervisor = await make_official(session, role=Role.SUPERVISOR)
    province = await make_official(session, role=Role.SUPERVISOR, unit=PROVINCE, username="tinh.gs")
    thursday = dt.datetime(2026, 3, 5, 3, tzinfo=dt.UTC)
    await change_status(session, actor=supervisor, code=ticket.code, status=S.ACCEPTED, now=thursday)
    await extend_deadline(session, actor=supervisor, code=ticket.code, reason="Cần xác minh", now=thursday)
    await change_status(
        session,
        actor=supervisor,
        code=ticket.code,
        status=S.TRANSFERRED,
        reason="Thẩm quyền tỉnh",
        commune_code=PROVINCE,
        now=thursday,
    )
    later = thursday + dt.timedelta(days=7)
    accepted = await change_status(session, actor=province, code=ticket.code, status=S.ACCEPTED, now=later)
    assert accepted.ticket.deadline == dt.date(2026, 4, 13)  # 30 days from 12/3 (a Sunday's end rolls to Monday)
    extended = await extend_deadline(session, actor=province, code=ticket.code, reason="Phức tạp", now=later)
    assert extended.ticket.deadline == dt.date(2026, 5, 11)


async def test_a_reopened_ticket_counts_its_deadline_on_todays_calendar(session: AsyncSession) -> None:
    ticket = await make_ticket(session, kind=TicketKind.QUESTION)
    officer = await make_official(session)
    admin = await make_official(session, role=Role.ADMIN, unit=PROVINCE, username="tinh.qt")
    await change_status(session, actor=officer, code=ticket.code, status=S.ACCEPTED, now=NOW)
    await add_public_reply(session, actor=officer, code=ticket.code, text="Trả lời.", now=NOW)
    answered = await change_status(session, actor=officer, code=ticket.code, status=S.ANSWERED, now=NOW)
    deadline = answered.ticket.deadline
    # While it was answered, its last day became a day off: nothing moved then.
    await set_override(
        session, actor=admin, data=CalendarOverrideCreate(day=deadline, is_working_day=False, note="Nghỉ bù")
    )
    reopened = await change_status(session, actor=officer, code=ticket.code, status=S.IN_PROGRESS, now=NOW)
    assert reopened.ticket.deadline > deadline
    detail = await get_ticket_by_code(session, actor=officer, code=ticket.code, now=NOW)
    assert [e.data["from"] for e in detail.events if e.kind is EventKind.DEADLINE_CHANGE] == [deadline.isoformat()]
