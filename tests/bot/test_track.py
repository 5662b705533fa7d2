"""Tra cứu: own tickets in full, other chats' codes by status only; rating, reopening, adding information."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.engine import Deps
from casework.conversations.models import TicketRating
from casework.tickets.models import EventKind, Ticket, TicketAttachment, TicketEvent, TicketStatus
from casework.tickets.workflow import add_public_reply, change_status, merge
from tests.bot.conftest import Chat
from tests.casework.factories import province_admin

QUESTION = "cach trong ngo lai nang suat cao"


async def file_question(chat: Chat) -> str:
    await chat.say(QUESTION)
    await chat.tap("Có, gửi cho cán bộ")
    if "Mã theo dõi" not in chat.text:  # the commune is asked the first time only
        await chat.say("ha lang")
        await chat.tap("Xã Hạ Lang")
    return (await chat.tickets())[-1].code


async def official_answers(sessions: async_sessionmaker[AsyncSession], code: str, text: str) -> None:
    async with sessions() as session:
        admin = await province_admin(session)
        await change_status(session, actor=admin, code=code, status=TicketStatus.ACCEPTED)
        await add_public_reply(session, actor=admin, code=code, text=text)
        await change_status(session, actor=admin, code=code, status=TicketStatus.ANSWERED)
        await session.commit()


async def test_the_chat_lists_its_own_tickets_newest_first(chat: Chat) -> None:
    first = await file_question(chat)
    second = await file_question(chat)
    await chat.say("/start")
    await chat.tap("Tra cứu phản ánh")
    assert chat.labels[:2] == [second, first]
    assert "Câu hỏi, đã nhận, chờ xem xét (gửi ngày 02/03/2026)" in chat.text
    await chat.tap(first)
    assert f"**{first}**: Câu hỏi" in chat.text and "Cán bộ chưa trả lời." in chat.text
    assert "Ngày dự kiến có trả lời: thứ " in chat.text


async def test_without_tickets_the_chat_is_asked_for_a_code(chat: Chat) -> None:
    await chat.say("/tra_cuu")
    assert "chưa gửi phản ánh" in chat.text and "gõ mã theo dõi" in chat.text
    await chat.say("CB-2222-3333")
    assert "Không tìm thấy mã theo dõi" in chat.text


async def test_an_answered_ticket_shows_the_reply_and_can_be_rated(
    chat: Chat, sessions: async_sessionmaker[AsyncSession]
) -> None:
    code = await file_question(chat)
    await official_answers(sessions, code, "Bạn liên hệ cán bộ khuyến nông xã để được hướng dẫn.")
    await chat.say(f"/tra_cuu {code}")
    assert "Trạng thái: **Đã trả lời**" in chat.text
    assert "Bạn liên hệ cán bộ khuyến nông xã" in chat.text
    assert chat.labels[:5] == ["⭐", "⭐⭐", "⭐⭐⭐", "⭐⭐⭐⭐", "⭐⭐⭐⭐⭐"]
    await chat.tap("⭐⭐⭐⭐⭐")
    assert "Cảm ơn bạn đã đánh giá" in chat.text
    await chat.press(f"rt:{code}:4")  # a later rating replaces it
    async with sessions() as session:
        ratings = (await session.scalars(select(TicketRating))).all()
    assert [r.score for r in ratings] == [4]


async def test_a_low_rating_offers_to_reopen_and_a_dispute_reopens_the_ticket(
    chat: Chat, sessions: async_sessionmaker[AsyncSession]
) -> None:
    code = await file_question(chat)
    await official_answers(sessions, code, "Đã trả lời.")
    await chat.press(f"rt:{code}:1")
    await chat.tap("Chưa giải quyết — mở lại")
    assert "điểm nào bạn chưa đồng ý" in chat.text
    await chat.say("Tôi vẫn chưa biết hỏi ai.")
    assert f"Đã mở lại phản ánh **{code}**" in chat.text
    [ticket] = await chat.tickets()
    assert ticket.status is TicketStatus.IN_PROGRESS


async def test_a_ticket_still_open_cannot_be_rated_but_can_be_added_to(
    chat: Chat, sessions: async_sessionmaker[AsyncSession]
) -> None:
    code = await file_question(chat)
    await chat.press(f"rt:{code}:5")
    assert "chưa được trả lời" in chat.text
    await chat.press(f"ad:{code}")
    await chat.photo("photo-more", caption="Ảnh ruộng ngô")
    assert "Đã gửi thông tin bổ sung" in chat.text
    async with sessions() as session:
        events = (await session.scalars(select(TicketEvent).where(TicketEvent.kind == EventKind.CITIZEN_MESSAGE))).all()
    assert [event.body for event in events] == ["Ảnh ruộng ngô"]


async def test_a_code_from_another_chat_shows_only_its_status(
    chat: Chat, sessions: async_sessionmaker[AsyncSession], deps: Deps
) -> None:
    code = await file_question(chat)
    stranger = Chat(sessions, deps)
    await stranger.say(code)
    assert f"Mã **{code}**: Đã nhận, chờ xem xét." in stranger.text
    assert QUESTION not in stranger.text and "chỉ cho biết trạng thái" in stranger.text
    for payload in (f"rt:{code}:5", f"dp:{code}", f"ad:{code}"):
        await stranger.press(payload)
        assert "không còn hiệu lực" in stranger.text
    await stranger.press(f"t:{code}")
    assert "Bổ sung thông tin" not in stranger.labels


async def test_a_sentence_typed_at_the_code_prompt_is_taken_as_a_question(chat: Chat) -> None:
    await chat.say("/tra_cuu")
    await chat.say("ho ngheo duoc ho tro gi")
    assert "**Căn cứ:**" in chat.text


async def test_a_merged_ticket_shows_the_original_and_its_replies_from_the_merge_on(
    chat: Chat, sessions: async_sessionmaker[AsyncSession], deps: Deps
) -> None:
    original = await file_question(chat)
    neighbour = Chat(sessions, deps)
    duplicate = await file_question(neighbour)
    at = dt.datetime(2026, 3, 3, 8, 0, tzinfo=dt.UTC)
    async with sessions() as session:
        admin = await province_admin(session)
        await change_status(session, actor=admin, code=original, status=TicketStatus.ACCEPTED, now=at)
        await add_public_reply(session, actor=admin, code=original, text="Gửi riêng người hỏi đầu tiên.", now=at)
        await merge(session, actor=admin, code=duplicate, into_code=original, now=at + dt.timedelta(hours=1))
        await add_public_reply(
            session, actor=admin, code=original, text="Trả lời chung.", now=at + dt.timedelta(hours=2)
        )
        await session.commit()
    await neighbour.say(f"/tra_cuu {duplicate}")
    assert "Trạng thái: **Trùng với phản ánh khác**" in neighbour.text
    assert f"được gộp vào phản ánh **{original}** để giải quyết chung. Phản ánh đó: **Đã thụ lý**" in neighbour.text
    assert "Trả lời chung." in neighbour.text and "Gửi riêng" not in neighbour.text
    assert "⭐" not in neighbour.labels
    # What the neighbour adds reaches the ticket being worked on, with the file of their own chat.
    await neighbour.tap("Bổ sung thông tin")
    await neighbour.photo("photo-neighbour", caption="Ảnh thêm")
    assert "Đã gửi thông tin bổ sung" in neighbour.text
    async with sessions() as session:
        target = (await session.scalars(select(Ticket).where(Ticket.code == original))).one()
        [event] = (
            await session.scalars(
                select(TicketEvent).where(
                    TicketEvent.ticket_id == target.id, TicketEvent.kind == EventKind.CITIZEN_MESSAGE
                )
            )
        ).all()
        [attachment] = (
            await session.scalars(select(TicketAttachment).where(TicketAttachment.event_id == event.id))
        ).all()
    assert (event.body, event.data) == ("Ảnh thêm", {"via": duplicate})
    assert attachment.channel is neighbour.channel
