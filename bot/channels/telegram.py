"""Telegram: python-telegram-bot as transport only — updates in, messages out; state stays in our database.

In
    ``parse`` turns a Bot API update into an ``Event``: typed text (``/start`` a command), a button
    tap (callback data), the largest photo, a voice note or a document by file id, the person's own
    shared contact, a location. Only private chats are served. The webhook (``POST
    /webhooks/telegram``) checks ``X-Telegram-Bot-Api-Secret-Token`` in constant time (403
    otherwise) and answers 200 only after the update's effects are committed — 503 while the
    database is down, so Telegram delivers it again. ``TelegramPoller`` does the same over
    ``getUpdates`` when no webhook is set, confirming an update only after it is committed.

Out
    ``TelegramSender`` renders an outbox row as HTML (every citizen- or official-written text is
    escaped; ``**bold**`` and links become tags), splits it at 4,096 characters on paragraph
    breaks, puts the buttons as an inline keyboard under the last part (a keyboard with a
    "share my phone number" button where the report asks for one), and maps Telegram's
    answers to the dispatcher's outcomes: 429 → flood wait of exactly ``retry_after``, 403 → the
    chat is unreachable, 400 → rejected, 5xx and network errors → retried.

Facts and sources: ``../shared/docs/channels.md`` §1-2.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import warnings
from dataclasses import dataclass
from typing import Any

import telegram
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, RetryAfter, TelegramError
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from bot.channels.inbox import DatabaseUnavailable, Inbox, attached, error, secret_matches, unavailable
from bot.dispatcher import Outgoing, RateLimited, Rejected, Temporary, Unreachable
from bot.events import (
    Attachment,
    AttachmentKind,
    ButtonPress,
    Event,
    Input,
    Location,
    SharedContact,
    Text,
    text_or_command,
)
from bot.replies import SHARE_CONTACT, split_text
from casework.channels import Channel
from knowledge.markup import render_html

log = logging.getLogger(__name__)

STATE_KEY = "telegram_channel"
WEBHOOK_PATH = "/webhooks/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
TEXT_LIMIT = 4096
ALLOWED_UPDATES = ["message", "callback_query"]
DEFAULT_API_URL = "https://api.telegram.org/bot"


def make_bot(token: str, api_url: str = DEFAULT_API_URL, *, pool: int = 16) -> telegram.Bot:
    """A Bot talking to ``api_url`` (the real Bot API, or a local server or fake; the token is appended)."""
    request = HTTPXRequest(connection_pool_size=pool, read_timeout=10.0, write_timeout=10.0, connect_timeout=5.0)
    # Long polling holds its one connection for the poll's whole timeout.
    updates = HTTPXRequest(connection_pool_size=1, read_timeout=10.0, connect_timeout=5.0)
    file_url = api_url[: -len("bot")] + "file/bot" if api_url.endswith("/bot") else api_url
    return telegram.Bot(token, base_url=api_url, base_file_url=file_url, request=request, get_updates_request=updates)


# -- in ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Parsed:
    """An update as the engine sees it, and the callback query to answer (a tap's spinner stops then)."""

    event: Event
    callback_query_id: str | None = None


def parse(update: telegram.Update) -> Parsed | None:
    """The engine's event for an update, or None for what the bot does not serve (groups, edits, joins)."""
    update_id = str(update.update_id)
    query = update.callback_query
    if query is not None:
        message = query.message
        if message is None or message.chat.type != "private":
            return None
        event = Event(
            channel=Channel.TELEGRAM,
            chat_ref=str(message.chat.id),
            update_id=update_id,
            input=ButtonPress(query.data or "?"),
        )
        return Parsed(event, query.id)
    message = update.message
    if message is None or message.chat.type != "private":
        return None
    return Parsed(
        Event(
            channel=Channel.TELEGRAM,
            chat_ref=str(message.chat.id),
            update_id=update_id,
            input=_input(message),
            received_at=message.date,
            message_ref=str(message.message_id),
        )
    )


def _input(message: telegram.Message) -> Input:
    caption = message.caption or ""
    if message.text is not None:
        return text_or_command(message.text)
    if message.photo:
        largest = message.photo[-1]
        return Attachment(AttachmentKind.PHOTO, largest.file_id, caption, "image/jpeg", largest.file_size)
    for voice in (message.voice, message.audio):
        if voice is not None:
            return Attachment(AttachmentKind.VOICE, voice.file_id, caption, voice.mime_type, voice.file_size)
    if message.document is not None:
        document = message.document
        return Attachment(
            AttachmentKind.DOCUMENT,
            document.file_id,
            caption,
            document.mime_type,
            document.file_size,
            document.file_name,
        )
    if message.contact is not None:
        sender = message.from_user
        # Only the person's own number ("share my contact"), never someone else's card.
        if sender is not None and message.contact.user_id == sender.id:
            return SharedContact(message.contact.phone_number)
        return Text("")
    if message.location is not None:
        return Location(message.location.latitude, message.location.longitude)
    return Text("")  # a sticker, a video…: the engine answers with what it can take


# -- out ---------------------------------------------------------------------------------------


def render(text: str, buttons: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The ``send_message`` arguments for one outbox row: HTML parts of at most 4,096 characters, buttons last."""
    parts = split_text(text, TEXT_LIMIT)
    rendered: list[dict[str, Any]] = [{"text": render_html(part), "parse_mode": ParseMode.HTML} for part in parts]
    if buttons:
        rendered[-1]["reply_markup"] = _keyboard(buttons)
    return rendered


def _keyboard(buttons: list[tuple[str, str]]) -> InlineKeyboardMarkup | ReplyKeyboardMarkup:
    """Inline buttons; or, when one of them asks for the person's phone, a keyboard under the text field.

    Only a reply keyboard can ask for the contact, and a message has one keyboard: its other buttons
    then send their label as text, which the engine takes as a choice of the buttons it offered.
    The keyboard folds away once used.
    """
    if all(data != SHARE_CONTACT for _, data in buttons):
        return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)] for label, data in buttons])
    return ReplyKeyboardMarkup(
        [[KeyboardButton(label, request_contact=data == SHARE_CONTACT)] for label, data in buttons],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def _seconds(flood: RetryAfter) -> float:
    """The flood wait in seconds: an int today, a timedelta in python-telegram-bot's next major version."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)  # the int form is deprecated since 22.2
        retry_after = flood.retry_after
    return retry_after.total_seconds() if isinstance(retry_after, dt.timedelta) else float(retry_after)


class TelegramSender:
    """Delivers outbox rows through the Bot API (see the module docstring for the outcomes)."""

    channel = Channel.TELEGRAM

    def __init__(self, bot: telegram.Bot) -> None:
        self.bot = bot

    async def prepare(self, message: Outgoing) -> list[dict[str, Any]]:
        return render(message.payload.text, [(button.text, button.data) for button in message.payload.buttons])

    async def send_part(self, message: Outgoing, part: dict[str, Any]) -> str | None:
        try:
            sent = await self.bot.send_message(chat_id=int(message.chat_ref), **part)
        except RetryAfter as flood:
            raise RateLimited(_seconds(flood), "Telegram flood control") from flood
        except Forbidden as refused:
            raise Unreachable(f"Telegram refused the chat: {refused.message}") from refused
        except (BadRequest, ChatMigrated, InvalidToken) as bad:
            raise Rejected(f"Telegram rejected the message: {bad.message}") from bad
        except TelegramError as failure:  # NetworkError, TimedOut, 5xx
            raise Temporary(f"Telegram: {type(failure).__name__}: {failure.message}") from failure
        except ValueError as bad:  # a chat reference that is not a Telegram chat id
            raise Rejected(f"not a Telegram chat: {type(bad).__name__}") from bad
        return str(sent.message_id)


async def answer_callback(bot: telegram.Bot, callback_query_id: str | None) -> None:
    """Stop the button's spinner; best effort (the reply itself comes through the outbox)."""
    if callback_query_id is None:
        return
    try:
        await bot.answer_callback_query(callback_query_id)
    except TelegramError as failure:
        log.info("telegram: could not answer a callback query: %s", type(failure).__name__)


# -- webhook and polling -----------------------------------------------------------------------


@dataclass(frozen=True)
class TelegramChannel:
    """The Telegram side of one process: its bot, the inbox, and the webhook secret (if webhooks are used)."""

    bot: telegram.Bot
    inbox: Inbox
    webhook_secret: str = ""

    async def receive(self, update: telegram.Update) -> bool:
        """Handle one (authenticated) update; False if ignored; ``DatabaseUnavailable`` if it could not be kept."""
        parsed = parse(update)
        if parsed is None:
            return False
        await self.inbox.accept(parsed.event)
        await answer_callback(self.bot, parsed.callback_query_id)
        return True


def build_router() -> APIRouter:
    """``POST /webhooks/telegram``: 403 without the secret, 400 for a body that is not an update, 503 when the
    database is down, 200 once the update is handled (or knowingly ignored)."""
    router = APIRouter(include_in_schema=False)

    @router.post(WEBHOOK_PATH)
    async def telegram_webhook(request: Request) -> Response:
        channel: TelegramChannel = attached(request, STATE_KEY)
        if not secret_matches(request.headers.get(SECRET_HEADER), channel.webhook_secret):
            return error(403, "forbidden", "wrong or missing secret token")
        try:
            data = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            return error(400, "invalid_body", "the body is not JSON")
        try:
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("no update_id")
            update = telegram.Update.de_json(data, channel.bot)
        except (TypeError, ValueError, KeyError, AttributeError):
            return error(400, "invalid_body", "not a Telegram update")
        try:
            await channel.receive(update)
        except DatabaseUnavailable:
            return unavailable()
        return JSONResponse({"ok": True})

    return router


class TelegramPoller:
    """``getUpdates`` long polling for a deployment without a webhook (one poller at a time: see ``caunoi``)."""

    def __init__(self, channel: TelegramChannel, *, timeout: int = 25, pause: float = 2.0) -> None:
        self.channel = channel
        self.timeout = timeout
        self.pause = pause
        self.offset: int | None = None

    async def poll_once(self) -> int:
        """Fetch and handle one batch; the offset moves past an update only once it is committed."""
        try:
            updates = await self.channel.bot.get_updates(
                offset=self.offset, timeout=self.timeout, allowed_updates=ALLOWED_UPDATES
            )
        except TelegramError as failure:
            log.warning("telegram polling: %s: %s", type(failure).__name__, failure.message)
            await asyncio.sleep(self.pause)
            return 0
        for update in updates:
            try:
                await self.channel.receive(update)
            except DatabaseUnavailable:
                await asyncio.sleep(self.pause)
                return 0  # not confirmed: Telegram sends it again with the next getUpdates
            self.offset = update.update_id + 1
        return len(updates)

    async def run(self) -> None:
        while True:
            await self.poll_once()
