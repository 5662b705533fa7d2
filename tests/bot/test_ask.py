"""Ask: answers with their source, suggestions, forwarding to an official, votes, small talk, topics."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.conversations.models import AnswerFeedback, Conversation
from casework.tickets.models import TicketKind, TicketStatus
from tests.bot.conftest import Chat

UNKNOWN = "cach trong ngo lai nang suat cao"
HA_LANG = "01558"


async def votes(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, bool]]:
    async with sessions() as session:
        rows = await session.scalars(select(AnswerFeedback).order_by(AnswerFeedback.id))
        return [(row.entry_id, row.helpful) for row in rows]


async def test_an_answer_shows_its_source_review_date_related_questions_and_asks_if_it_helped(chat: Chat) -> None:
    await chat.say("ho ngheo duoc ho tro gi")
    assert "**Căn cứ:** Nghị định" in chat.text
    assert "**Cập nhật:** 26/11/2026" in chat.text
    assert chat.text.endswith("Có hữu ích không?")
    assert chat.labels[-2:] == ["👍 Có", "👎 Không"]
    related = [payload for payload in chat.payloads if payload.startswith("q:")]
    assert 1 <= len(related) <= 3


async def test_a_vote_is_recorded_once_per_chat_and_answer(
    chat: Chat, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await chat.say("ho ngheo duoc ho tro gi")
    useful, useless = chat.payloads[-2:]
    await chat.press(useful)
    assert "Cảm ơn" in chat.text
    await chat.press(useless)  # changed their mind, from the same (older) message
    entry_id = useful.split(":")[2]
    assert await votes(sessions) == [(entry_id, False)]


async def test_a_thumbs_down_offers_to_send_the_question_to_an_official(chat: Chat) -> None:
    await chat.say("ho ngheo duoc ho tro gi")
    await chat.tap("👎 Không")
    assert "gửi câu hỏi này cho cán bộ" in chat.text
    await chat.tap("Có, gửi cho cán bộ")
    assert "Bạn ở xã, phường nào" in chat.text


async def test_a_related_question_button_answers_it(chat: Chat) -> None:
    await chat.say("ho ngheo duoc ho tro gi")
    first_related = chat.labels[0]
    await chat.press(chat.payloads[0])
    assert "**Căn cứ:**" in chat.text
    assert first_related.rstrip("…")[:30] in chat.text or "Có hữu ích không?" in chat.text


async def test_a_vague_question_gets_up_to_three_suggestions_and_a_way_to_an_official(chat: Chat) -> None:
    await chat.say("ho ngheo co duoc ho tro tien mua ve may bay khong")
    assert "Có phải bạn muốn hỏi" in chat.text
    questions = [payload for payload in chat.payloads if payload.startswith("q:")]
    assert 1 <= len(questions) <= 3
    assert chat.labels[-1] == "Không phải — gửi câu hỏi cho cán bộ"
    await chat.press(questions[0])
    assert "**Căn cứ:**" in chat.text


async def test_an_unknown_question_is_forwarded_as_a_question_ticket_with_a_code(chat: Chat) -> None:
    await chat.say(UNKNOWN)
    assert "chưa có câu trả lời" in chat.text
    await chat.tap("Có, gửi cho cán bộ")
    await chat.say("ha lang")  # no diacritics needed
    await chat.tap("Xã Hạ Lang")
    assert "Mã theo dõi: **CB-" in chat.text
    assert "Ngày dự kiến có trả lời: **thứ " in chat.text
    [ticket] = await chat.tickets()
    assert ticket.kind is TicketKind.QUESTION and ticket.status is TicketStatus.NEW
    assert ticket.text == UNKNOWN and ticket.commune_code == HA_LANG
    assert ticket.code in chat.text


async def test_the_commune_is_asked_once_and_remembered(chat: Chat, sessions: async_sessionmaker[AsyncSession]) -> None:
    await chat.say(UNKNOWN)
    await chat.tap("Có, gửi cho cán bộ")
    await chat.say("thi hoa")  # a commune's name from before the 2025 merger
    assert "Xã Hạ Lang (gồm Xã Thị Hoa cũ)" in chat.labels
    await chat.tap("Hạ Lang")
    await chat.say("xe khach di ha noi may gio")  # another question the FAQ cannot answer
    await chat.tap("Có, gửi cho cán bộ")
    assert "Mã theo dõi" in chat.text  # not asked again
    assert [t.commune_code for t in await chat.tickets()] == [HA_LANG, HA_LANG]
    async with sessions() as session:
        found = (await session.scalars(select(Conversation).where(Conversation.chat_ref == chat.chat_ref))).one()
    assert found.commune_code == HA_LANG


async def test_a_commune_that_does_not_exist_is_asked_again_and_may_be_skipped(chat: Chat) -> None:
    await chat.say(UNKNOWN)
    await chat.tap("Có, gửi cho cán bộ")
    await chat.say("ha noi")
    assert "không tìm thấy" in chat.text
    await chat.tap("Không rõ")
    [ticket] = await chat.tickets()
    assert ticket.commune_code is None  # the province's queue places it


async def test_declining_to_forward_keeps_nothing(chat: Chat) -> None:
    await chat.say(UNKNOWN)
    await chat.tap("Không, cảm ơn")
    assert "hỏi lại bằng cách khác" in chat.text
    assert await chat.tickets() == []


async def test_small_talk_gets_a_kind_reply(chat: Chat) -> None:
    await chat.say("xin chào")
    assert "Xin chào" in chat.text and "Hỏi chính sách" in chat.labels
    await chat.say("cam on nhieu")
    assert "Không có gì" in chat.text


async def test_topics_can_be_browsed_instead_of_typing(chat: Chat) -> None:
    await chat.say("/start")
    await chat.tap("Hỏi chính sách")
    await chat.tap("Xem theo chủ đề")
    assert "Chọn một chủ đề" in chat.text
    await chat.tap("Xem thêm chủ đề")
    await chat.tap("Vay vốn")
    assert "**Vay vốn Ngân hàng Chính sách xã hội**" in chat.text
    questions = [payload for payload in chat.payloads if payload.startswith("q:")]
    assert 1 <= len(questions) <= 6
    await chat.tap("Xem thêm câu hỏi")
    await chat.press(questions[0])
    assert "**Căn cứ:**" in chat.text


async def test_a_tracking_code_typed_as_a_message_is_looked_up(chat: Chat) -> None:
    await chat.say(UNKNOWN)
    await chat.tap("Có, gửi cho cán bộ")
    await chat.tap("Không rõ")
    [ticket] = await chat.tickets()
    await chat.say(ticket.code.lower().replace("-", " "))
    assert f"**{ticket.code}**: Câu hỏi" in chat.text
