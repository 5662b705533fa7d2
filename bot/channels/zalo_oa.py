"""A Zalo Official Account (OA API v3): the channel most Vietnamese agencies already run.

In
    ``POST /webhooks/zalo-oa``. The signature ``X-ZEvent-Signature: mac=<hex>`` is
    sha256(app_id + raw body + timestamp + OA secret key) — plain SHA-256 over the exact bytes
    received, compared in constant time; an event dated more than five minutes ahead or a day behind
    is refused (a replayed capture; within the day a replay is dropped by its msg_id). Then the event is handled and committed like any
    other (msg_id is its update id) — a few milliseconds, well within the two seconds Zalo waits.
    ``unfollow`` marks the chat unreachable; events the bot does not serve are acknowledged.

Out
    The customer-service message API (``/v3.0/oa/message/cs``), quoting the citizen's latest
    message id: free for 8 messages within 48 hours of that message. A row outside the window is
    not sent (it would be a paid, proactive message) and is marked dead with the reason, for
    officials to see. The access token expires (about 25 hours); it is refreshed with the refresh
    token, which works once, so the refresh happens under a database row lock
    (``casework.credentials``) and the new pair is stored before it is used.

Facts and sources: ``../shared/docs/channels.md`` §3b.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.inbox import DatabaseUnavailable, Inbox, attached, error, unavailable
from bot.dispatcher import Outgoing, Rejected, Temporary
from bot.events import Attachment, AttachmentKind, Event, Input, Location, Text, text_or_command
from bot.i18n import translator
from bot.replies import Button, Reply, render_numbered, split_text
from casework.channels import Channel
from casework.conversations.service import find_conversation, mark_unreachable
from casework.credentials import service as credentials
from casework.db import utcnow
from casework.outbox.models import OutboxMessage, OutboxStatus
from casework.outbox.schemas import OutboxPayload
from knowledge.markup import render_markup

log = logging.getLogger(__name__)

STATE_KEY = "zalo_oa_channel"
WEBHOOK_PATH = "/webhooks/zalo-oa"
SIGNATURE_HEADER = "X-ZEvent-Signature"
TEXT_LIMIT = 2000
DEFAULT_API_URL = "https://openapi.zalo.me"
DEFAULT_OAUTH_URL = "https://oauth.zaloapp.com"
# An event is refused when its timestamp lies more than this in the future (a forged clock)…
MAX_CLOCK_SKEW = dt.timedelta(minutes=5)
# …or more than this in the past: longer than Zalo keeps redelivering an event we answered 503 to
# (up to 12 hours), shorter than the processed-update records that drop a replay (7 days).
MAX_EVENT_AGE = dt.timedelta(hours=24)
FREE_WINDOW = dt.timedelta(hours=48)
FREE_REPLIES = 8
TOKEN_EXPIRED = {-216, -124}  # "access token is invalid" / "expired"
_ATTACHMENT_KINDS = {
    "user_send_image": AttachmentKind.PHOTO,
    "user_send_gif": AttachmentKind.PHOTO,
    "user_send_audio": AttachmentKind.VOICE,
    "user_send_file": AttachmentKind.DOCUMENT,
    "user_send_video": AttachmentKind.DOCUMENT,
}


@dataclass(frozen=True)
class OaConfig:
    oa_id: str
    app_id: str
    app_secret: str  # the app's secret: token refresh
    secret_key: str  # the OA secret key: webhook signatures
    api_url: str = DEFAULT_API_URL
    oauth_url: str = DEFAULT_OAUTH_URL

    @property
    def account(self) -> str:
        return f"zalo_oa:{self.oa_id}"


def signature(config: OaConfig, raw_body: bytes, timestamp: str) -> str:
    """The ``X-ZEvent-Signature`` value Zalo sends for this body."""
    material = config.app_id.encode() + raw_body + timestamp.encode() + config.secret_key.encode()
    return "mac=" + hashlib.sha256(material).hexdigest()


def verify(config: OaConfig, raw_body: bytes, header: str | None, timestamp: str) -> bool:
    return bool(header) and hmac.compare_digest(
        (header or "").encode(), signature(config, raw_body, timestamp).encode()
    )


# -- in ----------------------------------------------------------------------------------------


def parse(data: dict[str, Any]) -> Event | None:
    """The engine's event for a user's message, or None for the events the bot does not answer."""
    name = str(data.get("event_name", ""))
    if not name.startswith("user_send_"):
        return None  # follow, seen, the OA's own echoes, anonymous chats: nothing to answer
    sender, message = data.get("sender") or {}, data.get("message") or {}
    user_id, msg_id = sender.get("id"), message.get("msg_id")
    if not user_id or not msg_id:
        return None
    received = None
    if str(data.get("timestamp", "")).isdigit():
        received = dt.datetime.fromtimestamp(int(data["timestamp"]) / 1000, dt.UTC)
    return Event(
        channel=Channel.ZALO_OA,
        chat_ref=str(user_id),
        update_id=str(msg_id),
        input=_input(name, message),
        received_at=received,
        message_ref=str(msg_id),
    )


def _input(name: str, message: dict[str, Any]) -> Input:
    text = str(message.get("text") or "")
    if name == "user_send_text":
        return text_or_command(text)
    attachments = message.get("attachments") or []
    payload = attachments[0].get("payload", {}) if attachments and isinstance(attachments[0], dict) else {}
    if name == "user_send_location":
        coordinates = payload.get("coordinates") or {}
        try:
            return Location(float(coordinates["latitude"]), float(coordinates["longitude"]))
        except (KeyError, TypeError, ValueError):
            return Text("")
    kind = _ATTACHMENT_KINDS.get(name)
    url = payload.get("url")
    if kind is not None and url:
        return Attachment(kind, str(url)[:512], text, file_name=payload.get("name"))
    return Text("")  # a sticker, a link: the engine answers with what it can take


# -- out ---------------------------------------------------------------------------------------


class OaApi:
    """The customer-service message API and the token refresh, with tokens kept in the database."""

    def __init__(
        self,
        config: OaConfig,
        sessions: async_sessionmaker[AsyncSession],
        *,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.config = config
        self.sessions = sessions
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=5.0))
        self._access: str | None = None
        self._expires_at = dt.datetime.min.replace(tzinfo=dt.UTC)

    async def seed(self, access_token: str, refresh_token: str) -> None:
        """Store the configured tokens on first start (the stored ones are newer afterwards)."""
        if not access_token or not refresh_token:
            return
        async with self.sessions() as session:
            await credentials.seed(
                session,
                account=self.config.account,
                access_token=access_token,
                refresh_token=refresh_token,
                expires_at=utcnow() + dt.timedelta(hours=1),  # unknown: a -216 answer refreshes sooner
            )
            await session.commit()

    async def access_token(self, *, stale: str | None = None) -> str:
        """A usable access token; refreshed when it is (about to be) out of date or ``stale`` was refused."""
        if self._access and self._access != stale and utcnow() < self._expires_at - dt.timedelta(minutes=5):
            return self._access
        async with self.sessions() as session:
            stored = await credentials.current(session, account=self.config.account)
        if stored is None:
            raise Temporary("Zalo OA: no tokens configured (CAUNOI_ZALO_OA_ACCESS_TOKEN and _REFRESH_TOKEN)")
        if stored.access_token != stale and utcnow() < stored.expires_at - dt.timedelta(minutes=5):
            self._access, self._expires_at = stored.access_token, stored.expires_at
            return stored.access_token
        return await self._refresh(stale)

    async def _refresh(self, stale: str | None) -> str:
        async with self.sessions() as session:
            token = await credentials.locked(session, account=self.config.account)
            if token is None:
                raise Temporary("Zalo OA: no tokens configured")
            fresh = token.access_token != stale and utcnow() < token.expires_at - dt.timedelta(minutes=5)
            if not fresh:  # nobody refreshed meanwhile: it is ours to do, while we hold the lock
                access, refresh, lifetime = await self._exchange(token.refresh_token)
                await credentials.replace(
                    session, token, access_token=access, refresh_token=refresh, expires_at=utcnow() + lifetime
                )
                log.info("zalo oa: access token refreshed")
            self._access, self._expires_at = token.access_token, token.expires_at
            await session.commit()
        return self._access

    async def _exchange(self, refresh_token: str) -> tuple[str, str, dt.timedelta]:
        try:
            response = await self._client.post(
                f"{self.config.oauth_url.rstrip('/')}/v4/oa/access_token",
                data={"refresh_token": refresh_token, "app_id": self.config.app_id, "grant_type": "refresh_token"},
                headers={"secret_key": self.config.app_secret},
            )
            body = response.json()
        except (httpx.HTTPError, ValueError) as failure:
            raise Temporary(f"Zalo OA token refresh: {type(failure).__name__}") from failure
        if not isinstance(body, dict) or not body.get("access_token") or not body.get("refresh_token"):
            code = body.get("error") if isinstance(body, dict) else None
            # Not retried in a loop: a spent refresh token needs an operator (docs/channels.md).
            raise Temporary(f"Zalo OA token refresh refused (error {code}); configure new tokens")
        lifetime = dt.timedelta(seconds=int(str(body.get("expires_in") or 3600)))
        return str(body["access_token"]), str(body["refresh_token"]), lifetime

    async def send_text(self, message_ref: str, text: str) -> str | None:
        """Send one text quoting the citizen's message; retry once with a refreshed token on -216."""
        token = await self.access_token()
        for attempt in range(2):
            try:
                response = await self._client.post(
                    f"{self.config.api_url.rstrip('/')}/v3.0/oa/message/cs",
                    json={"recipient": {"message_id": message_ref}, "message": {"text": text}},
                    headers={"access_token": token},
                )
            except httpx.HTTPError as failure:
                raise Temporary(f"Zalo OA: {type(failure).__name__}") from failure
            if response.status_code >= 500:
                raise Temporary(f"Zalo OA: HTTP {response.status_code}")
            try:
                body = response.json()
            except ValueError:
                raise Temporary(f"Zalo OA: HTTP {response.status_code}, not JSON") from None
            code = int(body.get("error", -1)) if isinstance(body, dict) else -1
            if code == 0:
                data = body.get("data") or {}
                return str(data["message_id"]) if data.get("message_id") else None
            if code in TOKEN_EXPIRED and attempt == 0:
                token = await self.access_token(stale=token)
                continue
            description = str(body.get("message", "")) if isinstance(body, dict) else ""
            raise Rejected(f"Zalo OA refused the message (error {code}: {description})")
        raise Temporary("Zalo OA: the refreshed token was refused too")  # pragma: no cover - two -216 in a row

    async def aclose(self) -> None:
        await self._client.aclose()


