"""The web chat's uploads through HTTP: photos and voice notes into the report flow, and every refusal."""

from __future__ import annotations

import hashlib
import shutil
import struct
import uuid
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from admin_api.context import context_of
from bot.channels.web import COOKIE, MAX_UPLOAD_BYTES, chat_ref_for
from casework.conversations.models import Conversation
from casework.files.storage import MAX_FILE_BYTES
from casework.outbox.models import OutboxMessage
from casework.tickets.models import Ticket, TicketAttachment

FILES = "/chat/files"
MESSAGES = "/chat/messages"


def png(width: int = 1, height: int = 1) -> bytes:
    """A real PNG of white pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PNG = png()
OGG = b"OggS\x00\x02" + bytes(20) + b"\x01\x13OpusHead\x01\x01" + bytes(40)


def cid() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def uploads(app: FastAPI) -> Path:
    """The application's upload directory, emptied (it is shared by the tests of the session)."""
    directory = context_of(app).uploads
    assert directory is not None
    shutil.rmtree(directory, ignore_errors=True)
    return directory


def stored_names(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir()) if directory.exists() else []


async def upload(
    browser: httpx.AsyncClient,
    data: bytes,
    *,
    client_id: str | None = None,
    name: str = "anh.jpg",
    content_type: str = "image/jpeg",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    return await browser.post(
        FILES,
        data={"client_id": client_id or cid()},
        files={"file": (name, data, content_type)},
        headers=headers,
    )


async def post(browser: httpx.AsyncClient, **what: str) -> dict[str, Any]:
    response = await browser.post(MESSAGES, json={"client_id": cid(), **what})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def text_of(body: dict[str, Any]) -> str:
    return "\n".join(message["text"] for message in body["messages"])


async def tap(browser: httpx.AsyncClient, last: dict[str, Any], label: str) -> dict[str, Any]:
    found = [b["data"] for m in last["messages"] for b in m["buttons"] if label in b["text"]]
    assert len(found) == 1, (label, last)
    return await post(browser, payload=found[0])


async def start_report(browser: httpx.AsyncClient) -> dict[str, Any]:
    """Open the chat and walk the report flow to the step that takes text, photos and voice."""
    menu = await post(browser, text="/start")
    kinds = await tap(browser, menu, "Gửi phản ánh")
    picker = await tap(browser, kinds, "Phản ánh, kiến nghị")
    if any(b["text"] == "Không rõ" for m in picker["messages"] for b in m["buttons"]):
        matches = await post(browser, text="ha lang")
        picker = await tap(browser, matches, "Xã Hạ Lang")
    assert "kể lại sự việc" in text_of(picker)
    return picker


async def finish_report(browser: httpx.AsyncClient, last: dict[str, Any]) -> dict[str, Any]:
    for label in ("Tiếp tục", "Không để lại số", "Không cần giữ kín", "Gửi"):
        last = await tap(browser, last, label)
    return last


async def count(sessions: async_sessionmaker[AsyncSession], model: type[Any]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def draft_files(sessions: async_sessionmaker[AsyncSession], chat_ref: str) -> list[dict[str, Any]]:
    async with sessions() as session:
        conversation = await session.scalar(select(Conversation).where(Conversation.chat_ref == chat_ref))
    assert conversation is not None
    files: list[dict[str, Any]] = conversation.state.get("data", {}).get("files", [])
    return files


# Into the report flow


async def test_a_photo_in_a_report_reaches_the_ticket_with_a_web_ref_and_the_bytes_on_disk(
    browser: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], uploads: Path
) -> None:
    await start_report(browser)
    response = await upload(browser, PNG, name="../../ảnh của tôi.html", content_type="text/html")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert "Đã nhận ảnh (1/10)" in text_of(body)
    sent = await finish_report(browser, body)
    assert "Đã gửi" in text_of(sent)

    digest = hashlib.sha256(PNG).hexdigest()
    async with sessions() as session:
        [attachment] = (await session.scalars(select(TicketAttachment))).all()
        ticket = await session.get(Ticket, attachment.ticket_id)
    assert ticket is not None and ticket.chat_ref == chat_ref_for(browser.cookies[COOKIE])
    # The type and the name come from the bytes, never from the client.
    assert attachment.file_ref == f"web:{digest}.png"
    assert (attachment.mime_type, attachment.size_bytes, attachment.file_name) == ("image/png", len(PNG), None)
    assert stored_names(uploads) == [f"{digest}.png"]
    assert (uploads / f"{digest}.png").read_bytes() == PNG


async def test_a_voice_note_is_taken_as_a_voice_note(
    browser: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], uploads: Path
) -> None:
    await start_report(browser)
    response = await upload(browser, OGG, name="ghi-am.jpg", content_type="image/jpeg")
    assert response.status_code == 200, response.text
    assert "Đã nhận ghi âm (1/10)" in text_of(response.json())
    [entry] = await draft_files(sessions, chat_ref_for(browser.cookies[COOKIE]))
    assert entry["kind"] == "voice" and entry["mime_type"] == "audio/ogg"
    assert entry["file_ref"] == f"web:{hashlib.sha256(OGG).hexdigest()}.ogg"
    assert (uploads / entry["file_ref"].removeprefix("web:")).read_bytes() == OGG


