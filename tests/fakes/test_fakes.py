"""The fake platforms themselves, over real HTTP: httpx for the wire, python-telegram-bot for Telegram."""

# ruff: noqa: S105, S106, S107 - the tokens and secrets here are throwaway test values

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter

from tests.fakes import FakePlatform, FakeTelegram, FakeZaloBot, FakeZaloOA, running

TOKEN = "123456:TEST-token"
JPEG = b"\xff\xd8\xff fake jpeg"
ZALO_TOKEN = "1459232241454765289:zalo-secret"
# One client for the whole module: a new httpx client per request costs ~25 ms (its TLS context).
HTTP = httpx.Client()


@pytest.fixture(scope="module", autouse=True)
def _close_http() -> Iterator[None]:
    yield
    HTTP.close()


def new_oa(access_ttl: int = 90000) -> FakeZaloOA:
    return FakeZaloOA(
        oa_id="4321",
        app_id="98765",
        oa_secret_key="oa-secret",
        app_secret="app-secret",
        access_token="access-0",
        refresh_token="refresh-0",
        access_ttl=access_ttl,
    )


class Swappable:
    """An ASGI app forwarding to the app the current test installed: one server per module, a fresh fake per test."""

    def __init__(self) -> None:
        self.app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def fake_server() -> Iterator[tuple[Swappable, str]]:
    swappable = Swappable()
    with running(swappable) as base:
        yield swappable, base


@pytest.fixture(scope="module")
def hook_server() -> Iterator[tuple[Swappable, str]]:
    swappable = Swappable()
    with running(swappable) as base:
        yield swappable, base


@pytest.fixture
def tg(fake_server: tuple[Swappable, str]) -> tuple[FakeTelegram, str]:
    fake = FakeTelegram(TOKEN)
    fake_server[0].app = fake.app
    return fake, fake_server[1]


@pytest.fixture
def zb(fake_server: tuple[Swappable, str]) -> tuple[FakeZaloBot, str]:
    fake = FakeZaloBot(ZALO_TOKEN)
    fake_server[0].app = fake.app
    return fake, f"{fake_server[1]}/bot{ZALO_TOKEN}"


@pytest.fixture
def oa(fake_server: tuple[Swappable, str]) -> tuple[FakeZaloOA, str]:
    fake = new_oa()
    fake_server[0].app = fake.app
    return fake, fake_server[1]


@pytest.fixture
def hook(hook_server: tuple[Swappable, str]) -> tuple[Recorder, str]:
    """A webhook receiver and its URL."""
    recorder = Recorder([], [])
    hook_server[0].app = recorder.app()
    return recorder, f"{hook_server[1]}/hook"


def ptb_bot(base: str) -> Bot:
    return Bot(TOKEN, base_url=f"{base}/bot", base_file_url=f"{base}/file/bot")


def tg_call(base: str, method: str, **params: Any) -> httpx.Response:
    return HTTP.post(f"{base}/bot{TOKEN}/{method}", json=params)


def oa_send(base: str, recipient: dict[str, str], text: str, token: str = "access-0") -> dict[str, Any]:
    body = {"recipient": recipient, "message": {"text": text}}
    response = HTTP.post(f"{base}/v3.0/oa/message/cs", json=body, headers={"access_token": token})
    assert response.status_code == 200
    answer: dict[str, Any] = response.json()
    return answer


@dataclass
class Recorder:
    """A webhook receiver that keeps what it was sent."""

    bodies: list[bytes]
    headers: list[dict[str, str]]

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/hook")
        async def receive(request: Request) -> dict[str, bool]:
            self.bodies.append(await request.body())
            self.headers.append(dict(request.headers))
            return {"ok": True}

        return app


# -- the runner ---------------------------------------------------------------------------------


def test_running_serves_in_a_thread_and_stops_on_exit() -> None:
    app = FastAPI()

    @app.get("/ping")
    async def ping() -> str:
        return "pong"

    with running(app) as base:
        assert base.startswith("http://127.0.0.1:")
        assert HTTP.get(f"{base}/ping").json() == "pong"
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base}/ping", timeout=1)


async def test_running_works_from_an_async_test() -> None:
    fake = FakeTelegram(TOKEN)
    with running(fake.app) as base:
        async with httpx.AsyncClient() as client:
            response = await client.post(f"{base}/bot{TOKEN}/getMe")
    assert response.json()["result"]["username"] == "CauNoiTestBot"