def render(message: Outgoing) -> list[str]:
    buttons = tuple(Button(button.text, button.data) for button in message.payload.buttons)
    text = render_numbered(Reply(message.payload.text, buttons), translator(message.language))
    return split_text(render_markup(text, ansi=False), TEXT_LIMIT)


@dataclass(frozen=True, slots=True)
class OaPart:
    quote: str  # the citizen's message id the reply refers to (what makes it a free reply)
    text: str


class ZaloOaSender:
    """Sends within the free reply window only (see the module docstring)."""

    channel = Channel.ZALO_OA

    def __init__(self, api: OaApi, *, now: Any = utcnow) -> None:
        self.api = api
        self._now = now

    async def prepare(self, message: Outgoing) -> list[OaPart]:
        parts = render(message)
        async with self.api.sessions() as session:
            quote, used = await self._window(session, message.chat_ref)
        if quote is None:
            raise Rejected("outside the free reply window: the citizen has not written within 48 hours")
        if used + len(parts) > FREE_REPLIES:
            raise Rejected(
                f"outside the free reply window: {FREE_REPLIES} replies already sent since the citizen's last message"
            )
        return [OaPart(quote, part) for part in parts]

    async def send_part(self, message: Outgoing, part: OaPart) -> str | None:
        return await self.api.send_text(part.quote, part.text)

    async def _window(self, session: AsyncSession, chat_ref: str) -> tuple[str | None, int]:
        """The message to quote (None when outside 48 hours) and how many messages quoted it already.

        Zalo counts messages, not rows: a row sent in parts used one free reply per part (a row
        being sent now counts its parts as they go). An UNCONFIRMED row counts the parts it had
        delivered and the one it was sending, from when that send started.
        """
        conversation = await find_conversation(session, channel=Channel.ZALO_OA, chat_ref=chat_ref)
        if conversation is None or conversation.last_inbound_ref is None or conversation.last_inbound_at is None:
            return None, 0
        since = conversation.last_inbound_at
        if self._now() - since > FREE_WINDOW:
            return None, 0
        rows = await session.execute(
            select(OutboxMessage.payload, OutboxMessage.status, OutboxMessage.parts_sent).where(
                OutboxMessage.channel == Channel.ZALO_OA,
                OutboxMessage.chat_ref == chat_ref,
                or_(
                    and_(OutboxMessage.status == OutboxStatus.SENT, OutboxMessage.sent_at >= since),
                    and_(OutboxMessage.status == OutboxStatus.UNCONFIRMED, OutboxMessage.send_started_at >= since),
                    and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.parts_sent > 0),
                ),
            )
        )
        used = 0
        for payload, status, parts_sent in rows.all():
            if status is OutboxStatus.SENT:
                outgoing = Outgoing(0, chat_ref, OutboxPayload.model_validate(payload), conversation.language)
                used += len(render(outgoing))
            else:
                used += parts_sent + (1 if status is OutboxStatus.UNCONFIRMED else 0)
        return conversation.last_inbound_ref, used


