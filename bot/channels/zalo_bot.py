"""The Zalo Bot platform: a Telegram-like HTTP API (``POST {api}/bot{token}/{method}``, JSON), spoken with httpx.

In
    ``parse`` reads one update (``message.text.received``, ``message.image.received``, stickers and
    the rest as empty text, which the engine answers politely). The platform has no update ids:
    an update is known by its event name and message id. Webhook ``POST /webhooks/zalo-bot`` checks
    ``X-Bot-Api-Secret-Token`` in constant time; the body is the update, sometimes wrapped as
    ``{"ok", "result"}``. ``ZaloBotPoller`` calls ``getUpdates``, which returns one update per call
    and answers 408 when none came during the long poll.

Out
    No buttons are assumed: choices are a numbered list ("Trả lời 1, 2 hoặc 3.") and the engine
    takes the number back. Text is plain, split at 2,000 characters.

Facts and sources: ``../shared/docs/channels.md`` §3a. The API host differs between sources, so it
is a setting (``CAUNOI_ZALO_BOT_API_URL``).
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from bot.channels.inbox import DatabaseUnavailable, Inbox, attached, error, secret_matches, unavailable
from bot.dispatcher import Outgoing, RateLimited, Rejected, Temporary, Unreachable
from bot.events import Attachment, AttachmentKind, Event, Input, Text, text_or_command
from bot.i18n import translator
from bot.replies import Button, Reply, render_numbered, split_text
from casework.channels import Channel
from knowledge.markup import render_markup

log = logging.getLogger(__name__)

STATE_KEY = "zalo_bot_channel"
WEBHOOK_PATH = "/webhooks/zalo-bot"
SECRET_HEADER = "X-Bot-Api-Secret-Token"  # noqa: S105 - a header name
TEXT_LIMIT = 2000
DEFAULT_API_URL = "https://bot-api.zaloplatforms.com"


class ZaloBotError(Exception):
    def __init__(self, status: int, description: str, retry_after: float | None = None) -> None:
        super().__init__(f"{status}: {description}")
        self.status = status
        self.description = description
        self.retry_after = retry_after


class ZaloBotApi:
    """The few methods Cầu Nối uses, over one pooled httpx client. The token never reaches a log."""

    def __init__(self, token: str, api_url: str = DEFAULT_API_URL, *, client: httpx.AsyncClient | None = None) -> None:
        self._base = f"{api_url.rstrip('/')}/bot{token}"
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=5.0))

    async def call(self, method: str, params: dict[str, Any] | None = None, *, timeout: float | None = None) -> Any:
        """The method's ``result``; ``ZaloBotError`` for an error envelope, ``httpx.HTTPError`` for the network."""
        request_timeout = httpx.Timeout(timeout + 10.0, connect=5.0) if timeout is not None else None
        response = await self._client.post(
            f"{self._base}/{method}", json=params or {}, timeout=request_timeout or httpx.USE_CLIENT_DEFAULT
        )
        try:
            body = response.json()
        except ValueError:
            raise ZaloBotError(response.status_code, "the answer is not JSON") from None
        if response.status_code == 200 and isinstance(body, dict) and body.get("ok"):
            return body.get("result")
        description = str(body.get("description", "")) if isinstance(body, dict) else ""
        parameters = body.get("parameters") if isinstance(body, dict) else None
        retry_after = parameters.get("retry_after") if isinstance(parameters, dict) else None
        status = int(body.get("error_code") or response.status_code) if isinstance(body, dict) else response.status_code
        raise ZaloBotError(status, description, float(retry_after) if retry_after else None)

    async def aclose(self) -> None:
        await self._client.aclose()


# -- in ----------------------------------------------------------------------------------------


def parse(update: Any) -> Event | None:
    """The engine's event for an update (flat or wrapped in ``result``), or None for what is not served."""
    if isinstance(update, dict) and "event_name" not in update and isinstance(update.get("result"), dict):
        update = update["result"]
    if not isinstance(update, dict):
        return None
    name, message = update.get("event_name"), update.get("message")
    if not isinstance(name, str) or not isinstance(message, dict):
        return None
    chat = message.get("chat") or {}
    sender = message.get("from") or {}
    message_id, chat_id = message.get("message_id"), chat.get("id")
    if not message_id or not chat_id or chat.get("chat_type", "PRIVATE") != "PRIVATE" or sender.get("is_bot"):
        return None
    return Event(
        channel=Channel.ZALO,
        chat_ref=str(chat_id),
        update_id=f"{name}:{message_id}"[:128],
        input=_input(name, message),
        message_ref=str(message_id),
    )