# -- Telegram -------------------------------------------------------------------------------------


async def test_telegram_get_me_answers_the_bot_user(tg: tuple[FakeTelegram, str]) -> None:
    fake, base = tg
    async with ptb_bot(base) as bot:  # initialize() calls getMe
        assert (bot.id, bot.username, bot.first_name) == (123456, "CauNoiTestBot", "Cầu Nối")
    assert tg_call(base, "getMe").json() == {
        "ok": True,
        "result": {
            "id": 123456,
            "is_bot": True,
            "first_name": "Cầu Nối",
            "username": "CauNoiTestBot",
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        },
    }


async def test_telegram_send_message_decodes_ptb_form_and_answers_a_message(tg: tuple[FakeTelegram, str]) -> None:
    fake, base = tg
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Có", callback_data="faq:1")]])
    async with ptb_bot(base) as bot:
        message = await bot.send_message(42, "<b>Xin chào</b> &amp; 1 &lt; 2", parse_mode="HTML", reply_markup=keyboard)
        second = await bot.send_message(42, "lần hai")
        other = await bot.send_message(7, "chat khác")
    assert message.text == "Xin chào & 1 < 2"
    assert message.reply_markup == keyboard
    assert message.from_user is not None and message.from_user.id == 123456
    assert (message.message_id, second.message_id, other.message_id) == (1, 2, 1)
    [call, _] = fake.sent(42)
    assert call.params["chat_id"] == 42
    assert call.params["reply_markup"] == {"inline_keyboard": [[{"text": "Có", "callback_data": "faq:1"}]]}
    assert fake.delivered_texts(42) == ["<b>Xin chào</b> &amp; 1 &lt; 2", "lần hai"]


@pytest.mark.parametrize(
    "text",
    [
        "<p>đoạn</p>",
        "1 < 2",
        "a > b",
        "AT&T",
        "&nbsp;x",
        "<b>mở",
        "<b>x</i>",
        '<span class="x">y</span>',
        "<a onclick='x'>y</a>",
    ],
)
def test_telegram_rejects_bad_html(tg: tuple[FakeTelegram, str], text: str) -> None:
    fake, base = tg
    response = tg_call(base, "sendMessage", chat_id=1, text=text, parse_mode="HTML")
    assert response.status_code == 400
    assert response.json()["description"].startswith("Bad Request: can't parse entities: ")
    assert fake.delivered_texts() == []


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("<b>đậm <i>nghiêng</i></b>", "đậm nghiêng"),
        ("&#39;&#x27;&quot;&gt;", "''\">"),
        ('<a href="https://dichvucong.gov.vn/?a=1&amp;b=2">link</a>', "link"),
        ('<span class="tg-spoiler">kín</span><tg-spoiler>kín</tg-spoiler>', "kínkín"),
        ('<blockquote expandable>trích</blockquote><pre><code class="language-python">x</code></pre>', "tríchx"),
        ("<strong>a</strong><em>b</em><u>c</u><ins>d</ins><s>e</s><strike>f</strike><del>g</del>", "abcdefg"),
    ],
)
def test_telegram_accepts_documented_html(tg: tuple[FakeTelegram, str], text: str, plain: str) -> None:
    response = tg_call(tg[1], "sendMessage", chat_id=1, text=text, parse_mode="HTML")
    assert response.status_code == 200, response.text
    assert response.json()["result"]["text"] == plain


def test_telegram_text_length_counts_after_entity_parsing(tg: tuple[FakeTelegram, str]) -> None:
    base = tg[1]
    assert tg_call(base, "sendMessage", chat_id=1, text="&amp;" * 4096, parse_mode="HTML").status_code == 200
    too_long = tg_call(base, "sendMessage", chat_id=1, text="a" * 4097)
    assert too_long.json()["description"] == "Bad Request: message is too long"
    empty = tg_call(base, "sendMessage", chat_id=1, text="<b> </b>", parse_mode="HTML")
    assert (empty.status_code, empty.json()["description"]) == (400, "Bad Request: message text is empty")


async def test_telegram_callback_data_is_limited_to_64_bytes(tg: tuple[FakeTelegram, str]) -> None:
    fake, base = tg
    async with ptb_bot(base) as bot:
        await bot.send_message(
            1, "ok", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="a" * 64)]])
        )
        for data in ("a" * 65, "ệ" * 22):  # 22 Vietnamese letters are 66 bytes
            markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data=data)]])
            with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
                await bot.send_message(1, "no", reply_markup=markup)
    assert fake.delivered_texts() == ["ok"]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's own int retry_after
