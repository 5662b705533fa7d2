"""What the bot says, channel-neutral, and the helpers channels use to show it.

A reply is text in the FAQ markup subset (``**bold**``, lines starting "- ", ``[text](url)``)
with optional buttons (a label, and an ASCII payload of at most 64 bytes that comes back as a
``ButtonPress``). A channel with buttons shows them; one without (Zalo Bot, the terminal) shows
``render_numbered``'s numbered list, and the engine accepts "1", "2"… back because it remembers
the choices it last offered. Long texts are split with ``split_text`` at the channel's limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.i18n import Translator

MAX_PAYLOAD_BYTES = 64
MAX_LABEL_CHARS = 64
MAX_BUTTONS = 8  # the outbox payload's limit
# The payload of a button that asks the platform for the person's own phone number (offered only
# where ``Channel.shares_contact``): the platform sends a shared contact back, not this payload.
SHARE_CONTACT = "contact"
_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    payload: str

    def __post_init__(self) -> None:
        if not self.label or len(self.label) > MAX_LABEL_CHARS:
            raise ValueError(f"a button label has 1 to {MAX_LABEL_CHARS} characters")
        if not is_valid_payload(self.payload):
            raise ValueError(f"a button payload is 1 to {MAX_PAYLOAD_BYTES} bytes of printable ASCII")


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = ()

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ValueError("a reply needs text")
        if len(self.buttons) > MAX_BUTTONS:
            raise ValueError(f"at most {MAX_BUTTONS} buttons per reply")


def is_valid_payload(payload: str) -> bool:
    """Whether a payload could be one of ours: printable ASCII, 1 to 64 bytes."""
    return 0 < len(payload) <= MAX_PAYLOAD_BYTES and payload.isascii() and payload.isprintable()


def label(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    """Shorten a text to fit on a button, at a word break where there is one, marking the cut with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:  # "…bảo hiểm y tế miễn phí…", not "…miễn phí khô…"
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:-–—") + "…"


def render_numbered(reply: Reply, translator: Translator) -> str:
    """The reply for a channel without buttons: the text, the choices numbered, "Trả lời 1, 2 hoặc 3."."""
    if not reply.buttons:
        return reply.text
    lines = [f"{number}. {button.label}" for number, button in enumerate(reply.buttons, 1)]
    return "\n\n".join([reply.text, "\n".join(lines), translator.choice_hint(len(reply.buttons))])


def choice_number(text: str, count: int) -> int | None:
    """The choice a person typed as a number ("2", " 2. "), 1-based, or None if it is not one of ``count``."""
    match = _NUMBER.match(text)
    if match is None:
        return None
    number = int(match.group(1))
    return number if 1 <= number <= count else None


def split_text(text: str, limit: int) -> list[str]:
    """Split a text into parts of at most ``limit`` characters, at paragraph, then line, then word breaks.

    Nothing is dropped: joining the parts with the separators they were cut at gives the text back
    (whitespace at the cuts aside).
    """
    if limit < 1:
        raise ValueError("the limit must be positive")
    if len(text) <= limit:
        return [text]
    for separator in ("\n\n", "\n", " "):
        pieces = text.split(separator)
        if len(pieces) > 1:
            return _pack(pieces, separator, limit)
    return [text[start : start + limit] for start in range(0, len(text), limit)]


def _pack(pieces: list[str], separator: str, limit: int) -> list[str]:
    parts: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{separator}{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        if len(piece) <= limit:
            current = piece
        else:  # one paragraph alone is too long: split it at the next finer break
            *whole, current = split_text(piece, limit)
            parts.extend(whole)
    if current:
        parts.append(current)
    return [part for part in parts if part.strip()] or [""]
