"""``caunoi telegram …`` and ``caunoi zalo-bot …`` against the fake platforms, and the channel settings' checks."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from bot.flows.router import KNOWN_FLOWS
from bot.state import State
from casework.channels import Channel
from casework.conversations.models import Conversation, ProcessedUpdate
from casework.conversations.service import load_conversation, mark_processed, save_conversation
from casework.db import utcnow
from casework.deadlines.schemas import DEFAULT_RULES
from casework.files.storage import store
from casework.tickets.models import Ticket, TicketAttachment
from casework.tickets.service import submit_ticket
from caunoi.cli import app
from caunoi.platforms import housekeeping
from caunoi.settings import Settings, get_settings
from tests.casework.conftest import empty_engine, engine, sessions  # noqa: F401 - fixtures
from tests.casework.factories import ticket_data
from tests.casework.test_files import PNG
from tests.fakes.server import running
from tests.fakes.telegram import FakeTelegram
from tests.fakes.zalo_bot import FakeZaloBot

TOKEN = "555:cli-token"  # noqa: S105 - the fake's
SECRET = "cli-webhook-secret-0123456789"  # noqa: S105 - a test secret


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    for name in ("CAUNOI_TELEGRAM_TOKEN", "CAUNOI_ZALO_BOT_TOKEN", "CAUNOI_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CAUNOI_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_telegram_webhook_commands_register_inspect_and_remove(environment: pytest.MonkeyPatch) -> None:
    telegram = FakeTelegram(TOKEN)
    with running(telegram.app) as base:
        environment.setenv("CAUNOI_TELEGRAM_TOKEN", TOKEN)
        environment.setenv("CAUNOI_TELEGRAM_API_URL", f"{base}/bot")
        environment.setenv("CAUNOI_TELEGRAM_WEBHOOK_URL", "https://caunoi.example.org/webhooks/telegram")
        environment.setenv("CAUNOI_TELEGRAM_WEBHOOK_SECRET", SECRET)
        runner = CliRunner()
        registered = runner.invoke(app, ["telegram", "set-webhook"])
        assert registered.exit_code == 0, registered.output
        assert telegram.webhook is not None
        assert telegram.webhook["url"] == "https://caunoi.example.org/webhooks/telegram"
        assert telegram.webhook["secret_token"] == SECRET
        assert telegram.webhook["allowed_updates"] == ["message", "callback_query"]
        info = runner.invoke(app, ["telegram", "info"])
        assert info.exit_code == 0 and "caunoi.example.org" in info.output
        assert TOKEN not in info.output + registered.output
        removed = runner.invoke(app, ["telegram", "delete-webhook"])
        assert removed.exit_code == 0 and telegram.webhook is None


def test_telegram_commands_explain_what_is_missing(environment: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["telegram", "set-webhook"])
    assert result.exit_code == 2 and "CAUNOI_TELEGRAM_TOKEN" in result.output
    environment.setenv("CAUNOI_TELEGRAM_TOKEN", TOKEN)
    get_settings.cache_clear()
    result = runner.invoke(app, ["telegram", "set-webhook"])
    assert result.exit_code == 2 and "CAUNOI_TELEGRAM_WEBHOOK_URL" in result.output


def test_an_unreachable_platform_is_a_polite_failure(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("CAUNOI_TELEGRAM_TOKEN", TOKEN)
    environment.setenv("CAUNOI_TELEGRAM_API_URL", "http://127.0.0.1:9/bot")
    result = CliRunner().invoke(app, ["telegram", "delete-webhook"])
    assert result.exit_code == 1 and "Telegram refused or did not answer" in result.output


def test_zalo_bot_webhook_commands(environment: pytest.MonkeyPatch) -> None:
    zalo = FakeZaloBot("987:zalo-cli")
    with running(zalo.app) as base:
        environment.setenv("CAUNOI_ZALO_BOT_TOKEN", "987:zalo-cli")
        environment.setenv("CAUNOI_ZALO_BOT_API_URL", base)
        environment.setenv("CAUNOI_ZALO_BOT_WEBHOOK_URL", "https://caunoi.example.org/webhooks/zalo-bot")
        environment.setenv("CAUNOI_ZALO_BOT_WEBHOOK_SECRET", SECRET)
        runner = CliRunner()
        registered = runner.invoke(app, ["zalo-bot", "set-webhook"])
        assert registered.exit_code == 0, registered.output
        assert zalo.webhook is not None and zalo.webhook["secret_token"] == SECRET
        removed = runner.invoke(app, ["zalo-bot", "delete-webhook"])
        assert removed.exit_code == 0 and zalo.webhook is None


@pytest.mark.parametrize(
    "values",
    [
        {"telegram_webhook_url": "https://x/webhooks/telegram", "telegram_webhook_secret": "short"},
        {"telegram_webhook_url": "https://x/webhooks/telegram", "telegram_webhook_secret": "has spaces " * 3},
        {"zalo_bot_webhook_url": "https://x/webhooks/zalo-bot", "zalo_bot_webhook_secret": "short"},
        {"zalo_oa_id": "123", "zalo_oa_app_id": "456"},
    ],
)
def test_a_half_configured_channel_is_refused_at_start(values: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        Settings(**values)  # type: ignore[arg-type]


async def test_housekeeping_forgets_old_updates_and_expired_forms_and_deletes_uploads_no_ticket_kept(
    sessions: async_sessionmaker[AsyncSession],  # noqa: F811
    tmp_path: Path,
) -> None:
    uploads = tmp_path / "uploads"
    kept, orphan, fresh = (store(uploads, PNG + bytes([n])) for n in range(3))
    temporary = uploads / ".incoming-crashed.part"
    temporary.write_bytes(b"half a photo")
    three_days_ago = time.time() - 3 * 86400
    for path in (kept.path, orphan.path, temporary):
        os.utime(path, (three_days_ago, three_days_ago))
    async with sessions() as session:
        await mark_processed(session, channel=Channel.TELEGRAM, update_id="old", now=utcnow() - dt.timedelta(days=8))
        await mark_processed(session, channel=Channel.TELEGRAM, update_id="new", now=utcnow() - dt.timedelta(days=6))
        public = await submit_ticket(session, data=ticket_data(), rules=DEFAULT_RULES)
        ticket_id = await session.scalar(select(Ticket.id).where(Ticket.code == public.code))
        session.add(
            TicketAttachment(ticket_id=ticket_id, channel=Channel.WEB, file_ref=kept.ref, mime_type="image/png")
        )
        # Two chats in the middle of a report, one left two days ago (expired), one an hour ago.
        draft = State("report", "phone", {"texts": ["Cán bộ đòi tiền."], "phone": "0912345678"}, [("rx:send", "Gửi")])
        for chat, idle in (("tg-expired", dt.timedelta(days=2)), ("tg-writing", dt.timedelta(hours=1))):
            conversation = await load_conversation(session, channel=Channel.TELEGRAM, chat_ref=chat)
            await save_conversation(session, conversation, state=draft.to_json(), now=utcnow() - idle)
        await session.commit()
    job = asyncio.create_task(housekeeping(sessions, uploads, form_ttl=dt.timedelta(days=1), every=0.01))
    await asyncio.sleep(0.3)
    job.cancel()
    await asyncio.gather(job, return_exceptions=True)
    async with sessions() as session:
        left = (await session.scalars(select(ProcessedUpdate.update_id))).all()
        assert list(left) == ["new"]
        assert await session.scalar(select(func.count()).select_from(ProcessedUpdate)) == 1
        states = {c.chat_ref: c for c in (await session.scalars(select(Conversation))).all()}
    expired = State.from_json(states["tg-expired"].state, KNOWN_FLOWS)
    assert (expired.flow, expired.step, expired.data, expired.offered) == ("report", "phone", {}, [])
    assert utcnow() - states["tg-expired"].updated_at > dt.timedelta(days=1)  # still seen as expired by the dialogue
    assert states["tg-writing"].state == draft.to_json()
    assert kept.path.exists() and fresh.path.exists()  # a ticket's file; a file a report may still take
    assert not orphan.path.exists() and not temporary.exists()