def _input(name: str, message: dict[str, Any]) -> Input:
    if name == "message.text.received":
        return text_or_command(str(message.get("text") or ""))
    if name == "message.image.received" and message.get("photo_url"):
        return Attachment(AttachmentKind.PHOTO, str(message["photo_url"]), str(message.get("caption") or ""))
    return Text("")  # a sticker or something the platform could not show us


# -- out ---------------------------------------------------------------------------------------


def render(message: Outgoing) -> list[str]:
    """Plain text parts of at most 2,000 characters, choices numbered at the end."""
    buttons = tuple(Button(button.text, button.data) for button in message.payload.buttons)
    text = render_numbered(Reply(message.payload.text, buttons), translator(message.language))
    return split_text(render_markup(text, ansi=False), TEXT_LIMIT)


class ZaloBotSender:
    channel = Channel.ZALO

    def __init__(self, api: ZaloBotApi) -> None:
        self.api = api

    async def prepare(self, message: Outgoing) -> list[str]:
        return render(message)

    async def send_part(self, message: Outgoing, part: str) -> str | None:
        try:
            result = await self.api.call("sendMessage", {"chat_id": message.chat_ref, "text": part})
        except ZaloBotError as failure:
            raise _outcome(failure) from failure
        except httpx.HTTPError as failure:
            raise Temporary(f"Zalo Bot: {type(failure).__name__}") from failure
        return str(result["message_id"]) if isinstance(result, dict) and result.get("message_id") else None


def _outcome(failure: ZaloBotError) -> Exception:
    if failure.status == 429:
        return RateLimited(failure.retry_after or 1.0, "Zalo Bot rate limit")
    if failure.status == 403:
        return Unreachable(f"Zalo Bot refused the chat: {failure.description}")
    if failure.status == 400:
        return Rejected(f"Zalo Bot rejected the message: {failure.description}")
    return Temporary(f"Zalo Bot: {failure}")  # 401/404 (token), 5xx: fixed by an operator or by time


# -- webhook and polling -----------------------------------------------------------------------


@dataclass(frozen=True)
class ZaloBotChannel:
    api: ZaloBotApi
    inbox: Inbox
    webhook_secret: str = ""

    async def receive(self, update: Any) -> bool:
        event = parse(update)
        if event is None:
            return False
        await self.inbox.accept(event)
        return True


def build_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.post(WEBHOOK_PATH)
    async def zalo_bot_webhook(request: Request) -> Response:
        channel: ZaloBotChannel = attached(request, STATE_KEY)
        if not secret_matches(request.headers.get(SECRET_HEADER), channel.webhook_secret):
            return error(403, "forbidden", "wrong or missing secret token")
        try:
            update = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            return error(400, "invalid_body", "the body is not JSON")
        if not isinstance(update, dict):
            return error(400, "invalid_body", "not a Zalo Bot update")
        try:
            await channel.receive(update)
        except DatabaseUnavailable:
            return unavailable()
        return JSONResponse({"ok": True})

    return router


class ZaloBotPoller:
    """``getUpdates``: one update per call, 408 when the long poll ends empty."""

    def __init__(self, channel: ZaloBotChannel, *, timeout: int = 25, pause: float = 2.0) -> None:
        self.channel = channel
        self.timeout = timeout
        self.pause = pause
        self._unhandled: Any = None  # an update received while the database was down: handled first

    async def poll_once(self) -> int:
        update = self._unhandled
        if update is None:
            try:
                update = await self.channel.api.call("getUpdates", {"timeout": self.timeout}, timeout=self.timeout)
            except ZaloBotError as failure:
                if failure.status != 408:
                    log.warning("zalo bot polling: %s", failure.status)
                    await asyncio.sleep(self.pause)
                return 0
            except httpx.HTTPError as failure:
                log.warning("zalo bot polling: %s", type(failure).__name__)
                await asyncio.sleep(self.pause)
                return 0
        try:
            await self.channel.receive(update)
        except DatabaseUnavailable:
            # The platform will not give it again: keep it and try again after a pause.
            self._unhandled = update
            await asyncio.sleep(self.pause)
            return 0
        self._unhandled = None
        return 1

    async def run(self) -> None:
        while True:
            await self.poll_once()
