"""``caunoi db``: bring the database schema up to date, show where it stands, write new migrations."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from sqlalchemy.engine import make_url

from casework.database import create_engine
from casework.migrations import current_revision, make_revision, upgrade
from caunoi.commands.common import load_settings

app = typer.Typer(no_args_is_help=True, help="Create or update the database schema (Alembic).")


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


async def _upgrade(url: str, revision: str) -> str | None:
    engine = create_engine(url)
    try:
        await upgrade(engine, revision)
        return await current_revision(engine)
    finally:
        await engine.dispose()


async def _current(url: str) -> str | None:
    engine = create_engine(url)
    try:
        return await current_revision(engine)
    finally:
        await engine.dispose()


@app.command("upgrade")
def upgrade_command(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Upgrade the configured database to the newest schema (safe to run on every start)."""
    url = load_settings().resolved_database_url
    try:
        reached = asyncio.run(_upgrade(url, revision))
    except Exception as error:  # noqa: BLE001 - driver and migration errors mean the same to the operator
        typer.echo(f"Cannot upgrade {_shown(url)}: {error}", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"{_shown(url)} is at revision {reached}.")


@app.command("current")
def current_command() -> None:
    """Print the revision the configured database is at."""
    url = load_settings().resolved_database_url
    typer.echo(asyncio.run(_current(url)) or "empty (never migrated)")


@app.command("revision")
def revision_command(
    message: Annotated[str, typer.Argument(help="What the migration changes, e.g. 'add subscribers'.")],
) -> None:
    """Write a new migration from the difference between the models and the (upgraded) configured database."""
    make_revision(load_settings().resolved_database_url, message)
