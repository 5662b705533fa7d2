"""What every command shares: settings, today's date, the live knowledge base."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from casework.database import create_engine, create_session_factory
from casework.errors import CaseworkError
from caunoi.settings import Settings, get_settings
from knowledge.live import KnowledgeError, LiveKnowledge

T = TypeVar("T")

EXIT_USAGE = 2
DateOption = Annotated[str | None, typer.Option("--date", help="Answer as of this day (YYYY-MM-DD).")]


def load_settings() -> Settings:
    """Read the settings, or exit with a clear message when they are invalid."""
    try:
        return get_settings()
    except ValueError as error:
        typer.echo(f"Invalid settings: {error}", err=True)
        raise typer.Exit(EXIT_USAGE) from error


def today(settings: Settings) -> dt.date:
    """Today in the configured time zone."""
    return dt.datetime.now(settings.zone).date()


def parse_date(value: str | None, settings: Settings) -> dt.date:
    """Parse a --date option (today when absent), or exit with a polite message."""
    if value is None:
        return today(settings)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        typer.echo(f"Ngày không hợp lệ: {value!r}. Hãy viết theo dạng YYYY-MM-DD, ví dụ 2026-12-31.", err=True)
        raise typer.Exit(EXIT_USAGE) from None


def live_knowledge(settings: Settings) -> LiveKnowledge:
    """Load the knowledge base, or exit listing its errors."""
    try:
        return LiveKnowledge(settings.knowledge_dir, today=lambda: today(settings))
    except KnowledgeError as error:
        typer.echo(f"{error}\nRun `caunoi faq check` for the full list.", err=True)
        raise typer.Exit(1) from error


def run_unit_of_work(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run one unit of work on the configured database and commit it; domain errors exit 1 with their message."""

    async def unit_of_work() -> T:
        engine = create_engine(load_settings().resolved_database_url)
        try:
            async with create_session_factory(engine)() as session:
                result = await work(session)
                await session.commit()
                return result
        finally:
            await engine.dispose()

    try:
        return asyncio.run(unit_of_work())
    except CaseworkError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(1) from error
    except DBAPIError as error:
        typer.echo(f"Database error (has `caunoi db upgrade` been run?): {error.orig}", err=True)
        raise typer.Exit(1) from error
