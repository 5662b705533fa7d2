"""Button payloads: short ASCII strings, ``action:arg:arg``, that come back when a button is tapped.

Payloads are data from the outside world: a platform returns whatever the client sends, and an
old message keeps its buttons forever. ``decode`` accepts only well-formed payloads; the router
then honours a payload only if its action is global (valid from any state: the menu, an FAQ
entry, a ticket of this chat…) or if it is one of the buttons the conversation offered last.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from bot.replies import MAX_PAYLOAD_BYTES, Button

SEPARATOR = ":"
_PART = re.compile(r"^[A-Za-z0-9_.#+-]{0,62}$")
_ACTION = re.compile(r"^[a-z]{1,8}$")
_MAX_ID_IN_PAYLOAD = 40


@dataclass(frozen=True, slots=True)
class Payload:
    action: str
    args: tuple[str, ...] = ()

    def arg(self, index: int, default: str = "") -> str:
        """The argument at ``index``, or ``default`` when there are fewer."""
        return self.args[index] if index < len(self.args) else default

    def encode(self) -> str:
        """The payload as sent on a button."""
        return SEPARATOR.join((self.action, *self.args))


def encode(action: str, *args: str) -> str:
    """Build a payload; raise ValueError if it would not fit or could not be read back."""
    if not _ACTION.fullmatch(action) or not all(_PART.fullmatch(arg) for arg in args):
        raise ValueError("payload parts are short ASCII words without ':'")
    payload = Payload(action, args).encode()
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise ValueError(f"payload longer than {MAX_PAYLOAD_BYTES} bytes")
    return payload


def decode(raw: str) -> Payload | None:
    """Read a payload, or None if it cannot be one of ours (too long, not ASCII, malformed)."""
    if not raw or len(raw) > MAX_PAYLOAD_BYTES or not raw.isascii():
        return None
    action, *args = raw.split(SEPARATOR)
    if not _ACTION.fullmatch(action) or not all(_PART.fullmatch(arg) for arg in args):
        return None
    return Payload(action, tuple(args))


def button(label: str, action: str, *args: str) -> Button:
    """A button whose payload is ``action:args``."""
    return Button(label, encode(action, *args))


def entry_key(entry_id: str) -> str:
    """How an FAQ entry is named in a payload: its id when short enough, else a stable hash."""
    if len(entry_id) <= _MAX_ID_IN_PAYLOAD:
        return entry_id
    return "#" + hashlib.sha256(entry_id.encode()).hexdigest()[:16]
