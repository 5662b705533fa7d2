"""Every form step asks its question again after an input it cannot take; the conversation store's helpers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.events import Location
from casework.channels import Channel
from casework.conversations.service import (
    conversation_language,
    find_conversation,
    forget_processed,
    mark_processed,
)
from casework.errors import ValidationFailed
from tests.bot.conftest import NOW, Chat

Steps = Callable[[Chat], Awaitable[None]]


async def report_kind(chat: Chat) -> None:
    await chat.say("/phan_anh")


async def report_commune(chat: Chat) -> None:
    await report_kind(chat)
    await chat.tap("Tố cáo")


async def report_describe(chat: Chat) -> None:
    await report_commune(chat)
    await chat.tap("Không rõ")


async def report_contact(chat: Chat) -> None:
    await report_describe(chat)
    await chat.say("Nội dung")
    await chat.tap("Tiếp tục")


async def report_phone(chat: Chat) -> None:
    await report_contact(chat)
    await chat.tap("Để lại số điện thoại")


async def report_consent(chat: Chat) -> None:
    await report_phone(chat)
    await chat.say("0912345678")


async def report_confidential(chat: Chat) -> None:
    await report_consent(chat)
    await chat.tap("Tôi đồng ý")


async def report_confirm(chat: Chat) -> None:
    await report_confidential(chat)
    await chat.tap("Không cần giữ kín")


async def check_area(chat: Chat) -> None:
    await chat.say("/kiem_tra")


async def check_size(chat: Chat) -> None:
    await check_area(chat)
    await chat.tap("Nông thôn")


async def check_income(chat: Chat) -> None:
    await check_size(chat)
    await chat.say("4")


async def check_indicator(chat: Chat) -> None:
    await check_income(chat)
    await chat.say("2 triệu")
    await chat.tap("Có")


async def sub_commune(chat: Chat) -> None:
    await chat.say("/thong_bao")


async def sub_topics(chat: Chat) -> None:
    await sub_commune(chat)
    await chat.say("ha lang")
    await chat.tap("Hạ Lang")


async def sub_consent(chat: Chat) -> None:
    await sub_topics(chat)
    await chat.tap("Vay vốn")
    await chat.tap("Xong")


async def track_code(chat: Chat) -> None:
    await chat.say("/tra_cuu")


async def privacy_confirm(chat: Chat) -> None:
    await chat.say("/rieng_tu")
    await chat.tap("Xoá dữ liệu của tôi")


async def ask_commune(chat: Chat) -> None:
    await chat.say("cach trong ngo lai nang suat cao")
    await chat.tap("Có, gửi cho cán bộ")


@pytest.mark.parametrize(
    ("reach", "question"),
    [
        (report_kind, "Bạn muốn gửi việc gì?"),
        (report_commune, "Bạn ở xã, phường nào?"),
        (report_describe, "kể lại sự việc"),
        (report_contact, "để lại số điện thoại"),
        (report_phone, "gõ số điện thoại"),
        (report_consent, "Đồng ý lưu số điện thoại"),
        (report_confidential, "giữ kín"),
        (report_confirm, "Xem lại trước khi gửi"),
        (check_area, "nông thôn hay thành thị"),
        (check_size, "bao nhiêu người"),
        (check_income, "Tổng thu nhập một tháng"),
        (check_indicator, "Câu 2/12"),
        (sub_commune, "Bạn muốn nhận thông báo của xã, phường nào? Hãy gõ tên"),
        (sub_topics, "Chọn các chủ đề"),
        (sub_consent, "Bạn đồng ý nhận thông báo"),
        (track_code, "gõ mã theo dõi"),
        (privacy_confirm, "Bạn có chắc muốn xoá"),
        (ask_commune, "Bạn ở xã, phường nào?"),
    ],
)
async def test_an_input_a_step_cannot_take_gets_a_word_and_the_question_again(
    chat: Chat, reach: Steps, question: str
) -> None:
    await reach(chat)
    assert question in chat.text
    await chat.send(Location(22.6, 106.2))
    assert "không lưu vị trí" in chat.text and question in chat.text
    await chat.say("/huy")
    assert "Đã huỷ" in chat.text


@pytest.mark.parametrize("reach", [report_kind, check_area, check_indicator, sub_topics, privacy_confirm])
async def test_unreadable_text_at_a_button_step_asks_again(chat: Chat, reach: Steps) -> None:
    await reach(chat)
    await chat.say("gì cơ")
    assert "chọn một nút bên dưới" in chat.text


async def test_a_subscription_can_be_changed_and_stopped_from_the_overview(
    chat: Chat, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await sub_consent(chat)
    await chat.tap("Đồng ý nhận thông báo")
    await chat.say("/thong_bao")
    await chat.tap("Đổi hoặc thêm đăng ký")
    await chat.tap("Xã, phường khác")
    await chat.say("thuc phan")
    await chat.tap("Thục Phán")
    await chat.tap("Bảo hiểm y tế")
    await chat.tap("Xong")
    await chat.tap("Đồng ý nhận thông báo")
    await chat.say("/thong_bao")
    assert "Xã Hạ Lang: Vay vốn chính sách" in chat.text and "Phường Thục Phán: Bảo hiểm y tế" in chat.text
    await chat.tap("Thôi nhận tất cả")
    assert "Đã thôi gửi thông báo" in chat.text


async def test_the_track_list_offers_another_code(chat: Chat) -> None:
    await ask_commune(chat)
    await chat.tap("Không rõ")
    await chat.say("/tra_cuu")
    await chat.tap("Nhập mã khác")
    assert "gõ mã theo dõi" in chat.text


async def test_processed_updates_are_forgotten_after_a_while(session: AsyncSession) -> None:
    assert await mark_processed(session, channel=Channel.TELEGRAM, update_id="1", now=NOW) is not None
    assert await mark_processed(session, channel=Channel.TELEGRAM, update_id="1", now=NOW) is None
    assert await forget_processed(session, before=NOW + dt.timedelta(days=1)) == 1
    assert await mark_processed(session, channel=Channel.TELEGRAM, update_id="1", now=NOW) is not None


async def test_an_update_id_must_fit(session: AsyncSession) -> None:
    with pytest.raises(ValidationFailed):
        await mark_processed(session, channel=Channel.TELEGRAM, update_id="x" * 129)


async def test_a_channel_reads_the_chats_language(chat: Chat, sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        assert await conversation_language(session, channel=chat.channel, chat_ref=chat.chat_ref) == "vi"
        assert await find_conversation(session, channel=chat.channel, chat_ref=chat.chat_ref) is None
    await chat.say("/ngon_ngu en")
    async with sessions() as session:
        assert await conversation_language(session, channel=chat.channel, chat_ref=chat.chat_ref) == "en"
