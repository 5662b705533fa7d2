"""``caunoi user``: add, list, disable and enable officials and reset their passwords from the server's shell."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from casework.officials.models import PROVINCE, Role
from casework.officials.schemas import OfficialCreate, OfficialPublic, is_known_unit
from casework.officials.service import (
    create_official,
    disable_official,
    enable_official,
    find_official,
    list_officials,
    reset_password,
)
from casework.tickets.workflow import release_assignments
from caunoi.commands.common import run_unit_of_work

app = typer.Typer(no_args_is_help=True, help="Manage officials' accounts (the command line acts as the system).")

PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of standard input.")
]


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Mật khẩu", hide_input=True, confirmation_prompt=True)
    return password


def _describe(error: ValidationError) -> str:
    # Never echo the input: for the password field it is the password.
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}" for item in error.errors(include_input=False)
    )


def _known_unit(unit: str) -> str:
    # A usage error (exit 2), caught before the password is asked for.
    if not is_known_unit(unit):
        raise typer.BadParameter(
            f"{unit!r} is neither '{PROVINCE}' nor a commune code of Cao Bằng (knowledge/gazetteer.yaml)"
        )
    return unit


@app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="Login name: lower-case letters, digits, . _ -")],
    display_name: Annotated[str, typer.Option("--name", help="Name shown to colleagues.")],
    role: Annotated[Role, typer.Option(help="What the official may do.")] = Role.OFFICER,
    unit: Annotated[
        str, typer.Option(help=f"'{PROVINCE}' or a commune code of the gazetteer.", callback=_known_unit)
    ] = PROVINCE,
    password_stdin: PasswordStdin = False,
) -> None:
    """Create an official; the password is prompted for (hidden) or read from standard input.

    The password must have 10 characters or more, not only spaces, not the username, not a
    common password or a run such as 1234567890.
    """
    password = _read_password(password_stdin)
    try:
        data = OfficialCreate(username=username, display_name=display_name, password=password, role=role, unit=unit)
    except ValidationError as error:
        typer.echo(f"Invalid official: {_describe(error)}", err=True)
        raise typer.Exit(1) from error
    official = run_unit_of_work(lambda session: create_official(session, actor=None, data=data))
    typer.echo(f"Created {official.username} ({official.role}, {official.unit}).")


@app.command("list")
def list_command() -> None:
    """List every official with role, unit and state."""

    async def officials(session: AsyncSession) -> list[OfficialPublic]:
        return await list_officials(session, actor=None)

    for official in run_unit_of_work(officials):
        state = "disabled" if official.disabled else "active"
        typer.echo(f"{official.username}\t{official.display_name}\t{official.role}\t{official.unit}\t{state}")


@app.command("disable")
def disable(username: Annotated[str, typer.Argument(help="The official to disable.")]) -> None:
    """Disable an official; their tokens stop working at once."""

    async def work(session: AsyncSession) -> None:
        official = await find_official(session, username=username)
        await disable_official(session, actor=None, official_id=official.id)
        await release_assignments(session, official=official, actor=None)

    run_unit_of_work(work)
    typer.echo(f"Disabled {username}.")


@app.command("enable")
def enable(username: Annotated[str, typer.Argument(help="The official to enable again.")]) -> None:
    """Enable a disabled official; they log in anew."""

    async def work(session: AsyncSession) -> None:
        official = await find_official(session, username=username)
        await enable_official(session, actor=None, official_id=official.id)

    run_unit_of_work(work)
    typer.echo(f"Enabled {username}.")


@app.command("reset-password")
def reset(
    username: Annotated[str, typer.Argument(help="The official whose password to replace.")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Set a new password; every token issued before stops working."""
    password = _read_password(password_stdin)

    async def work(session: AsyncSession) -> None:
        official = await find_official(session, username=username)
        await reset_password(session, actor=None, official_id=official.id, new_password=password)

    run_unit_of_work(work)
    typer.echo(f"Password of {username} replaced.")
