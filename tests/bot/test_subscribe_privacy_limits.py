"""Announcements by consent, erasing a chat's data, the daily allowance of tickets, and the language."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.engine import Deps, Limits
from casework.conversations.models import AnswerFeedback, Conversation
from casework.outbox.models import OutboxMessage, OutboxStatus
from casework.subscriptions.models import Subscription
from casework.subscriptions.schemas import Topic
from casework.subscriptions.service import recipients
from casework.tickets.models import EventKind, Ticket, TicketEvent
from tests.bot.conftest import NOW, Chat, Clock

HA_LANG = "01558"


async def subscriptions(sessions: async_sessionmaker[AsyncSession]) -> list[Subscription]:
    async with sessions() as session:
        return list((await session.scalars(select(Subscription).order_by(Subscription.id))).all())


async def subscribe(chat: Chat) -> None:
    await chat.say("/start")
    await chat.tap("Nhận thông báo")
    await chat.say("ha lang")
    await chat.tap("Xã Hạ Lang")
    await chat.tap("Rà soát hộ nghèo")
    await chat.tap("Vay vốn")
    await chat.tap("Xong")


async def test_the_commune_for_notices_is_asked_once_in_its_own_words(chat: Chat) -> None:
    await chat.say("/start")
    await chat.tap("Nhận thông báo")
    assert "Bạn muốn nhận thông báo của xã, phường nào? Hãy gõ tên" in chat.text
    assert "Bạn ở xã, phường nào" not in chat.text
    await subscribe(chat)
    await chat.tap("Đồng ý nhận thông báo")
    await chat.say("/thong_bao")
    await chat.tap("Đổi hoặc thêm đăng ký")
    assert "Nhận thông báo của **Xã Hạ Lang**, đúng không?" in chat.text


async def test_subscribing_asks_for_explicit_consent_and_stores_its_time(
    chat: Chat, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await subscribe(chat)
    assert "Bạn đồng ý nhận thông báo" in chat.text and "/huy_dang_ky" in chat.text
    assert await subscriptions(sessions) == []  # nothing before the tap
    await chat.tap("Đồng ý nhận thông báo")
    [row] = await subscriptions(sessions)
    assert (row.commune_code, row.topics, row.consent_at, row.consent_wording) == (
        HA_LANG,
        ["ra-soat", "vay-von"],
        NOW,
        "subscribe-v1",
    )
    async with sessions() as session:
        found = await recipients(session, commune_code=HA_LANG, topic=Topic.LOANS)
        assert [r.chat_ref for r in found] == [chat.chat_ref]
        assert await recipients(session, commune_code=HA_LANG, topic=Topic.HEALTH) == []


async def test_topics_toggle_and_at_least_one_is_needed(chat: Chat) -> None:
    await chat.say("/start")
    await chat.tap("Nhận thông báo")
    await chat.say("ha lang")
    await chat.tap("Xã Hạ Lang")
    await chat.tap("Bảo hiểm y tế")
    assert "☑ Bảo hiểm y tế" in chat.labels
    await chat.tap("Bảo hiểm y tế")
    assert "☐ Bảo hiểm y tế" in chat.labels
    await chat.tap("Xong")
    assert "ít nhất một chủ đề" in chat.text


async def test_declining_consent_keeps_nothing(chat: Chat, sessions: async_sessionmaker[AsyncSession]) -> None:
    await subscribe(chat)
    await chat.tap("Không")
    assert await subscriptions(sessions) == []


async def test_huy_dang_ky_stops_every_announcement(chat: Chat, sessions: async_sessionmaker[AsyncSession]) -> None:
    await subscribe(chat)
    await chat.tap("Đồng ý nhận thông báo")
    await chat.tap("Nhận thông báo")
    assert "Bạn đang nhận thông báo" in chat.text and "Xã Hạ Lang: Rà soát hộ nghèo, họp dân" in chat.text
    await chat.say("/huy_dang_ky")
    assert "Đã thôi gửi thông báo" in chat.text
    assert await subscriptions(sessions) == []
    await chat.say("/huy_dang_ky")
    assert "chưa đăng ký" in chat.text


async def test_privacy_explains_what_is_kept_and_why(chat: Chat) -> None:
    await chat.say("/start")
    await chat.tap("Quyền riêng tư")
    for words in ("Số điện thoại", "chỉ khi bạn đồng ý", "tự xoá sau một ngày", "giữ làm hồ sơ", "/huy_dang_ky"):
        assert words in chat.text
    await chat.tap("Xoá dữ liệu của tôi")
    await chat.tap("Không, giữ lại")
    assert "giữ nguyên" in chat.text


async def test_erasing_unlinks_tickets_removes_subscriptions_and_the_conversation(
    chat: Chat, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    await chat.tap("Phản ánh, kiến nghị")
    await chat.say("ha lang")
    await chat.tap("Xã Hạ Lang")
    await chat.say("Nội dung phản ánh")
    await chat.tap("Tiếp tục")
    await chat.tap("Để lại số điện thoại")
    await chat.say("0912345678")
    await chat.tap("Tôi đồng ý")
    await chat.tap("Không cần giữ kín")
    await chat.tap("Gửi")
    await chat.say("ho ngheo duoc ho tro gi")
    await chat.tap("👍 Có")
    await subscribe(chat)
    await chat.tap("Đồng ý nhận thông báo")
    async with sessions() as session:  # the dispatcher delivered everything so far
        delivered_ids = set()
        for row in (await session.scalars(select(OutboxMessage))).all():
            row.status = OutboxStatus.SENT
            delivered_ids.add(row.id)
        await session.commit()
    await chat.tap("Quyền riêng tư")
    await chat.tap("Xoá dữ liệu của tôi")
    assert "không hoàn tác được" in chat.text and "không còn gắn với bạn" in chat.text
    await chat.tap("Có, xoá dữ liệu của tôi")
    assert "Đã xoá dữ liệu của bạn" in chat.text and "1 phản ánh" in chat.text
    assert await chat.tickets() == []
    async with sessions() as session:
        [ticket] = (await session.scalars(select(Ticket))).all()
        conversations = (await session.scalars(select(Conversation))).all()
        votes = (await session.scalars(select(AnswerFeedback))).all()
        outbox = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    assert ticket.text == "Nội dung phản ánh"  # kept for the record
    assert ticket.chat_ref is None and ticket.contact_phone is None
    async with sessions() as session:  # its officials can see that a reply will not reach the citizen
        kinds = (await session.scalars(select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id))).all()
    assert EventKind.CONTACT_ERASED in kinds
    assert await subscriptions(sessions) == []
    assert conversations == []
    assert [vote.conversation_id for vote in votes] == [None]  # still counted, no longer linked
    delivered = [row for row in outbox if row.id in delivered_ids]
    waiting = [row for row in outbox if row.id not in delivered_ids]
    assert all(row.chat_ref == "erased" and row.payload["text"] == "-" for row in delivered)
    assert all(row.chat_ref == chat.chat_ref for row in waiting)  # not yet sent: among them, the confirmation
    assert "Đã xoá dữ liệu của bạn" in waiting[-1].payload["text"]
    await chat.say("/start")  # a new conversation begins
    assert "Xin chào" in chat.text


async def test_at_most_n_tickets_per_chat_per_day(
    sessions: async_sessionmaker[AsyncSession], deps: Deps, clock: Clock
) -> None:
    chat = Chat(sessions, Deps(knowledge=deps.knowledge, now=deps.now, limits=Limits(max_tickets_per_day=2)))
    for _ in range(2):
        await chat.say("cach trong ngo lai nang suat cao")
        await chat.tap("Có, gửi cho cán bộ")
        await chat.tap("Không rõ")
    assert len(await chat.tickets()) == 2
    await chat.say("xe khach di ha noi may gio")
    await chat.tap("Có, gửi cho cán bộ")
    assert "mức tối đa trong một ngày" in chat.text and "ngày mai" in chat.text
    await chat.tap("Gửi phản ánh")  # told before filling in a whole form, not after
    assert "mức tối đa trong một ngày" in chat.text
    assert len(await chat.tickets()) == 2
    clock.advance(days=1)
    await chat.say("xe khach di ha noi may gio")
    await chat.tap("Có, gửi cho cán bộ")
    await chat.tap("Không rõ")
    assert "Mã theo dõi" in chat.text


async def test_the_citizen_can_switch_to_english_and_back(chat: Chat) -> None:
    await chat.say("/start")
    await chat.tap("Ngôn ngữ / Language")
    await chat.tap("English")
    assert "Switched to English." in chat.text and "Ask about a policy" in chat.labels
    await chat.say("cach trong ngo lai nang suat cao")
    await chat.tap("Yes, send it to an official")
    await chat.tap("Not sure")
    assert "Tracking code: **CB-" in chat.text
    assert "Expected answer date: **" in chat.text and "2026" in chat.text
    await chat.say("/ngon_ngu vi")
    assert "Đã chuyển sang tiếng Việt." in chat.text


async def test_one_communes_announcements_can_be_stopped_and_the_others_kept(
    chat: Chat, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await subscribe(chat)
    await chat.tap("Đồng ý nhận thông báo")
    await chat.say("/thong_bao")
    assert not any(label.startswith("Thôi nhận của") for label in chat.labels)  # one commune: "Thôi nhận tất cả"
    await chat.tap("Đổi hoặc thêm đăng ký")
    await chat.tap("Xã, phường khác")
    await chat.say("thuc phan")
    await chat.tap("Phường Thục Phán")
    await chat.tap("Vay vốn")
    await chat.tap("Xong")
    await chat.tap("Đồng ý nhận thông báo")
    await chat.say("/thong_bao")
    await chat.tap("Thôi nhận của Xã Hạ Lang")
    assert "Đã thôi gửi thông báo của Xã Hạ Lang cho bạn." in chat.text
    assert "Phường Thục Phán" in chat.text and "- Xã Hạ Lang" not in chat.text
    assert [item.commune_code for item in await subscriptions(sessions)] == ["01273"]
