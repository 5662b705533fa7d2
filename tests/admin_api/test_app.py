"""The application as the composition root builds it: health, readiness, docs, the first admin, settings."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError
from sqlalchemy import select

from admin_api.context import attach, context_of
from casework.database import create_engine
from casework.officials.models import PROVINCE, Official, Role
from caunoi.app import create_app
from caunoi.settings import Environment, Settings
from knowledge.live import KnowledgeError
from knowledge.loader import DEFAULT_DIRECTORY
from tests.admin_api.conftest import API, empty_database, settings_for


async def test_healthz_and_readyz_answer_without_a_token(client: httpx.AsyncClient, app: FastAPI) -> None:
    assert (await client.get(f"{API}/healthz")).json() == {"status": "ok"}
    ready = await client.get(f"{API}/readyz")
    assert ready.status_code == 200
    assert ready.json()["database"] == context_of(app).engine.dialect.name


async def test_readyz_is_503_when_the_database_does_not_answer(client: httpx.AsyncClient, app: FastAPI) -> None:
    context = context_of(app)
    unreachable = create_engine("postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2")
    attach(app, dataclasses.replace(context, engine=unreachable))
    try:
        response = await client.get(f"{API}/readyz")
    finally:
        attach(app, context)
        await unreachable.dispose()
    assert response.status_code == 503
    assert response.json()["error"] == "unavailable" and response.headers["Retry-After"] == "5"
    assert "nobody" not in response.text


async def test_the_docs_are_served_outside_production(client: httpx.AsyncClient) -> None:
    spec = await client.get(f"{API}/openapi.json")
    assert spec.status_code == 200 and spec.json()["info"]["title"].startswith("Cầu Nối")
    assert (await client.get(f"{API}/docs")).status_code == 200


def production(database_url: str, tmp_path: Path, **overrides: object) -> Settings:
    return settings_for(database_url, tmp_path, environment=Environment.PRODUCTION, **overrides)


async def test_production_hides_the_docs_unless_asked(database_url: str, tmp_path: Path) -> None:
    for settings, served in (
        (production(database_url, tmp_path), False),
        (production(database_url, tmp_path, api_docs=True), True),
    ):
        app = create_app(settings)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
            for path in (f"{API}/openapi.json", f"{API}/docs"):
                assert ((await client.get(path)).status_code == 200) is served, path


async def first_admins(app: FastAPI) -> list[tuple[str, Role, str]]:
    async with context_of(app).sessions() as session:
        rows = (await session.scalars(select(Official).where(Official.role == Role.ADMIN))).all()
    return [(row.username, row.role, row.unit) for row in rows]


async def test_the_first_admin_is_created_on_the_first_start_only(database_url: str, tmp_path: Path) -> None:
    password = "một-mật-khẩu-thật-dài"  # noqa: S105 - a test password
    settings = settings_for(database_url, tmp_path, admin_username="Quan.Tri", admin_password=password)
    await empty_database(settings.resolved_database_url)
    for _ in range(2):
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            assert await first_admins(app) == [("quan.tri", Role.ADMIN, PROVINCE)]
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
                login = await client.post(f"{API}/auth/token", data={"username": "quan.tri", "password": password})
                assert login.status_code == 200


async def test_outside_tests_the_faq_is_checked_and_indexed_before_serving(database_url: str, tmp_path: Path) -> None:
    # An FAQ with an error: the service refuses to start, rather than fail on the first question
    # (or hold every other request while that question builds the index).
    broken = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_DIRECTORY, broken)
    (broken / "faq" / "broken.yaml").write_text("topic: x\nentries: [{id: only-an-id}]\n", encoding="utf-8")
    settings = settings_for(database_url, tmp_path, environment=Environment.DEVELOPMENT, knowledge_dir=broken)
    await empty_database(settings.resolved_database_url)
    app = create_app(settings)
    with pytest.raises(KnowledgeError):
        async with app.router.lifespan_context(app):
            pass
    # A test application leaves the index to the first question that needs it, so it starts.
    app = create_app(settings.model_copy(update={"environment": Environment.TEST}))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            assert (await client.get(f"{API}/healthz")).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"secret_key": "development-only-not-secret"}, "CAUNOI_SECRET_KEY"),
        ({"secret_key": " "}, "CAUNOI_SECRET_KEY"),
    ],
)
def test_outside_development_default_secrets_are_refused(
    tmp_path: Path, overrides: dict[str, str], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        settings_for("sqlite+aiosqlite:///x.db", tmp_path, environment=Environment.PRODUCTION, **overrides)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"admin_username": "admin"}, "together"),
        ({"admin_password": "một-mật-khẩu-dài"}, "together"),
        ({"admin_username": "admin", "admin_password": "short"}, "10 to 256"),
        ({"admin_username": "admin", "admin_password": "administrator"}, "username"),
        ({"admin_username": "nguyen.van.a", "admin_password": "Password123"}, "most common"),
        ({"admin_username": "quan.tri.vien", "admin_password": "Quan.Tri.Vien"}, "username"),
        ({"admin_username": "nguyen.van.a", "admin_password": "1234567890"}, "CAUNOI_ADMIN_PASSWORD"),
        ({"admin_username": "a b", "admin_password": "một-mật-khẩu-dài"}, "CAUNOI_ADMIN_USERNAME"),
    ],
)
def test_a_first_admin_that_could_not_be_created_is_refused_in_any_environment(
    tmp_path: Path, overrides: dict[str, str], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        settings_for("sqlite+aiosqlite:///x.db", tmp_path, environment=Environment.DEVELOPMENT, **overrides)


def test_development_accepts_a_real_first_admin_password(tmp_path: Path) -> None:
    settings = settings_for(
        "sqlite+aiosqlite:///x.db",
        tmp_path,
        environment=Environment.DEVELOPMENT,
        admin_username="admin",
        admin_password="một-mật-khẩu-dài",  # noqa: S106 - a test password
    )
    assert settings.admin_username == "admin"


def test_deadline_overrides_and_remote_communes_reach_the_rules(tmp_path: Path) -> None:
    settings = settings_for(
        "sqlite+aiosqlite:///x.db",
        tmp_path,
        deadline_overrides=[
            {"kind": "feedback", "resolve": {"day_type": "working", "days": 15}, "resolve_from": "received"}
        ],
        remote_communes=["01273"],
        token_ttl="PT8H",  # noqa: S106 - a duration
    )
    rules = settings.deadline_rules
    assert rules.rule_for("feedback", None).resolve.days == 15  # type: ignore[arg-type]
    assert rules.rule_for("complaint", None).resolve.days == 30  # type: ignore[arg-type]
    assert rules.is_remote("01273")
    assert settings.token_ttl.total_seconds() == 8 * 3600