async def test_a_repeated_upload_with_the_same_client_id_creates_nothing_new(
    browser: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], uploads: Path
) -> None:
    await start_report(browser)
    client_id = cid()
    first = await upload(browser, PNG, client_id=client_id)
    assert "Đã nhận ảnh (1/10)" in text_of(first.json())
    rows = await count(sessions, OutboxMessage)
    again = await upload(browser, PNG, client_id=client_id)
    assert again.status_code == 200 and again.json() == {"messages": []}
    assert await count(sessions, OutboxMessage) == rows
    assert len(await draft_files(sessions, chat_ref_for(browser.cookies[COOKIE]))) == 1
    assert stored_names(uploads) == [f"{hashlib.sha256(PNG).hexdigest()}.png"]


async def test_the_same_photo_twice_is_one_file_on_disk(
    browser: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], uploads: Path
) -> None:
    await start_report(browser)
    await upload(browser, PNG)
    second = await upload(browser, PNG)
    assert "Đã nhận ảnh (2/10)" in text_of(second.json())
    assert len(await draft_files(sessions, chat_ref_for(browser.cookies[COOKIE]))) == 2
    assert len(stored_names(uploads)) == 1


async def test_a_file_the_flow_does_not_expect_gets_the_polite_reply_and_is_not_kept(
    browser: httpx.AsyncClient, uploads: Path
) -> None:
    await post(browser, text="/start")
    response = await upload(browser, PNG)
    assert response.status_code == 200, response.text
    assert "không lưu tệp bạn vừa gửi" in text_of(response.json())
    assert stored_names(uploads) == []  # not even a temporary file


# Refusals


async def test_a_file_over_the_limit_is_413_declared_or_streamed(browser: httpx.AsyncClient, uploads: Path) -> None:
    await post(browser, text="/start")
    big = PNG + bytes(MAX_FILE_BYTES)
    declared = await upload(browser, big)
    assert declared.status_code == 413, declared.text
    assert declared.json()["error"] == "payload_too_large" and "detail" in declared.json()

    boundary = "ranh-gioi"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="client_id"\r\n\r\n{cid()}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n'
        ).encode()
        + PNG
        + bytes(MAX_UPLOAD_BYTES)
    )  # never closed: counted, not parsed, to the limit

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 256 * 1024):
            yield body[start : start + 256 * 1024]

    streamed = await browser.post(
        FILES, content=chunks(), headers={"content-type": f"multipart/form-data; boundary={boundary}"}
    )
    assert streamed.status_code == 413 and streamed.json()["error"] == "payload_too_large"
    assert stored_names(uploads) == []


async def test_a_file_just_over_the_limit_inside_an_allowed_body_is_413(
    browser: httpx.AsyncClient, uploads: Path
) -> None:
    await post(browser, text="/start")
    data = PNG + bytes(MAX_FILE_BYTES - len(PNG) + 1)
    assert len(data) + 1024 < MAX_UPLOAD_BYTES  # the form fits; the file itself does not
    response = await upload(browser, data)
    assert response.status_code == 413 and response.json()["error"] == "payload_too_large"
    assert stored_names(uploads) == []


