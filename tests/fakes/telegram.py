"""A fake Telegram Bot API server: the subset our adapters and python-telegram-bot 22.x use.

Mimics, after /work/shared/docs/channels.md: the URL layout ``/bot<token>/<method>`` (§1.2); PTB's
form-urlencoded bodies with JSON-encoded non-string values, and the error bodies PTB maps to
``RetryAfter``/``Forbidden``/``BadRequest``/``InvalidToken``/``Conflict`` (§1.3); HTML parse mode,
4096 characters after entity parsing, 1-64 byte ``callback_data`` and the webhook secret token
(§1.5); the 429 body, 403 for a blocked bot, getUpdates offsets, the getUpdates/webhook conflict and
the flood limits 30 messages/s overall and 1/s per chat (§2).

Not mimicked: MarkdownV2 checks, ``entities`` in answers, groups and channels, editing limits.
"""

from __future__ import annotations

import asyncio
import html
import json
import math
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from tests.fakes.server import Call, FakePlatform, read_params

JSONDict = dict[str, Any]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
GLOBAL_SENDS_PER_SECOND = 30
CHAT_BURST = 3  # sends a chat may get at once before the 1/s per-chat limit bites
LONG_POLL_CAP = 2.0  # seconds; tests never want Telegram's 50 s polls
DEFAULT_FILE = b"\xff\xd8\xff" + bytes(1231)  # 1234 bytes that start like a JPEG

