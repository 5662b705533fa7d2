"""Officials download a citizen's web upload: scope, confidentiality, platform files, crafted references."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from admin_api.context import context_of
from casework.audit.models import AuditAction, AuditEntry
from casework.channels import Channel
from casework.files.storage import store
from casework.officials.models import PROVINCE, Role
from casework.tickets import repository as tickets_repository
from casework.tickets.models import TicketAttachment
from tests.admin_api.conftest import API, COMMUNE_B, World

# A 1×1 white PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c49444154789c63f8ffff3f0005fe02fe"
    "0def46b80000000049454e44ae426082"
)
TELEGRAM_FILE_ID = "AgACAgIAAxkBAAIBZ2Zx9Qv1sOm3Yk8AAUt4Ck2b7c0AAmvbMRtw"


def uploads_of(app: FastAPI) -> Path:
    directory = context_of(app).uploads
    assert directory is not None
    return directory


async def attach_file(
    app: FastAPI, sessions: async_sessionmaker[AsyncSession], code: str, *, ref: str | None = None
) -> int:
    """Give a ticket an attachment: a PNG uploaded through the web chat unless ``ref`` names another."""
    mime_type = None
    if ref is None:
        stored = store(uploads_of(app), PNG)
        ref, mime_type = stored.ref, stored.type.mime_type
    async with sessions() as session:
        ticket = await tickets_repository.by_code(session, code)
        assert ticket is not None
        attachment = TicketAttachment(ticket_id=ticket.id, channel=Channel.WEB, file_ref=ref, mime_type=mime_type)
        session.add(attachment)
        await session.commit()
        return attachment.id


def url(code: str, attachment_id: int) -> str:
    return f"{API}/tickets/{code}/attachments/{attachment_id}"


async def test_an_official_downloads_a_web_upload_with_its_sniffed_type(
    app: FastAPI, client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    attachment_id = await attach_file(app, sessions, world.a.code)
    for role in Role:  # every role may read tickets, and so their files
        response = await client.get(url(world.a.code, attachment_id), headers=world.headers(role))
        assert response.status_code == 200, response.text
        assert response.content == PNG
        assert response.headers["content-type"] == "image/png"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["content-disposition"] == f'attachment; filename="{world.a.code}-{attachment_id}.png"'
        assert response.headers["cache-control"] == "no-store"
    async with sessions() as session:
        reads = (
            await session.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == AuditAction.TICKET_READ_PERSONAL, AuditEntry.object_id == world.a.code
                )
            )
        ).all()
    assert [entry.detail for entry in reads] == [{"attachment_id": attachment_id}] * len(Role)


async def test_an_official_of_another_commune_gets_404_as_for_the_ticket(
    app: FastAPI, client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    attachment_id = await attach_file(app, sessions, world.a.code)
    for role in Role:
        response = await client.get(url(world.a.code, attachment_id), headers=world.headers(role, COMMUNE_B))
        assert response.status_code == 404
        assert response.json() == {"error": "not_found", "detail": "not found", "field": None, "problems": []}
        ticket = await client.get(f"{API}/tickets/{world.a.code}", headers=world.headers(role, COMMUNE_B))
        assert ticket.status_code == 404


async def test_a_confidential_tickets_file_is_for_the_province_only(
    app: FastAPI, client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    attachment_id = await attach_file(app, sessions, world.confidential.code)
    commune = await client.get(url(world.confidential.code, attachment_id), headers=world.headers(Role.ADMIN))
    assert commune.status_code == 404 and commune.json()["error"] == "not_found"
    province = await client.get(
        url(world.confidential.code, attachment_id), headers=world.headers(Role.VIEWER, PROVINCE)
    )
    assert province.status_code == 200 and province.content == PNG


async def test_an_attachment_is_found_only_under_its_own_ticket(
    app: FastAPI, client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    attachment_id = await attach_file(app, sessions, world.other.code)
    response = await client.get(url(world.a.code, attachment_id), headers=world.headers(Role.OFFICER))
    assert response.status_code == 404 and response.json()["error"] == "not_found"
    unknown = await client.get(url(world.a.code, 2_147_483_647), headers=world.headers(Role.OFFICER))
    assert unknown.status_code == 404
    for bad in ("0", "-1", "2147483648", "1.5", "..%2F..%2Fetc%2Fpasswd"):
        refused = await client.get(
            f"{API}/tickets/{world.a.code}/attachments/{bad}", headers=world.headers(Role.OFFICER)
        )
        assert refused.status_code in {404, 422}, bad


async def test_a_platform_file_is_404_kept_on_the_platform(
    app: FastAPI, client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    for ref in (TELEGRAM_FILE_ID, "https://photo-zalo.zadn.vn/abc.jpg"):
        attachment_id = await attach_file(app, sessions, world.a.code, ref=ref)
        response = await client.get(url(world.a.code, attachment_id), headers=world.headers(Role.OFFICER))
        assert response.status_code == 404
        body = response.json()
        assert body["error"] == "kept_on_platform" and "platform" in body["detail"]


@pytest.mark.parametrize(
    "ref",
    [
        "web:../../etc/passwd",
        "web:/etc/passwd",
        "web:" + "a" * 64 + ".png/../../../etc/passwd",
        "web:" + "A" * 64 + ".png",
        "web:" + "a" * 63 + ".png",
        "web:" + "a" * 64 + ".html",
        "web:" + "a" * 64 + ".png\n",
        "web:..%2F..%2Fcaunoi.db",
        "web:" + "a" * 64 + ".png%00.txt",  # (a NUL itself cannot even be stored on PostgreSQL)
        "../caunoi.db",
        "/etc/passwd",
    ],
)
async def test_a_crafted_reference_never_leaves_the_upload_directory(
    app: FastAPI, client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession], ref: str
) -> None:
    secret = uploads_of(app).parent / "caunoi-secret.txt"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text("not for download")
    attachment_id = await attach_file(app, sessions, world.a.code, ref=ref)
    response = await client.get(url(world.a.code, attachment_id), headers=world.headers(Role.ADMIN, PROVINCE))
    assert response.status_code == 404
    assert response.json()["error"] == ("not_found" if ref.startswith("web:") else "kept_on_platform")
    assert b"not for download" not in response.content and b"root:" not in response.content


async def test_a_web_file_missing_from_disk_is_404(
    app: FastAPI, client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    ref = "web:" + hashlib.sha256(b"never uploaded").hexdigest() + ".jpg"
    attachment_id = await attach_file(app, sessions, world.a.code, ref=ref)
    response = await client.get(url(world.a.code, attachment_id), headers=world.headers(Role.OFFICER))
    assert response.status_code == 404 and response.json()["error"] == "not_found"


async def test_the_route_is_in_the_published_contract(app: FastAPI) -> None:
    operation = app.openapi()["paths"][f"{API}/tickets/{{code}}/attachments/{{attachment_id}}"]["get"]
    assert operation["x-permission"] == "ticket.read"
    assert {"image/jpeg", "image/png", "audio/ogg", "audio/mp4"} <= set(operation["responses"]["200"]["content"])
    assert {"401", "403", "404", "422"} <= set(operation["responses"])
