"""Alembic: the migrations build exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from casework.migrations import alembic_config, current_revision, upgrade
from casework.models import Base

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
    return list(compare_metadata(context, Base.metadata))


def table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_upgrade_head_builds_exactly_the_models_schema(empty_engine: AsyncEngine) -> None:
    assert await current_revision(empty_engine) is None
    await upgrade(empty_engine)
    async with empty_engine.connect() as connection:
        assert await connection.run_sync(differences) == []
        assert await connection.run_sync(table_names) == set(Base.metadata.tables) | {"alembic_version"}
    assert await current_revision(empty_engine) == HEAD


async def test_upgrading_twice_changes_nothing(empty_engine: AsyncEngine) -> None:
    await upgrade(empty_engine)
    await upgrade(empty_engine)
    assert await current_revision(empty_engine) == HEAD


async def test_downgrade_to_base_removes_every_table(empty_engine: AsyncEngine) -> None:
    await upgrade(empty_engine)
    async with empty_engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(connection=sync), "base"))
    async with empty_engine.connect() as connection:
        assert await connection.run_sync(table_names) == {"alembic_version"}


async def test_the_schema_comparison_notices_a_missing_index(empty_engine: AsyncEngine) -> None:
    await upgrade(empty_engine)
    async with empty_engine.begin() as connection:
        await connection.exec_driver_sql("DROP INDEX ix_tickets_status_deadline")
        found = await connection.run_sync(differences)
    assert [item[0] for item in found] == ["add_index"]  # type: ignore[index]