# Parameters Telegram takes as strings; PTB JSON-encodes every other non-string value in a form body.
_STRING_PARAMS = frozenset(
    {"text", "caption", "parse_mode", "url", "secret_token", "callback_query_id", "file_id", "action"}
    | {"ip_address", "photo", "document", "voice", "sticker", "emoji", "message_effect_id"}
)
_ALLOWED_TAGS: dict[str, frozenset[str]] = {
    **{name: frozenset() for name in ("b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "pre")},
    **{"tg-spoiler": frozenset(), "a": frozenset({"href"}), "code": frozenset({"class"})},
    **{"span": frozenset({"class"}), "blockquote": frozenset({"expandable"}), "tg-emoji": frozenset({"emoji-id"})},
}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*>")
_ATTRIBUTE = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?")
_ENTITY = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)
_DESCRIPTIONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden: bot was blocked by the user"}
_DESCRIPTIONS |= {404: "Not Found", 409: "Conflict"}


class TelegramError(Exception):
    """An error answer: ``{"ok": false, "error_code", "description"[, "parameters"]}``."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after

    def body(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def too_many_requests(retry_after: int) -> TelegramError:
    return TelegramError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


def parse_html(text: str) -> str:
    """Return the plain text of a message in Telegram's HTML mode; raise TelegramError where Telegram would."""

    def fail(problem: str, position: int) -> TelegramError:
        offset = len(text[:position].encode())
        return TelegramError(400, f"Bad Request: can't parse entities: {problem} at byte offset {offset}")

    plain: list[str] = []
    open_tags: list[str] = []
    position = 0
    while position < len(text):
        character = text[position]
        if character == "<":
            tag = _TAG.match(text, position)
            if tag is None:
                raise fail('Unescaped "<" or unclosed tag', position)
            closing, name, attributes = tag.group(1), tag.group(2).lower(), tag.group(3)
            if name not in _ALLOWED_TAGS:
                raise fail(f'Unsupported start tag "{name}"', position)
            if closing:
                if attributes.strip() or not open_tags or open_tags[-1] != name:
                    raise fail(f'Unexpected end tag "{name}"', position)
                open_tags.pop()
            else:
                values = {m.group(1).lower(): (m.group(2) or "").strip("\"'") for m in _ATTRIBUTE.finditer(attributes)}
                if not set(values) <= _ALLOWED_TAGS[name] or (name == "span" and values.get("class") != "tg-spoiler"):
                    raise fail(f'Unsupported attribute in tag "{name}"', position)
                open_tags.append(name)
            position = tag.end()
        elif character == ">":
            raise fail('Unescaped ">"', position)
        elif character == "&":
            entity = _ENTITY.match(text, position)
            if entity is None or (entity.group(1)[0] != "#" and entity.group(1) not in ("lt", "gt", "amp", "quot")):
                raise fail("Unsupported HTML entity", position)
            plain.append(html.unescape(entity.group(0)))
            position = entity.end()
        else:
            plain.append(character)
            position += 1
    if open_tags:
        raise TelegramError(
            400, f"Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"{open_tags[-1]}\""
        )
    return "".join(plain)


class FakeTelegram(FakePlatform):
    """The Telegram Bot API for one bot token, with recording, fault injection and optional flood limits."""

    SEND_METHODS: ClassVar[frozenset[str]] = frozenset({"sendMessage", "sendPhoto", "sendDocument"})

    def __init__(self, token: str, *, enforce_limits: bool = False) -> None:
        super().__init__()
        self.token = token
        self.enforce_limits = enforce_limits
        self.bot_user: JSONDict = {"id": int(token.split(":")[0]), "is_bot": True, "first_name": "Cầu Nối"}
        self.bot_user["username"] = "CauNoiTestBot"
        self._updates: list[JSONDict] = []
        self._update_id = 0
        self._garbled: list[str] = []
        self._message_ids: dict[str, int] = {}
        self._last_bot_message: dict[str, JSONDict] = {}
        self._webhook: JSONDict | None = None
        self._files: dict[str, bytes] = {}
        self._global_window: deque[float] = deque()
        self._chat_buckets: dict[str, tuple[float, float]] = {}  # chat -> (tokens, at)
        self._limit_violations = 0
        self._handlers: dict[str, Callable[[JSONDict], Awaitable[Any]]] = {
            "getMe": self._get_me,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendChatAction": self._send_chat_action,
            "answerCallbackQuery": self._answer_callback_query,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "getFile": self._get_file,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "getUpdates": self._get_updates,
        }
        self._method_names = {name.lower(): name for name in self._handlers}

    # -- test-side state ---------------------------------------------------------------------------

    @property
    def limit_violations(self) -> int:
        """Sends refused with 429 by ``enforce_limits``."""
        with self._lock:
            return self._limit_violations

    @property
    def webhook(self) -> JSONDict | None:
        """The parameters of the last setWebhook, or None."""
        with self._lock:
            return None if self._webhook is None else dict(self._webhook)

    @property
    def pending_updates(self) -> list[JSONDict]:
        with self._lock:
            return list(self._updates)

    def garble_next(self, method: str) -> None:
        """Serve the next call of ``method`` (a message is sent) but answer it with an unreadable result."""
        with self._lock:
            self._garbled.append(method)

    def _take_garble(self, method: str) -> bool:
        with self._lock:
            if method in self._garbled:
                self._garbled.remove(method)
                return True
            return False

    def push_update(self, update: JSONDict) -> None:
        """Queue an update for getUpdates."""
        with self._lock:
            self._updates.append(update)

    def add_file(self, file_id: str, content: bytes) -> None:
        """Serve ``content`` for getFile(file_id) and its download URL."""
        with self._lock:
            self._files[file_id] = content

    def _default_description(self, status: int, retry_after: int | None) -> str:
        if status == 429:
            return f"Too Many Requests: retry after {retry_after or 1}"
        return _DESCRIPTIONS.get(status) or super()._default_description(status, retry_after)

    # -- HTTP ------------------------------------------------------------------------------------

    def _add_routes(self, app: FastAPI) -> None:
        @app.api_route("/bot{token}/{method}", methods=["GET", "POST"])
        async def bot_api(token: str, method: str, request: Request) -> JSONResponse:
            return await self._serve(token, method, request)

        @app.get("/file/bot{token}/{path:path}")
        async def download(token: str, path: str) -> Response:
            if token != self.token:
                return JSONResponse(TelegramError(401, "Unauthorized").body(), status_code=401)
            file_id = path.rsplit("/", 1)[-1].removesuffix(".jpg")  # getFile answers photos/<file_id>.jpg
            with self._lock:
                content = self._files.get(file_id, DEFAULT_FILE)
            return Response(content, media_type="application/octet-stream")

    async def _serve(self, token: str, method: str, request: Request) -> JSONResponse:
        arrived = time.monotonic()
        name = self._method_names.get(method.lower(), method)
        params: JSONDict = {}
        try:
            params = _decode_params(await read_params(request))
            if token != self.token:
                raise TelegramError(401, "Unauthorized")
            if name not in self._handlers:
                raise TelegramError(404, "Not Found")
            fault = self._take_fault(name)
            if fault is not None:
                retry_after = fault.retry_after if fault.retry_after is not None or fault.status != 429 else 1
                raise TelegramError(fault.status, fault.description, retry_after)
            status, body = 200, {"ok": True, "result": await self._handlers[name](params)}
            if self._take_garble(name):
                body["result"] = True  # served, but an answer the client cannot read as the method's result
        except TelegramError as error:
            status, body = error.status, error.body()
        except ValueError as error:
            status, body = 400, TelegramError(400, f"Bad Request: {error}").body()
        chat = None if params.get("chat_id") is None else str(params["chat_id"])
        await self._finish(Call(name, params, arrived, status, status == 200, chat, body))
        return JSONResponse(body, status_code=status)

    # -- methods ---------------------------------------------------------------------------------

    async def _get_me(self, params: JSONDict) -> JSONDict:
        flags = ("can_join_groups", "can_read_all_group_messages", "supports_inline_queries")
        return self.bot_user | dict.fromkeys(flags, False)

    async def _send_message(self, params: JSONDict) -> JSONDict:
        chat = _required(params, "chat_id")
        text = _plain_text(params, "text", MAX_TEXT_LENGTH, "message")
        markup = _checked_markup(params.get("reply_markup"))
        self._admit_send(chat)
        return self._bot_message(chat, {"text": text} | markup)

    async def _send_photo(self, params: JSONDict) -> JSONDict:
        chat, photo = _required(params, "chat_id"), _required(params, "photo")
        file_id = photo if isinstance(photo, str) and "://" not in photo else f"photo-{time.time_ns()}"
        caption = _plain_text(params, "caption", MAX_CAPTION_LENGTH, "caption") if params.get("caption") else None
        markup = _checked_markup(params.get("reply_markup"))
        self._admit_send(chat)
        return self._bot_message(
            chat, {"photo": _photo_sizes(file_id)} | ({"caption": caption} if caption else {}) | markup
        )

    async def _send_document(self, params: JSONDict) -> JSONDict:
        chat, document = _required(params, "chat_id"), _required(params, "document")
        name = document.get("filename") if isinstance(document, dict) else "document"
        self._admit_send(chat)
        file_id = f"doc-{time.time_ns()}"
        document = {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_name": name}
        return self._bot_message(chat, {"document": document})

    async def _send_chat_action(self, params: JSONDict) -> bool:
        chat, _ = _required(params, "chat_id"), _required(params, "action")
        if self._is_blocked(str(chat)):
            raise TelegramError(403, _DESCRIPTIONS[403])
        return True

    async def _answer_callback_query(self, params: JSONDict) -> bool:
        _required(params, "callback_query_id")
        if len(str(params.get("text") or "")) > 200:
            raise TelegramError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    async def _edit_message_text(self, params: JSONDict) -> JSONDict:
        chat, message_id = _required(params, "chat_id"), int(_required(params, "message_id"))
        text = _plain_text(params, "text", MAX_TEXT_LENGTH, "message")
        return self._bot_message(chat, {"text": text} | _checked_markup(params.get("reply_markup")), message_id)

    async def _edit_message_reply_markup(self, params: JSONDict) -> JSONDict:
        chat, message_id = _required(params, "chat_id"), int(_required(params, "message_id"))
        with self._lock:
            previous = self._last_bot_message.get(str(chat), {})
        markup = _checked_markup(params.get("reply_markup"))
        return self._bot_message(chat, {"text": previous.get("text", "")} | markup, message_id)

    async def _delete_message(self, params: JSONDict) -> bool:
        _required(params, "chat_id")
        _required(params, "message_id")
        return True

    async def _get_file(self, params: JSONDict) -> JSONDict:
        file_id = str(_required(params, "file_id"))
        with self._lock:
            size = len(self._files.get(file_id, DEFAULT_FILE))
        return {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_size": size,
            "file_path": f"photos/{file_id}.jpg",
        }

    async def _set_webhook(self, params: JSONDict) -> bool:
        url = str(params.get("url") or "")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(str(secret)):
            raise TelegramError(400, "Bad Request: secret token contains unallowed characters")
        if not 1 <= int(params.get("max_connections") or 40) <= 100:
            raise TelegramError(400, "Bad Request: bad max_connections")
        with self._lock:
            self._webhook = dict(params) if url else None
            if params.get("drop_pending_updates"):
                self._updates.clear()
        return True

    async def _delete_webhook(self, params: JSONDict) -> bool:
        with self._lock:
            self._webhook = None
            if params.get("drop_pending_updates"):
                self._updates.clear()
        return True

    async def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        with self._lock:
            webhook, pending = self._webhook or {}, len(self._updates)
        info: JSONDict = {
            "url": webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": pending,
        }
        info |= {key: webhook[key] for key in ("max_connections", "allowed_updates") if key in webhook}
        return info

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        offset, limit = int(params.get("offset") or 0), min(max(int(params.get("limit") or 100), 1), 100)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), LONG_POLL_CAP)
        while True:
            with self._lock:
                if self._webhook is not None:
                    raise TelegramError(409, WEBHOOK_CONFLICT)
                if offset > 0:  # confirms every update below the offset
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                elif offset < 0:
                    self._updates = self._updates[offset:]
                batch = self._updates[:limit]
            if batch or time.monotonic() >= deadline:
                return batch
            await asyncio.sleep(0.02)

    # -- sending helpers ---------------------------------------------------------------------------

    def _admit_send(self, chat: Any) -> None:
        """Refuse a send to a blocked chat, or over the flood limits when they are enforced."""
        key = str(chat)
        if self._is_blocked(key):
            raise TelegramError(403, _DESCRIPTIONS[403])
        if not self.enforce_limits:
            return
        with self._lock:
            now = time.monotonic()
            while self._global_window and now - self._global_window[0] >= 1.0:
                self._global_window.popleft()
            tokens, at = self._chat_buckets.get(key, (float(CHAT_BURST), now))
            tokens = min(float(CHAT_BURST), tokens + (now - at))
            wait = 0.0
            if len(self._global_window) >= GLOBAL_SENDS_PER_SECOND:
                wait = self._global_window[0] + 1.0 - now
            if tokens < 1.0:
                wait = max(wait, 1.0 - tokens)
            if wait > 0:
                self._chat_buckets[key] = (tokens, now)
                self._limit_violations += 1
                raise too_many_requests(max(1, math.ceil(wait)))
            self._global_window.append(now)
            self._chat_buckets[key] = (tokens - 1.0, now)

    def _next_message_id(self, chat: Any) -> int:
        with self._lock:
            self._message_ids[str(chat)] = self._message_ids.get(str(chat), 0) + 1
            return self._message_ids[str(chat)]

    def _bot_message(self, chat: Any, fields: JSONDict, message_id: int | None = None) -> JSONDict:
        message: JSONDict = {
            "message_id": message_id or self._next_message_id(chat),
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private"},
            "from": dict(self.bot_user),
            **fields,
        }
        with self._lock:
            self._last_bot_message[str(chat)] = message
        return message

    # -- update builders ---------------------------------------------------------------------------

    def _update(self, **payload: Any) -> JSONDict:
        with self._lock:
            self._update_id += 1
            return {"update_id": self._update_id, **payload}

    def _user_message(self, chat_id: int, user_id: int | None, first_name: str, **fields: Any) -> JSONDict:
        sender = {"id": chat_id if user_id is None else user_id, "is_bot": False, "first_name": first_name}
        message = {
            "message_id": self._next_message_id(chat_id),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": first_name},
            "from": sender | {"language_code": "vi"},
            **fields,
        }
        return self._update(message=message)

    def text_update(
        self, chat_id: int, text: str, *, user_id: int | None = None, first_name: str = "Bà Nông"
    ) -> JSONDict:
        """A private text message; a leading /command gets its bot_command entity as Telegram adds it."""
        fields: JSONDict = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command.encode("utf-16-le")) // 2}]
        return self._user_message(chat_id, user_id, first_name, **fields)

    def callback_update(
        self,
        chat_id: int,
        data: str,
        *,
        message_id: int | None = None,
        user_id: int | None = None,
        first_name: str = "Bà Nông",
    ) -> JSONDict:
        """A press on an inline button of the bot's message (by default its last one in the chat)."""
        with self._lock:
            last = self._last_bot_message.get(str(chat_id))
        message = dict(last) if last and message_id in (None, last["message_id"]) else None
        if message is None:
            message = {
                "message_id": message_id or self._next_message_id(chat_id),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": dict(self.bot_user),
                "text": "…",
            }
        sender = {"id": chat_id if user_id is None else user_id, "is_bot": False, "first_name": first_name}
        query = {
            "id": str(time.time_ns()),
            "from": sender,
            "message": message,
            "chat_instance": f"ci-{chat_id}",
            "data": data,
        }
        return self._update(callback_query=query)

    def photo_update(
        self, chat_id: int, *, caption: str = "", file_id: str | None = None, user_id: int | None = None
    ) -> JSONDict:
        """A photo (three PhotoSize entries, the largest last) with an optional caption."""
        fields: JSONDict = {"photo": _photo_sizes(file_id or f"photo-{time.time_ns()}")}
        if caption:
            fields["caption"] = caption
        return self._user_message(chat_id, user_id, "Bà Nông", **fields)

    def voice_update(self, chat_id: int, *, file_id: str | None = None, duration: int = 3) -> JSONDict:
        file_id = file_id or f"voice-{time.time_ns()}"
        voice = {"file_id": file_id, "file_unique_id": f"u-{file_id}", "duration": duration, "mime_type": "audio/ogg"}
        return self._user_message(chat_id, None, "Bà Nông", voice=voice | {"file_size": 4321})

    def document_update(self, chat_id: int, *, file_name: str, mime_type: str, file_id: str | None = None) -> JSONDict:
        file_id = file_id or f"doc-{time.time_ns()}"
        document = {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_name": file_name,
            "mime_type": mime_type,
        }
        return self._user_message(chat_id, None, "Bà Nông", document=document | {"file_size": 2048})

    def contact_update(
        self, chat_id: int, phone: str, *, user_id: int | None = None, first_name: str = "Bà Nông"
    ) -> JSONDict:
        """A shared contact, by default the sender's own (contact.user_id = sender id) as the share-phone button sends."""
        sender = chat_id if user_id is None else user_id
        contact = {"phone_number": phone, "first_name": first_name, "user_id": sender}
        return self._user_message(chat_id, user_id, first_name, contact=contact)

    def location_update(self, chat_id: int, lat: float, lon: float) -> JSONDict:
        return self._user_message(chat_id, None, "Bà Nông", location={"latitude": lat, "longitude": lon})

    @staticmethod
    def deliver(
        webhook_url: str,
        update: JSONDict,
        *,
        secret: str | None = None,
        timeout: float = 10.0,
        client: httpx.Client | None = None,
    ) -> httpx.Response:
        """POST an update to a webhook as Telegram does (JSON body, the secret token header when set).

        Pass a long-lived ``client`` when delivering many: a new httpx client costs ~25 ms (its TLS context).
        """
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        return (client.post if client else httpx.post)(webhook_url, json=update, headers=headers, timeout=timeout)


