"""Gửi phản ánh: every step, consent to the phone number, anonymity, confidentiality, formal complaints."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.events import Attachment, AttachmentKind, SharedContact
from bot.replies import SHARE_CONTACT
from casework.channels import Channel
from casework.tickets.models import Ticket, TicketAttachment, TicketKind
from tests.bot.conftest import NOW, Chat

THUC_PHAN = "01273"


async def to_description(chat: Chat, kind: str = "Phản ánh, kiến nghị") -> None:
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    await chat.tap(kind)
    await chat.say("thuc phan")
    await chat.tap("Thục Phán")


async def attachments(sessions: async_sessionmaker[AsyncSession], ticket: Ticket) -> list[TicketAttachment]:
    async with sessions() as session:
        rows = await session.scalars(select(TicketAttachment).where(TicketAttachment.ticket_id == ticket.id))
        return list(rows.all())


async def test_a_report_with_a_photo_and_a_consented_phone_becomes_a_ticket(
    chat: Chat, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await to_description(chat)
    assert "kể lại sự việc" in chat.text
    await chat.say("Đường vào bản Nà Mò bị sạt lở từ tuần trước.")
    await chat.photo("photo-123", caption="Chỗ sạt lở")
    assert "Đã nhận ảnh (1/10)" in chat.text
    await chat.tap("Tiếp tục")
    assert "không bắt buộc" in chat.text.lower() and "ẩn danh" in chat.text
    await chat.tap("Để lại số điện thoại")
    await chat.say("0912.345.678")
    assert "Tôi đồng ý để Cầu Nối lưu số điện thoại này" in chat.text
    await chat.tap("Tôi đồng ý")
    await chat.tap("Giữ kín với cán bộ xã")
    assert "**Xem lại trước khi gửi:**" in chat.text
    assert "0912 345 678 (bạn đã đồng ý)" in chat.text and "Giữ kín với cán bộ xã: Có" in chat.text
    await chat.tap("Gửi")
    assert "Mã theo dõi: **CB-" in chat.text and "Ngày dự kiến có trả lời" in chat.text
    [ticket] = await chat.tickets()
    assert ticket.kind is TicketKind.FEEDBACK and ticket.commune_code == THUC_PHAN
    assert ticket.text == "Đường vào bản Nà Mò bị sạt lở từ tuần trước.\n\nChỗ sạt lở"
    assert ticket.contact_phone == "0912345678" and not ticket.anonymous and ticket.confidential
    assert ticket.phone_consent_at == NOW
    assert ticket.phone_consent_channel is chat.channel and ticket.phone_consent_wording == "phone-v2"
    [photo] = await attachments(sessions, ticket)
    assert photo.file_ref == "photo-123" and photo.mime_type == "image/jpeg"


async def test_without_a_phone_the_report_is_anonymous(chat: Chat) -> None:
    await to_description(chat)
    await chat.say("Chưa nhận được tiền hỗ trợ điện tháng này.")
    await chat.tap("Tiếp tục")
    await chat.tap("Không để lại số")
    await chat.tap("Không cần giữ kín")
    assert "không để lại (ẩn danh)" in chat.text
    await chat.tap("Gửi")
    [ticket] = await chat.tickets()
    assert ticket.anonymous and ticket.contact_phone is None and ticket.phone_consent_at is None
    assert not ticket.confidential


async def test_a_phone_number_is_not_kept_when_consent_is_refused(chat: Chat) -> None:
    await to_description(chat)
    await chat.say("Nội dung")
    await chat.tap("Tiếp tục")
    await chat.tap("Để lại số điện thoại")
    await chat.send(SharedContact("+84912345678"))  # the platform's "share contact" button
    assert "0912 345 678" in chat.text
    await chat.tap("Không đồng ý")
    assert "không lưu số điện thoại" in chat.text
    await chat.tap("Không cần giữ kín")
    assert "0912" not in chat.text
    await chat.tap("Gửi")
    [ticket] = await chat.tickets()
    assert ticket.contact_phone is None and ticket.anonymous


async def test_a_wrong_phone_number_is_asked_again(chat: Chat) -> None:
    await to_description(chat)
    await chat.say("Nội dung")
    await chat.tap("Tiếp tục")
    await chat.tap("Để lại số điện thoại")
    await chat.say("12345")
    assert "chưa đúng" in chat.text and "gõ số điện thoại" in chat.text


async def test_only_a_chat_that_can_share_its_contact_is_offered_the_share_button(chat: Chat) -> None:
    telegram = Chat(chat.sessions, chat.deps, channel=Channel.TELEGRAM)
    for each in (chat, telegram):
        await to_description(each)
        await each.say("Nội dung")
        await each.tap("Tiếp tục")
        await each.tap("Để lại số điện thoại")
    assert SHARE_CONTACT not in chat.payloads and "gõ số điện thoại" in chat.text
    assert SHARE_CONTACT in telegram.payloads and "Gửi số điện thoại của tôi" in telegram.text
    # Typing the button's label (it never comes back as a payload on Telegram) asks again and keeps the step.
    await telegram.say("gui so dien thoai cua toi")
    assert SHARE_CONTACT in telegram.payloads and "chưa đúng" not in telegram.text
    await telegram.send(SharedContact("0912345678"))
    assert "0912 345 678" in telegram.text and "Tôi đồng ý" in telegram.labels


async def test_a_complaint_explains_how_to_file_formally_and_is_still_recorded(chat: Chat) -> None:
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    await chat.tap("Khiếu nại về danh sách hộ nghèo")
    assert "chưa phải là đơn khiếu nại chính thức" in chat.text
    assert "ký tên hoặc điểm chỉ" in chat.text and "UBND xã, phường" in chat.text and "trực tiếp" in chat.text
    await chat.say("thuc phan")
    await chat.tap("Thục Phán")
    await chat.say("Nhà tôi bị đưa ra khỏi danh sách hộ nghèo mà không được họp thôn.")
    await chat.tap("Tiếp tục")
    await chat.tap("Không để lại số")
    await chat.tap("Không cần giữ kín")
    await chat.tap("Gửi")
    assert "chưa phải đơn chính thức" in chat.text
    [ticket] = await chat.tickets()
    assert ticket.kind is TicketKind.COMPLAINT and ticket.topic == "danh-sach-ho-ngheo"


async def test_a_complaint_about_support_and_a_denunciation_are_kinds_of_their_own(chat: Chat) -> None:
    for kind, expected, topic in [
        ("Khiếu nại về việc thực hiện hỗ trợ", TicketKind.COMPLAINT, "thuc-hien-ho-tro"),
        ("Tố cáo", TicketKind.DENUNCIATION, None),
    ]:
        await to_description(chat, kind)
        await chat.say("Nội dung")
        await chat.tap("Tiếp tục")
        await chat.tap("Không để lại số")
        await chat.tap("Giữ kín với cán bộ xã")
        await chat.tap("Gửi")
        ticket = (await chat.tickets())[-1]
        assert (ticket.kind, ticket.topic) == (expected, topic)
    assert "chưa phải là đơn tố cáo chính thức" in "\n".join(row.payload["text"] for row in await chat.outbox())


async def test_continuing_without_any_content_is_asked_again(chat: Chat) -> None:
    await to_description(chat)
    await chat.tap("Tiếp tục")
    assert "Bạn chưa kể gì" in chat.text


async def test_a_voice_note_alone_is_a_report(chat: Chat, sessions: async_sessionmaker[AsyncSession]) -> None:
    await to_description(chat)
    await chat.send(Attachment(AttachmentKind.VOICE, "voice-1", mime_type="audio/ogg", size_bytes=12_000))
    assert "Đã nhận ghi âm" in chat.text
    await chat.tap("Tiếp tục")
    await chat.tap("Không để lại số")
    await chat.tap("Không cần giữ kín")
    assert "(chỉ có ảnh, ghi âm)" in chat.text
    await chat.tap("Gửi")
    [ticket] = await chat.tickets()
    assert "chỉ gửi ảnh, ghi âm" in ticket.text
    [voice] = await attachments(sessions, ticket)
    assert voice.size_bytes == 12_000


async def test_at_most_ten_files_per_report(chat: Chat) -> None:
    await to_description(chat)
    for number in range(10):
        await chat.photo(f"photo-{number}")
    await chat.photo("photo-10")
    assert "tối đa 10" in chat.text


async def test_a_description_past_the_report_limit_is_refused_not_cut(chat: Chat) -> None:
    await to_description(chat)
    await chat.say("a" * 2000)
    await chat.say("b" * 2000)
    await chat.say("c" * 10)
    assert "giới hạn 4.000 ký tự" in chat.text
    await chat.tap("Tiếp tục")
    await chat.tap("Không để lại số")
    await chat.tap("Không cần giữ kín")
    await chat.tap("Gửi")
    [ticket] = await chat.tickets()
    assert ticket.text == "a" * 2000 + "\n\n" + "b" * 2000


async def test_cancelling_at_the_summary_sends_and_keeps_nothing(chat: Chat) -> None:
    await to_description(chat)
    await chat.say("Nội dung riêng tư")
    await chat.tap("Tiếp tục")
    await chat.tap("Để lại số điện thoại")
    await chat.say("0912345678")
    await chat.tap("Tôi đồng ý")
    await chat.tap("Không cần giữ kín")
    await chat.tap("Huỷ")
    assert "Đã huỷ" in chat.text
    assert await chat.tickets() == []


async def test_the_remembered_commune_is_offered_first(chat: Chat) -> None:
    await to_description(chat)
    await chat.say("/huy")
    await chat.tap("Gửi phản ánh")
    await chat.tap("Phản ánh, kiến nghị")
    assert "Bạn ở **Phường Thục Phán**, đúng không?" in chat.text
    await chat.tap("Xã, phường khác")
    assert "Bạn ở xã, phường nào?" in chat.text


async def test_control_characters_typed_into_a_report_are_dropped_not_fatal(chat: Chat) -> None:
    """A NUL byte (PostgreSQL refuses it in text) or a stray control character never breaks a report."""
    await to_description(chat)
    await chat.say("Chưa nhận\x00 được tiền\x07 hỗ trợ điện tháng này.\n")
    await chat.tap("Tiếp tục")
    await chat.tap("Không để lại số")
    await chat.tap("Không cần giữ kín")
    await chat.tap("Gửi")
    [ticket] = await chat.tickets()
    assert "\x00" not in ticket.text and "\x07" not in ticket.text
    assert "Chưa nhận được tiền hỗ trợ điện tháng này." in ticket.text
