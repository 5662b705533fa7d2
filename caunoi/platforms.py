"""The platform channels a process runs, from its settings: webhooks, pollers and outbox dispatchers.

A channel is on when its token (Telegram, Zalo Bot) or OA id (Zalo OA) is set. For each one the
application mounts its webhook route, and the lifespan starts its dispatcher (one sender per
deployment at a time, under a lease) and — when no webhook URL is set — its poller (likewise one
per deployment). ``docs/channels.md`` tells an operator how to set them up.

Also the one housekeeping job (every process runs it; each step is idempotent): processed-update
records are forgotten after a week, what expired forms hold (a story, a phone number, a
household's answers) after the day a form lives, and uploads no ticket kept after two days.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels import telegram, zalo_bot, zalo_oa
from bot.channels.inbox import Inbox
from bot.dispatcher import DispatchConfig, Dispatcher, Sender
from bot.engine import Deps, forget_expired_forms
from bot.exclusive import run_exclusively
from casework.conversations.service import forget_processed
from casework.db import utcnow
from casework.files.service import sweep_orphans
from caunoi.settings import Settings

log = logging.getLogger(__name__)


def telegram_on(settings: Settings) -> bool:
    return bool(settings.telegram_token.get_secret_value())


def zalo_bot_on(settings: Settings) -> bool:
    return bool(settings.zalo_bot_token.get_secret_value())


def zalo_oa_on(settings: Settings) -> bool:
    return bool(settings.zalo_oa_id)


def oa_config(settings: Settings) -> zalo_oa.OaConfig:
    return zalo_oa.OaConfig(
        oa_id=settings.zalo_oa_id,
        app_id=settings.zalo_oa_app_id,
        app_secret=settings.zalo_oa_app_secret.get_secret_value(),
        secret_key=settings.zalo_oa_secret_key.get_secret_value(),
        api_url=settings.zalo_oa_api_url,
        oauth_url=settings.zalo_oa_oauth_url,
    )


def build_routers(settings: Settings) -> list[APIRouter]:
    """The webhook routes of the channels that are on (served whether or not the platform calls them)."""
    routers = []
    if telegram_on(settings):
        routers.append(telegram.build_router())
    if zalo_bot_on(settings):
        routers.append(zalo_bot.build_router())
    if zalo_oa_on(settings):
        routers.append(zalo_oa.build_router())
    return routers


@dataclass
class Platforms:
    """The running channels of this process; ``stop`` ends their tasks and closes their connections."""

    dispatchers: list[Dispatcher] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def spawn(self, name: str, job: Coroutine[Any, Any, None]) -> None:
        self.tasks.append(asyncio.create_task(job, name=name))

    async def stop(self, grace: float = 5.0) -> None:
        """Let the dispatchers finish their sends in flight (up to ``grace`` seconds), then end every task."""
        for dispatcher in self.dispatchers:
            dispatcher.stop()
        sending = [task for task in self.tasks if task.get_name().startswith("dispatch-")]
        if sending:
            await asyncio.wait(sending, timeout=grace)
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for close in self.closers:
            with contextlib.suppress(Exception):
                await close()


# Platforms stop redelivering an update within a day (Telegram keeps them 24 h, Zalo retries for hours);
# Telegram may reuse update ids after a week of silence, so records older than this are forgotten.
PROCESSED_RETENTION = dt.timedelta(days=7)
# Uploads no ticket kept are deleted after this: longer than an unfinished report lives (a day).
ORPHAN_UPLOAD_AGE = dt.timedelta(days=2)
HOUSEKEEPING_EVERY = 3600.0  # seconds; the first round waits as long (nothing is urgent at start)


async def housekeeping(
    sessions: async_sessionmaker[AsyncSession],
    uploads: Path,
    *,
    form_ttl: dt.timedelta,
    every: float = HOUSEKEEPING_EVERY,
) -> None:
    """Once per ``every`` seconds, until cancelled: forget old processed updates and expired forms' contents,
    delete orphaned uploads."""
    while True:
        await asyncio.sleep(every)
        try:
            async with sessions() as session:
                forgotten = await forget_processed(session, before=utcnow() - PROCESSED_RETENTION)
                forms = await forget_expired_forms(session, now=utcnow(), ttl=form_ttl)
                await session.commit()
                swept = await sweep_orphans(session, uploads, older_than=ORPHAN_UPLOAD_AGE)
            log.info(
                "housekeeping: forgot %d processed updates and %d expired forms, deleted %d orphaned uploads",
                forgotten,
                forms,
                swept,
            )
        except (SQLAlchemyError, OSError) as failure:
            log.warning("housekeeping failed: %s", type(failure).__name__)


async def start(app: FastAPI, settings: Settings, sessions: async_sessionmaker[AsyncSession], deps: Deps) -> Platforms:
    """Attach the channels that are on to ``app`` and start their dispatchers and pollers (and the housekeeping)."""
    running = Platforms()
    running.spawn("housekeeping", housekeeping(sessions, settings.uploads_dir, form_ttl=deps.limits.state_ttl))
    config = DispatchConfig(lease_ttl=settings.channel_lease)

    def dispatcher(sender: Sender) -> Dispatcher:
        worker = Dispatcher(sender, sessions, config)
        running.dispatchers.append(worker)
        running.spawn(f"dispatch-{sender.channel}", worker.run())
        return worker

    def poll(name: str, job: Callable[[], Coroutine[Any, Any, None]]) -> None:
        running.spawn(name, run_exclusively(name, job, sessions, ttl=settings.channel_lease))

    if telegram_on(settings):
        bot = telegram.make_bot(settings.telegram_token.get_secret_value(), settings.telegram_api_url)
        running.closers.append(bot.shutdown)
        sender = dispatcher(telegram.TelegramSender(bot))
        channel = telegram.TelegramChannel(
            bot, Inbox(sessions, deps, sender.wake), settings.telegram_webhook_secret.get_secret_value()
        )
        setattr(app.state, telegram.STATE_KEY, channel)
        if not settings.telegram_webhook_url:
            poll("poll:telegram", telegram.TelegramPoller(channel).run)
    if zalo_bot_on(settings):
        api = zalo_bot.ZaloBotApi(settings.zalo_bot_token.get_secret_value(), settings.zalo_bot_api_url)
        running.closers.append(api.aclose)
        sender = dispatcher(zalo_bot.ZaloBotSender(api))
        zalo = zalo_bot.ZaloBotChannel(
            api, Inbox(sessions, deps, sender.wake), settings.zalo_bot_webhook_secret.get_secret_value()
        )
        setattr(app.state, zalo_bot.STATE_KEY, zalo)
        if not settings.zalo_bot_webhook_url:
            poll("poll:zalo_bot", zalo_bot.ZaloBotPoller(zalo).run)
    if zalo_oa_on(settings):
        oa = zalo_oa.OaApi(oa_config(settings), sessions)
        await oa.seed(
            settings.zalo_oa_access_token.get_secret_value(), settings.zalo_oa_refresh_token.get_secret_value()
        )
        running.closers.append(oa.aclose)
        sender = dispatcher(zalo_oa.ZaloOaSender(oa))
        setattr(app.state, zalo_oa.STATE_KEY, zalo_oa.ZaloOaChannel(oa.config, oa, Inbox(sessions, deps, sender.wake)))
    return running
