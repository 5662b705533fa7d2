"""Where a ticket came from and where a message goes."""

from __future__ import annotations

import enum


class Channel(enum.StrEnum):
    TELEGRAM = "telegram"
    ZALO = "zalo"  # Zalo Bot platform
    ZALO_OA = "zalo_oa"  # Zalo Official Account
    WEB = "web"
    TERMINAL = "terminal"
    # Cases staff enter on a citizen's behalf: no chat to answer through.
    PHONE = "phone"
    PAPER = "paper"
    IN_PERSON = "in_person"

    @property
    def delivers(self) -> bool:
        """Whether messages can be sent back through this channel."""
        return self not in _OFFLINE

    @property
    def shares_contact(self) -> bool:
        """Whether the chat can offer a button that sends the person's own phone number (Telegram's)."""
        return self is Channel.TELEGRAM


_OFFLINE = frozenset({Channel.PHONE, Channel.PAPER, Channel.IN_PERSON})
