"""The ``caunoi`` command: one entry point, a sub-command per job."""

from __future__ import annotations

import typer

from caunoi.commands import ask, chat, db, deadlines, faq, run, users, webhooks
from caunoi.commands.common import load_settings
from caunoi.logging import configure_logging

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Cầu Nối: kênh hỏi đáp chính sách giảm nghèo.")
app.command()(ask.ask)
app.command()(run.run)
app.command()(chat.chat)
app.add_typer(faq.app, name="faq")
app.add_typer(db.app, name="db")
app.add_typer(users.app, name="user")
app.add_typer(deadlines.app, name="deadlines")
app.add_typer(webhooks.telegram_app, name="telegram")
app.add_typer(webhooks.zalo_bot_app, name="zalo-bot")


@app.callback()
def _main() -> None:
    configure_logging(load_settings().log_level)
