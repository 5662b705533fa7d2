"""The web chat through HTTP: the page, the message endpoint with the real engine and database, bad input."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.web import COOKIE, MAX_BODY_BYTES, chat_ref_for
from casework.channels import Channel
from casework.conversations.models import Conversation
from casework.outbox.models import OutboxKind, OutboxMessage, OutboxStatus
from casework.outbox.pull import take_for_chat
from casework.outbox.schemas import OutboxPayload
from casework.outbox.service import enqueue

MESSAGES = "/chat/messages"


def cid() -> str:
    return str(uuid.uuid4())


async def say(browser: httpx.AsyncClient, text: str, client_id: str | None = None) -> dict[str, Any]:
    response = await browser.post(MESSAGES, json={"client_id": client_id or cid(), "text": text})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def tap(browser: httpx.AsyncClient, payload: str) -> dict[str, Any]:
    response = await browser.post(MESSAGES, json={"client_id": cid(), "payload": payload})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def text_of(body: dict[str, Any]) -> str:
    return "\n".join(message["text"] for message in body["messages"])


def buttons_of(body: dict[str, Any]) -> dict[str, str]:
    return {button["text"]: button["data"] for message in body["messages"] for button in message["buttons"]}


async def outbox_count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


async def official_reply(sessions: async_sessionmaker[AsyncSession], chat_ref: str, text: str) -> None:
    async with sessions() as session:
        await enqueue(
            session,
            channel=Channel.WEB,
            chat_ref=chat_ref,
            payload=OutboxPayload(text=text),
            kind=OutboxKind.REPLY,
            dedupe_key=f"test:{uuid.uuid4()}",
        )
        await session.commit()


# The page


async def test_the_page_is_one_small_vietnamese_document_with_no_outside_resources(
    browser: httpx.AsyncClient,
) -> None:
    response = await browser.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<html lang="vi">' in page
    assert 'name="viewport"' in page
    assert "Trang này lưu một mã ẩn danh để nhớ cuộc trò chuyện" in page
    assert "tự động" in page and "tỉnh Cao Bằng" in page
    assert len(response.content) < 30_000
    # No CDN, no external font, no external script or stylesheet: everything is inlined.
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "@import" not in page and "@font-face" not in page
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'sha256-" in policy and "connect-src 'self'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_the_page_renders_the_markup_only_after_escaping_it(browser: httpx.AsyncClient) -> None:
    page = (await browser.get("/")).text
    script = page[page.index("<script>") : page.index("</script>")]
    # render() escapes the whole text before it adds any tag of its own; links get rel="noopener".
    assert "var lines = escapeHtml(markup)" in script
    assert 'rel="noopener noreferrer"' in script
    assert "innerHTML = render(" in script and script.count("innerHTML") == 1


# A conversation


async def test_start_greets_with_the_menu_and_sets_an_anonymous_session_cookie(browser: httpx.AsyncClient) -> None:
    response = await browser.post(MESSAGES, json={"client_id": cid(), "text": "/start"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert "tự động" in text_of(body)
    assert {"Hỏi chính sách", "Gửi phản ánh", "Tra cứu phản ánh", "Quyền riêng tư"} <= set(buttons_of(body))
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower() and "path=/" in cookie.lower()
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", browser.cookies[COOKIE])


async def test_a_question_without_diacritics_is_answered_with_its_source(browser: httpx.AsyncClient) -> None:
    body = await say(browser, "ho ngheo duoc ho tro gi")
    assert "Căn cứ" in text_of(body)
    assert any(data.startswith("fb:y:") for data in buttons_of(body).values())


async def test_a_button_payload_is_a_button_press(browser: httpx.AsyncClient) -> None:
    menu = await say(browser, "/start")
    body = await tap(browser, buttons_of(menu)["Gửi phản ánh"])
    assert body["messages"] and buttons_of(body)  # the report flow asks for the kind, with buttons


async def test_every_reply_is_delivered_once(
    browser: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    first = await say(browser, "/start")
    assert len(first["messages"]) == 1
    assert (await browser.get(MESSAGES)).json() == {"messages": []}
    async with sessions() as session:
        rows = (await session.scalars(select(OutboxMessage))).all()
    assert [row.status for row in rows] == [OutboxStatus.SENT]
    assert rows[0].channel is Channel.WEB and rows[0].chat_ref == chat_ref_for(browser.cookies[COOKIE])


async def test_a_retried_message_creates_nothing_and_returns_what_is_pending(
    browser: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    client_id = cid()
    first = await say(browser, "ho ngheo duoc ho tro gi", client_id)
    assert "Căn cứ" in text_of(first)
    rows = await outbox_count(sessions)
    again = await say(browser, "ho ngheo duoc ho tro gi", client_id)
    assert again == {"messages": []}
    assert await outbox_count(sessions) == rows
    await official_reply(sessions, chat_ref_for(browser.cookies[COOKIE]), "Cán bộ xã đã nhận được câu hỏi của bạn.")
    third = await say(browser, "ho ngheo duoc ho tro gi", client_id)
    assert text_of(third) == "Cán bộ xã đã nhận được câu hỏi của bạn."


async def test_polling_returns_an_officials_message_once_and_only_to_its_chat(
    browser: httpx.AsyncClient, other_browser: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await say(browser, "/start")
    await say(other_browser, "/start")
    assert browser.cookies[COOKIE] != other_browser.cookies[COOKIE]
    await official_reply(sessions, chat_ref_for(browser.cookies[COOKIE]), "**Trả lời:** xã sẽ xem lại hồ sơ của bạn.")
    assert (await other_browser.get(MESSAGES)).json() == {"messages": []}
    polled = (await browser.get(MESSAGES)).json()
    assert [m["text"] for m in polled["messages"]] == ["**Trả lời:** xã sẽ xem lại hồ sơ của bạn."]
    assert polled["messages"][0]["kind"] == "reply" and polled["messages"][0]["buttons"] == []
    assert (await browser.get(MESSAGES)).json() == {"messages": []}


async def test_polling_without_a_cookie_finds_nothing_and_sets_none(browser: httpx.AsyncClient) -> None:
    response = await browser.get(MESSAGES)
    assert response.status_code == 200
    assert response.json() == {"messages": []}
    assert "set-cookie" not in response.headers


async def test_a_forged_cookie_is_replaced_by_a_new_chat(browser: httpx.AsyncClient) -> None:
    browser.cookies.set(COOKIE, "../../etc/passwd")
    response = await browser.post(MESSAGES, json={"client_id": cid(), "text": "/start"})
    assert response.status_code == 200
    new = response.cookies[COOKIE]
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", new)


async def test_a_long_text_and_a_forged_payload_get_polite_answers_not_errors(browser: httpx.AsyncClient) -> None:
    await say(browser, "/start")
    long = await say(browser, "a" * 10_000)
    assert long["messages"]  # refused politely by the engine, never cut
    forged = await tap(browser, "zz:" + "x" * 100)
    assert forged["messages"]
    emoji = await say(browser, "🙏🙏🙏")
    assert emoji["messages"]


async def test_the_cookie_is_secure_over_https(app: Any) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as secure:
        response = await secure.post(MESSAGES, json={"client_id": cid(), "text": "/start"})
    assert "secure" in response.headers["set-cookie"].lower()


async def test_the_conversation_is_stored_under_a_digest_of_the_cookie_never_the_cookie(
    browser: httpx.AsyncClient, other_browser: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await say(browser, "/start")
    async with sessions() as session:
        conversation = await session.scalar(select(Conversation))
    assert conversation is not None
    cookie = browser.cookies[COOKIE]
    assert conversation.channel is Channel.WEB and conversation.chat_ref == chat_ref_for(cookie)
    assert cookie not in conversation.chat_ref
    # What is stored (and kept with tickets) does not open the chat: sent as the cookie, it reads nothing.
    await official_reply(sessions, conversation.chat_ref, "Cán bộ xã đã nhận được câu hỏi của bạn.")
    other_browser.cookies.set(COOKIE, conversation.chat_ref)
    assert (await other_browser.get(MESSAGES)).json() == {"messages": []}
    assert "Cán bộ xã đã nhận" in text_of((await browser.get(MESSAGES)).json())


# Bad input: always a 4xx in the API's error shape, never a 500


@pytest.mark.parametrize(
    ("content", "headers", "status", "code"),
    [
        (b'{"client_id": "%s", "text": "x"}', {"content-type": "text/plain"}, 415, "unsupported_media_type"),
        (b'{"client_id": "%s", "text": "x"}', {}, 415, "unsupported_media_type"),
        (b"{not json", {"content-type": "application/json"}, 400, "invalid_json"),
        (b"\xff\xfe", {"content-type": "application/json"}, 400, "invalid_json"),
        (b"[1, 2]", {"content-type": "application/json"}, 422, "validation_failed"),
        (b'"text"', {"content-type": "application/json"}, 422, "validation_failed"),
        (b'{"text": "x"}', {"content-type": "application/json"}, 422, "validation_failed"),
        (b'{"client_id": "not-a-uuid", "text": "x"}', {"content-type": "application/json"}, 422, "validation_failed"),
        (b'{"client_id": 12, "text": "x"}', {"content-type": "application/json"}, 422, "validation_failed"),
        (b'{"client_id": "%s"}', {"content-type": "application/json"}, 422, "validation_failed"),
        (b'{"client_id": "%s", "text": "x", "payload": "m:ask"}', {"content-type": "application/json"}, 422, None),
        (b'{"client_id": "%s", "text": 5}', {"content-type": "application/json"}, 422, "validation_failed"),
        (b'{"client_id": "%s", "payload": ""}', {"content-type": "application/json"}, 422, "validation_failed"),
        (b'{"client_id": "%s", "text": "x", "phone": "1"}', {"content-type": "application/json"}, 422, None),
    ],
)
async def test_bad_input_is_refused_with_a_4xx(
    browser: httpx.AsyncClient, content: bytes, headers: dict[str, str], status: int, code: str | None
) -> None:
    body = content.replace(b"%s", cid().encode())
    response = await browser.post(MESSAGES, content=body, headers=headers)
    assert response.status_code == status, response.text
    assert response.json()["error"] == (code or "validation_failed")
    assert "set-cookie" not in response.headers


async def test_the_validation_error_names_fields_without_echoing_the_input(browser: httpx.AsyncClient) -> None:
    response = await browser.post(MESSAGES, json={"client_id": "0912345678", "text": "x"})
    assert response.status_code == 422
    assert response.json()["detail"] == {"fields": ["client_id"]}
    assert "0912345678" not in response.text


async def test_a_body_over_the_limit_is_refused_declared_or_streamed(browser: httpx.AsyncClient) -> None:
    big = b'{"client_id": "%s", "text": "' + b"a" * (MAX_BODY_BYTES + 10) + b'"}'
    declared = await browser.post(MESSAGES, content=big, headers={"content-type": "application/json"})
    assert declared.status_code == 413 and declared.json()["error"] == "payload_too_large"

    async def chunks() -> Any:
        for start in range(0, len(big), 8192):
            yield big[start : start + 8192]

    streamed = await browser.post(MESSAGES, content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413


async def test_a_text_over_the_hard_limit_is_a_422(browser: httpx.AsyncClient) -> None:
    response = await browser.post(MESSAGES, json={"client_id": cid(), "text": "a" * 20_001})
    assert response.status_code == 422 and response.json()["detail"] == {"fields": ["text"]}


async def test_wrong_methods_are_405_not_500(browser: httpx.AsyncClient) -> None:
    assert (await browser.delete(MESSAGES)).status_code == 405
    assert (await browser.post("/")).status_code == 405


# Taking a chat's rows


async def test_take_for_chat_takes_only_that_chats_waiting_rows_in_order(
    browser: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session:
        for index, (channel, ref) in enumerate(
            [(Channel.WEB, "a"), (Channel.WEB, "b"), (Channel.TELEGRAM, "a"), (Channel.WEB, "a"), (Channel.WEB, "a")]
        ):
            await enqueue(
                session,
                channel=channel,
                chat_ref=ref,
                payload=OutboxPayload(text=f"m{index}"),
                kind=OutboxKind.NOTICE,
                dedupe_key=f"t{index}",
            )
        await session.commit()
    async with sessions() as session:
        first = await take_for_chat(session, channel=Channel.WEB, chat_ref="a", limit=2)
        await session.commit()
    assert [row.payload["text"] for row in first] == ["m0", "m3"]
    assert all(row.status is OutboxStatus.SENT and row.sent_at is not None for row in first)
    async with sessions() as session:
        rest = await take_for_chat(session, channel=Channel.WEB, chat_ref="a")
        none = await take_for_chat(session, channel=Channel.WEB, chat_ref="a", limit=0)
        await session.commit()
    assert [row.payload["text"] for row in rest] == ["m4"] and none == []
    async with sessions() as session:
        waiting = (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING))
        ).all()
    assert sorted(row.payload["text"] for row in waiting) == ["m1", "m2"]


async def test_two_polls_at_once_never_both_get_a_row(
    browser: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await say(browser, "/start")
    for number in range(5):
        await official_reply(sessions, chat_ref_for(browser.cookies[COOKIE]), f"tin {number}")
    results = await asyncio.gather(*(browser.get(MESSAGES) for _ in range(4)))
    assert all(result.status_code == 200 for result in results)
    texts = [m["text"] for result in results for m in result.json()["messages"]]
    assert sorted(texts) == [f"tin {number}" for number in range(5)]
