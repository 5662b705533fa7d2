"""What every platform adapter does with an update once it has an ``Event``: the same, everywhere.

``Inbox.accept`` runs the engine in one transaction and commits (the processed-update record,
state, tickets and outbox rows together); only then may the platform be told 200. A database
that does not answer raises ``DatabaseUnavailable``: a webhook answers 503 so the platform
delivers again, a poller does not confirm the update. After the commit the channel's dispatcher
is woken so the replies go out at once.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.engine import Deps, handle_update
from bot.events import Event
from casework.database import writing

log = logging.getLogger(__name__)


class DatabaseUnavailable(Exception):
    """The update could not be recorded; nothing of it was kept. Ask the platform to deliver it again."""


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class Inbox:
    """The database, the engine's dependencies, and whom to wake after a commit."""

    sessions: async_sessionmaker[AsyncSession]
    deps: Deps
    on_committed: Callable[[], None] = field(default=_nothing)

    async def accept(self, event: Event) -> None:
        """Handle the event exactly once and commit; raise ``DatabaseUnavailable`` if that cannot be done."""
        try:
            async with writing(self.sessions):
                await handle_update(self.sessions, event, deps=self.deps)
        except (SQLAlchemyError, OSError) as error:
            log.warning("%s update not recorded, the database failed: %s", event.channel, type(error).__name__)
            raise DatabaseUnavailable from error
        self.on_committed()


def attached(request: Request, key: str) -> Any:
    """The channel object the application's lifespan attached under ``key`` (routes exist before it)."""
    channel = getattr(request.app.state, key, None)
    if channel is None:
        raise RuntimeError(f"no {key} attached: attach it in the application's lifespan")
    return channel


def secret_matches(given: str | None, expected: str) -> bool:
    """Compare a webhook's secret header with ours in constant time (an absent header never matches)."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def error(status: int, code: str, detail: str) -> JSONResponse:
    """The API's error shape, for webhooks too."""
    return JSONResponse({"error": code, "detail": detail}, status_code=status)


def unavailable() -> JSONResponse:
    return error(503, "unavailable", "the database is unavailable; deliver the update again later")
