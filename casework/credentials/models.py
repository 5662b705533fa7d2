"""A channel's current access token and the refresh token that replaces it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casework.db import Base, utcnow


class ChannelToken(Base):
    """The tokens one platform account sends with: a refresh token works once, so exactly one row holds it.

    Secrets: never logged, never shown by the API.
    """

    __tablename__ = "channel_tokens"

    account: Mapped[str] = mapped_column(String(64), primary_key=True)  # e.g. "zalo_oa:<oa id>"
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
