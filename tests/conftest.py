"""Fixtures shared by every test package: knowledge directories and databases.

Databases: every test that takes ``database_url`` runs on a fresh SQLite file and, when
``CAUNOI_TEST_POSTGRES_URL`` is set (``.ci/run`` sets it when PostgreSQL answers), also
on a PostgreSQL database created for the test session and dropped after it. If that URL
is set and the server does not answer, those tests fail: they never skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.factories import write_mini_knowledge

POSTGRES_ENV = "CAUNOI_TEST_POSTGRES_URL"
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get(POSTGRES_ENV) else [])


@pytest.fixture
def mini_knowledge(tmp_path: Path) -> Path:
    return write_mini_knowledge(tmp_path / "knowledge")


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """Create a PostgreSQL database for this test session; drop it at the end."""
    admin_url = make_url(os.environ[POSTGRES_ENV]).set(drivername="postgresql+psycopg")
    name = f"caunoi_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001
        admin.dispose()
        pytest.fail(f"{POSTGRES_ENV} is set but PostgreSQL is unreachable: {error}")
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An async SQLAlchemy URL: a new SQLite file, or this session's PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'data' / 'caunoi.db'}"
    sync_url: str = request.getfixturevalue("postgres_database")
    return sync_url
