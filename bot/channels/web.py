"""The web chat: one Vietnamese page at ``/`` and the JSON endpoint it talks to, for any phone's browser.

The page (``static/``: one HTML file, one stylesheet, one script, inlined into a single response of
a few kilobytes; no CDN, no build step, no web fonts) sends each message with ``POST /chat/messages``
and polls ``GET /chat/messages`` for what officials send later.

The visitor
    An anonymous cookie (``caunoi_chat``: random, HttpOnly, SameSite=Lax) names the chat; the
    conversation's ``chat_ref`` is a SHA-256 digest of it (``chat_ref_for``), so the references kept
    with tickets and messages cannot be used to open the chat. It is personal data: never logged. A cookie that is
    missing or malformed gets a new one on the next POST (a GET without one just finds nothing).
    Requests must be ``application/json``, which a cross-site form cannot send without a CORS
    preflight, and Lax keeps the cookie off cross-site POSTs: no CSRF token is needed.

One message
    ``{"client_id": uuid, "text": "…"}`` or ``{"client_id": uuid, "payload": "…"}`` (a button's data)
    becomes ``Event(channel=web, chat_ref, update_id=client_id, …)``; ``bot.engine.handle`` runs it
    and, in the same transaction, ``casework.outbox.pull.take_for_chat`` takes every pending row of
    the chat (this turn's replies and whatever an official sent meanwhile) and marks them sent. The
    answer is ``{"messages": [{"id", "kind", "text", "buttons": [{"text", "data"}]}]}``, the text in
    the bot's markup (the page escapes it, then renders ``**bold**``, "- " lists and links). The page
    retries a failed send with the same ``client_id``: the engine's processed-update record makes the
    retry create nothing, and the retry returns what is pending.

One file
    ``POST /chat/files`` takes ``multipart/form-data`` with ``client_id`` (the same scheme) and one
    ``file``: a photo or a voice note of at most 8 MB (``casework.files.storage.MAX_FILE_BYTES``;
    413 over it), whose format is read from its bytes (``casework.files.formats``; 415 for anything
    else; the client's content type and file name are never used). The bytes are written to a
    temporary file under ``WebChat.uploads`` and handed to the engine as an ``Attachment`` with
    ``file_ref="web:<sha256>.<ext>"``, in the same transaction and with the same answer as a
    message. If the dialogue took the file (a report's draft or a ticket now names it), it is
    renamed into place before the commit; otherwise (the engine's polite "not here") it is deleted.
    Unlike a message, a file needs the chat's cookie (403 ``no_chat`` without one, and no new
    cookie): a multipart form, unlike JSON, can be posted by another site, and a new cookie would
    replace the visitor's chat. A request the browser marks as cross-site (``Sec-Fetch-Site``) is
    refused (403) for the same reason.

Bad input is a 4xx in the API's error shape ``{"error": code, "detail": …}``: a body that is not
JSON (400), not ``application/json`` (415), over 64 KB (413), without a valid ``client_id`` or with
both or neither of ``text`` and ``payload`` (422). A database that does not answer is a 503.

Delivery
    Web and terminal rows are delivered by pull, never by a dispatcher: a dispatcher for a
    platform (Telegram, Zalo) must claim only its own channel's rows and leave ``PULL_CHANNELS``
    (``casework.outbox.pull``) to the citizen's own requests. A row of a page nobody opens again
    stays pending (it is still visible in the ticket's history for the officials).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import re
import secrets
import uuid
from collections.abc import AsyncGenerator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from bot.engine import Deps, handle
from bot.events import Attachment, AttachmentKind, ButtonPress, Event, Input, text_or_command
from casework.channels import Channel
from casework.database import writing
from casework.files import storage as file_store
from casework.files.errors import FileTooLarge, UnsupportedFile
from casework.files.service import is_referenced
from casework.outbox.models import OutboxMessage
from casework.outbox.pull import take_for_chat

log = logging.getLogger(__name__)

STATE_KEY = "web_chat"
COOKIE = "caunoi_chat"
COOKIE_MAX_AGE = 180 * 24 * 3600  # renewed with every message; long enough to follow a ticket to its answer
MAX_BODY_BYTES = 64 * 1024  # a 10,000-character message, even \u-escaped, must reach the engine's polite refusal
MAX_TEXT_CHARS = 20_000
MAX_PAYLOAD_CHARS = 256  # ours are <= 64 bytes; a longer one is forged, and the engine says so
MAX_BATCH = 50  # rows handed out per request; the page polls again for the rest
_COOKIE_VALUE = re.compile(r"^[A-Za-z0-9_-]{32}$")
_STATIC = Path(__file__).with_name("static")
NO_STORE = {"Cache-Control": "no-store"}


@dataclass(frozen=True, slots=True)
class WebChat:
    """What the web chat needs from the process: the database and the engine's dependencies."""

    sessions: async_sessionmaker[AsyncSession]
    deps: Deps
    uploads: Path  # where citizens' photos and voice notes are kept (``casework.files.storage``)

    def writing(self) -> AbstractAsyncContextManager[object]:
        """The process's turn to write (``casework.database.writing``: SQLite has one writer)."""
        return writing(self.sessions)


