"""``caunoi run`` as a real process against fake Telegram, Zalo Bot and Zalo OA servers, all over real HTTP.

Telegram and the Zalo OA deliver by webhook (posted here as the platforms would), the Zalo Bot
is polled. The database is a SQLite file (with a short lock timeout) or a PostgreSQL database
reached through a TCP proxy, so the test can take it away: a webhook must then answer 503, and
the same update delivered again later must have its effect exactly once. The last test kills
the process with SIGKILL while a message is in flight and checks, after a restart, that every
message reached the platform exactly once.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import BACKENDS, POSTGRES_ENV
from tests.e2e.conftest import ADMIN, ADMIN_PASSWORD, free_port, launch, stop
from tests.fakes.server import Call, running
from tests.fakes.tcp_proxy import TcpProxy
from tests.fakes.telegram import FakeTelegram
from tests.fakes.zalo_bot import FakeZaloBot
from tests.fakes.zalo_oa import FakeZaloOA

TELEGRAM_TOKEN = "777000:e2e-token"  # noqa: S105 - the fake's
SECRET = "e2e-webhook-secret-0123456789abcdef"  # noqa: S105 - a test secret
ZALO_TOKEN = "1234567890:zalo-e2e"  # noqa: S105 - the fake's
OA = {"oa_id": "4321", "app_id": "app-e2e", "oa_secret_key": "oa-secret-key", "app_secret": "app-secret"}
CODE = re.compile(r"CB-[0-9A-Z-]+")


@dataclass
class Platforms:
    telegram: FakeTelegram
    zalo: FakeZaloBot
    oa: FakeZaloOA
    urls: dict[str, str] = field(default_factory=dict)


@dataclass
class Database:
    url: str
    outage: Any  # a TcpProxy (PostgreSQL) or the SQLite file's path

    def down(self) -> sqlite3.Connection | None:
        if isinstance(self.outage, TcpProxy):
            self.outage.cut()
            return None
        # SQLite's "down": another process holds the write lock longer than the server waits for it.
        blocker = sqlite3.connect(self.outage, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        return blocker

    def up(self, blocker: sqlite3.Connection | None) -> None:
        if blocker is not None:
            blocker.execute("ROLLBACK")
            blocker.close()
        else:
            self.outage.restore()

    def scalar(self, sql: str, **parameters: Any) -> Any:
        url = make_url(self.url)
        sync = url.set(drivername="sqlite" if url.get_backend_name() == "sqlite" else "postgresql+psycopg")
        engine = create_engine(sync.set(query={}))
        try:
            with engine.connect() as connection:
                return connection.execute(text(sql), parameters).scalar()
        finally:
            engine.dispose()


@dataclass
class Service:
    base: str
    port: int
    environment: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes]

    def restart(self) -> None:
        stop(self.process)
        self.process = launch(self.environment, self.log, self.port)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def platforms(database: Database) -> Iterator[Platforms]:
    """Fresh fakes for each backend's run."""
    fakes = Platforms(
        telegram=FakeTelegram(TELEGRAM_TOKEN, enforce_limits=True),
        zalo=FakeZaloBot(ZALO_TOKEN),
        oa=FakeZaloOA(**OA, access_token="oa-access-1", refresh_token="oa-refresh-1"),  # noqa: S106 - the fake's
    )
    with running(fakes.telegram.app) as telegram, running(fakes.zalo.app) as zalo, running(fakes.oa.app) as oa:
        fakes.urls = {"telegram": telegram, "zalo": zalo, "oa": oa}
        yield fakes


