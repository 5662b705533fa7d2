"""Officials, their hashed API tokens and the login attempts that drive rate limiting."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.db import Base, str_enum, utcnow

PROVINCE = "province"  # the unit of province-level officials; any other unit is a commune code
COMMUNE_CODE_PATTERN = r"^[0-9]{5}$"  # the 5-digit codes of QĐ 19/2025/QĐ-TTg (see knowledge.gazetteer)
UNIT_PATTERN = rf"^({PROVINCE}|[0-9]{{5}})$"


class Role(enum.StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    OFFICER = "officer"
    EDITOR = "editor"
    VIEWER = "viewer"


class Official(Base):
    """A person who works the queue, scoped to the province or one commune."""

    __tablename__ = "officials"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    unit: Mapped[str] = mapped_column(String(16), index=True)
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Bumped when the password, the role or the unit changes, or the account is disabled: every
    # token carries the value it was issued under, so older tokens stop working at once.
    credentials_version: Mapped[int] = mapped_column(default=1)

    @property
    def at_province(self) -> bool:
        """Whether the official works at province level (and so sees every commune)."""
        return self.unit == PROVINCE


class ApiToken(Base):
    """A bearer token, stored as the SHA-256 of its value so a database leak reveals none."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    credentials_version: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]


class LoginAttempt(Base):
    """One login try, kept in the database so the limit holds across processes."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    succeeded: Mapped[bool]
