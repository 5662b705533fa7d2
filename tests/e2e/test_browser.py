"""The web chat in a real browser: Debian's headless Chromium driven by Playwright, against ``caunoi run``.

Never downloads a browser. Under CI (``CI=true``) it must run and fails without Chromium;
elsewhere it runs whenever ``/usr/bin/chromium`` exists (``.ci/run`` installs it when missing).
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import ADMIN, ADMIN_PASSWORD, Server

CHROMIUM = Path("/usr/bin/chromium")
# A 1×1 white PNG, as a screenshot would be.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c49444154789c63f8ffff3f0005fe02fe"
    "0def46b80000000049454e44ae426082"
)
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

if not CHROMIUM.exists():
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the browser test, but {CHROMIUM} is missing", pytrace=False)
    pytest.skip(f"no Chromium at {CHROMIUM}", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    # A cheap phone: 360 px wide, touch, a phone's user agent.
    context = chromium.new_context(
        viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True, locale="vi-VN"
    )
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def no_horizontal_scroll(page: Page) -> Any:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_a_citizen_asks_without_diacritics_reads_the_source_and_taps_the_menu(
    page: Page, server: Server, tmp_path: Path
) -> None:
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url) if not request.url.startswith(server.base) else None)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(server.base + "/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_text("Trang này lưu một mã ẩn danh để nhớ cuộc trò chuyện")).to_be_visible()
    # The greeting arrives by itself, with the menu as real buttons.
    expect(page.locator(".msg.bot").first).to_contain_text("tự động")
    expect(page.get_by_role("button", name="Gửi phản ánh")).to_be_visible()

    page.get_by_label("Tin nhắn của bạn").fill("ho ngheo duoc ho tro gi")
    page.get_by_role("button", name="Gửi", exact=True).click()
    answer = page.locator(".msg.bot").nth(1)
    expect(answer).to_contain_text("Căn cứ")
    expect(answer.locator("strong").first).to_be_visible()  # **bold** rendered, not shown as stars
    assert "**" not in answer.inner_text()
    expect(page.locator(".msg.me")).to_have_text(["ho ngheo duoc ho tro gi"])

    # Tap a menu button of the greeting: the tap shows as the citizen's message and gets an answer.
    page.get_by_role("button", name="Tra cứu phản ánh").first.click()
    expect(page.locator(".msg.me")).to_have_count(2)
    expect(page.locator(".msg.bot").nth(2)).to_be_visible()  # the track flow answers (one message or more)

    screenshot = tmp_path / "web-chat-360.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 1000
    assert no_horizontal_scroll(page)
    # Big tap targets: every button at least 44 px high.
    heights = page.locator("button").evaluate_all("(all) => all.map((b) => b.getBoundingClientRect().height)")
    assert heights and min(height for height in heights if height > 0) >= 44
    assert outside == [] and errors == []


def test_the_history_survives_a_reload_and_markup_is_not_html(page: Page, server: Server) -> None:
    page.goto(server.base + "/")
    expect(page.locator(".msg.bot")).to_have_count(1)
    page.get_by_label("Tin nhắn của bạn").fill("<img src=x onerror=alert(1)> **hi**")
    page.keyboard.press("Enter")
    expect(page.locator(".msg.me")).to_have_text(["<img src=x onerror=alert(1)> **hi**"])
    expect(page.locator(".msg.bot")).to_have_count(2)
    assert page.locator(".log img").count() == 0
    page.reload()
    expect(page.locator(".msg")).to_have_count(3)
    assert no_horizontal_scroll(page)


def test_a_citizen_attaches_a_photo_to_a_report_and_the_official_downloads_it(
    page: Page, server: Server, tmp_path: Path
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server.base + "/")
    expect(page.locator(".msg.bot").first).to_contain_text("tự động")
    expect(page.get_by_text("📷 Ảnh")).to_be_visible()
    expect(page.get_by_text("🎤 Ghi âm")).to_be_visible()
    assert page.locator("#photo").get_attribute("accept") == "image/*"
    assert page.locator("#photo").get_attribute("capture") == "environment"
    assert page.locator("#voice").get_attribute("accept") == "audio/*"

    page.get_by_role("button", name="Gửi phản ánh").first.click()
    page.get_by_role("button", name="Phản ánh, kiến nghị").click()
    page.get_by_role("button", name="Không rõ").last.click()
    expect(page.locator(".msg.bot").last).to_contain_text("kể lại sự việc")

    # The photo goes through the file input, as the phone's camera would hand it over.
    photo = tmp_path / "IMG_2024_nha_ong_A.png"
    photo.write_bytes(PNG)
    page.set_input_files("#photo", str(photo))
    expect(page.locator(".msg.me").last).to_contain_text("📷 Ảnh")
    expect(page.locator(".msg.bot").last).to_contain_text("Đã nhận ảnh (1/10)")
    expect(page.locator("#status")).to_have_text("")

    # A text file dressed as a photo is refused politely, in Vietnamese, and nothing else changes.
    fake = tmp_path / "anh.jpg"
    fake.write_text("đây không phải là ảnh")
    page.set_input_files("#photo", str(fake))
    expect(page.locator(".msg.me.failed .why")).to_contain_text("không phải ảnh hay ghi âm")

    for name in ("Tiếp tục", "Không để lại số (ẩn danh)", "Không cần giữ kín", "Gửi"):
        page.locator("#log").get_by_role("button", name=name, exact=True).last.click()
    expect(page.locator(".msg.bot").last).to_contain_text("Đã gửi")
    match = re.search(r"CB-[0-9A-Z]{4}-[0-9A-Z]{4}", page.locator(".msg.bot").last.inner_text())
    assert match, page.locator(".msg.bot").last.inner_text()

    digest = hashlib.sha256(PNG).hexdigest()
    assert (server.data / "uploads" / f"{digest}.png").read_bytes() == PNG
    with httpx.Client(base_url=server.base + "/api/v1", timeout=30) as api:
        token = api.post("/auth/token", data={"username": ADMIN, "password": ADMIN_PASSWORD}).json()["access_token"]
        api.headers["Authorization"] = f"Bearer {token}"
        detail = api.get(f"/tickets/{match.group(0)}").json()
        [attachment] = detail["attachments"]
        assert attachment["file_ref"] == f"web:{digest}.png" and attachment["file_name"] is None
        download = api.get(f"/tickets/{match.group(0)}/attachments/{attachment['id']}")
    assert download.status_code == 200 and download.content == PNG
    assert download.headers["content-type"] == "image/png"
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert no_horizontal_scroll(page)
    assert errors == []


def noisy_png(width: int, height: int) -> bytes:
    """A PNG of random pixels: it does not compress, so it is as large as its pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + os.urandom(width * 3) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 1)) + chunk(b"IEND", b"")