def _decode_params(raw: JSONDict) -> JSONDict:
    """Undo PTB's JSON encoding of non-string values in form bodies (``chat_id="42"``, ``reply_markup='{...}'``)."""
    decoded: JSONDict = {}
    for key, value in raw.items():
        if isinstance(value, str) and key not in _STRING_PARAMS:
            try:
                value = json.loads(value)
            except ValueError:
                pass
        decoded[key] = value
    return decoded


def _required(params: JSONDict, name: str) -> Any:
    value = params.get(name)
    if value is None or value == "":
        raise TelegramError(
            400, f"Bad Request: {name} is empty" if name != "text" else "Bad Request: message text is empty"
        )
    return value


def _plain_text(params: JSONDict, name: str, limit: int, kind: str) -> str:
    """The text after entity parsing, checked for 1..limit characters."""
    raw = str(params.get(name) or "")
    plain = (parse_html(raw) if params.get("parse_mode") == "HTML" else raw).strip()
    if not plain:
        raise TelegramError(400, f"Bad Request: {kind} text is empty")
    if len(plain.encode("utf-16-le")) // 2 > limit:
        raise TelegramError(400, f"Bad Request: {kind} is too long")
    return plain


def _checked_markup(markup: Any) -> JSONDict:
    """The sent message's ``{"reply_markup": …}`` after Telegram's checks of inline and reply keyboards.

    Like Telegram, the message sent back carries an inline keyboard, never a reply keyboard (``{}``).
    """
    if markup is None:
        return {}
    if not isinstance(markup, dict):
        raise TelegramError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup and "keyboard" in markup:
        raise TelegramError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in markup.get("keyboard", []):
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise TelegramError(400, "Bad Request: keyboard button text must be non-empty")
            if not isinstance(button.get("request_contact", False), bool):
                raise TelegramError(400, "Bad Request: can't parse keyboard button: request_contact must be a boolean")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise TelegramError(400, "Bad Request: can't parse inline keyboard button: Text must be non-empty")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA_BYTES:
                raise TelegramError(400, "Bad Request: BUTTON_DATA_INVALID")
    return {"reply_markup": markup} if "inline_keyboard" in markup else {}


def _photo_sizes(file_id: str) -> list[JSONDict]:
    sizes = [("s", 90, 67, 1_500), ("m", 320, 240, 15_000), ("", 1280, 960, 120_000)]
    return [
        {
            "file_id": f"{file_id}-{tag}" if tag else file_id,
            "file_unique_id": f"u-{file_id}{tag}",
            "width": w,
            "height": h,
        }
        | {"file_size": size}
        for tag, w, h, size in sizes
    ]
