"""Telegram webhook updates per second, end to end, through ``POST /webhooks/telegram`` (not a test).

Run: ``.venv/bin/python bench/telegram_webhooks.py`` (SQLite in a temporary directory), or
``.venv/bin/python bench/telegram_webhooks.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres``
(a database is created for the run and dropped after it).

The server is the real application (``caunoi.app.create_app``, the same server function as
``bench/web_chat.py``, with its bare ``GET /bench/bare`` route as the server's ceiling) under uvicorn
in a subprocess, with the Telegram channel on: a token, a webhook URL and secret (so no poller), and
the Bot API at the fake of ``tests/fakes`` (flood limits off, so it never slows the app), served on
loopback from a thread of this process. The application's own outbox dispatcher runs as in
production and sends the replies to the fake at Telegram's pace while the load runs.

The load is ``--concurrency`` connections posting Telegram text updates as Telegram does (JSON, the
secret header) for ``--chats`` distinct private chats, each chat's updates one after another from
one connection; the texts are the FAQ's questions as citizens type them (half without diacritics).
Every update is handled end to end (processed-update record, conversation, answer, reply rows in
the outbox) and committed before the 200. Bounded in count and time. Afterwards the database is
checked: every update answered 200 was recorded once and has its reply rows, no update is missing
or doubled, and every reply the dispatcher marked sent reached the fake exactly once.
Prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve()
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))  # tests.fakes, when run as a script

TOKEN = "777001:bench-webhooks"  # noqa: S105 - the fake's
SECRET = "bench-webhook-secret-0123456789ab"  # noqa: S105 - 32 characters, the bench's own
FIRST_CHAT = 7_000_000


@dataclass
class Run:
    name: str
    done: int = 0
    failed: int = 0
    elapsed: float = 0.0
    window: tuple[float, float] = (0.0, 0.0)  # time.monotonic() at its start and end
    server_cpu: float = 0.0  # seconds of CPU the server process used meanwhile (user + system)
    latencies: list[float] = field(default_factory=list)


@dataclass
class Sent:
    """What the load sent: update ids answered 200, per chat in order."""

    accepted: list[int] = field(default_factory=list)
    chats: set[int] = field(default_factory=set)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux ``/proc``; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def load(
    concurrency: int,
    count: int,
    seconds: float,
    name: str,
    request: Callable[[httpx.AsyncClient, int, int], Any],
    server: int = 0,
) -> Run:
    """``count`` requests at most (or ``seconds``) from ``concurrency`` connections; ``request`` returns ok."""
    run = Run(name)
    issued = 0

    async def connection(number: int, http: httpx.AsyncClient, stop_at: float) -> None:
        nonlocal issued
        turn = 0
        while issued < count and time.perf_counter() < stop_at:
            issued += 1
            began = time.perf_counter()
            ok = await request(http, number, turn)
            run.latencies.append(time.perf_counter() - began)
            turn += 1
            if ok:
                run.done += 1
            else:
                run.failed += 1

    clients = [httpx.AsyncClient(timeout=30) for _ in range(concurrency)]
    try:
        start, opened, cpu = time.perf_counter(), time.monotonic(), cpu_seconds(server)
        await asyncio.gather(*(connection(n, http, start + seconds) for n, http in enumerate(clients)))
        run.elapsed = time.perf_counter() - start
        run.window = (opened, time.monotonic())
        run.server_cpu = cpu_seconds(server) - cpu
    finally:
        for http in clients:
            await http.aclose()
    return run


async def measure(
    base: str, telegram: Any, server: int, concurrency: int, chats: int, count: int, seconds: float
) -> tuple[list[Run], Sent]:
    from web_chat import questions

    asked = questions()
    rng = random.Random(7)  # a reproducible order, not a secret
    sent = Sent()
    webhook = f"{base}/webhooks/telegram"
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    per_connection = max(1, chats // concurrency)

    def chat_of(number: int, turn: int) -> int:
        # A chat belongs to one connection, so its updates arrive one after another, as Telegram sends them.
        return FIRST_CHAT + number + concurrency * (turn % per_connection)

    async def update(http: httpx.AsyncClient, number: int, turn: int) -> bool:
        chat = chat_of(number, turn)
        body = telegram.text_update(chat, rng.choice(asked))
        response = await http.post(webhook, json=body, headers=headers)
        if response.status_code != 200:
            return False
        sent.accepted.append(body["update_id"])
        sent.chats.add(chat)
        return True

    async def bare(http: httpx.AsyncClient, number: int, turn: int) -> bool:
        return (await http.get(f"{base}/bench/bare")).status_code == 200

    # Warm up (the FAQ index is built at start-up): a few updates per connection.
    async with httpx.AsyncClient(timeout=60) as http:
        await update(http, 0, 0)
    await load(concurrency, concurrency * 5, 30, "warm-up", update)
    await load(concurrency, 200, 10, "warm-up", bare)
    name = "POST /webhooks/telegram (text update, end to end)"
    runs = [await load(concurrency, count, seconds, name, update, server)]
    name = "GET /bench/bare (bare FastAPI endpoint, same server)"
    runs.append(await load(concurrency, count, seconds, name, bare, server))
    return runs, sent


@dataclass
class Check:
    lines: list[str] = field(default_factory=list)
    ok: bool = True

    def expect(self, condition: bool, what: str) -> None:
        self.ok = self.ok and condition
        self.lines.append(f"  {'ok  ' if condition else 'FAIL'} {what}")


async def verify(url: str, sent: Sent, telegram: Any) -> Check:
    """Every accepted update recorded once, with reply rows; every row marked sent delivered exactly once."""
    from sqlalchemy import select

    from casework.channels import Channel
    from casework.conversations.models import ProcessedUpdate
    from casework.database import create_engine
    from casework.outbox.models import OutboxMessage

    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            processed = (
                await connection.execute(
                    select(ProcessedUpdate.id, ProcessedUpdate.update_id).where(
                        ProcessedUpdate.channel == Channel.TELEGRAM
                    )
                )
            ).all()
            rows = (
                await connection.execute(
                    select(
                        OutboxMessage.dedupe_key, OutboxMessage.chat_ref, OutboxMessage.status, OutboxMessage.payload
                    ).where(OutboxMessage.channel == Channel.TELEGRAM)
                )
            ).all()
    finally:
        await engine.dispose()

    check = Check()
    recorded = collections.Counter(update_id for _, update_id in processed)
    accepted = collections.Counter(str(update_id) for update_id in sent.accepted)
    check.expect(
        set(recorded) == set(accepted), f"updates answered 200: {len(accepted)}, recorded: {len(recorded)}, same ids"
    )
    check.expect(
        max(recorded.values(), default=1) == 1 and max(accepted.values(), default=1) == 1,
        "no update recorded or sent twice",
    )
    replies: dict[int, list[int]] = collections.defaultdict(list)
    for key, *_ in rows:
        _, processed_id, index = key.split(":")
        replies[int(processed_id)].append(int(index))
    with_replies = sum(1 for processed_id, _ in processed if processed_id in replies)
    check.expect(with_replies == len(processed), f"updates with reply rows: {with_replies} of {len(processed)}")
    complete = all(sorted(indexes) == list(range(len(indexes))) for indexes in replies.values())
    check.expect(complete, f"reply rows: {len(rows)} ({len(rows) / max(len(processed), 1):.2f} per update), no gaps")
    answered = sum(1 for *_, payload in rows if "Căn cứ" in payload["text"])
    check.lines.append(f"  info reply rows with 'Căn cứ' (an FAQ answer): {answered}")

    statuses = collections.Counter(str(status) for *_, status, _ in rows)
    check.lines.append(f"  info reply rows by status when the server stopped: {dict(statuses)}")
    sent_rows = collections.Counter(chat for _, chat, status, _ in rows if str(status) == "sent")
    delivered = collections.Counter(call.chat_id for call in telegram.delivered())
    check.expect(
        sent_rows == delivered,
        f"rows marked sent: {sum(sent_rows.values())}, messages at the fake: {sum(delivered.values())}, per chat equal",
    )
    return check


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--postgres", help="an admin URL of a PostgreSQL server (default: SQLite)")
    parser.add_argument("--concurrency", type=int, default=8, help="connections posting at once (default 8)")
    parser.add_argument("--chats", type=int, default=800, help="distinct chats (default 800)")
    parser.add_argument("--count", type=int, default=2000, help="updates per measurement at most (default 2000)")
    parser.add_argument("--seconds", type=float, default=20, help="seconds per measurement at most (default 20)")
    args = parser.parse_args()

    import web_chat

    if args.serve:
        web_chat.serve(args.serve)
        return

    from caunoi.settings import Settings
    from tests.fakes.server import running
    from tests.fakes.telegram import FakeTelegram

    port = web_chat.free_port()
    base = f"http://127.0.0.1:{port}"
    drop: Callable[[], None] = lambda: None  # noqa: E731
    telegram = FakeTelegram(TOKEN)  # flood limits off: the fake never slows the application down
    with tempfile.TemporaryDirectory() as directory, running(telegram.app) as fake:
        environment = {name: value for name, value in os.environ.items() if not name.startswith("CAUNOI_")}
        environment |= {
            "CAUNOI_DATA_DIR": str(Path(directory) / "data"),
            "CAUNOI_TELEGRAM_TOKEN": TOKEN,
            "CAUNOI_TELEGRAM_API_URL": f"{fake}/bot",
            "CAUNOI_TELEGRAM_WEBHOOK_URL": "https://x.example/webhooks/telegram",
            "CAUNOI_TELEGRAM_WEBHOOK_SECRET": SECRET,
        }
        backend = "SQLite"
        if args.postgres:
            environment["CAUNOI_DATABASE_URL"], drop = web_chat.create_postgres(args.postgres)
            backend = "PostgreSQL"
        database = Settings(
            data_dir=Path(directory) / "data", database_url=environment.get("CAUNOI_DATABASE_URL", "")
        ).resolved_database_url
        log = (Path(directory) / "server.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, str(HERE), "--serve", str(port)], env=environment, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            asyncio.run(web_chat.wait_for(base, process))
            runs, sent = asyncio.run(
                measure(base, telegram, process.pid, args.concurrency, args.chats, args.count, args.seconds)
            )
            process.send_signal(signal.SIGTERM)  # a clean stop: the dispatcher settles its sends in flight
            process.wait(timeout=30)
            check = asyncio.run(verify(database, sent, telegram))
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            log.close()
            logged = (Path(directory) / "server.log").read_text(errors="replace").splitlines()
            drop()
    opened, closed = runs[0].window
    during = sum(1 for call in telegram.delivered() if opened <= call.at <= closed)
    check.lines.append(
        f"  info replies the dispatcher sent to the fake during the webhook run: {during} "
        f"({during / (closed - opened):.1f}/s)"
    )
    for run in runs:
        check.lines.append(
            f"  info server process CPU during {run.name.split(' (')[0]}: {run.server_cpu / run.elapsed:.0%} of a core"
        )
    problems = collections.Counter(
        line.split(" ", 2)[-1][:160] for line in logged if " WARNING " in line or "ERROR" in line
    )
    check.lines.append(f"  info server log: {sum(problems.values())} warnings or errors")
    check.lines.extend(f"       {count} x {line}" for line, count in problems.most_common(5))
    print("\n".join(check.lines), file=sys.stderr)
    print(
        f"\n{backend}, {args.concurrency} concurrent connections, {len(sent.chats)} chats, "
        f"up to {args.count} updates or {args.seconds:g} s each; verification {'passed' if check.ok else 'FAILED'}\n"
    )
    print("| endpoint | 200s | non-200 | seconds | per second | median ms | p95 ms | p99 ms | server CPU ms each |")
    print("|---|---|---|---|---|---|---|---|---|")
    for run in runs:
        print(
            f"| {run.name} | {run.done} | {run.failed} | {run.elapsed:.1f} | {run.done / run.elapsed:.0f} | "
            f"{statistics.median(run.latencies) * 1000:.1f} | {web_chat.percentile(run.latencies, 0.95) * 1000:.1f} | "
            f"{web_chat.percentile(run.latencies, 0.99) * 1000:.1f} | {run.server_cpu / max(run.done, 1) * 1000:.1f} |"
        )
    if not check.ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
