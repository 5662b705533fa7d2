"""``caunoi deadlines``: count the running deadlines again after the rules they follow changed."""

from __future__ import annotations

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from casework.tickets.workflow import recompute_deadlines
from caunoi.commands.common import load_settings, run_unit_of_work

app = typer.Typer(no_args_is_help=True, help="Keep open cases' deadlines in line with the rules in force.")


@app.command("recompute")
def recompute() -> None:
    """Count every running deadline again with today's settings and calendar.

    Run it after changing CAUNOI_REMOTE_COMMUNES or the deadline settings: deadlines are stored
    when they are set, so open cases would keep the old count. Calendar changes made through the
    API need no run; they count again the deadlines they touch. Each moved deadline gets an event
    in its ticket's thread, by the system.
    """
    rules = load_settings().deadline_rules

    async def work(session: AsyncSession) -> list[str]:
        return await recompute_deadlines(session, actor=None, reason="rules", rules=rules)

    moved = run_unit_of_work(work)
    typer.echo(f"{len(moved)} deadline(s) moved; each ticket's thread records its change.")
