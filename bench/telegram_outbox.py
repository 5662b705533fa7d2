"""Outbox sending rate to Telegram within its flood limits: broadcast rows through the real dispatcher (not a test).

Run: ``.venv/bin/python bench/telegram_outbox.py`` (SQLite in a temporary directory), or
``.venv/bin/python bench/telegram_outbox.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres``
(a database is created for the run and dropped after it).

The rows are queued straight into the outbox with ``casework.outbox.service.enqueue`` (as announcements
to subscribers are): ``--rows`` rows to ``--chats`` distinct chats, announcement by announcement
(``--order interleaved``: every chat's first message, then every chat's second…) or chat by chat
(``--order grouped``: one chat's messages one after another, as several replies to one citizen are).
Then the real ``Dispatcher(TelegramSender(make_bot(...)))`` with the default ``DispatchConfig`` sends
them to the fake Bot API of ``tests/fakes`` with its flood limits on (30 messages/s overall, about
1/s per chat, 429 beyond), served on loopback from a thread of this process, until every row is sent.

Reported: the sustained rate at the fake (accepted sends, first to last), the 429s the fake
answered (``limit_violations``), whether every chat got its messages in order, the rows' final
statuses. Goal (issue 6): at least 28 messages/s sustained, no 429. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.fakes, when run as a script

TOKEN = "777000:bench-outbox"  # noqa: S105 - the fake's
FIRST_CHAT = 5_000_000


@dataclass
class Result:
    rows: int
    chats: int
    order: str
    delivered: int
    seconds: float
    violations: int
    in_order: int
    statuses: dict[str, int]
    gaps: list[float]
    queued_in: float


def announcement(number: int) -> str:
    return (
        f"Thông báo số {number + 1} của UBND xã: lịch tiếp công dân tuần này vào sáng thứ Ba và thứ Năm, "
        "từ 7 giờ 30 đến 11 giờ, tại phòng một cửa. Bà con mang theo căn cước công dân."
    )


def plan(rows: int, chats: int, order: str) -> list[tuple[str, str]]:
    """(chat, text) in queueing order."""
    per_chat = -(-rows // chats)
    if order == "grouped":
        pairs = [(chat, n) for chat in range(chats) for n in range(per_chat)]
    else:
        pairs = [(chat, n) for n in range(per_chat) for chat in range(chats)]
    return [(str(FIRST_CHAT + chat), announcement(n)) for chat, n in pairs[:rows]]


async def measure(url: str, rows: int, chats: int, order: str, timeout: float) -> Result:
    from sqlalchemy import func, select

    from bot.channels.telegram import TelegramSender, make_bot
    from bot.dispatcher import Dispatcher
    from casework.channels import Channel
    from casework.database import create_engine, create_session_factory
    from casework.migrations import upgrade
    from casework.outbox.models import OutboxKind, OutboxMessage
    from casework.outbox.schemas import OutboxPayload
    from casework.outbox.service import enqueue
    from tests.fakes.server import running
    from tests.fakes.telegram import FakeTelegram

    engine = create_engine(url)
    try:
        await upgrade(engine)
        sessions = create_session_factory(engine)
        wanted = plan(rows, chats, order)
        began = time.perf_counter()
        async with sessions() as session:
            for index, (chat, text) in enumerate(wanted):
                await enqueue(
                    session,
                    channel=Channel.TELEGRAM,
                    chat_ref=chat,
                    payload=OutboxPayload(text=text),
                    kind=OutboxKind.BROADCAST,
                    dedupe_key=f"bench:{index}",
                )
            await session.commit()
        queued_in = time.perf_counter() - began

        telegram = FakeTelegram(TOKEN, enforce_limits=True)
        with running(telegram.app) as base:
            bot = make_bot(TOKEN, f"{base}/bot")
            dispatcher = Dispatcher(TelegramSender(bot), sessions)
            task = asyncio.create_task(dispatcher.run())
            deadline = time.monotonic() + timeout
            while dispatcher.sent < rows and time.monotonic() < deadline and not task.done():
                await asyncio.sleep(0.1)
            dispatcher.stop()
            await asyncio.wait_for(task, 30)
            await bot.shutdown()
        async with sessions() as session:
            counted = await session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
            statuses = {str(status): count for status, count in counted.all()}
    finally:
        await engine.dispose()

    sends = telegram.delivered()
    times = sorted(call.at for call in sends)
    seconds = times[-1] - times[0] if len(times) > 1 else 0.0
    expected: dict[str, list[str]] = collections.defaultdict(list)
    for chat, text in wanted:
        expected[chat].append(text)
    in_order = sum(1 for chat, texts in expected.items() if telegram.delivered_texts(chat) == texts)
    return Result(
        rows=rows,
        chats=len(expected),
        order=order,
        delivered=len(sends),
        seconds=seconds,
        violations=telegram.limit_violations,
        in_order=in_order,
        statuses=statuses,
        gaps=[b - a for a, b in zip(times, times[1:], strict=False)],
        queued_in=queued_in,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", help="an admin URL of a PostgreSQL server (default: SQLite)")
    parser.add_argument("--rows", type=int, default=1500, help="outbox rows to send (default 1500)")
    parser.add_argument("--chats", type=int, default=500, help="distinct chats they go to (default 500)")
    parser.add_argument("--order", choices=["interleaved", "grouped"], default="interleaved", help="queueing order")
    parser.add_argument("--timeout", type=float, default=150, help="give up after this many seconds (default 150)")
    args = parser.parse_args()

    from web_chat import create_postgres

    drop: Callable[[], None] = lambda: None  # noqa: E731
    backend = "SQLite"
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'caunoi.db'}"
        if args.postgres:
            url, drop = create_postgres(args.postgres)
            backend = "PostgreSQL"
        try:
            result = asyncio.run(measure(url, args.rows, args.chats, args.order, args.timeout))
        finally:
            drop()

    rate = (result.delivered - 1) / result.seconds if result.seconds else 0.0
    ordered = sorted(result.gaps)
    print(
        f"  queued {result.rows} rows in {result.queued_in:.1f} s; final statuses: {result.statuses}", file=sys.stderr
    )
    if ordered:
        print(
            f"  gaps between accepted sends: median {statistics.median(ordered) * 1000:.1f} ms, "
            f"max {ordered[-1] * 1000:.0f} ms, over 100 ms: {sum(gap > 0.1 for gap in ordered)}",
            file=sys.stderr,
        )
    print(
        f"\n{backend}, {result.rows} broadcast rows to {result.chats} chats, {result.order}, default DispatchConfig\n"
    )
    print("| backend | order | rows | delivered | seconds | messages/s | 429s | chats in order |")
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {backend} | {result.order} | {result.rows} | {result.delivered} | {result.seconds:.1f} | "
        f"**{rate:.1f}** | {result.violations} | {result.in_order} of {result.chats} |"
    )


if __name__ == "__main__":
    main()
