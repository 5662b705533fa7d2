"""Fake chat platforms served over real HTTP on 127.0.0.1, for end-to-end tests and benchmarks.

Each fake holds a platform's state, records every API call and can inject faults; its ``app`` is a
FastAPI app that ``running`` serves from a background thread, so the system under test (usually a
``caunoi run`` subprocess) talks to it through its configurable base URL:

    fake = FakeTelegram("123:ABC")
    with running(fake.app) as base:            # "http://127.0.0.1:PORT"
        ...start the bot with the Telegram base URL f"{base}/bot"...
        fake.deliver(webhook_url, fake.text_update(42, "xin chào"), secret="s3cret")
        [call] = fake.wait_for(1, chat_id=42)  # the bot's answer, as the platform saw it
        fake.fail_next("sendMessage", 429, retry_after=2)
        fake.block(42); fake.hold(); fake.release()

- ``telegram.FakeTelegram``: Bot API (``/bot<token>/<method>``), PTB's wire format, HTML checks,
  getUpdates long polling, webhooks, optional flood limits.
- ``zalo_bot.FakeZaloBot``: the Zalo Bot platform (``/bot<token>/<method>``, one update per getUpdates).
- ``zalo_oa.FakeZaloOA``: Official Account messages (``/v3.0/oa/message/cs``), the free reply window,
  OAuth refresh (``/v4/oa/access_token``) and signed webhook events.

Facts behind them: /work/shared/docs/channels.md. ``server.FakePlatform`` documents the recording
and fault-injection model all three share; ``test_fakes.py`` shows each behaviour in use.
"""

from tests.fakes.server import Call, FakePlatform, running
from tests.fakes.telegram import FakeTelegram
from tests.fakes.zalo_bot import FakeZaloBot
from tests.fakes.zalo_oa import FakeZaloOA

__all__ = ["Call", "FakePlatform", "FakeTelegram", "FakeZaloBot", "FakeZaloOA", "running"]
