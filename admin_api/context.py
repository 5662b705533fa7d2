"""What the API needs from the process that serves it: the database and the rules, handed in by ``caunoi``.

The composition root builds one ``ApiContext`` in the application's lifespan and puts it on
``app.state``; routes reach it through ``deps``. The API never reads settings itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from casework.deadlines.schemas import DEFAULT_RULES, DeadlineRules
from casework.officials.schemas import DEFAULT_LOGIN_POLICY, LoginPolicy

STATE_KEY = "admin_api"


@dataclass(frozen=True, slots=True)
class ApiContext:
    """The database and the configurable rules the routes pass on to casework."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    rules: DeadlineRules = DEFAULT_RULES
    login_policy: LoginPolicy = DEFAULT_LOGIN_POLICY
    reply_approval_units: frozenset[str] = frozenset()  # units whose replies need a supervisor's approval
    uploads: Path | None = None  # where the web chat keeps citizens' photos and voice notes


def attach(app: FastAPI, context: ApiContext) -> None:
    """Make the context available to the API's routes on this application."""
    setattr(app.state, STATE_KEY, context)


def context_of(app: FastAPI) -> ApiContext:
    """The context attached to this application; RuntimeError if its lifespan has not run."""
    context = getattr(app.state, STATE_KEY, None)
    if not isinstance(context, ApiContext):
        raise RuntimeError("the admin API has no context: start the application through its lifespan")
    return context
