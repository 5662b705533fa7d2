"""``caunoi chat``: the citizen's conversation at a prompt (the terminal channel), on the configured database.

The same engine as the web chat and the platforms: ask, self-check, report, track, subscribe;
buttons are numbered choices ("Trả lời 1, 2 hoặc 3"). The chat is the OS user's own
(``terminal:<user>``), so a report filed here can be tracked here later; officials' replies
show up at the next line (an empty line just looks for them).
"""

from __future__ import annotations

import asyncio
import getpass
import logging
import sys
from collections.abc import Iterator

import typer

from caunoi.commands.common import live_knowledge, load_settings
from caunoi.settings import Settings
from knowledge.live import LiveKnowledge


def chat() -> None:
    """Talk to Cầu Nối as a citizen: type a question or a number; 'thoát' or Ctrl-D to stop."""
    settings = load_settings()
    live = live_knowledge(settings)
    typer.echo(f"Cầu Nối — trò chuyện như một người dân ({len(live.engine.base.entries)} câu hỏi đáp).")
    typer.echo("Gõ câu hỏi hoặc số của lựa chọn rồi nhấn Enter. Gõ 'thoát' hoặc nhấn Ctrl-D để dừng.\n")
    try:
        asyncio.run(_chat(settings, live))
    except KeyboardInterrupt:
        typer.echo("")
    except OSError as error:
        typer.echo(f"Cannot open the database: {error}", err=True)
        raise typer.Exit(1) from error


def chat_ref() -> str:
    """This terminal's chat: one per OS user, so it is found again next time."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        user = "local"
    return f"terminal:{user}"[:128]


def _lines() -> Iterator[str | None]:
    while True:
        try:
            line = input("> ")
        except EOFError:
            typer.echo("")
            yield None
            return
        yield line
        if line.strip().lower() in _quit_words():
            return


def _quit_words() -> frozenset[str]:
    from bot.channels.terminal import QUIT_WORDS

    return frozenset(QUIT_WORDS)


async def _chat(settings: Settings, live: LiveKnowledge) -> None:
    # The bot and the database are imported only when a chat starts (see caunoi/commands/run.py).
    from bot.channels.terminal import TerminalChat, converse
    from bot.engine import Deps
    from casework.database import create_engine, create_session_factory
    from casework.migrations import upgrade

    engine = create_engine(settings.resolved_database_url)
    try:
        # The citizen's screen is no place for the migration log (it still says what goes wrong).
        migrations = logging.getLogger("alembic")
        level = migrations.level
        migrations.setLevel(max(logging.WARNING, migrations.getEffectiveLevel()))
        try:
            await upgrade(engine)
        finally:
            migrations.setLevel(level)
        deps = Deps(knowledge=lambda: live.engine, zone=settings.zone, rules=settings.deadline_rules)
        terminal = TerminalChat(create_session_factory(engine), deps, chat_ref=chat_ref(), ansi=sys.stdout.isatty())
        await converse(terminal, _lines(), lambda text: typer.echo(text))
    finally:
        await engine.dispose()
