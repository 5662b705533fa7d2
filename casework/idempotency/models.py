"""Stored answers to writes sent with an ``Idempotency-Key``, so that a retry is answered, not redone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.db import Base, utcnow


class IdempotencyKey(Base):
    """One official's key, the fingerprint of the request it was first sent with, and the answer it got."""

    __tablename__ = "idempotency_keys"
    # Keys belong to one official: two officials' clients may well pick the same key.
    __table_args__ = (UniqueConstraint("official_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id"))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of method, path, query and body
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
    # Written in the same transaction as the change itself: a committed key always has its answer.
    status_code: Mapped[int | None]
    response_body: Mapped[str | None] = mapped_column(Text)
    response_headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
