"""Measure ``GET /api/v1/tickets`` on a database filled by ``bench/generate_tickets.py`` (not a test).

Run: ``.venv/bin/python bench/tickets_api.py --url postgresql+psycopg://postgres@127.0.0.1/caunoi_bench``

Each scenario is the page an official opens most: their commune's overdue tickets in a given
status, by deadline, 50 a page. The whole application serves the requests in this process
(routing, token check, validation, queries, deadline flags, JSON) through httpx's ASGI
transport, so the figures leave out only the network; ``--base-url`` measures a running server
over HTTP instead. Prints a Markdown table for docs/benchmarks.md, and the plan of the query.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
from sqlalchemy import text

from admin_api.context import context_of
from casework.officials.models import PROVINCE, Role
from casework.officials.schemas import OfficialCreate
from casework.officials.service import create_official, issue_token
from caunoi.app import create_app
from caunoi.settings import Settings

PATH = "/api/v1/tickets"
PASSWORD = "benchmark-only-password"  # noqa: S105 - accounts made for one run


@dataclass(frozen=True)
class Scenario:
    name: str
    params: dict[str, str | list[str]]
    as_province: bool = False


def scenarios(commune: str) -> list[Scenario]:
    """The measured requests: the goal's one first, then its neighbours."""
    base: dict[str, str | list[str]] = {"commune": commune, "overdue": "true", "sort": "deadline", "limit": "50"}
    return [
        Scenario("status=in_progress + commune + overdue, by deadline", {**base, "status": "in_progress"}),
        Scenario(
            "status=new,accepted,in_progress + commune + overdue, by deadline",
            {**base, "status": ["new", "accepted", "in_progress"]},
        ),
        Scenario("same, second page (cursor)", {**base, "status": ["new", "accepted", "in_progress"]}),
        Scenario("province: status=in_progress + overdue, by deadline", {**base, "status": "in_progress"}, True),
    ]


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(client: httpx.AsyncClient, headers: dict[str, str], scenario: Scenario, requests: int) -> list[float]:
    params = dict(scenario.params)
    if scenario.as_province:
        params.pop("commune")
    if scenario.name.startswith("same, second page"):
        first = (await client.get(PATH, params=params, headers=headers)).json()
        if first["next_cursor"] is None:
            return []
        params["cursor"] = first["next_cursor"]
    timings = []
    for number in range(requests + 20):
        started = time.perf_counter()
        response = await client.get(PATH, params=params, headers=headers)
        elapsed = time.perf_counter() - started
        response.raise_for_status()
        if number >= 20:  # the first requests warm caches and the connection pool
            timings.append(elapsed * 1000)
    return timings


async def busiest_commune(settings: Settings) -> str:
    app = create_app(settings)
    async with app.router.lifespan_context(app), context_of(app).sessions() as session:
        statement = text(
            "SELECT commune_code FROM tickets WHERE commune_code IS NOT NULL GROUP BY commune_code"
            " ORDER BY count(*) DESC LIMIT 1"
        )
        return str((await session.execute(statement)).scalar_one())


async def explain(settings: Settings, commune: str) -> str:
    app = create_app(settings)
    async with app.router.lifespan_context(app), context_of(app).sessions() as session:
        statement = text(
            "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT * FROM tickets WHERE commune_code = :commune"
            " AND confidential IS false AND status IN ('in_progress') AND status IN"
            " ('new', 'transferred', 'accepted', 'in_progress') AND deadline < CURRENT_DATE"
            " ORDER BY deadline, id LIMIT 51"
        )
        rows = (await session.execute(statement, {"commune": commune})).scalars().all()
        return "\n".join(rows)


async def run(settings: Settings, requests: int, base_url: str | None) -> None:
    commune = await busiest_commune(settings)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with context_of(app).sessions() as session:
            stamp = int(time.time())
            officer, province = [
                await create_official(
                    session,
                    actor=None,
                    data=OfficialCreate(
                        username=f"bench-{role}-{stamp}",
                        display_name="Benchmark",
                        password=PASSWORD,
                        role=role,
                        unit=unit,
                    ),
                )
                for role, unit in ((Role.OFFICER, commune), (Role.VIEWER, PROVINCE))
            ]
            tokens = {
                False: await issue_token(session, official=officer),
                True: await issue_token(session, official=province),
            }
            total = (await session.execute(text("SELECT count(*) FROM tickets"))).scalar_one()
            await session.commit()
        transport = httpx.ASGITransport(app=app) if base_url is None else httpx.AsyncHTTPTransport()
        async with httpx.AsyncClient(transport=transport, base_url=base_url or "http://bench") as client:
            print(f"{total:,} tickets; commune {commune}; {requests} requests per scenario after 20 warm-up ones")
            print(f"served {'in-process (ASGI)' if base_url is None else f'over HTTP at {base_url}'}\n")
            print("| request (page of 50) | items | median ms | p95 ms | p99 ms |")
            print("|---|---:|---:|---:|---:|")
            for scenario in scenarios(commune):
                headers = {"Authorization": f"Bearer {tokens[scenario.as_province].token}"}
                timings = await measure(client, headers, scenario, requests)
                if not timings:
                    print(f"| {scenario.name} | – | – | – | – |")
                    continue
                params = dict(scenario.params)
                if scenario.as_province:
                    params.pop("commune")
                items = len((await client.get(PATH, params=params, headers=headers)).json()["items"])
                print(
                    f"| {scenario.name} | {items} | {statistics.median(timings):.1f} | "
                    f"{percentile(timings, 0.95):.1f} | {percentile(timings, 0.99):.1f} |"
                )
    print("\nPlan of the first scenario's query:\n")
    print(await explain(settings, commune))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the database bench/generate_tickets.py filled")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--base-url", help="measure a running server (same database) over HTTP instead")
    arguments = parser.parse_args()
    settings = Settings(database_url=arguments.url, log_level="WARNING")
    asyncio.run(run(settings, arguments.requests, arguments.base_url))


if __name__ == "__main__":
    main()
