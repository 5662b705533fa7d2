"""``caunoi db`` and ``caunoi user`` as an operator runs them: real processes on the configured database.

They live here until the sub-commands are registered in ``caunoi.cli``; then they belong in tests/caunoi.
"""

from __future__ import annotations

import os
import subprocess
import sys

from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from casework.database import create_session_factory
from casework.migrations import alembic_config
from casework.officials.service import authenticate, find_official
from tests.casework.factories import PASSWORD

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def run(module: str, *args: str, database_url: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    code = f"import sys; from caunoi.commands.{module} import app; app(sys.argv[1:], prog_name='caunoi')"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, "CAUNOI_DATABASE_URL": database_url},
        timeout=120,
        check=False,
    )


async def test_db_upgrade_migrates_the_configured_database(empty_engine: AsyncEngine, database_url: str) -> None:
    before = run("db", "current", database_url=database_url)
    assert before.stdout.strip() == "empty (never migrated)"
    upgraded = run("db", "upgrade", database_url=database_url)
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"is at revision {HEAD}" in upgraded.stdout
    assert run("db", "current", database_url=database_url).stdout.strip() == HEAD


async def test_user_commands_manage_accounts_without_ever_printing_a_password(
    empty_engine: AsyncEngine, database_url: str
) -> None:
    assert run("db", "upgrade", database_url=database_url).returncode == 0
    added = run(
        "users",
        "add",
        "Hoang.Thi.D",
        "--name",
        "Hoàng Thị D",
        "--role",
        "supervisor",
        "--unit",
        "01273",
        "--password-stdin",
        database_url=database_url,
        stdin=PASSWORD + "\n",
    )
    assert added.returncode == 0, added.stderr
    assert "Created hoang.thi.d (supervisor, 01273)." in added.stdout
    taken = run(
        "users", "add", "hoang.thi.d", "--name", "D", "--password-stdin", database_url=database_url, stdin=PASSWORD
    )
    assert taken.returncode == 1 and "taken" in taken.stderr
    weak = run("users", "add", "yeu", "--name", "Y", "--password-stdin", database_url=database_url, stdin="ngan\n")
    assert weak.returncode == 1 and "password" in weak.stderr and "ngan" not in weak.stderr
    listed = run("users", "list", database_url=database_url)
    assert listed.stdout.splitlines() == ["hoang.thi.d\tHoàng Thị D\tsupervisor\t01273\tactive"]

    new_password = "mật-khẩu-mới-của-d"  # noqa: S105 - a test password
    reset = run(
        "users", "reset-password", "hoang.thi.d", "--password-stdin", database_url=database_url, stdin=new_password
    )
    assert reset.returncode == 0, reset.stderr
    async with create_session_factory(empty_engine)() as session:
        official = await authenticate(session, username="hoang.thi.d", password=new_password, address="127.0.0.1")
        assert official.role == "supervisor"

    assert run("users", "disable", "hoang.thi.d", database_url=database_url).returncode == 0
    assert run("users", "list", database_url=database_url).stdout.rstrip().endswith("disabled")
    missing = run("users", "disable", "khong.co", database_url=database_url)
    assert missing.returncode == 1 and "no official named" in missing.stderr
    async with create_session_factory(empty_engine)() as session:
        assert (await find_official(session, username="hoang.thi.d")).disabled
    for result in (added, taken, weak, listed, reset, missing):
        assert PASSWORD not in result.stdout + result.stderr and new_password not in result.stdout + result.stderr


async def test_user_commands_on_an_unmigrated_database_say_what_to_do(
    empty_engine: AsyncEngine, database_url: str
) -> None:
    result = run("users", "list", database_url=database_url)
    assert result.returncode == 1 and "caunoi db upgrade" in result.stderr
