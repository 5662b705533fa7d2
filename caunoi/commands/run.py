"""``caunoi run``: start Cầu Nối on its embedded default."""

from __future__ import annotations

import asyncio
import sys

import typer

from casework.database import create_engine, ping
from caunoi.commands.common import live_knowledge, load_settings, today
from caunoi.settings import Settings
from caunoi.terminal import render_reply
from knowledge.live import LiveKnowledge
from knowledge.text import MAX_QUESTION_CHARS


def run() -> None:
    """Start Cầu Nối on its embedded default (for now: the database and the question prompt)."""
    settings = load_settings()
    live = live_knowledge(settings)
    url = settings.resolved_database_url
    try:
        dialect = asyncio.run(_open_database(url))
    except Exception as error:  # noqa: BLE001 - any driver error means the same to the operator
        typer.echo(f"Cannot open the database: {error}", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"Cầu Nối — {len(live.engine.base.entries)} câu hỏi đáp; cơ sở dữ liệu: {dialect}.")
    typer.echo("Gõ câu hỏi rồi nhấn Enter. Gõ 'thoát' hoặc nhấn Ctrl-D để dừng.")
    _prompt_loop(live, settings)


async def _open_database(url: str) -> str:
    engine = create_engine(url)
    try:
        return await ping(engine)
    finally:
        await engine.dispose()


def _prompt_loop(live: LiveKnowledge, settings: Settings) -> None:
    """Answer questions typed at the terminal; FAQ edits are picked up between questions."""
    ansi = sys.stdout.isatty()
    while True:
        try:
            line = input("> ")
        except (EOFError, KeyboardInterrupt):
            typer.echo("")
            return
        if line.strip().lower() in {"thoát", "thoat", "exit", "quit"}:
            return
        if not line.strip():
            continue
        reply = live.engine.ask(line[:MAX_QUESTION_CHARS], today(settings))
        typer.echo(render_reply(reply, ansi) + "\n")
