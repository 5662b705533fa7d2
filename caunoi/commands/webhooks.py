"""``caunoi telegram …`` and ``caunoi zalo-bot …``: register or remove the webhooks with the platforms.

Each command reads the channel's settings (token, API URL, webhook URL and secret) and calls the
platform once. Tokens are never printed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from typing import Any

import typer

from caunoi.commands.common import EXIT_USAGE, load_settings

telegram_app = typer.Typer(no_args_is_help=True, help="Telegram: register the webhook, or go back to polling.")
zalo_bot_app = typer.Typer(no_args_is_help=True, help="Zalo Bot: register the webhook, or go back to polling.")

EXIT_FAILED = 1


def _fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


def _run(call: Callable[[], Coroutine[Any, Any, Any]], platform: str) -> Any:
    try:
        return asyncio.run(call())
    except Exception as failure:  # noqa: BLE001 - any platform or network error ends the command politely
        raise _fail(f"{platform} refused or did not answer: {type(failure).__name__}: {failure}", EXIT_FAILED) from None


def _telegram_bot() -> tuple[Any, Any]:
    from bot.channels import telegram

    settings = load_settings()
    token = settings.telegram_token.get_secret_value()
    if not token:
        raise _fail("CAUNOI_TELEGRAM_TOKEN is not set.")
    return settings, telegram.make_bot(token, settings.telegram_api_url, pool=1)


@telegram_app.command("set-webhook")
def telegram_set_webhook() -> None:
    """Register CAUNOI_TELEGRAM_WEBHOOK_URL with its secret (messages and button taps only)."""
    from bot.channels.telegram import ALLOWED_UPDATES

    settings, bot = _telegram_bot()
    if not settings.telegram_webhook_url:
        raise _fail("CAUNOI_TELEGRAM_WEBHOOK_URL is not set (it ends in /webhooks/telegram).")

    async def call() -> bool:
        async with bot:
            return bool(
                await bot.set_webhook(
                    settings.telegram_webhook_url,
                    secret_token=settings.telegram_webhook_secret.get_secret_value(),
                    allowed_updates=ALLOWED_UPDATES,
                )
            )

    _run(call, "Telegram")
    typer.echo(f"Webhook registered: {settings.telegram_webhook_url}")


@telegram_app.command("delete-webhook")
def telegram_delete_webhook() -> None:
    """Remove the webhook: `caunoi run` then receives updates by long polling."""
    _, bot = _telegram_bot()

    async def call() -> bool:
        async with bot:
            return bool(await bot.delete_webhook())

    _run(call, "Telegram")
    typer.echo("Webhook removed; `caunoi run` will poll.")


@telegram_app.command("info")
def telegram_info() -> None:
    """Show the webhook Telegram has, pending updates and its last error."""
    _, bot = _telegram_bot()

    async def call() -> dict[str, Any]:
        async with bot:
            info = await bot.get_webhook_info()
            return {
                "url": info.url,
                "pending_update_count": info.pending_update_count,
                "last_error_message": info.last_error_message,
                "allowed_updates": list(info.allowed_updates or ()),
            }

    typer.echo(json.dumps(_run(call, "Telegram"), ensure_ascii=False, indent=2))


def _zalo_api() -> tuple[Any, Any]:
    from bot.channels.zalo_bot import ZaloBotApi

    settings = load_settings()
    token = settings.zalo_bot_token.get_secret_value()
    if not token:
        raise _fail("CAUNOI_ZALO_BOT_TOKEN is not set.")
    return settings, ZaloBotApi(token, settings.zalo_bot_api_url)


@zalo_bot_app.command("set-webhook")
def zalo_set_webhook() -> None:
    """Register CAUNOI_ZALO_BOT_WEBHOOK_URL with its secret."""
    settings, api = _zalo_api()
    if not settings.zalo_bot_webhook_url:
        raise _fail("CAUNOI_ZALO_BOT_WEBHOOK_URL is not set (it ends in /webhooks/zalo-bot).")

    async def call() -> Any:
        try:
            return await api.call(
                "setWebhook",
                {
                    "url": settings.zalo_bot_webhook_url,
                    "secret_token": settings.zalo_bot_webhook_secret.get_secret_value(),
                },
            )
        finally:
            await api.aclose()

    _run(call, "Zalo Bot")
    typer.echo(f"Webhook registered: {settings.zalo_bot_webhook_url}")


@zalo_bot_app.command("delete-webhook")
def zalo_delete_webhook() -> None:
    """Remove the webhook: `caunoi run` then polls with getUpdates."""
    _, api = _zalo_api()

    async def call() -> Any:
        try:
            return await api.call("deleteWebhook")
        finally:
            await api.aclose()

    _run(call, "Zalo Bot")
    typer.echo("Webhook removed; `caunoi run` will poll.")
