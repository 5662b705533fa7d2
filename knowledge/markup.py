"""The FAQ markup subset (**bold**, "- " lists, [text](url)) turned into plain terminal text."""

from __future__ import annotations

import re

_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")


def render_markup(text: str, ansi: bool) -> str:
    """Links as "text (url)", bold in ANSI when ``ansi`` (a tty), else plain; lists stay as they are."""
    text = _LINK.sub(r"\1 (\2)", text)
    return _BOLD.sub("\033[1m\\1\033[0m" if ansi else r"\1", text)
