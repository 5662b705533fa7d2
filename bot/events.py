"""One incoming event, whatever the channel: plain frozen dataclasses a channel adapter builds.

An adapter translates a platform update into an ``Event`` and hands it to ``bot.engine.handle``;
it never decides what the event means. ``text_or_command`` is the one place a typed "/start"
becomes a command.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
from dataclasses import dataclass

from casework.channels import Channel

MAX_REF_CHARS = 128
_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]{1,64})?(?:\s+(.*))?$", re.DOTALL)


class AttachmentKind(enum.StrEnum):
    PHOTO = "photo"
    VOICE = "voice"
    DOCUMENT = "document"


@dataclass(frozen=True, slots=True)
class Text:
    """A typed message (possibly empty, possibly very long: the engine judges it)."""

    text: str


@dataclass(frozen=True, slots=True)
class Command:
    """A command such as ``/start`` or ``/huy``: the name without the slash, lower case."""

    name: str
    argument: str = ""


@dataclass(frozen=True, slots=True)
class ButtonPress:
    """A tap on a button: the payload exactly as the platform returned it (it may be forged)."""

    payload: str


@dataclass(frozen=True, slots=True)
class Attachment:
    """A photo, voice note or document, kept as the channel's own file reference."""

    kind: AttachmentKind
    file_ref: str
    caption: str = ""
    mime_type: str | None = None
    size_bytes: int | None = None
    file_name: str | None = None


@dataclass(frozen=True, slots=True)
class SharedContact:
    """A phone number the person shared with the platform's "share contact" button."""

    phone: str


@dataclass(frozen=True, slots=True)
class Location:
    """A location the person shared (the bot does not store it)."""

    latitude: float
    longitude: float


Input = Text | Command | ButtonPress | Attachment | SharedContact | Location


@dataclass(frozen=True, slots=True)
class Event:
    """One update from one chat: where it came from, the platform's id for it, and what it carries."""

    channel: Channel
    chat_ref: str  # the platform's chat id: where replies go
    update_id: str  # unique per channel: a second delivery of the same id is ignored
    input: Input
    received_at: dt.datetime | None = None  # the platform's timestamp, if any
    # The platform's id of the citizen's message, where a reply must quote it (Zalo OA).
    message_ref: str | None = None

    def __post_init__(self) -> None:
        if not self.channel.delivers:
            raise ValueError(f"{self.channel} is not a chat channel")
        for name in ("chat_ref", "update_id"):
            value = getattr(self, name)
            if not value or len(value) > MAX_REF_CHARS:
                raise ValueError(f"{name} must have 1 to {MAX_REF_CHARS} characters")


def clean_typed_text(raw: str) -> str:
    """NFC, without control characters but line breaks and tabs (a NUL byte cannot even be stored)."""
    text = unicodedata.normalize("NFC", raw)
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc")


def text_or_command(raw: str) -> Text | Command:
    """Read what a person typed: ``/huy`` or ``/start@CauNoiBot x`` is a command, anything else text."""
    raw = clean_typed_text(raw)
    match = _COMMAND.match(raw.strip())
    if match is None:
        return Text(raw)
    return Command(match.group(1).lower(), (match.group(2) or "").strip())