async def test_telegram_injected_429_raises_retry_after(tg: tuple[FakeTelegram, str]) -> None:
    fake, base = tg
    fake.fail_next("sendMessage", 429, retry_after=3, count=2)
    async with ptb_bot(base) as bot:
        with pytest.raises(RetryAfter, match="Retry in (3 seconds|0:00:03)"):
            await bot.send_message(1, "first")
        assert tg_call(base, "sendMessage", chat_id=1, text="second").json() == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 3",
            "parameters": {"retry_after": 3},
        }
        await bot.send_message(1, "third")
    assert fake.delivered_texts() == ["third"]
    assert [c.status for c in fake.calls if c.method == "sendMessage"] == [429, 429, 200]


async def test_telegram_blocked_chat_is_forbidden(tg: tuple[FakeTelegram, str]) -> None:
    fake, base = tg
    fake.block(42)
    async with ptb_bot(base) as bot:
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(42, "xin chào")
        await bot.send_message(43, "người khác")
    response = tg_call(base, "sendMessage", chat_id="42", text="again")
    assert (response.status_code, response.json()) == (
        403,
        {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
    )
    assert fake.delivered_texts() == ["người khác"]


async def test_telegram_injected_server_error_is_not_delivered(tg: tuple[FakeTelegram, str]) -> None:
    fake, base = tg
    fake.fail_next("sendMessage", 502)
    async with ptb_bot(base) as bot:
        with pytest.raises(NetworkError):
            await bot.send_message(1, "lost")
    assert fake.delivered_texts() == []
    assert fake.calls[-1].status == 502


async def test_telegram_wrong_token_and_unknown_method(tg: tuple[FakeTelegram, str]) -> None:
    base = tg[1]
    wrong = HTTP.post(f"{base}/bot999:WRONG/getMe")
    assert (wrong.status_code, wrong.json()) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    unknown = tg_call(base, "sendTelepathy")
    assert (unknown.status_code, unknown.json()) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=f"{base}/bot"):
            pass


async def test_telegram_accepts_json_get_and_multipart_bodies(tg: tuple[FakeTelegram, str]) -> None:
    fake, base = tg
    assert (
        tg_call(base, "sendMessage", chat_id=5, text="json", reply_markup='{"inline_keyboard": []}').status_code == 200
    )
    assert HTTP.get(f"{base}/bot{TOKEN}/sendMessage", params={"chat_id": "5", "text": "get"}).status_code == 200
    async with ptb_bot(base) as bot:
        message = await bot.send_photo(5, JPEG, caption="<i>ảnh</i>", parse_mode="HTML")
        document = await bot.send_document(5, b"%PDF-1.4", filename="don.pdf")
    assert message.caption == "ảnh" and len(message.photo) == 3
    assert document.document is not None and document.document.file_name == "don.pdf"
    photo_call = fake.sent(5)[2]
    assert photo_call.method == "sendPhoto" and photo_call.params["photo"]["size"] == len(JPEG)
    assert [c.params["reply_markup"] for c in fake.sent(5)[:1]] == [{"inline_keyboard": []}]


async def test_telegram_get_updates_confirms_by_offset_and_long_polls(tg: tuple[FakeTelegram, str]) -> None:
    fake, base = tg
    first, second = fake.text_update(42, "một"), fake.text_update(42, "hai")
    fake.push_update(first)
    fake.push_update(second)
    async with ptb_bot(base) as bot:
        updates = await bot.get_updates(timeout=0)
        assert [u.update_id for u in updates] == [first["update_id"], second["update_id"]]
        assert len(await bot.get_updates(offset=second["update_id"], timeout=0)) == 1
        started = time.monotonic()
        assert await bot.get_updates(offset=second["update_id"] + 1, timeout=1) == ()
        assert 0.9 < time.monotonic() - started < 1.8
        assert fake.pending_updates == []
        third = fake.text_update(42, "ba")
        asyncio.get_running_loop().call_later(0.2, fake.push_update, third)
        started = time.monotonic()
        [update] = await bot.get_updates(offset=second["update_id"] + 1, timeout=5)
        assert update.update_id == third["update_id"] and time.monotonic() - started < 1.0


