"""The application factory: the one place that turns settings into a running web application.

It owns the database engine for the application's lifetime (created, migrated and disposed in
the lifespan), creates the first admin when asked to, and mounts the officials' API under
``/api/v1`` and the citizens' web chat (``bot.channels.web``: the page at ``/``) beside it,
and the platform channels that are configured (``caunoi.platforms``: webhooks under
``/webhooks/``, pollers and outbox dispatchers started and stopped with the application).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from admin_api.context import ApiContext, attach
from admin_api.errors import install_error_handlers
from admin_api.middleware import BodyLimit, SecurityHeaders
from admin_api.router import PREFIX, build_router
from bot.channels import shared_knowledge
from bot.channels import web as web_chat
from bot.engine import Deps
from casework.database import create_engine, create_session_factory
from casework.errors import Conflict
from casework.migrations import upgrade
from casework.officials.schemas import LoginPolicy
from casework.officials.service import ensure_first_admin
from caunoi import platforms
from caunoi.settings import Environment, Settings, get_settings

logger = logging.getLogger(__name__)

OPENAPI_URL = f"{PREFIX}/openapi.json"
DOCS_URL = f"{PREFIX}/docs"
API_DESCRIPTION = """\
The officials' side of Cầu Nối: the queue of citizens' feedback and complaints for each unit,
with legal deadlines, replies that reach the citizen through the outbox, reports and the audit trail.

Log in with `POST /api/v1/auth/token` (OAuth2 password form) and send the token as
`Authorization: Bearer …`. Each operation's `x-permission` says which permission it needs.
Errors are `{"error": code, "detail": …}`; writes take `If-Match` and `Idempotency-Key`.
"""


async def _create_first_admin(context: ApiContext, settings: Settings) -> None:
    if not settings.admin_username:
        return
    async with context.sessions() as session:
        try:
            created = await ensure_first_admin(
                session,
                username=settings.admin_username,
                password=settings.admin_password.get_secret_value(),
            )
            await session.commit()
        except Conflict:
            # Another process of the same deployment created it a moment ago.
            await session.rollback()
            return
    if created is not None:
        logger.info("created the first admin %r", created.username)


def _bot_deps(settings: Settings) -> Deps:
    """The dialogue engine's dependencies for this process (the FAQ index is built once, on first use)."""
    return Deps(
        knowledge=shared_knowledge(settings.knowledge_dir, settings.zone),
        zone=settings.zone,
        rules=settings.deadline_rules,
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the web application for these settings (the process settings by default)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings.resolved_database_url)
        try:
            await upgrade(engine)
            context = ApiContext(
                engine=engine,
                sessions=create_session_factory(engine),
                rules=settings.deadline_rules,
                login_policy=LoginPolicy(token_lifetime=settings.token_ttl),
                reply_approval_units=settings.reply_approval_units,
                uploads=settings.uploads_dir,
            )
            await _create_first_admin(context, settings)
            attach(app, context)
            deps = _bot_deps(settings)
            if settings.environment is not Environment.TEST:
                # The FAQ index is built before serving, off the event loop: otherwise the first
                # question builds it and every other request of the process waits (seconds on a
                # slow PC). A test application leaves it to the first question that needs it.
                await asyncio.to_thread(deps.knowledge)
            web_chat.attach(app, web_chat.WebChat(sessions=context.sessions, deps=deps, uploads=settings.uploads_dir))
            running = await platforms.start(app, settings, context.sessions, deps)
            try:
                yield
            finally:
                await running.stop()
        finally:
            await engine.dispose()

    docs = settings.api_docs_enabled
    app = FastAPI(
        title="Cầu Nối — API cho cán bộ",
        version="1",
        description=API_DESCRIPTION,
        lifespan=lifespan,
        openapi_url=OPENAPI_URL if docs else None,
        docs_url=DOCS_URL if docs else None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=f"{DOCS_URL}/oauth2-redirect" if docs else None,
        swagger_ui_parameters={"persistAuthorization": False},
    )
    # "/api/v1/tickets/" is not a path of ours: a 404 in the error shape, not an empty 307 to guess from.
    app.router.redirect_slashes = False
    install_error_handlers(app)
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)
    app.include_router(build_router())
    app.include_router(web_chat.build_router())  # the citizens' web chat: the page at / and /chat/messages
    for router in platforms.build_routers(settings):  # /webhooks/… of the platform channels that are on
        app.include_router(router)
    return app
