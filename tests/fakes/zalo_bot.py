"""A fake Zalo Bot platform API (the Telegram-like bot API launched in 2025), over real HTTP.

Mimics /work/shared/docs/channels.md §3a: ``POST /bot<token>/<method>`` with a JSON body and the
``{ok, result}`` / ``{ok: false, error_code, description}`` envelope; getMe, sendMessage (1-2000
characters), sendPhoto, sendSticker, sendChatAction; setWebhook with an 8-256 character secret sent
back as ``X-Bot-Api-Secret-Token``; getWebhookInfo answering 404 without a webhook; getUpdates
returning ONE update per call (no update ids) and HTTP 408 when a long poll times out. Answer shapes
follow the platform's published samples (``message_id`` a hex string, ``date`` in milliseconds).

The platform documents no 403 for a blocked user nor a conflict code for getUpdates with a
webhook; the fake's choices (403 and 409, Telegram's) are marked where they are made.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.fakes.server import Call, FakePlatform, read_params

JSONDict = dict[str, Any]

MAX_TEXT_LENGTH = 2000
LONG_POLL_CAP = 2.0  # seconds
DEFAULT_BOT_ID = "1459232241454765289"


class ZaloBotError(Exception):
    """An error answer: ``{"ok": false, "error_code", "description"}``."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description

    def body(self) -> JSONDict:
        return {"ok": False, "error_code": self.status, "description": self.description}


def _now_ms() -> int:
    return int(time.time() * 1000)