@pytest.mark.parametrize(
    "data",
    [
        b"Xin chao, day la mot tep van ban.\n",
        b"<html><script>alert(1)</script></html>",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b"%PDF-1.7\n",
        b"PK\x03\x04" + bytes(40),
        b"\x00\x00\x00\x1cftypqt  " + bytes(40),  # a QuickTime video
    ],
)
async def test_anything_but_a_photo_or_a_recording_is_415_whatever_its_name(
    browser: httpx.AsyncClient, uploads: Path, data: bytes
) -> None:
    await post(browser, text="/start")
    response = await upload(browser, data, name="anh.jpg", content_type="image/jpeg")
    assert response.status_code == 415, response.text
    assert response.json()["error"] == "unsupported_media_type"
    assert stored_names(uploads) == []


async def test_without_the_chat_cookie_nothing_is_stored_and_no_cookie_is_set(
    browser: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], uploads: Path
) -> None:
    response = await upload(browser, PNG)
    assert response.status_code == 403
    assert response.json()["error"] == "no_chat"
    assert "set-cookie" not in response.headers
    assert await count(sessions, Conversation) == 0
    assert stored_names(uploads) == []
    browser.cookies.set(COOKIE, "../../etc/passwd")
    forged = await upload(browser, PNG)
    assert forged.status_code == 403 and "set-cookie" not in forged.headers


async def test_a_cross_site_post_is_refused(browser: httpx.AsyncClient, uploads: Path) -> None:
    await post(browser, text="/start")
    for site in ("cross-site", "same-site"):
        response = await upload(browser, PNG, headers={"Sec-Fetch-Site": site})
        assert response.status_code == 403 and response.json()["error"] == "cross_site"
    same = await upload(browser, PNG, headers={"Sec-Fetch-Site": "same-origin"})
    assert same.status_code == 200
    assert stored_names(uploads) == []  # not in a report: not kept


async def test_bad_forms_are_refused_with_a_4xx(browser: httpx.AsyncClient, uploads: Path) -> None:
    await post(browser, text="/start")
    as_json = await browser.post(FILES, json={"client_id": cid(), "file": "iVBORw0KGgo="})
    assert as_json.status_code == 415 and as_json.json()["error"] == "unsupported_media_type"
    no_id = await browser.post(FILES, files={"file": ("a.png", PNG, "image/png")})
    assert no_id.status_code == 422 and no_id.json()["detail"] == {"fields": ["client_id"]}
    bad_id = await upload(browser, PNG, client_id="0912345678")
    assert bad_id.status_code == 422 and bad_id.json()["detail"] == {"fields": ["client_id"]}
    assert "0912345678" not in bad_id.text
    no_file = await browser.post(FILES, data={"client_id": cid()}, files={"other": ("a", b"", "text/plain")})
    assert no_file.status_code in {400, 422}
    empty = await upload(browser, b"")
    assert empty.status_code == 422 and empty.json()["detail"] == {"fields": ["file"]}
    two = await browser.post(
        FILES, data={"client_id": cid()}, files=[("file", ("a.png", PNG, "image/png")), ("file", ("b.png", PNG, "x"))]
    )
    assert two.status_code == 400 and two.json()["error"] == "invalid_form"
    no_boundary = await browser.post(FILES, content=PNG, headers={"content-type": "multipart/form-data"})
    assert no_boundary.status_code == 400
    assert stored_names(uploads) == []


async def test_wrong_methods_on_the_files_endpoint_are_405(browser: httpx.AsyncClient) -> None:
    assert (await browser.get(FILES)).status_code == 405
    assert (await browser.delete(FILES)).status_code == 405


async def test_a_nearly_full_disk_is_a_503_and_the_same_upload_goes_through_later(
    browser: httpx.AsyncClient, uploads: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await start_report(browser)
    real = shutil.disk_usage
    monkeypatch.setattr(shutil, "disk_usage", lambda path: real(path)._replace(free=1024))
    client_id = cid()
    full = await upload(browser, PNG, client_id=client_id)
    assert full.status_code == 503 and full.json()["error"] == "unavailable"
    assert stored_names(uploads) == []
    monkeypatch.setattr(shutil, "disk_usage", real)
    later = await upload(browser, PNG, client_id=client_id)  # the page's retry: nothing was recorded
    assert "Đã nhận ảnh (1/10)" in text_of(later.json())