async def test_telegram_update_builders_parse_with_ptb(tg: tuple[FakeTelegram, str]) -> None:
    fake, base = tg
    async with ptb_bot(base) as bot:
        sent = await bot.send_message(
            42, "Chọn", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
        )
        built = [
            fake.text_update(42, "/start tham-so"),
            fake.callback_update(42, "a"),
            fake.photo_update(42, caption="giấy tờ", file_id="PHOTO"),
            fake.voice_update(42, file_id="VOICE", duration=7),
            fake.document_update(42, file_name="đơn.pdf", mime_type="application/pdf"),
            fake.contact_update(42, "+84912345678"),
            fake.location_update(42, 22.666, 106.258),
        ]
        text, callback, photo, voice, document, contact, location = (Update.de_json(u, bot) for u in built)
    assert [u["update_id"] for u in built] == sorted(u["update_id"] for u in built)
    assert text.message is not None and text.message.text == "/start tham-so"
    assert text.message.entities[0].type == "bot_command" and text.effective_user is not None
    assert callback.callback_query is not None and callback.callback_query.data == "a"
    assert callback.callback_query.message is not None and callback.callback_query.message.message_id == sent.message_id
    assert (
        photo.message is not None and photo.message.photo[-1].file_id == "PHOTO" and photo.message.caption == "giấy tờ"
    )
    assert voice.message is not None and voice.message.voice is not None and voice.message.voice.file_id == "VOICE"
    assert built[3]["message"]["voice"]["duration"] == 7
    assert document.message is not None and document.message.document is not None
    assert document.message.document.file_name == "đơn.pdf"
    assert contact.message is not None and contact.message.contact is not None
    assert contact.message.contact.user_id == contact.message.from_user.id == 42  # type: ignore[union-attr]
    assert location.message is not None and location.message.location is not None
    assert location.message.location.latitude == pytest.approx(22.666)


async def test_telegram_webhook_settings_and_conflict_with_get_updates(tg: tuple[FakeTelegram, str]) -> None:
    fake, base = tg
    async with ptb_bot(base) as bot:
        with pytest.raises(BadRequest):
            await bot.set_webhook("https://caunoi.example/telegram", secret_token="has spaces!")
        assert await bot.set_webhook("https://caunoi.example/telegram", secret_token="Ab_9-z", max_connections=5)
        info = await bot.get_webhook_info()
        assert (info.url, info.pending_update_count, info.max_connections) == ("https://caunoi.example/telegram", 0, 5)
        assert fake.webhook is not None and fake.webhook["secret_token"] == "Ab_9-z"
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates(timeout=0)
        assert await bot.delete_webhook()
        assert await bot.get_updates(timeout=0) == ()
        assert (await bot.get_webhook_info()).url == ""


def test_telegram_deliver_posts_json_with_the_secret_header(
    tg: tuple[FakeTelegram, str], hook: tuple[Recorder, str]
) -> None:
    fake, (recorder, url) = tg[0], hook
    update = fake.text_update(42, "xin chào")
    assert fake.deliver(url, update, secret="s3cret").status_code == 200
    fake.deliver(url, update, client=HTTP)
    assert json.loads(recorder.bodies[0]) == update
    assert recorder.headers[0]["x-telegram-bot-api-secret-token"] == "s3cret"
    assert recorder.headers[0]["content-type"] == "application/json"
    assert "x-telegram-bot-api-secret-token" not in recorder.headers[1]


async def test_telegram_get_file_and_download(tg: tuple[FakeTelegram, str]) -> None:
    fake, base = tg
    fake.add_file("PHOTO", b"real bytes")
    async with ptb_bot(base) as bot:
        default = await bot.get_file("OTHER")
        assert (default.file_size, default.file_path) == (1234, f"{base}/file/bot{TOKEN}/photos/OTHER.jpg")
        assert bytes(await (await bot.get_file("PHOTO")).download_as_bytearray()) == b"real bytes"


async def test_telegram_callback_answers_and_chat_actions(tg: tuple[FakeTelegram, str]) -> None:
    fake, base = tg
    async with ptb_bot(base) as bot:
        assert await bot.answer_callback_query("cbq-1", text="Đã nhận")
        assert await bot.send_chat_action(42, "typing")
        message = await bot.send_message(42, "x")
        edited = await bot.edit_message_text("y", chat_id=42, message_id=message.message_id)
        assert isinstance(edited, type(message)) and edited.text == "y"
    assert [c.method for c in fake.calls][-4:] == [
        "answerCallbackQuery",
        "sendChatAction",
        "sendMessage",
        "editMessageText",
    ]
    assert len(fake.sent()) == 1