class FakeZaloBot(FakePlatform):
    """The Zalo Bot API for one bot token, with recording and fault injection."""

    SEND_METHODS: ClassVar[frozenset[str]] = frozenset({"sendMessage", "sendPhoto", "sendSticker"})

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        bot_id = token.split(":", 1)[0]
        self.bot_id = bot_id if bot_id.isdigit() else DEFAULT_BOT_ID
        self._updates: list[JSONDict] = []
        self._webhook: JSONDict | None = None
        self._ids = itertools.count(1)
        self._handlers: dict[str, Callable[[JSONDict], Awaitable[Any]]] = {
            "getMe": self._get_me,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendSticker": self._send_sticker,
            "sendChatAction": self._send_chat_action,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "getUpdates": self._get_updates,
        }

    @property
    def webhook(self) -> JSONDict | None:
        """``{"url", "secret_token", "updated_at"}`` of the webhook set, or None."""
        with self._lock:
            return None if self._webhook is None else dict(self._webhook)

    @property
    def pending_updates(self) -> list[JSONDict]:
        with self._lock:
            return list(self._updates)

    def push_update(self, update: JSONDict) -> None:
        """Queue an update for getUpdates."""
        with self._lock:
            self._updates.append(update)

    def _default_description(self, status: int, retry_after: int | None) -> str:
        if status == 403:
            return "Forbidden: user has blocked the bot"  # the fake's wording; not documented
        return super()._default_description(status, retry_after)

    # -- HTTP ------------------------------------------------------------------------------------

    def _add_routes(self, app: FastAPI) -> None:
        @app.post("/bot{token}/{method}")
        async def bot_api(token: str, method: str, request: Request) -> JSONResponse:
            return await self._serve(token, method, request)

    async def _serve(self, token: str, method: str, request: Request) -> JSONResponse:
        arrived = time.monotonic()
        params: JSONDict = {}
        try:
            params = await read_params(request)
            if token != self.token:
                raise ZaloBotError(401, "Unauthorized")
            if method not in self._handlers:
                raise ZaloBotError(404, "Not Found")
            fault = self._take_fault(method)
            if fault is not None:
                raise ZaloBotError(fault.status, fault.description)
            result = await self._handlers[method](params)
            status, body = 200, {"ok": True} if result is None else {"ok": True, "result": result}
        except ZaloBotError as error:
            status, body = error.status, error.body()
        except ValueError:
            status, body = 400, ZaloBotError(400, "Bad Request: invalid JSON body").body()
        chat = None if params.get("chat_id") is None else str(params["chat_id"])
        await self._finish(Call(method, params, arrived, status, status == 200, chat, body))
        return JSONResponse(body, status_code=status)

    # -- methods ---------------------------------------------------------------------------------

    async def _get_me(self, params: JSONDict) -> JSONDict:
        return {"id": self.bot_id, "account_name": "bot.caunoi", "account_type": "BASIC", "can_join_groups": False}

    async def _send_message(self, params: JSONDict) -> JSONDict:
        chat = _required(params, "chat_id")
        _checked_text(params.get("text"), required=True)
        return self._sent_to(chat)

    async def _send_photo(self, params: JSONDict) -> JSONDict:
        chat = _required(params, "chat_id")
        _required(params, "photo")
        _checked_text(params.get("caption"), required=False)
        return self._sent_to(chat)

    async def _send_sticker(self, params: JSONDict) -> JSONDict:
        chat = _required(params, "chat_id")
        _required(params, "sticker")
        return self._sent_to(chat)

    async def _send_chat_action(self, params: JSONDict) -> None:
        _required(params, "chat_id")
        _required(params, "action")
        return None  # the platform answers a bare {"ok": true}

    def _sent_to(self, chat: Any) -> JSONDict:
        if self._is_blocked(str(chat)):
            raise ZaloBotError(403, self._default_description(403, None))
        return {"message_id": secrets.token_hex(10), "date": _now_ms()}

    async def _set_webhook(self, params: JSONDict) -> JSONDict:
        url, secret = str(_required(params, "url")), str(_required(params, "secret_token"))
        if not 8 <= len(secret) <= 256:
            raise ZaloBotError(400, "Bad Request: secret_token must be 8-256 characters")
        webhook = {"url": url, "secret_token": secret, "updated_at": _now_ms()}
        with self._lock:
            self._webhook = webhook
        return {"url": url, "updated_at": webhook["updated_at"]}

    async def _delete_webhook(self, params: JSONDict) -> JSONDict:
        with self._lock:
            self._webhook = None
        return {"url": "", "updated_at": _now_ms()}

    async def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        webhook = self.webhook
        if webhook is None:
            raise ZaloBotError(404, "Not Found")
        return {"url": webhook["url"], "updated_at": webhook["updated_at"]}

    async def _get_updates(self, params: JSONDict) -> JSONDict:
        deadline = time.monotonic() + min(float(params.get("timeout") or 30), LONG_POLL_CAP)
        while True:
            with self._lock:
                if self._webhook is not None:  # 409 is the fake's choice; the platform's code is undocumented
                    raise ZaloBotError(409, "Conflict: webhook is active; use deleteWebhook before getUpdates")
                if self._updates:
                    return self._updates.pop(0)
            if time.monotonic() >= deadline:
                raise ZaloBotError(408, "Request timeout")
            await asyncio.sleep(0.02)

    # -- update builders ---------------------------------------------------------------------------

    def _update(self, event: str, chat_id: str, user_id: str | None, display_name: str, **fields: Any) -> JSONDict:
        message = {
            "message_id": f"{next(self._ids):04x}{secrets.token_hex(8)}",
            "from": {"id": user_id or chat_id, "display_name": display_name, "is_bot": False},
            "chat": {"id": chat_id, "chat_type": "PRIVATE"},
            "date": _now_ms(),
            **fields,
        }
        return {"event_name": event, "message": message}

    def text_update(
        self, chat_id: str, text: str, *, user_id: str | None = None, display_name: str = "Bà Nông"
    ) -> JSONDict:
        return self._update("message.text.received", chat_id, user_id, display_name, text=text)

    def image_update(
        self,
        chat_id: str,
        *,
        photo_url: str,
        caption: str = "",
        user_id: str | None = None,
        display_name: str = "Bà Nông",
    ) -> JSONDict:
        event = "message.image.received"
        return self._update(event, chat_id, user_id, display_name, photo_url=photo_url, caption=caption)

    def sticker_update(
        self, chat_id: str, *, sticker: str = "0e078a2fb66a5f34067b", user_id: str | None = None
    ) -> JSONDict:
        return self._update("message.sticker.received", chat_id, user_id, "Bà Nông", sticker=sticker)

    def unsupported_update(self, chat_id: str, *, user_id: str | None = None) -> JSONDict:
        return self._update("message.unsupported.received", chat_id, user_id, "Bà Nông")

    @staticmethod
    def deliver(
        webhook_url: str,
        update: JSONDict,
        *,
        secret: str | None = None,
        timeout: float = 10.0,
        client: httpx.Client | None = None,
    ) -> httpx.Response:
        """POST an update to a webhook as the platform does (flat JSON body, ``X-Bot-Api-Secret-Token``)."""
        headers = {"X-Bot-Api-Secret-Token": secret} if secret is not None else {}
        return (client.post if client else httpx.post)(webhook_url, json=update, headers=headers, timeout=timeout)


def _required(params: JSONDict, name: str) -> Any:
    value = params.get(name)
    if value is None or value == "":
        raise ZaloBotError(400, f"Bad Request: {name} is required")
    return value


def _checked_text(text: Any, *, required: bool) -> None:
    if text is None or text == "":
        if required:
            raise ZaloBotError(400, "Bad Request: text is empty")
        return
    if len(str(text)) > MAX_TEXT_LENGTH:
        raise ZaloBotError(400, "Bad Request: text too long")
