"""Test data for casework: officials of two communes and the province, tickets, fixed times."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from typing import Any

from pwdlib import PasswordHash
from sqlalchemy.ext.asyncio import AsyncSession

from casework.channels import Channel
from casework.officials.models import PROVINCE, Official, Role
from casework.tickets.models import TicketKind
from casework.tickets.schemas import TicketCreate, TicketPublic
from casework.tickets.service import submit_ticket

COMMUNE_A = "01273"
COMMUNE_B = "01267"
PASSWORD = "mật-khẩu-thử-nghiệm-đủ-dài"  # noqa: S105 - a test password
# Monday 2 March 2026, 10:00 in Cao Bằng: a plain working day far from holidays.
NOW = dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC)
_sequence = itertools.count(1)


@functools.cache
def _password_hash() -> str:
    # Hashed once: Argon2 costs tens of milliseconds and most tests only need an account to exist.
    return PasswordHash.recommended().hash(PASSWORD)


async def make_official(
    session: AsyncSession, *, role: Role = Role.OFFICER, unit: str = COMMUNE_A, username: str | None = None
) -> Official:
    """Add an active official (password ``PASSWORD``) straight to the database."""
    number = next(_sequence)
    official = Official(
        username=username or f"{role}-{unit}-{number}",
        display_name=f"Cán bộ {number}",
        password_hash=_password_hash(),
        role=role,
        unit=unit,
        disabled=False,
        credentials_version=1,
    )
    session.add(official)
    await session.flush()
    return official


async def province_admin(session: AsyncSession) -> Official:
    return await make_official(session, role=Role.ADMIN, unit=PROVINCE)


def ticket_data(**overrides: Any) -> TicketCreate:
    """A feedback ticket from a Telegram chat in commune A, with any field replaced."""
    values: dict[str, Any] = {
        "kind": TicketKind.FEEDBACK,
        "topic": "ha-tang",
        "commune_code": COMMUNE_A,
        "channel": Channel.TELEGRAM,
        "chat_ref": f"tg-{next(_sequence)}",
        "text": "Đường vào thôn Nà Mò bị sạt lở, xe máy không đi được.",
    }
    values.update(overrides)
    return TicketCreate(**values)


async def make_ticket(session: AsyncSession, *, now: dt.datetime = NOW, **overrides: Any) -> TicketPublic:
    """Submit a ticket as a citizen would, at ``now``."""
    return await submit_ticket(session, data=ticket_data(**overrides), now=now)
