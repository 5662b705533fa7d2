"""The engine around the flows: one effect per update id, the outbox, state, concurrency, bad input."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.engine import Deps, Limits, handle
from bot.events import ButtonPress, Location, SharedContact, Text
from casework.conversations.models import Conversation, ProcessedUpdate
from casework.outbox.models import OutboxKind
from tests.bot.conftest import Chat, Clock, texts

INVALID = "không còn hiệu lực"


async def conversation(sessions: async_sessionmaker[AsyncSession], chat: Chat) -> Conversation | None:
    async with sessions() as session:
        found = await session.scalars(select(Conversation).where(Conversation.chat_ref == chat.chat_ref))
        return found.one_or_none()


async def count(sessions: async_sessionmaker[AsyncSession], model: type[object]) -> int:
    async with sessions() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def file_a_question(chat: Chat) -> None:
    await chat.say("cach trong ngo lai nang suat cao")
    await chat.tap("Có, gửi cho cán bộ")
    await chat.say("ha lang")


async def test_the_first_message_greets_with_the_menu_and_says_it_is_automated(chat: Chat) -> None:
    await chat.say("/start")
    assert "tự động" in chat.text and "Cao Bằng" in chat.text
    assert chat.labels[:6] == [
        "Hỏi chính sách",
        "Tự kiểm tra hộ nghèo",
        "Gửi phản ánh",
        "Tra cứu phản ánh",
        "Nhận thông báo",
        "Quyền riêng tư",
    ]


async def test_a_repeated_update_changes_nothing_and_sends_nothing(
    chat: Chat, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await file_a_question(chat)
    tap = chat.event(ButtonPress(chat.payloads[0]), update_id="the-same-update")
    first = await chat.send(tap.input, update_id="the-same-update")
    before = await chat.outbox()
    second = await chat.send(tap.input, update_id="the-same-update")
    assert first and "Mã theo dõi" in texts(first)
    assert second == []
    assert len(await chat.tickets()) == 1
    assert len(await chat.outbox()) == len(before)


async def test_update_ids_are_unique_per_channel_not_across_channels(
    chat: Chat, sessions: async_sessionmaker[AsyncSession], deps: Deps
) -> None:
    from casework.channels import Channel

    other = Chat(sessions, deps, channel=Channel.TELEGRAM, chat_ref=chat.chat_ref)
    assert await chat.send(Text("xin chào"), update_id="42")
    assert await other.send(Text("xin chào"), update_id="42")
    assert await count(sessions, ProcessedUpdate) == 2


async def test_every_reply_is_queued_in_order_for_the_chat(chat: Chat) -> None:
    sent = []
    for step in ("/start", "ho ngheo duoc ho tro gi"):
        sent += await chat.say(step)
    rows = await chat.outbox()
    assert [row.payload["text"] for row in rows] == [reply.text for reply in sent]
    assert all(row.channel is chat.channel and row.kind is OutboxKind.REPLY for row in rows)
    assert rows[0].payload["buttons"][0] == {"text": "Hỏi chính sách", "data": "m:ask"}
    assert [row.id for row in rows] == sorted(row.id for row in rows)


async def test_start_and_cancel_work_from_the_middle_of_a_form(chat: Chat) -> None:
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    await chat.tap("Tố cáo")
    await chat.say("/start")
    assert "Xin chào" in chat.text
    await chat.tap("Tự kiểm tra hộ nghèo")
    await chat.say("/huy")
    assert "Đã huỷ" in chat.text and "Hỏi chính sách" in chat.labels
    await chat.say("/huy")
    assert "Không có việc gì đang làm dở" in chat.text


async def test_the_menu_interrupts_a_form(chat: Chat, sessions: async_sessionmaker[AsyncSession]) -> None:
    await chat.say("/start")
    menu = chat.payloads
    await chat.tap("Gửi phản ánh")
    await chat.press(menu[1])  # "Tự kiểm tra hộ nghèo" on the first message
    assert "Tự kiểm tra hộ nghèo" in chat.text
    found = await conversation(sessions, chat)
    assert found is not None and found.state["flow"] == "eligibility"


async def test_a_button_from_an_old_message_is_no_longer_valid(chat: Chat) -> None:
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    old_kind = chat.payloads[0]
    await chat.press(old_kind)
    assert "Bạn ở xã, phường nào" in chat.text
    await chat.press(old_kind)
    assert INVALID in chat.text
    assert "Bạn ở xã, phường nào" in chat.text  # the current step again
    await chat.say("/huy")
    await chat.press(old_kind)
    assert INVALID in chat.text and "Hỏi chính sách" in chat.labels


async def test_forged_payloads_get_a_polite_answer_and_the_menu(chat: Chat) -> None:
    await chat.say("/start")
    for forged in ["zz:1", "q:no-such-entry", "fb:x:ho-ngheo-la-gi", "m:bogus", "lang:fr", "tp:nope:0", "tl:99",
                   "t:not-a-code", "rt:CB-AAAA-AAAA:9", "rt:CB-AAAA-AAAA:5", "dp:CB-AAAA-AAAA", "x" * 300,
                   "đ:1", "", "m:menu\n", "cm:01273"]:  # fmt: skip
        replies = await chat.press(forged)
        assert INVALID in texts(replies), forged
        assert "Hỏi chính sách" in chat.labels, forged


async def test_a_half_filled_form_expires_after_a_day_with_a_note(chat: Chat, clock: Clock) -> None:
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    await chat.tap("Phản ánh, kiến nghị")
    clock.advance(days=1, minutes=1)
    await chat.say("ha lang")
    assert "quá một ngày" in chat.text and "gửi phản ánh" in chat.text
    assert "Chọn xã, phường" not in chat.text  # no longer in the form: the text went to the FAQ


async def test_a_form_within_the_day_is_kept(chat: Chat, clock: Clock) -> None:
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    await chat.tap("Phản ánh, kiến nghị")
    clock.advance(hours=23)
    await chat.say("ha lang")
    assert "Chọn xã, phường" in chat.text


async def test_an_empty_message_is_answered_kindly(chat: Chat) -> None:
    for empty in ["", "   ", "\n"]:
        await chat.say(empty)
        assert "chưa hiểu" in chat.text
        assert "Hỏi chính sách" in chat.labels


async def test_an_emoji_only_message_is_answered_kindly(chat: Chat) -> None:
    await chat.say("😀🙏😀")
    assert "chưa hiểu" in chat.text


async def test_ten_thousand_characters_are_refused_not_cut(chat: Chat) -> None:
    await chat.say(("hộ nghèo được hỗ trợ gì " * 500)[:9_999] + "?")
    assert "10.000 ký tự" in chat.text and "không tự cắt bớt" in chat.text
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    await chat.tap("Phản ánh, kiến nghị")
    await chat.say("ha lang")
    await chat.tap("Xã Hạ Lang")
    await chat.say("x" * 10_000)
    assert "không tự cắt bớt" in chat.text and "kể lại sự việc" in chat.text


async def test_a_photo_where_text_was_expected_is_declined_and_not_stored(chat: Chat) -> None:
    await chat.photo()
    assert "không lưu tệp" in chat.text and "Gửi phản ánh" in chat.labels
    await chat.tap("Tự kiểm tra hộ nghèo")
    await chat.tap("Nông thôn")
    await chat.photo()
    assert "không lưu tệp" in chat.text and "bao nhiêu người" in chat.text
    assert await chat.tickets() == []


async def test_a_shared_contact_nobody_asked_for_is_not_kept(chat: Chat) -> None:
    await chat.send(SharedContact("0912345678"))
    assert "không lưu số" in chat.text
    rows = await chat.outbox()
    assert all("0912" not in row.payload["text"] for row in rows)


async def test_a_location_is_not_used_nor_kept(chat: Chat) -> None:
    await chat.send(Location(22.66, 106.26))
    assert "không lưu vị trí" in chat.text


async def test_an_unknown_command_shows_the_menu(chat: Chat) -> None:
    await chat.say("/lam_gi_day")
    assert "/lam_gi_day" in chat.text and "Hỏi chính sách" in chat.labels


async def test_a_typed_number_or_label_picks_one_of_the_buttons_just_offered(chat: Chat) -> None:
    await chat.say("/start")
    await chat.say("3")
    assert "Bạn muốn gửi việc gì?" in chat.text
    await chat.say("to cao")
    assert "chưa phải là đơn tố cáo chính thức" in chat.text


async def test_a_number_in_a_step_that_asks_for_a_number_is_an_answer(chat: Chat) -> None:
    await chat.say("/start")
    await chat.tap("Tự kiểm tra hộ nghèo")
    await chat.say("1")  # Nông thôn, the first choice
    await chat.say("7")  # seven people, not the seventh button
    assert "Tổng thu nhập một tháng" in chat.text


async def test_a_failing_flow_apologises_resets_and_keeps_nothing(
    sessions: async_sessionmaker[AsyncSession], deps: Deps
) -> None:
    def broken() -> object:
        raise RuntimeError("index missing")

    chat = Chat(sessions, Deps(knowledge=broken, now=deps.now))  # type: ignore[arg-type]
    await chat.say("/start")
    await chat.say("ho ngheo duoc ho tro gi")
    assert "gặp lỗi" in chat.text and "Hỏi chính sách" in chat.labels
    assert len(await chat.outbox()) == 2


async def test_a_failing_flow_logs_no_personal_data(
    sessions: async_sessionmaker[AsyncSession], deps: Deps, caplog: pytest.LogCaptureFixture
) -> None:
    personal = "".join(["0912", "345678 Nguyễn Văn A"])  # not in any source line the traceback shows

    def broken() -> object:
        raise ValueError(f"input_value={personal!r}")

    chat = Chat(sessions, Deps(knowledge=broken, now=deps.now))  # type: ignore[arg-type]
    with caplog.at_level(logging.INFO):
        await chat.say("ho ngheo duoc ho tro gi")
    assert "ValueError" in caplog.text and "engine.py" in caplog.text
    assert "0912345678" not in caplog.text and "Nguyễn" not in caplog.text and chat.chat_ref not in caplog.text


async def test_two_updates_of_one_chat_at_once_both_apply_in_turn(
    chat: Chat, sessions: async_sessionmaker[AsyncSession], deps: Deps
) -> None:
    await chat.say("/start")
    start = await conversation(sessions, chat)
    assert start is not None
    first, second = chat.event(ButtonPress("m:report")), chat.event(ButtonPress("m:check"))
    async with sessions() as one:
        replies_one = await handle(one, first, deps=deps)  # handled, not yet committed

        async def other_update() -> list[object]:
            async with sessions() as two:
                replies = await handle(two, second, deps=deps)
                await two.commit()
                return list(replies)

        racing = asyncio.create_task(other_update())
        await asyncio.sleep(0.3)  # the second reads the old state, then waits for the first's row
        await one.commit()
    replies_two = await racing
    assert "Bạn muốn gửi việc gì?" in texts(replies_one)
    assert "Tự kiểm tra hộ nghèo" in texts(replies_two)  # type: ignore[arg-type]
    found = await conversation(sessions, chat)
    assert found is not None
    assert found.state["flow"] == "eligibility"  # the second update, applied on top of the first
    assert found.version == start.version + 2
    assert len(await chat.outbox()) == 1 + len(replies_one) + len(replies_two)


async def test_without_retries_the_loser_of_a_race_is_asked_to_resend(
    chat: Chat, sessions: async_sessionmaker[AsyncSession], deps: Deps, database_url: str
) -> None:
    impatient = Deps(knowledge=deps.knowledge, now=deps.now, limits=Limits(state_retries=0))
    await chat.say("/start")
    first, second = chat.event(ButtonPress("m:report")), chat.event(ButtonPress("m:check"))
    async with sessions() as one:
        await handle(one, first, deps=impatient)

        async def other_update() -> str:
            async with sessions() as two:
                replies = await handle(two, second, deps=impatient)
                await two.commit()
                return texts(replies)

        racing = asyncio.create_task(other_update())
        await asyncio.sleep(0.3)
        await one.commit()
    said = await racing
    found = await conversation(sessions, chat)
    assert found is not None
    if database_url.startswith("sqlite"):
        # One writer at a time: the second update only reads the state once the first committed.
        assert "Tự kiểm tra hộ nghèo" in said and found.state["flow"] == "eligibility"
    else:
        assert "gửi lại" in said
        assert found.state["flow"] == "report"  # the loser changed nothing
