"""The FAQ markup subset (**bold**, "- " lists, [text](url)) turned into plain terminal text."""

from __future__ import annotations

import html
import re

_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")


def render_markup(text: str, ansi: bool) -> str:
    """Links as "text (url)", bold in ANSI when ``ansi`` (a tty), else plain; lists stay as they are."""
    text = _LINK.sub(r"\1 (\2)", text)
    return _BOLD.sub("\033[1m\\1\033[0m" if ansi else r"\1", text)


def render_html(text: str) -> str:
    """The markup as the HTML subset chat platforms accept (Telegram's parse mode): everything escaped first,
    then ``**bold**`` as ``<b>`` and links as ``<a href>``; lists stay plain lines."""
    escaped = html.escape(text, quote=False)
    escaped = _LINK.sub(lambda m: f'<a href="{html.escape(html.unescape(m.group(2)))}">{m.group(1)}</a>', escaped)
    return _BOLD.sub(r"<b>\1</b>", escaped)
