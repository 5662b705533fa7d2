"""The web chat in a real browser: Debian's headless Chromium driven by Playwright, against ``caunoi run``.

Never downloads a browser. Under CI (``CI=true``) it must run and fails without Chromium;
elsewhere it runs whenever ``/usr/bin/chromium`` exists (``.ci/run`` installs it when missing).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Server

CHROMIUM = Path("/usr/bin/chromium")
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