def test_a_large_photo_is_shrunk_before_it_is_sent_and_a_huge_recording_is_not_sent(
    page: Page, server: Server, tmp_path: Path
) -> None:
    posted: list[int] = []
    page.on(
        "request", lambda r: posted.append(len(r.post_data_buffer or b"")) if r.url.endswith("/chat/files") else None
    )
    page.goto(server.base + "/")
    page.get_by_role("button", name="Gửi phản ánh").first.click()
    page.get_by_role("button", name="Phản ánh, kiến nghị").click()
    page.get_by_role("button", name="Không rõ").last.click()
    expect(page.locator(".msg.bot").last).to_contain_text("kể lại sự việc")

    big = tmp_path / "IMG_0001.png"
    big.write_bytes(noisy_png(2400, 1800))
    assert big.stat().st_size > 8 * 1024 * 1024  # over the limit as it is; well under it at 1600 px
    before = set((server.data / "uploads").glob("*")) if (server.data / "uploads").exists() else set()
    page.set_input_files("#photo", str(big))
    expect(page.locator(".msg.bot").last).to_contain_text("Đã nhận ảnh (1/10)")
    [stored] = set((server.data / "uploads").glob("*")) - before
    assert stored.suffix == ".jpg" and stored.stat().st_size < big.stat().st_size / 2
    assert len(posted) == 1 and posted[0] < big.stat().st_size / 2

    recording = tmp_path / "ghi-am.ogg"
    recording.write_bytes(b"OggS" + bytes(9 * 1024 * 1024))
    page.set_input_files("#voice", str(recording))
    expect(page.locator(".msg.me.failed .why")).to_contain_text("Ghi âm quá lớn (tối đa 8 MB)")
    assert len(posted) == 1  # refused on the phone: no megabytes paid for