def attach(app: FastAPI, chat: WebChat) -> None:
    """Make the web chat's dependencies available to its routes on this application (in the lifespan)."""
    setattr(app.state, STATE_KEY, chat)


def _chat_of(request: Request) -> WebChat:
    chat = getattr(request.app.state, STATE_KEY, None)
    if not isinstance(chat, WebChat):
        raise RuntimeError("the web chat has no context: attach it in the application's lifespan")
    return chat


class Incoming(BaseModel):
    """One message from the page: typed text, or the data of a tapped button."""

    model_config = ConfigDict(extra="forbid")

    client_id: uuid.UUID
    text: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    payload: str | None = Field(default=None, min_length=1, max_length=MAX_PAYLOAD_CHARS)

    @model_validator(mode="after")
    def _exactly_one(self) -> Incoming:
        if (self.text is None) == (self.payload is None):
            raise ValueError("send either text or payload")
        return self

    def input(self) -> Input:
        if self.payload is not None:
            return ButtonPress(self.payload)
        return text_or_command(self.text or "")


def _error(status: int, code: str, detail: Any) -> JSONResponse:
    return JSONResponse({"error": code, "detail": detail}, status_code=status, headers=NO_STORE)


def _render(rows: list[OutboxMessage]) -> JSONResponse:
    messages = [
        {
            "id": row.id,
            "kind": str(row.kind),
            "text": row.payload.get("text", ""),
            "buttons": [{"text": b["text"], "data": b["data"]} for b in row.payload.get("buttons", [])],
        }
        for row in rows
    ]
    return JSONResponse({"messages": messages}, headers=NO_STORE)


def _visitor(request: Request) -> str | None:
    """The visitor's cookie, if it is one we could have set."""
    value = request.cookies.get(COOKIE, "")
    return value if _COOKIE_VALUE.match(value) else None


def chat_ref_for(cookie: str) -> str:
    """The conversation's ``chat_ref`` for a visitor's cookie: a digest, so what is stored is not the key.

    Tickets and outbox rows carry the ``chat_ref``; were it the cookie itself, anyone who can read
    them (a database dump, a log of rows) could send and read as the citizen.
    """
    return "w-" + hashlib.sha256(cookie.encode("ascii")).hexdigest()[:40]


def _chat_ref(request: Request) -> str | None:
    cookie = _visitor(request)
    return chat_ref_for(cookie) if cookie is not None else None


