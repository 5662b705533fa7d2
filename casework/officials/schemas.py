"""Officials and tokens as the API and the command line send them in and get them back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from casework.officials.models import UNIT_PATTERN, Role

USERNAME_CHARS = 64


def normalize_username(value: str) -> str:
    """The form usernames are stored and looked up in: trimmed, lower case, at most 64 characters."""
    return value.strip().lower()[:USERNAME_CHARS]


def _lower(value: object) -> object:
    # Before the pattern check, so "Nguyen.Van.A" is accepted as "nguyen.van.a".
    return value.strip().lower() if isinstance(value, str) else value


Username = Annotated[str, BeforeValidator(_lower), Field(pattern=r"^[a-z0-9][a-z0-9._-]{2,63}$")]
Password = Annotated[str, Field(min_length=10, max_length=256)]


class OfficialCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Username
    display_name: str = Field(min_length=1, max_length=120)
    password: Password
    role: Role
    unit: str = Field(pattern=UNIT_PATTERN)


class OfficialPublic(BaseModel):
    """An official without any secret (no password hash, no tokens)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: Role
    unit: str
    disabled: bool
    created_at: dt.datetime
    password_changed_at: dt.datetime


class PasswordReset(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: Password


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A token as handed to its owner, the only time its value exists outside their hands."""

    token: str
    expires_at: dt.datetime


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    """Failed logins allowed in a sliding window before further tries are refused."""

    max_failures_per_username: int = 5
    # Higher than per username: a commune office shares one address among its staff.
    max_failures_per_address: int = 20
    window: dt.timedelta = dt.timedelta(minutes=15)
    token_lifetime: dt.timedelta = dt.timedelta(hours=12)


DEFAULT_LOGIN_POLICY = LoginPolicy()
