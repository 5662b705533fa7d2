"""One citizen's conversation from start to finish, as a channel would drive it, checked end to end."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.engine import Deps, handle
from bot.events import Text
from bot.replies import Reply
from casework.tickets.models import TicketAttachment, TicketKind
from knowledge.gazetteer import search_units
from tests.bot.conftest import Chat


async def test_ask_forward_report_with_a_photo_and_every_reply_in_the_outbox_in_order(
    chat: Chat, sessions: async_sessionmaker[AsyncSession]
) -> None:
    said: list[Reply] = []

    async def step(replies: list[Reply]) -> None:
        said.extend(replies)

    await step(await chat.say("/start"))
    # 1. A question the FAQ answers, with its legal source.
    await step(await chat.say("chuan ngheo nam 2026 bao nhieu tien 1 thang"))
    assert "1.500.000 đồng" in chat.text and "**Căn cứ:** Nghị định 07/2021/NĐ-CP, Điều 3" in chat.text
    # 2. A question it cannot answer: forwarded to an official as a question ticket.
    await step(await chat.say("cach trong ngo lai nang suat cao"))
    await step(await chat.tap("Có, gửi cho cán bộ"))
    await step(await chat.say("hoa tham"))
    await step(await chat.tap("Tam Kim"))  # Hoa Thám merged into Tam Kim in 2025
    question_code = (await chat.tickets())[-1].code
    assert question_code in chat.text
    # 3. A report with a photo.
    await step(await chat.tap("Menu chính"))
    await step(await chat.tap("Gửi phản ánh"))
    await step(await chat.tap("Khiếu nại về việc thực hiện hỗ trợ"))
    await step(await chat.tap("Đúng"))  # the commune given a moment ago is remembered
    await step(await chat.say("Chưa nhận được gạo hỗ trợ tháng 2."))
    await step(await chat.photo("tg-file-AgAD123", caption="Danh sách niêm yết ở nhà văn hóa"))
    await step(await chat.tap("Tiếp tục"))
    await step(await chat.tap("Không để lại số"))
    await step(await chat.tap("Không cần giữ kín"))
    await step(await chat.tap("Gửi"))
    question, report = await chat.tickets()
    assert question.kind is TicketKind.QUESTION and question.code == question_code
    assert report.kind is TicketKind.COMPLAINT and report.code in chat.text
    tam_kim = search_units("tam kim")[0].unit.code
    assert question.commune_code == report.commune_code == tam_kim
    async with sessions() as session:
        files = (await session.scalars(select(TicketAttachment).where(TicketAttachment.ticket_id == report.id))).all()
    assert [file.file_ref for file in files] == ["tg-file-AgAD123"]
    # The outbox holds every reply, in the order it was said, with its buttons.
    rows = await chat.outbox()
    assert [row.payload["text"] for row in rows] == [reply.text for reply in said]
    assert [[b["data"] for b in row.payload["buttons"]] for row in rows] == [
        [button.payload for button in reply.buttons] for reply in said
    ]


async def test_the_same_update_delivered_twice_at_once_acts_once(
    chat: Chat, sessions: async_sessionmaker[AsyncSession], deps: Deps
) -> None:
    await chat.say("cach trong ngo lai nang suat cao")
    await chat.tap("Có, gửi cho cán bộ")
    twice = chat.event(Text("ha lang"), update_id="delivered-twice")

    async def deliver() -> list[Reply]:
        async with sessions() as session:
            replies = await handle(session, twice, deps=deps)
            await session.commit()
            return replies

    first, second = await asyncio.gather(deliver(), deliver())
    assert sorted([len(first), len(second)])[0] == 0  # one of them did nothing
    assert len(await chat.outbox()) == 3  # fallback, commune prompt, and one confirmation