# -- webhook -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZaloOaChannel:
    config: OaConfig
    api: OaApi
    inbox: Inbox

    async def receive(self, data: dict[str, Any]) -> bool:
        if data.get("event_name") == "unfollow":
            follower = (data.get("follower") or {}).get("id")
            if follower:
                try:
                    async with self.inbox.sessions() as session:
                        await mark_unreachable(session, channel=Channel.ZALO_OA, chat_ref=str(follower), now=utcnow())
                        await session.commit()
                except (SQLAlchemyError, OSError) as failure:
                    raise DatabaseUnavailable from failure
            return False
        event = parse(data)
        if event is None:
            return False
        await self.inbox.accept(event)
        return True


def build_router(*, now: Any = utcnow) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.post(WEBHOOK_PATH)
    async def zalo_oa_webhook(request: Request) -> Response:
        channel: ZaloOaChannel = attached(request, STATE_KEY)
        raw = await request.body()
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return error(400, "invalid_body", "the body is not JSON")
        if not isinstance(data, dict):
            return error(400, "invalid_body", "not a Zalo OA event")
        timestamp = str(data.get("timestamp", ""))
        if not timestamp.isdigit() or not verify(channel.config, raw, request.headers.get(SIGNATURE_HEADER), timestamp):
            return error(403, "forbidden", "wrong or missing signature")
        sent_at = dt.datetime.fromtimestamp(int(timestamp) / 1000, dt.UTC)
        if not -MAX_CLOCK_SKEW <= now() - sent_at <= MAX_EVENT_AGE:
            return error(403, "stale", "the event's timestamp is too far from now")
        try:
            await channel.receive(data)
        except DatabaseUnavailable:
            return unavailable()
        except (TypeError, AttributeError, KeyError, ValueError) as bad:  # a field of an unexpected shape
            log.warning("zalo oa: an event could not be read: %s", type(bad).__name__)
            return error(400, "invalid_event", "the event could not be read")
        return JSONResponse({"ok": True})

    return router
