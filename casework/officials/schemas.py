"""Officials and tokens as the API and the command line send them in and get them back."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from casework.officials.models import PROVINCE, UNIT_PATTERN, Role
from knowledge.gazetteer import units

USERNAME_CHARS = 64


@functools.cache
def _commune_codes() -> frozenset[str]:
    return frozenset(unit.code for unit in units())


def is_known_unit(unit: str) -> bool:
    """Whether officials can belong to the unit: the province, or a commune of the gazetteer."""
    return unit == PROVINCE or unit in _commune_codes()


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
    """Failed logins allowed in a sliding window before further tries are refused.

    Counted per username *from one address*, never per username alone: otherwise anyone could
    lock any official out by typing their name with a wrong password five times.
    """

    max_failures_per_username_and_address: int = 5
    # Higher than per username: a commune office shares one address among its staff.
    max_failures_per_address: int = 20
    window: dt.timedelta = dt.timedelta(minutes=15)
    token_lifetime: dt.timedelta = dt.timedelta(hours=12)


DEFAULT_LOGIN_POLICY = LoginPolicy()
