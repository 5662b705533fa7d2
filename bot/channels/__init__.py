"""Channel adapters: turn a platform's updates into ``bot.events.Event`` and show the replies (see ``bot``).

``web`` serves the web chat page and its JSON endpoint; ``terminal`` is ``caunoi chat``. Both are
delivered by pull (``casework.outbox.pull``): no dispatcher sends their rows.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from knowledge.engine import AnswerEngine
from knowledge.live import LiveKnowledge

_live: dict[Path, LiveKnowledge] = {}
_lock = threading.Lock()


def shared_knowledge(directory: Path, zone: ZoneInfo) -> Callable[[], AnswerEngine]:
    """The engine for ``Deps.knowledge``: loaded on first use, once per process and directory, reloaded on edits.

    Lazy so that an application started only for the officials' API (or a test) does not pay for
    building the index; shared so that every application of a process serves the same engine.
    """
    key = directory.resolve()

    def engine() -> AnswerEngine:
        live = _live.get(key)
        if live is None:
            with _lock:
                live = _live.get(key)
                if live is None:
                    live = LiveKnowledge(key, today=lambda: dt.datetime.now(zone).date())
                    _live[key] = live
        return live.engine

    return engine
