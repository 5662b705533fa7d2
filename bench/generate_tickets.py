"""Fill a PostgreSQL database with N synthetic tickets for the ticket-list benchmark (not a test).

Run: ``.venv/bin/python bench/generate_tickets.py --url postgresql+psycopg://postgres@127.0.0.1/caunoi_bench``
(``-n`` tickets, 1,000,000 by default). The database is migrated first, then emptied of tickets;
rows go in with COPY, then the planner's statistics are refreshed.

The shape follows what the province can expect over three years: 56 communes of very
different sizes (a few towns take a large share), mostly feedback and forwarded questions,
some complaints, few denunciations; old tickets are closed, recent ones are still open, and a
share of open ones are past their deadline. Deadlines are approximations of the legal ones
(calendar days, no holidays): the benchmark needs their spread, not their exactness.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import time
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from casework.database import create_engine
from casework.migrations import upgrade
from casework.tickets.codes import ALPHABET
from knowledge.gazetteer import units
from knowledge.text import fold

NOW = dt.datetime.now(dt.UTC)
YEARS = 3
TOPICS = (
    "bao-hiem-y-te",
    "chuan-ngheo",
    "chuong-trinh",
    "giao-duc",
    "nha-o",
    "phan-anh",
    "quyen-loi",
    "ra-soat",
    "tien-dien",
    "tro-giup-phap-ly",
    "vay-von",
    None,
)
KINDS = (("question", 0.35), ("feedback", 0.45), ("complaint", 0.15), ("denunciation", 0.05))
CHANNELS = (("telegram", 0.5), ("zalo", 0.33), ("web", 0.1), ("phone", 0.04), ("paper", 0.02), ("in_person", 0.01))
OFFLINE = {"phone", "paper", "in_person"}
RUNNING = ("new", "accepted", "in_progress", "transferred")
# Status mix by age of the ticket: (max age in days, [(status, weight), ...]).
STATUS_BY_AGE = (
    (14, (("new", 30), ("accepted", 25), ("in_progress", 25), ("answered", 15), ("closed", 5))),
    (60, (("new", 6), ("accepted", 10), ("in_progress", 20), ("answered", 25), ("closed", 35), ("rejected", 4))),
    (
        10_000,
        (
            ("new", 1),
            ("accepted", 1),
            ("in_progress", 2),
            ("answered", 8),
            ("closed", 80),
            ("rejected", 4),
            ("duplicate", 3),
            ("transferred", 1),
        ),
    ),
)
TEXTS = (
    "Đường vào thôn {n} bị sạt lở, xe máy không đi được.",
    "Gia đình tôi thuộc hộ nghèo nhưng chưa được cấp thẻ bảo hiểm y tế năm nay.",
    "Xin hỏi thủ tục vay vốn Ngân hàng Chính sách xã hội cho hộ cận nghèo.",
    "Khiếu nại về kết quả rà soát hộ nghèo của thôn {n}.",
    "Tiền hỗ trợ tiền điện quý này chưa nhận được.",
    "Con tôi đi học có được miễn học phí không?",
    "Nhà tôi bị dột, xin hỏi chương trình hỗ trợ nhà ở.",
)
COLUMNS = (
    "code",
    "kind",
    "topic",
    "commune_code",
    "channel",
    "chat_ref",
    "anonymous",
    "confidential",
    "text",
    "search_text",
    "status",
    "priority",
    "assignee_id",
    "received_at",
    "accepted_at",
    "deadline",
    "is_complex",
    "extended_count",
    "resolved_at",
    "closed_at",
    "updated_at",
    "version",
)


def commune_weights(codes: Sequence[str], rng: random.Random) -> list[float]:
    """Zipf-like sizes: the biggest commune gets about ten times the median one."""
    ranks = list(range(1, len(codes) + 1))
    rng.shuffle(ranks)
    return [1 / rank**0.8 for rank in ranks]


def unique_codes(count: int, rng: random.Random) -> list[str]:
    """``count`` distinct tracking codes in the real format (drawn here with a seeded generator, not secrets)."""
    seen: set[str] = set()
    while len(seen) < count:
        raw = "".join(rng.choices(ALPHABET, k=8 * (count - len(seen))))
        for start in range(0, len(raw), 8):
            seen.add(f"CB-{raw[start : start + 4]}-{raw[start + 4 : start + 8]}")
    return list(seen)[:count]


def pick(options: Sequence[tuple[str, float]], rng: random.Random) -> str:
    return rng.choices([value for value, _ in options], weights=[weight for _, weight in options])[0]


def rows(
    count: int, communes: Sequence[str], officials: dict[str, list[int]], rng: random.Random
) -> Iterator[tuple[Any, ...]]:
    """The tickets, one tuple per row in ``COLUMNS`` order."""
    weights = commune_weights(communes, rng)
    folded = [fold(text).lower() for text in TEXTS]
    for code in unique_codes(count, rng):
        # More tickets recently: the channel grows as word spreads.
        age = dt.timedelta(days=YEARS * 365 * (1 - rng.random() ** 0.6), seconds=rng.randrange(86_400))
        received = NOW - age
        kind = pick(KINDS, rng)
        channel = pick(CHANNELS, rng)
        commune = rng.choices(communes, weights=weights)[0] if rng.random() > 0.01 else None
        statuses = next(mix for limit, mix in STATUS_BY_AGE if age.days <= limit)
        status = pick(statuses, rng)
        accepted = received + dt.timedelta(days=rng.uniform(0.5, 9)) if status not in {"new", "rejected"} else None
        if accepted and accepted > NOW:
            accepted = None
        period = 14 if kind in {"question", "feedback"} else 30
        start = accepted if accepted and kind in {"complaint", "denunciation"} else received
        deadline = (start + dt.timedelta(days=period)).date()
        resolved = None
        if status in {"answered", "closed"}:
            resolved = min(NOW, received + dt.timedelta(days=rng.uniform(1, period * 1.3)))
        closed = resolved + dt.timedelta(days=rng.uniform(1, 10)) if status == "closed" and resolved else None
        if closed and closed > NOW:
            closed = None
        if status in {"rejected", "duplicate"}:
            closed = received + dt.timedelta(days=rng.uniform(1, 5))
        text_index = rng.randrange(len(TEXTS))
        number = rng.randrange(1, 40)
        pool = officials.get(commune or "")
        assignee = rng.choice(pool) if pool and status in {"accepted", "in_progress", "answered"} else None
        yield (
            code,
            kind,
            rng.choice(TOPICS),
            commune,
            channel,
            None if channel in OFFLINE else f"{channel}-{rng.randrange(10**9)}",
            rng.random() < 0.05,
            rng.random() < 0.01,
            TEXTS[text_index].format(n=f"Nà {number}"),
            folded[text_index].format(n=f"na {number}"),
            status,
            1 if rng.random() < 0.9 else rng.choice((0, 2, 3)),
            assignee,
            received,
            accepted,
            deadline,
            False,
            0,
            resolved,
            closed,
            closed or resolved or accepted or received,
            1,
        )


def create_officials(connection: psycopg.Connection[Any], communes: Sequence[str]) -> dict[str, list[int]]:
    """Three officers per commune (password hashes are placeholders: nobody logs in as them)."""
    officials: dict[str, list[int]] = {}
    with connection.cursor() as cursor:
        for commune in communes:
            for number in range(3):
                cursor.execute(
                    "INSERT INTO officials (username, display_name, password_hash, role, unit, disabled, created_at,"
                    " password_changed_at, credentials_version) VALUES (%s, %s, 'x', 'officer', %s, false, now(),"
                    " now(), 1) RETURNING id",
                    (f"bench-{commune}-{number}", f"Cán bộ {number}", commune),
                )
                row = cursor.fetchone()
                assert row is not None
                officials.setdefault(commune, []).append(int(row[0]))
    return officials


def generate(url: str, count: int, seed: int) -> None:
    """Migrate, empty and fill the database."""
    asyncio.run(_migrate(url))
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    rng = random.Random(seed)
    communes = sorted(unit.code for unit in units())
    started = time.perf_counter()
    with psycopg.connect(dsn) as connection:
        connection.execute(
            "TRUNCATE tickets, ticket_events, ticket_attachments, outbox, audit_log, api_tokens,"
            " login_attempts, idempotency_keys, officials RESTART IDENTITY CASCADE"
        )
        officials = create_officials(connection, communes)
        with connection.cursor() as cursor, cursor.copy(f"COPY tickets ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for number, row in enumerate(rows(count, communes, officials, rng), start=1):
                copy.write_row(row)
                if number % 100_000 == 0:
                    print(f"  {number:>9,} rows, {time.perf_counter() - started:5.1f} s", flush=True)
        connection.commit()
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE tickets")
    print(f"{count:,} tickets in {time.perf_counter() - started:.1f} s")


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="postgresql+psycopg://… of a database you can empty")
    parser.add_argument("-n", "--count", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261126)
    arguments = parser.parse_args()
    if make_url(arguments.url).get_backend_name() != "postgresql":
        parser.error("the benchmark runs on PostgreSQL")
    generate(arguments.url, arguments.count, arguments.seed)


if __name__ == "__main__":
    main()