def _set_cookie(request: Request, response: Response, cookie: str) -> None:
    response.set_cookie(
        COOKIE,
        cookie,
        max_age=COOKIE_MAX_AGE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


async def _read_json(request: Request) -> Any | JSONResponse:
    """The request's JSON body, or the 4xx that refuses it."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        return _error(415, "unsupported_media_type", "send the message as application/json")
    declared = request.headers.get("content-length", "")
    too_large = _error(413, "payload_too_large", f"the request body exceeds {MAX_BODY_BYTES} bytes")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return too_large
    try:
        return json.loads(body)
    except ValueError:  # includes UnicodeDecodeError
        return _error(400, "invalid_json", "the body is not valid JSON")


def _validation_error(error: ValidationError) -> JSONResponse:
    # Name the fields, never echo the input (it may be a phone number or a name).
    fields = sorted({".".join(str(part) for part in item["loc"]) or "body" for item in error.errors()})
    return _error(422, "validation_failed", {"fields": fields})


def _page() -> tuple[bytes, str]:
    """The page with its stylesheet and script inlined, and the Content-Security-Policy that allows just them."""
    html = (_STATIC / "index.html").read_text(encoding="utf-8")
    css = (_STATIC / "chat.css").read_text(encoding="utf-8")
    script = (_STATIC / "chat.js").read_text(encoding="utf-8")

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    page = html.replace("/*STYLE*/", css).replace("/*SCRIPT*/", script)
    policy = (
        f"default-src 'none'; script-src {digest(script)}; style-src {digest(css)}; connect-src 'self'; "
        "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
    return page.encode(), policy


def build_router() -> APIRouter:
    """The page at ``/``, ``/chat/messages`` and ``/chat/files``; the context comes from ``attach``."""
    router = APIRouter(include_in_schema=False)
    page, policy = _page()
    page_headers = {"Content-Security-Policy": policy, "Cache-Control": "no-cache"}

    @router.get("/")
    async def index() -> Response:
        return HTMLResponse(page, headers=page_headers)

    @router.post("/chat/messages")
    async def post_message(request: Request) -> Response:
        chat = _chat_of(request)
        body = await _read_json(request)
        if isinstance(body, JSONResponse):
            return body
        if not isinstance(body, dict):
            return _error(422, "validation_failed", {"fields": ["body"]})
        try:
            incoming = Incoming.model_validate(body)
        except ValidationError as error:
            return _validation_error(error)
        cookie = _visitor(request) or secrets.token_urlsafe(24)
        event = Event(
            Channel.WEB, chat_ref_for(cookie), str(incoming.client_id), incoming.input(), received_at=chat.deps.now()
        )
        rows = await _turn(chat, event)
        if rows is None:
            return _error(503, "unavailable", "the service is busy; please send again in a moment")
        response = _render(rows)
        _set_cookie(request, response, cookie)
        return response

    @router.post("/chat/files")
    async def post_file(request: Request) -> Response:
        return await _post_file(request)

    @router.get("/chat/messages")
    async def get_messages(request: Request) -> Response:
        chat = _chat_of(request)
        chat_ref = _chat_ref(request)
        if chat_ref is None:
            return _render([])
        rows = await _take(chat, chat_ref)
        if rows is None:
            return _error(503, "unavailable", "the service is busy; please try again in a moment")
        return _render(rows)

    return router


async def _turn(chat: WebChat, event: Event) -> list[OutboxMessage] | None:
    """Handle the event and take the chat's pending rows in one transaction; None if the database failed."""
    async with chat.writing(), chat.sessions() as session:
        try:
            await handle(session, event, deps=chat.deps)
            rows = await take_for_chat(
                session, channel=Channel.WEB, chat_ref=event.chat_ref, limit=MAX_BATCH, look_first=False
            )
            await session.commit()
        except SQLAlchemyError as error:
            await session.rollback()
            log.warning("web chat: the database failed: %s", type(error).__name__)
            return None
    return rows


async def _take(chat: WebChat, chat_ref: str) -> list[OutboxMessage] | None:
    async with chat.sessions() as session:
        try:
            rows = await take_for_chat(session, channel=Channel.WEB, chat_ref=chat_ref, limit=MAX_BATCH)
            await session.commit()
        except SQLAlchemyError as error:
            await session.rollback()
            log.warning("web chat: the database failed: %s", type(error).__name__)
            return None
    return rows


# Files: kept apart from the message path above.

MAX_UPLOAD_BYTES = file_store.MAX_FILE_BYTES + 16 * 1024  # the file and the form around it
UNSUPPORTED_FILE = "send a photo (JPEG, PNG, WebP, HEIC) or a voice recording (OGG, M4A, 3GP, AMR, MP3, AAC, WAV, WebM)"


class _UploadTooLarge(Exception):
    """The streamed body went over ``MAX_UPLOAD_BYTES``."""


def _file_too_large() -> JSONResponse:
    return _error(413, "payload_too_large", f"the file exceeds {file_store.MAX_FILE_BYTES} bytes")


async def _post_file(request: Request) -> Response:
    """One photo or voice note from the page: checked, staged, and handed to the engine like a message."""
    chat = _chat_of(request)
    if request.headers.get("sec-fetch-site", "same-origin") != "same-origin":
        return _error(403, "cross_site", "files are accepted from the chat page only")
    cookie = _visitor(request)
    if cookie is None:
        return _error(403, "no_chat", "open the chat first: a file joins a conversation, and the cookie is missing")
    upload = await _read_upload(request)
    if isinstance(upload, JSONResponse):
        return upload
    client_id, data = upload
    try:
        staged = await asyncio.to_thread(file_store.stage, chat.uploads, data)
    except FileTooLarge:
        return _file_too_large()
    except UnsupportedFile:
        return _error(415, "unsupported_media_type", UNSUPPORTED_FILE)
    except OSError as error:
        log.warning("web chat: an upload could not be written: %s", type(error).__name__)
        return _error(503, "unavailable", "the file could not be stored; please send it again in a moment")
    stored = staged.file
    attachment = Attachment(
        AttachmentKind(stored.type.kind.value),
        stored.ref,
        mime_type=stored.type.mime_type,
        size_bytes=stored.size_bytes,
    )
    event = Event(Channel.WEB, chat_ref_for(cookie), str(client_id), attachment, received_at=chat.deps.now())
    rows = await _file_turn(chat, event, staged)
    if rows is None:
        return _error(503, "unavailable", "the service is busy; please send again in a moment")
    response = _render(rows)
    _set_cookie(request, response, cookie)
    return response


async def _read_upload(request: Request) -> tuple[uuid.UUID, bytes] | JSONResponse:
    """The form's ``client_id`` and the file's bytes, or the 4xx that refuses the request."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != "multipart/form-data":
        return _error(415, "unsupported_media_type", "send the file as multipart/form-data")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES:
        return _file_too_large()
    parser = MultiPartParser(request.headers, _capped(request), max_files=1, max_fields=1, max_part_size=1024)
    try:
        form = await parser.parse()
    except _UploadTooLarge:
        return _file_too_large()
    except MultiPartException:
        return _error(400, "invalid_form", "send one form field client_id and one file")
    try:
        raw_id, file = form.get("client_id"), form.get("file")
        client_id = _uuid(raw_id) if isinstance(raw_id, str) else None
        missing = [name for name, ok in (("client_id", client_id), ("file", isinstance(file, UploadFile))) if not ok]
        if client_id is None or not isinstance(file, UploadFile):
            return _error(422, "validation_failed", {"fields": missing})
        data = await file.read()
    finally:
        await form.close()
    if not data:
        return _error(422, "validation_failed", {"fields": ["file"]})
    return client_id, data


async def _capped(request: Request) -> AsyncGenerator[bytes, None]:
    """The request body, stopped with _UploadTooLarge once it passes ``MAX_UPLOAD_BYTES``."""
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > MAX_UPLOAD_BYTES:
            raise _UploadTooLarge()
        yield chunk


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


async def _file_turn(chat: WebChat, event: Event, staged: file_store.StagedFile) -> list[OutboxMessage] | None:
    """``_turn`` for a file: the file is kept before the commit if the dialogue took it, else deleted."""
    try:
        async with chat.writing(), chat.sessions() as session:
            try:
                await handle(session, event, deps=chat.deps)
                # Renamed into place before the commit: a committed reference always finds its file.
                if await is_referenced(session, ref=staged.file.ref, channel=event.channel, chat_ref=event.chat_ref):
                    await asyncio.to_thread(staged.keep)
                rows = await take_for_chat(
                    session, channel=Channel.WEB, chat_ref=event.chat_ref, limit=MAX_BATCH, look_first=False
                )
                await session.commit()
            except (SQLAlchemyError, OSError) as error:
                await session.rollback()
                log.warning("web chat: a file could not be handled: %s", type(error).__name__)
                return None
    finally:
        staged.discard()  # the temporary file, if the dialogue did not take it (never the kept copy)
    return rows
