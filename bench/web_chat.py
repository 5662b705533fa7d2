"""Messages per second through the web chat's ``POST /chat/messages`` for FAQ questions (not a test).

Run: ``.venv/bin/python bench/web_chat.py`` (SQLite in a temporary directory), or
``.venv/bin/python bench/web_chat.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres``
(a database is created for the run and dropped after it).

The server is the real application (``caunoi.app.create_app``: engine, database, outbox) under
uvicorn in a subprocess, with one extra route, ``GET /bench/bare``, a bare FastAPI endpoint that
returns a constant: the same server's ceiling. The load is a loop of concurrent visitors on
loopback (one cookie each, as the page would), each sending FAQ questions as citizens type them
(with and without diacritics); every message is handled end to end (processed-update record,
conversation state, answer, outbox rows written and taken) and committed. Bounded in count and
time. Prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

HERE = Path(__file__).resolve()


def serve(port: int) -> None:
    """The server process: the whole application plus the bare endpoint, under uvicorn."""
    import uvicorn

    from caunoi.app import create_app
    from caunoi.logging import configure_logging
    from caunoi.settings import Settings

    settings = Settings()
    configure_logging("WARNING")
    app = create_app(settings)

    @app.get("/bench/bare")
    async def bare() -> dict[str, bool]:
        return {"ok": True}

    uvicorn.run(app, host="127.0.0.1", port=port, log_config=None, access_log=False, server_header=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def questions() -> list[str]:
    """The FAQ's own questions, half of them typed without diacritics."""
    from knowledge.loader import load_knowledge
    from knowledge.text import fold

    base = load_knowledge().base
    asked = [entry.question for entry in base.entries]
    return [fold(q) if index % 2 else q for index, q in enumerate(asked)]


async def wait_for(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient() as http:
        while True:
            try:
                if (await http.get(f"{base}/api/v1/healthz", timeout=1)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            await asyncio.sleep(0.2)


async def load(
    concurrency: int, count: int, seconds: float, request: Callable[[httpx.AsyncClient, int], Awaitable[None]]
) -> tuple[int, float, list[float]]:
    """Run ``count`` requests (or until ``seconds`` pass) from ``concurrency`` clients; return done, elapsed, latencies."""
    latencies: list[float] = []
    issued = 0
    start = time.perf_counter()
    stop_at = start + seconds

    async def visitor(number: int, http: httpx.AsyncClient) -> None:
        nonlocal issued
        while issued < count and time.perf_counter() < stop_at:
            issued += 1
            began = time.perf_counter()
            await request(http, number)
            latencies.append(time.perf_counter() - began)

    clients = [httpx.AsyncClient(timeout=30) for _ in range(concurrency)]
    try:
        start = time.perf_counter()
        stop_at = start + seconds
        await asyncio.gather(*(visitor(number, http) for number, http in enumerate(clients)))
        elapsed = time.perf_counter() - start
    finally:
        for http in clients:
            await http.aclose()
    return len(latencies), elapsed, latencies


def cpu_seconds(pid: int) -> float:
    """The CPU time (user + system, all threads) a process has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


Result = tuple[str, int, float, list[float], float, float]


async def measured(name: str, server: int, run: Awaitable[tuple[int, float, list[float]]]) -> Result:
    """One measurement, with the CPU time the server and this load loop used per request."""
    server_before, own_before = cpu_seconds(server), time.process_time()
    done, elapsed, latencies = await run
    server_cpu, own_cpu = cpu_seconds(server) - server_before, time.process_time() - own_before
    return name, done, elapsed, latencies, server_cpu / max(done, 1), own_cpu / max(done, 1)


async def measure(base: str, server: int, concurrency: int, count: int, seconds: float) -> list[Result]:
    asked = questions()
    rng = random.Random(7)  # noqa: S311 - a reproducible order, not a secret
    answered = 0

    async def chat(http: httpx.AsyncClient, number: int) -> None:
        nonlocal answered
        body = {"client_id": str(uuid.uuid4()), "text": rng.choice(asked)}
        response = await http.post(f"{base}/chat/messages", json=body)
        response.raise_for_status()
        if any("Căn cứ" in m["text"] for m in response.json()["messages"]):
            answered += 1

    async def bare(http: httpx.AsyncClient, number: int) -> None:
        (await http.get(f"{base}/bench/bare")).raise_for_status()

    # Warm up (the FAQ index is built at start-up): every visitor gets its cookie.
    async with httpx.AsyncClient(timeout=60) as http:
        await chat(http, 0)
    await load(concurrency, concurrency * 5, 30, chat)
    await load(concurrency, 200, 10, bare)
    answered = 0
    results = [
        await measured(
            "POST /chat/messages (FAQ question, end to end)", server, load(concurrency, count, seconds, chat)
        )
    ]
    print(f"  answers with 'Căn cứ': {answered} of {results[0][1]}", file=sys.stderr)
    results.append(
        await measured(
            "GET /bench/bare (bare FastAPI endpoint, same server)", server, load(concurrency, count, seconds, bare)
        )
    )
    return results


def create_postgres(admin_url: str) -> tuple[str, Callable[[], None]]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(admin_url).set(drivername="postgresql+psycopg")
    name = f"caunoi_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--postgres", help="an admin URL of a PostgreSQL server (default: SQLite)")
    parser.add_argument("--concurrency", type=int, default=8, help="visitors sending at once (default 8)")
    parser.add_argument("--count", type=int, default=3000, help="messages per measurement at most (default 3000)")
    parser.add_argument("--seconds", type=float, default=20, help="seconds per measurement at most (default 20)")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    drop: Callable[[], None] = lambda: None  # noqa: E731
    with tempfile.TemporaryDirectory() as directory:
        environment = {name: value for name, value in os.environ.items() if not name.startswith("CAUNOI_")}
        environment["CAUNOI_DATA_DIR"] = str(Path(directory) / "data")
        backend = "SQLite"
        if args.postgres:
            environment["CAUNOI_DATABASE_URL"], drop = create_postgres(args.postgres)
            backend = "PostgreSQL"
        log = (Path(directory) / "server.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, str(HERE), "--serve", str(port)], env=environment, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            asyncio.run(wait_for(base, process))
            results = asyncio.run(measure(base, process.pid, args.concurrency, args.count, args.seconds))
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
            log.close()
            drop()
    print(
        f"\n{backend}, {args.concurrency} concurrent visitors, up to {args.count} messages or {args.seconds:g} s each\n"
    )
    print("| endpoint | requests | seconds | requests/s | median ms | p99 ms | server CPU ms/req | load CPU ms/req |")
    print("|---|---|---|---|---|---|---|---|")
    for name, done, elapsed, latencies, server_cpu, own_cpu in results:
        print(
            f"| {name} | {done} | {elapsed:.1f} | {done / elapsed:.0f} | "
            f"{statistics.median(latencies) * 1000:.1f} | {percentile(latencies, 0.99) * 1000:.1f} | "
            f"{server_cpu * 1000:.2f} | {own_cpu * 1000:.2f} |"
        )


if __name__ == "__main__":
    main()