@pytest.fixture(scope="module", params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("platforms") / "caunoi.db"
        yield Database(f"sqlite+aiosqlite:///{path}?timeout=1", str(path))
        return
    admin = make_url(os.environ[POSTGRES_ENV]).set(drivername="postgresql+psycopg")
    name = f"caunoi_e2e_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    proxy = TcpProxy(admin.host or "127.0.0.1", admin.port or 5432)
    try:
        with proxy.running() as port:
            url = admin.set(host="127.0.0.1", port=port, database=name).render_as_string(hide_password=False)
            yield Database(url, proxy)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(scope="module")
def service(platforms: Platforms, database: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    directory = tmp_path_factory.mktemp("service")
    port = free_port()
    environment = {
        "CAUNOI_DATA_DIR": str(directory / "data"),
        "CAUNOI_DATABASE_URL": database.url,
        "CAUNOI_ADMIN_USERNAME": ADMIN,
        "CAUNOI_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "CAUNOI_CHANNEL_LEASE": "2",
        "CAUNOI_TELEGRAM_TOKEN": TELEGRAM_TOKEN,
        "CAUNOI_TELEGRAM_API_URL": f"{platforms.urls['telegram']}/bot",
        "CAUNOI_TELEGRAM_WEBHOOK_URL": "https://caunoi.example.org/webhooks/telegram",
        "CAUNOI_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "CAUNOI_ZALO_BOT_TOKEN": ZALO_TOKEN,
        "CAUNOI_ZALO_BOT_API_URL": platforms.urls["zalo"],
        "CAUNOI_ZALO_OA_ID": OA["oa_id"],
        "CAUNOI_ZALO_OA_APP_ID": OA["app_id"],
        "CAUNOI_ZALO_OA_APP_SECRET": OA["app_secret"],
        "CAUNOI_ZALO_OA_SECRET_KEY": OA["oa_secret_key"],
        "CAUNOI_ZALO_OA_ACCESS_TOKEN": "oa-access-1",
        "CAUNOI_ZALO_OA_REFRESH_TOKEN": "oa-refresh-1",
        "CAUNOI_ZALO_OA_API_URL": platforms.urls["oa"],
        "CAUNOI_ZALO_OA_OAUTH_URL": platforms.urls["oa"],
    }
    log = directory / "server.log"
    running_service = Service(f"http://127.0.0.1:{port}", port, environment, log, launch(environment, log, port))
    try:
        yield running_service
    finally:
        platforms.telegram.release()
        stop(running_service.process)


class TelegramUser:
    """One Telegram chat: updates posted to the service's webhook, the bot's messages read from the fake."""

    def __init__(self, platforms: Platforms, service: Service, chat: int) -> None:
        self.telegram = platforms.telegram
        self.webhook = f"{service.base}/webhooks/telegram"
        self.chat = chat
        self.seen = 0

    def post(self, update: dict[str, Any], secret: str | None = SECRET) -> httpx.Response:
        return FakeTelegram.deliver(self.webhook, update, secret=secret, timeout=30)

    def send(self, update: dict[str, Any]) -> list[Call]:
        response = self.post(update)
        assert response.status_code == 200, response.text
        return self.replies()

    def replies(self) -> list[Call]:
        """What the bot sent since the last look, once it stopped sending (one message per second per chat)."""
        self.telegram.wait_for(self.seen + 1, timeout=20, chat_id=self.chat)
        count = -1
        while len(self.telegram.sent(self.chat)) != count:
            count = len(self.telegram.sent(self.chat))
            time.sleep(1.3)
        new = self.telegram.sent(self.chat)[self.seen :]
        self.seen = count
        return new

    def say(self, words: str) -> list[Call]:
        return self.send(self.telegram.text_update(self.chat, words))

    def tap(self, label: str, replies: list[Call]) -> list[Call]:
        found = [b["callback_data"] for call in replies for b in _buttons(call) if label in b["text"]]
        assert len(found) == 1, (label, [b["text"] for call in replies for b in _buttons(call)])
        return self.send(self.telegram.callback_update(self.chat, found[0]))


def _buttons(call: Call) -> list[dict[str, Any]]:
    markup = call.params.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


def _text(calls: list[Call]) -> str:
    return "\n".join(str(call.params.get("text", "")) for call in calls)


@contextlib.contextmanager
def _official(service: Service) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{service.base}/api/v1", timeout=30) as http:
        login = http.post("/auth/token", data={"username": ADMIN, "password": ADMIN_PASSWORD})
        assert login.status_code == 200, login.text
        http.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        yield http


def _act(official: httpx.Client, path: str, body: dict[str, Any]) -> None:
    response = official.post(path, json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code in {200, 201}, response.text


def test_a_telegram_citizen_asks_reports_with_a_photo_and_gets_the_officials_answer(
    platforms: Platforms, service: Service
) -> None:
    citizen = TelegramUser(platforms, service, chat=810001)
    menu = citizen.say("/start")
    assert "Gửi phản ánh" in str([b["text"] for call in menu for b in _buttons(call)])

    assert "Căn cứ" in _text(citizen.say("ho ngheo duoc ho tro gi"))

    replies = citizen.tap("Phản ánh, kiến nghị", citizen.tap("Gửi phản ánh", citizen.say("/start")))
    if "Không rõ" in str([b["text"] for call in replies for b in _buttons(call)]):
        replies = citizen.tap("Xã Hạ Lang", citizen.say("ha lang"))
    citizen.say("Cầu treo bản Nà Mò bị gãy một nhịp, học sinh phải lội suối.")
    replies = citizen.send(platforms.telegram.photo_update(810001, caption="Ảnh sáng nay", file_id="AgAC-e2e"))
    for label in ("Tiếp tục", "Không để lại số", "Không cần giữ kín", "Gửi"):
        replies = citizen.tap(label, replies)
    code = CODE.search(_text(replies))
    assert code, _text(replies)

    with _official(service) as official:
        ticket = official.get(f"/tickets/{code.group(0)}")
        assert ticket.status_code == 200, ticket.text
        assert ticket.json()["ticket"]["channel"] == "telegram"
        assert [file["file_ref"] for file in ticket.json()["attachments"]] == ["AgAC-e2e"]
        _act(official, f"/tickets/{code.group(0)}/status", {"status": "accepted"})
        _act(official, f"/tickets/{code.group(0)}/replies", {"text": "Xã đã cử người sửa cầu <tạm> trong tuần này."})
    answer = citizen.replies()
    assert "Xã đã cử người sửa cầu &lt;tạm&gt; trong tuần này." in _text(answer)
    assert platforms.telegram.limit_violations == 0


def test_zalo_bot_by_polling_and_the_zalo_oa_by_signed_webhook(platforms: Platforms, service: Service) -> None:
    platforms.zalo.push_update(platforms.zalo.text_update("zalo-chat-1", "/start"))
    [menu] = platforms.zalo.wait_for(1, timeout=20, chat_id="zalo-chat-1")
    assert "Trả lời 1, 2" in str(menu.text)

    event = platforms.oa.user_text_event("oa-user-1", "ho ngheo duoc ho tro gi")
    response = platforms.oa.deliver(f"{service.base}/webhooks/zalo-oa", event)
    assert response.status_code == 200, response.text
    [answer] = platforms.oa.wait_for(1, timeout=20, chat_id="oa-user-1")
    assert "Căn cứ" in str(answer.text)
    assert answer.params["recipient"] == {"message_id": event["message"]["msg_id"]}

    forged = platforms.oa.deliver(f"{service.base}/webhooks/zalo-oa", event, signature="mac=" + "0" * 64)
    assert forged.status_code == 403


def test_duplicates_and_forgeries_change_nothing(platforms: Platforms, service: Service, database: Database) -> None:
    citizen = TelegramUser(platforms, service, chat=810002)
    update = platforms.telegram.text_update(810002, "/start")
    forged = citizen.post(update, secret=SECRET[:-1] + "x")
    assert forged.status_code == 403
    stored = "SELECT count(*) FROM processed_updates WHERE update_id = :id"
    assert database.scalar(stored, id=str(update["update_id"])) == 0
    assert citizen.post(update).status_code == 200
    assert citizen.post(update).status_code == 200
    assert len(citizen.replies()) == 1
    time.sleep(1.5)
    assert len(platforms.telegram.sent(810002)) == 1


def test_a_webhook_during_a_database_outage_is_503_and_its_redelivery_counts_once(
    platforms: Platforms, service: Service, database: Database
) -> None:
    citizen = TelegramUser(platforms, service, chat=810003)
    update = platforms.telegram.text_update(810003, "ho can ngheo la gi")
    blocker = database.down()
    try:
        refused = citizen.post(update)
        assert refused.status_code == 503, refused.text
        assert refused.json()["error"] == "unavailable"
    finally:
        database.up(blocker)
    deadline = time.monotonic() + 30
    while (response := citizen.post(update)).status_code != 200:  # Telegram keeps redelivering
        assert time.monotonic() < deadline, response.text
        time.sleep(0.5)
    assert citizen.post(update).status_code == 200
    replies = citizen.replies()
    assert len(replies) == 1 and "Căn cứ" in _text(replies)


def test_a_sigkill_mid_send_loses_and_doubles_nothing_after_a_restart(platforms: Platforms, service: Service) -> None:
    telegram = platforms.telegram
    chats = list(range(820001, 820011))
    telegram.hold()  # the next send reaches the platform and waits there for its answer
    try:
        for chat in chats:
            response = FakeTelegram.deliver(
                f"{service.base}/webhooks/telegram", telegram.text_update(chat, "/start"), secret=SECRET, timeout=30
            )
            assert response.status_code == 200, response.text
        telegram.wait_held(1, timeout=20)
        service.kill()
    finally:
        telegram.release()
    service.restart()
    for chat in chats:
        telegram.wait_for(1, timeout=40, chat_id=chat)
    time.sleep(3)  # anything sent twice would have arrived by now
    for chat in chats:
        assert len(telegram.delivered(chat)) == 1, (chat, telegram.describe())
    assert telegram.limit_violations == 0
