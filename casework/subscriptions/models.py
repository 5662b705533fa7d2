"""One chat's consent to announcements for one commune, on the topics it chose."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.channels import Channel
from casework.db import Base, str_enum, utcnow


class Subscription(Base):
    """A chat's opt-in to a commune's announcements, with the proof of consent (time, wording version).

    Personal data: the chat reference. ``/huy_dang_ky`` or an erasure deletes the row.
    """

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("channel", "chat_ref", "commune_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    chat_ref: Mapped[str] = mapped_column(String(128))
    commune_code: Mapped[str] = mapped_column(String(16), index=True)  # a broadcast walks a commune's subscribers
    topics: Mapped[list[str]] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(8), default="vi")
    consent_at: Mapped[dt.datetime]
    consent_wording: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