def test_telegram_flood_limits_per_chat_and_overall() -> None:
    fake = FakeTelegram(TOKEN, enforce_limits=True)
    with running(fake.app) as base, httpx.Client() as client:
        send = f"{base}/bot{TOKEN}/sendMessage"
        statuses = [client.post(send, json={"chat_id": 1, "text": str(i)}).status_code for i in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = client.post(send, json={"chat_id": 1, "text": "again"}).json()
        assert limited["parameters"]["retry_after"] >= 1
        assert limited["description"] == f"Too Many Requests: retry after {limited['parameters']['retry_after']}"
        overall = [client.post(send, json={"chat_id": 100 + i, "text": "x"}).status_code for i in range(28)]
        assert overall == [200] * 27 + [429]  # 3 + 27 sends fill the 30/s window
    assert fake.limit_violations == 2 + overall.count(429)
    assert len(fake.sent()) == 3 + overall.count(200)


# -- Zalo Bot -------------------------------------------------------------------------------------


def test_zalo_bot_get_me_and_send_message(zb: tuple[FakeZaloBot, str]) -> None:
    fake, api = zb
    assert HTTP.post(f"{api}/getMe", json={}).json() == {
        "ok": True,
        "result": {
            "id": "1459232241454765289",
            "account_name": "bot.caunoi",
            "account_type": "BASIC",
            "can_join_groups": False,
        },
    }
    answer = HTTP.post(f"{api}/sendMessage", json={"chat_id": "e4ea2cd5", "text": "Xin chào"}).json()
    assert answer["ok"] is True
    assert isinstance(answer["result"]["message_id"], str) and answer["result"]["date"] > 1_700_000_000_000
    assert fake.delivered_texts("e4ea2cd5") == ["Xin chào"]
    assert HTTP.post(f"{api}/sendChatAction", json={"chat_id": "e4ea2cd5", "action": "typing"}).json() == {"ok": True}
    photo = HTTP.post(f"{api}/sendPhoto", json={"chat_id": "e4ea2cd5", "photo": "https://x/y.png", "caption": "ảnh"})
    assert photo.json()["ok"] is True and len(fake.sent("e4ea2cd5")) == 2


def test_zalo_bot_text_limits_and_errors(zb: tuple[FakeZaloBot, str]) -> None:
    fake, api = zb
    assert HTTP.post(f"{api}/sendMessage", json={"chat_id": "c", "text": "a" * 2000}).status_code == 200
    too_long = HTTP.post(f"{api}/sendMessage", json={"chat_id": "c", "text": "a" * 2001})
    assert (too_long.status_code, too_long.json()) == (
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: text too long"},
    )
    assert HTTP.post(f"{api}/sendMessage", json={"chat_id": "c", "text": ""}).status_code == 400
    wrong = HTTP.post(api.replace(ZALO_TOKEN, "1:wrong") + "/getMe", json={})
    assert (wrong.status_code, wrong.json()["description"]) == (401, "Unauthorized")
    assert HTTP.post(f"{api}/sendTelepathy", json={}).status_code == 404
    fake.block("c")
    blocked = HTTP.post(f"{api}/sendMessage", json={"chat_id": "c", "text": "x"})
    assert (blocked.status_code, blocked.json()["ok"]) == (403, False)
    assert len(fake.delivered()) == 1


def test_zalo_bot_webhook_lifecycle(zb: tuple[FakeZaloBot, str]) -> None:
    fake, api = zb
    none = HTTP.post(f"{api}/getWebhookInfo", json={})
    assert (none.status_code, none.json()) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    assert HTTP.post(f"{api}/setWebhook", json={"url": "https://x/zalo", "secret_token": "short"}).status_code == 400
    answer = HTTP.post(f"{api}/setWebhook", json={"url": "https://x/zalo", "secret_token": "long-enough"}).json()
    assert answer["ok"] is True and answer["result"]["url"] == "https://x/zalo" and answer["result"]["updated_at"] > 0
    assert HTTP.post(f"{api}/getWebhookInfo", json={}).json()["result"]["url"] == "https://x/zalo"
    assert fake.webhook is not None and fake.webhook["secret_token"] == "long-enough"
    assert HTTP.post(f"{api}/getUpdates", json={"timeout": "1"}).status_code == 409
    assert HTTP.post(f"{api}/deleteWebhook", json={}).json()["result"]["url"] == ""
    assert fake.webhook is None


def test_zalo_bot_get_updates_returns_one_update_or_408(zb: tuple[FakeZaloBot, str]) -> None:
    fake, api = zb
    first, second = fake.text_update("c1", "một"), fake.text_update("c2", "hai")
    fake.push_update(first)
    fake.push_update(second)
    assert HTTP.post(f"{api}/getUpdates", json={"timeout": "30"}).json() == {"ok": True, "result": first}
    assert HTTP.post(f"{api}/getUpdates", json={"timeout": "30"}).json()["result"] == second
    started = time.monotonic()
    empty = HTTP.post(f"{api}/getUpdates", json={"timeout": "0.3"})
    assert (empty.status_code, empty.json()) == (
        408,
        {"ok": False, "error_code": 408, "description": "Request timeout"},
    )
    assert 0.25 < time.monotonic() - started < 1.5


def test_zalo_bot_update_builders(zb: tuple[FakeZaloBot, str]) -> None:
    fake = zb[0]
    text = fake.text_update("chat1", "Xin chào", user_id="user1")
    assert text["event_name"] == "message.text.received"
    message = text["message"]
    assert message["from"] == {"id": "user1", "display_name": "Bà Nông", "is_bot": False}
    assert message["chat"] == {"id": "chat1", "chat_type": "PRIVATE"} and message["text"] == "Xin chào"
    assert isinstance(message["message_id"], str) and message["date"] > 1_700_000_000_000
    image = fake.image_update("chat1", photo_url="https://x/a.jpg", caption="giấy")
    assert image["event_name"] == "message.image.received"
    assert (image["message"]["photo_url"], image["message"]["caption"]) == ("https://x/a.jpg", "giấy")
    assert fake.sticker_update("chat1")["event_name"] == "message.sticker.received"
    unsupported = fake.unsupported_update("chat1")
    assert unsupported["event_name"] == "message.unsupported.received" and "text" not in unsupported["message"]
    ids = {u["message"]["message_id"] for u in (text, image, unsupported)}
    assert len(ids) == 3


def test_zalo_bot_deliver_sends_the_secret_header(zb: tuple[FakeZaloBot, str], hook: tuple[Recorder, str]) -> None:
    fake, (recorder, url) = zb[0], hook
    update = fake.text_update("c", "x")
    fake.deliver(url, update, secret="long-enough", client=HTTP)
    assert json.loads(recorder.bodies[0]) == update
    assert recorder.headers[0]["x-bot-api-secret-token"] == "long-enough"


# -- Zalo OA --------------------------------------------------------------------------------------


def test_zalo_oa_reply_within_the_window(oa: tuple[FakeZaloOA, str]) -> None:
    fake, base = oa
    event = fake.user_text_event("u1", "Cho tôi hỏi")
    answer = oa_send(base, {"message_id": event["message"]["msg_id"]}, "Dạ, xin trả lời")
    assert answer["error"] == 0 and answer["message"] == "Success"
    assert answer["data"]["user_id"] == "u1" and isinstance(answer["data"]["message_id"], str)
    assert answer["data"]["quota"]["remain"] == 7
    assert fake.delivered_texts("u1") == ["Dạ, xin trả lời"]
    [call] = fake.sent("u1")
    assert call.params["recipient"] == {"message_id": event["message"]["msg_id"]}


def test_zalo_oa_eight_free_replies_reset_by_a_new_user_message(oa: tuple[FakeZaloOA, str]) -> None:
    fake, base = oa
    msg_id = fake.user_text_event("u1", "hỏi")["message"]["msg_id"]
    answers = [oa_send(base, {"message_id": msg_id}, f"trả lời {n}")["error"] for n in range(9)]
    assert answers == [0] * 8 + [-230]
    assert oa_send(base, {"message_id": msg_id}, "nữa") == {
        "error": -230,
        "message": "User has not interacted with the OA in the free reply window",
    }
    newer = fake.user_text_event("u1", "hỏi tiếp")["message"]["msg_id"]
    assert oa_send(base, {"message_id": newer}, "lại được")["error"] == 0
    assert len(fake.delivered_texts("u1")) == 9


def test_zalo_oa_window_closes_after_48_hours() -> None:
    fake = new_oa(access_ttl=7 * 86400)  # the default token would expire (25 h) before the window does
    with running(fake.app) as base:
        _check_reply_window(fake, base)


def _check_reply_window(fake: FakeZaloOA, base: str) -> None:
    msg_id = fake.user_text_event("u1", "hỏi")["message"]["msg_id"]
    fake.now_offset = 47 * 3600
    assert oa_send(base, {"message_id": msg_id}, "kịp")["error"] == 0
    fake.now_offset = 48 * 3600 + 60
    assert oa_send(base, {"message_id": msg_id}, "muộn")["error"] == -230
    assert oa_send(base, {"message_id": "unknown"}, "lạ")["error"] == -230


def test_zalo_oa_proactive_sends_need_permission(oa: tuple[FakeZaloOA, str]) -> None:
    fake, base = oa
    fake.user_text_event("u1", "hỏi")
    assert oa_send(base, {"user_id": "u1"}, "chủ động")["error"] == -230
    fake.allow_proactive = True
    answer = oa_send(base, {"user_id": "u1"}, "chủ động")
    assert answer["error"] == 0 and answer["data"]["user_id"] == "u1"
    assert fake.delivered_texts() == ["chủ động"]


def test_zalo_oa_checks_token_text_and_blocks(oa: tuple[FakeZaloOA, str]) -> None:
    fake, base = oa
    msg_id = fake.user_text_event("u1", "hỏi")["message"]["msg_id"]
    assert oa_send(base, {"message_id": msg_id}, "x", token="forged") == {
        "error": -216,
        "message": "Access token is invalid",
    }
    assert oa_send(base, {"message_id": msg_id}, "a" * 2001) == {"error": -201, "message": "Parameters are invalid"}
    assert oa_send(base, {"message_id": msg_id}, "a" * 2000)["error"] == 0
    fake.block("u2")
    blocked = fake.user_text_event("u2", "hỏi")["message"]["msg_id"]
    assert oa_send(base, {"message_id": blocked}, "x") == {"error": -213, "message": "User has not followed the OA"}
    fake.expire_access_token()
    assert oa_send(base, {"message_id": msg_id}, "x")["error"] == -216
    assert len(fake.delivered()) == 1


def test_zalo_oa_refresh_tokens_are_single_use(oa: tuple[FakeZaloOA, str]) -> None:
    fake, base = oa
    url = f"{base}/v4/oa/access_token"
    form = {"refresh_token": "refresh-0", "app_id": "98765", "grant_type": "refresh_token"}
    assert HTTP.post(url, data=form, headers={"secret_key": "wrong"}).json()["error"] == -14002
    fresh = HTTP.post(url, data=form, headers={"secret_key": "app-secret"}).json()
    assert set(fresh) == {"access_token", "refresh_token", "expires_in"} and fresh["expires_in"] == "90000"
    assert (fake.access_token, fake.refresh_token) == (fresh["access_token"], fresh["refresh_token"])
    reused = HTTP.post(url, data=form, headers={"secret_key": "app-secret"})
    assert (reused.status_code, reused.json()) == (
        200,
        {"error": -14014, "error_name": "Invalid refresh token", "error_description": "Refresh token is invalid"},
    )
    assert fake.refresh_calls == 3
    fake.expire_access_token()
    again = HTTP.post(url, data=form | {"refresh_token": fresh["refresh_token"]}, headers={"secret_key": "app-secret"})
    msg_id = fake.user_text_event("u1", "hỏi")["message"]["msg_id"]
    assert oa_send(base, {"message_id": msg_id}, "x", token=fresh["access_token"])["error"] == -216
    assert oa_send(base, {"message_id": msg_id}, "x", token=again.json()["access_token"])["error"] == 0


def test_zalo_oa_events_have_the_webhook_shape(oa: tuple[FakeZaloOA, str]) -> None:
    fake = oa[0]
    text = fake.user_text_event("u1", "Xin chào")
    assert {k: text[k] for k in ("app_id", "event_name", "sender", "recipient")} == {
        "app_id": "98765",
        "event_name": "user_send_text",
        "sender": {"id": "u1"},
        "recipient": {"id": "4321"},
    }
    assert text["message"]["text"] == "Xin chào" and text["message"]["msg_id"]
    assert text["timestamp"].isdigit() and text["user_id_by_app"].isdigit()
    image = fake.user_image_event("u1", "https://x/a.jpg", "giấy tờ")
    assert image["event_name"] == "user_send_image" and image["message"]["text"] == "giấy tờ"
    assert image["message"]["attachments"] == [
        {"type": "image", "payload": {"url": "https://x/a.jpg", "thumbnail": "https://x/a.jpg"}}
    ]
    assert image["message"]["msg_id"] != text["message"]["msg_id"]
    follow = fake.follow_event("u2")
    assert follow["event_name"] == "follow" and follow["follower"] == {"id": "u2"}


def test_zalo_oa_deliver_signs_the_exact_bytes_it_sends(oa: tuple[FakeZaloOA, str], hook: tuple[Recorder, str]) -> None:
    fake, (recorder, url) = oa[0], hook
    event = fake.user_text_event("u1", "Xin chào Cao Bằng")
    fake.deliver(url, event)
    fake.deliver(url, event, signature="mac=forged", client=HTTP)
    raw = recorder.bodies[0]
    expected = hashlib.sha256(b"98765" + raw + event["timestamp"].encode() + b"oa-secret").hexdigest()
    assert recorder.headers[0]["x-zevent-signature"] == f"mac={expected}" == fake.signature(raw, event["timestamp"])
    assert json.loads(raw) == event and recorder.headers[0]["content-type"] == "application/json"
    assert recorder.headers[1]["x-zevent-signature"] == "mac=forged"


def test_zalo_oa_injected_server_error(oa: tuple[FakeZaloOA, str]) -> None:
    fake, base = oa
    msg_id = fake.user_text_event("u1", "hỏi")["message"]["msg_id"]
    fake.fail_next("message/cs", 503)
    body = {"recipient": {"message_id": msg_id}, "message": {"text": "x"}}
    response = HTTP.post(f"{base}/v3.0/oa/message/cs", json=body, headers={"access_token": "access-0"})
    assert response.status_code == 503
    assert fake.delivered_texts() == []
    assert oa_send(base, {"message_id": msg_id}, "y")["data"]["quota"]["remain"] == 7  # the failed send used none


# -- what all three share: hold/release, delay, wait_for -------------------------------------------

Sender = Callable[[str, str], httpx.Response]


@pytest.fixture(params=["telegram", "zalo_bot", "zalo_oa"])
def platform(request: pytest.FixtureRequest, fake_server: tuple[Swappable, str]) -> tuple[FakePlatform, str, Sender]:
    """A served fake, a chat on it and a function that sends it one text message."""
    base = fake_server[1]
    fake: FakePlatform
    if request.param == "telegram":
        fake = FakeTelegram(TOKEN)

        def send(chat: str, text: str) -> httpx.Response:
            return tg_call(base, "sendMessage", chat_id=chat, text=text)

    elif request.param == "zalo_bot":
        fake = FakeZaloBot(ZALO_TOKEN)

        def send(chat: str, text: str) -> httpx.Response:
            return HTTP.post(f"{base}/bot{ZALO_TOKEN}/sendMessage", json={"chat_id": chat, "text": text})

    else:
        fake = new_oa()
        fake.allow_proactive = True

        def send(chat: str, text: str) -> httpx.Response:
            body = {"recipient": {"user_id": chat}, "message": {"text": text}}
            return HTTP.post(f"{base}/v3.0/oa/message/cs", json=body, headers={"access_token": "access-0"})

    fake_server[0].app = fake.app
    return fake, "42", send


def test_held_send_counts_as_delivered_before_it_is_answered(platform: tuple[FakePlatform, str, Sender]) -> None:
    fake, chat, send = platform
    fake.hold()
    answers: list[httpx.Response] = []
    client = threading.Thread(target=lambda: answers.append(send(chat, "giữ lại")))
    client.start()
    fake.wait_held(1)
    assert fake.delivered_texts(chat) == ["giữ lại"] and fake.sent(chat) == [] and answers == []
    fake.release()
    client.join(timeout=5)
    assert answers[0].status_code == 200 and fake.held_count == 0
    assert [c.text for c in fake.wait_for(1, chat_id=chat)] == ["giữ lại"]


def test_delay_postpones_each_answer(platform: tuple[FakePlatform, str, Sender]) -> None:
    fake, chat, send = platform
    fake.delay = 0.3
    started = time.monotonic()
    assert send(chat, "chậm").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_wait_for_reports_what_it_saw(platform: tuple[FakePlatform, str, Sender]) -> None:
    fake, chat, send = platform
    send(chat, "một")
    assert len(fake.wait_for(lambda sends: any(c.text == "một" for c in sends), timeout=1)) == 1
    with pytest.raises(AssertionError, match="một"):
        fake.wait_for(2, timeout=0.1)
