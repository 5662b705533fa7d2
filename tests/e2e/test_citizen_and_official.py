"""A scripted end-to-end run over real HTTP against ``caunoi run``: a citizen in the web chat, an official in the API.

The citizen asks (an answer with its source), asks something unknown (forwarded: a tracking
code), files a report (text: the web page takes no attachments yet) and gets a code; the first
admin logs in, accepts the question, replies and marks it answered; the citizen's polling shows
the reply, and the citizen rates the answer.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import ADMIN, ADMIN_PASSWORD, Server

API = "/api/v1"
UNKNOWN = "cach trong ngo lai nang suat cao"
CODE = re.compile(r"Mã theo dõi: \*\*(CB-[0-9A-Z-]+)\*\*")


class Citizen:
    """A visitor of the web chat page: one cookie jar, messages as the page sends them."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http
        self.last: list[dict[str, Any]] = []

    def post(self, **what: str) -> list[dict[str, Any]]:
        response = self.http.post("/chat/messages", json={"client_id": str(uuid.uuid4()), **what})
        assert response.status_code == 200, response.text
        self.last = response.json()["messages"]
        return self.last

    def say(self, text: str) -> list[dict[str, Any]]:
        return self.post(text=text)

    def tap(self, label: str) -> list[dict[str, Any]]:
        found = [b["data"] for m in self.last for b in m["buttons"] if label in b["text"]]
        assert len(found) == 1, (label, [b["text"] for m in self.last for b in m["buttons"]])
        return self.post(payload=found[0])

    @property
    def text(self) -> str:
        return "\n".join(m["text"] for m in self.last)

    def poll(self) -> list[dict[str, Any]]:
        response = self.http.get("/chat/messages")
        assert response.status_code == 200, response.text
        messages: list[dict[str, Any]] = response.json()["messages"]
        return messages

    def choose_commune_if_asked(self) -> None:
        # The commune picker (asked once per chat, then remembered) offers "Không rõ".
        if any(b["text"] == "Không rõ" for m in self.last for b in m["buttons"]):
            self.say("ha lang")
            self.tap("Xã Hạ Lang")


@pytest.fixture
def citizen(server: Server) -> Iterator[Citizen]:
    with httpx.Client(base_url=server.base, timeout=30) as http:
        yield Citizen(http)


@pytest.fixture
def official(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base + API, timeout=30) as http:
        login = http.post("/auth/token", data={"username": ADMIN, "password": ADMIN_PASSWORD})
        assert login.status_code == 200, login.text
        http.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        yield http


def act(official: httpx.Client, path: str, body: dict[str, Any]) -> httpx.Response:
    response = official.post(path, json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code in {200, 201}, response.text
    return response


def test_a_citizen_asks_reports_and_gets_an_officials_answer_in_the_web_chat(
    citizen: Citizen, official: httpx.Client, server: Server
) -> None:
    assert "Hỏi chính sách" in str(citizen.say("/start"))

    # An answer, with its source.
    citizen.say("ho ngheo duoc ho tro gi")
    assert "Căn cứ" in citizen.text

    # Something the FAQ does not know: forwarded to an official, with a tracking code.
    citizen.say(UNKNOWN)
    assert "chưa có câu trả lời" in citizen.text
    citizen.tap("Có, gửi cho cán bộ")
    citizen.choose_commune_if_asked()
    match = CODE.search(citizen.text)
    assert match, citizen.text
    question_code = match.group(1)

    # A report (text), with its own code.
    citizen.say("/start")
    citizen.tap("Gửi phản ánh")
    citizen.tap("Phản ánh, kiến nghị")
    citizen.choose_commune_if_asked()
    citizen.say("Đường vào bản Nà Mò bị sạt lở từ tuần trước, xe máy không đi được.")
    citizen.tap("Tiếp tục")
    citizen.tap("Không để lại số")
    citizen.tap("Không cần giữ kín")
    citizen.tap("Gửi")
    match = CODE.search(citizen.text)
    assert match, citizen.text
    report_code = match.group(1)
    assert report_code != question_code

    # The official finds both in the queue, and answers the question.
    queue = official.get("/tickets")
    assert queue.status_code == 200, queue.text
    assert {question_code, report_code} <= {t["code"] for t in queue.json()["items"]}
    act(official, f"/tickets/{question_code}/status", {"status": "accepted"})
    act(official, f"/tickets/{question_code}/replies", {"text": "Bạn liên hệ cán bộ khuyến nông xã để được hướng dẫn."})
    act(official, f"/tickets/{question_code}/status", {"status": "answered"})

    # The citizen's page polls and shows the reply.
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + 10
    while not any("cán bộ khuyến nông" in m["text"] for m in seen):
        assert time.monotonic() < deadline, seen
        seen += citizen.poll()
        time.sleep(0.2)
    assert citizen.poll() == []  # delivered once

    # And rates it.
    citizen.say(f"/tra_cuu {question_code}")
    assert "Đã trả lời" in citizen.text and "cán bộ khuyến nông" in citizen.text
    citizen.tap("⭐⭐⭐⭐⭐")
    assert "Cảm ơn bạn đã đánh giá" in citizen.text

    # The official sees the delivery and the citizen's message thread; no chat reference leaks into the log.
    detail = official.get(f"/tickets/{question_code}")
    assert detail.status_code == 200, detail.text
    cookie = citizen.http.cookies["caunoi_chat"]
    assert cookie not in server.log.read_text(errors="replace")
