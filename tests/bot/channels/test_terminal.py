"""The terminal channel: the same conversation at a prompt, buttons as numbered choices."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.terminal import TerminalChat, converse, render_markup
from bot.engine import Deps
from casework.channels import Channel
from casework.outbox.models import OutboxKind, OutboxMessage, OutboxStatus
from casework.outbox.schemas import OutboxPayload
from casework.outbox.service import enqueue


def terminal(sessions: async_sessionmaker[AsyncSession], deps: Deps) -> TerminalChat:
    return TerminalChat(sessions, deps, chat_ref="terminal:test")


async def test_the_menu_is_numbered_and_a_number_picks_a_choice(
    sessions: async_sessionmaker[AsyncSession], deps: Deps
) -> None:
    out: list[str] = []
    await converse(terminal(sessions, deps), ["3", "thoát", "never read"], out.append)
    greeting, *rest = out
    assert "1. Hỏi chính sách" in greeting and "3. Gửi phản ánh" in greeting
    assert "Trả lời 1, 2, 3" in greeting
    assert "**" not in greeting  # the markup is rendered, not shown
    assert rest and "phản ánh" in "\n".join(rest).lower()
    async with sessions() as session:
        rows = (await session.scalars(select(OutboxMessage))).all()
    assert rows and all(r.channel is Channel.TERMINAL and r.status is OutboxStatus.SENT for r in rows)


async def test_a_question_without_diacritics_is_answered_with_its_source(
    sessions: async_sessionmaker[AsyncSession], deps: Deps
) -> None:
    out: list[str] = []
    await converse(terminal(sessions, deps), ["ho ngheo duoc ho tro gi", None], out.append)
    assert "Căn cứ:" in out[-1] and "Trả lời 1, 2" in out[-1]


async def test_an_officials_message_shows_at_the_next_empty_line(
    sessions: async_sessionmaker[AsyncSession], deps: Deps
) -> None:
    chat = terminal(sessions, deps)
    await chat.send("/start")
    async with sessions() as session:
        await enqueue(
            session,
            channel=Channel.TERMINAL,
            chat_ref=chat.chat_ref,
            payload=OutboxPayload(text="Cán bộ xã đã trả lời: [xem](https://caobang.gov.vn)."),
            kind=OutboxKind.REPLY,
            dedupe_key="official-1",
        )
        await session.commit()
    assert await chat.send(None) == ["Cán bộ xã đã trả lời: xem (https://caobang.gov.vn)."]
    assert await chat.send(None) == []


def test_bold_is_ansi_on_a_terminal_and_plain_otherwise() -> None:
    assert render_markup("**Căn cứ:** x", ansi=True) == "\033[1mCăn cứ:\033[0m x"
    assert render_markup("**Căn cứ:** x", ansi=False) == "Căn cứ: x"


def test_caunoi_chat_is_a_real_conversation(tmp_path: Path) -> None:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("CAUNOI_")}
    environment["CAUNOI_DATA_DIR"] = str(tmp_path / "data")
    result = subprocess.run(
        [sys.executable, "-m", "caunoi", "chat"],
        input="ho ngheo duoc ho tro gi\n1\nthoát\n".encode(),
        capture_output=True,
        env=environment,
        timeout=120,
        check=False,
    )
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()
    assert "1. Hỏi chính sách" in out and "Căn cứ:" in out
    assert (tmp_path / "data" / "caunoi.db").exists()
    # Ctrl-D ends it as well.
    again = subprocess.run(
        [sys.executable, "-m", "caunoi", "chat"], input=b"", capture_output=True, env=environment, timeout=120
    )
    assert again.returncode == 0 and "Xin chào" in again.stdout.decode()
