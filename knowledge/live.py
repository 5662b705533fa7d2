"""The engine a long-running process serves from, rebuilt atomically when files change.

A change is served only if it passes the same check as ``caunoi faq check`` (errors, not
warnings): an answer with a broken link or an HTML tag never reaches a citizen, even when
an editor saves without checking first.

Reading ``engine`` never waits for a rebuild: when it notices changed files it starts one in a
background thread and goes on answering with the previous engine until the new one is ready (a
rebuild takes seconds on a slow PC, and the web chat asks from its event loop).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from knowledge.check import check_knowledge
from knowledge.engine import AnswerEngine, Tuning
from knowledge.loader import Problem, Severity, load_knowledge

log = logging.getLogger(__name__)

Fingerprint = tuple[tuple[str, int, int], ...]


class KnowledgeError(Exception):
    """The knowledge files cannot be served (the first load had errors)."""

    def __init__(self, errors: list[Problem]) -> None:
        self.errors = errors
        shown = "\n".join(str(problem) for problem in errors[:10])
        super().__init__(f"{len(errors)} error(s) in the knowledge files:\n{shown}")


def fingerprint(directory: Path) -> Fingerprint:
    """Name, modification time and size of every knowledge file: changes when any does."""
    files = sorted([*directory.glob("*.yaml"), *directory.glob("faq/*.yaml")])
    stats = []
    for path in files:
        try:
            stat = path.stat()
        except FileNotFoundError:  # removed while we looked
            continue
        stats.append((str(path.relative_to(directory)), stat.st_mtime_ns, stat.st_size))
    return tuple(stats)


class LiveKnowledge:
    """Hold the current engine; swap in a new one only when the changed files load cleanly."""

    def __init__(
        self,
        directory: Path,
        tuning: Tuning | None = None,
        check_interval: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self.directory = directory
        self._tuning = tuning
        self._check_interval = check_interval
        self._clock = clock
        self._today = today
        self._lock = threading.Lock()  # held by whoever is rebuilding
        self._reloader: threading.Thread | None = None
        self._fingerprint = fingerprint(directory)
        engine, errors = self._build()
        if engine is None:
            raise KnowledgeError(errors)
        self._engine = engine
        self._checked_at = clock()

    @property
    def engine(self) -> AnswerEngine:
        """The engine to answer with now; looks for changed files at most every few seconds, never waits."""
        now = self._clock()
        if now - self._checked_at >= self._check_interval:
            self._checked_at = now
            self._reload_in_background()
        return self._engine

    def reload_if_changed(self) -> bool:
        """Rebuild the index now if the files changed; return whether a new one is now served."""
        with self._lock:
            return self._reload()

    def join(self, timeout: float | None = None) -> None:
        """Wait for a background rebuild that is running, if any (for tools and tests)."""
        reloader = self._reloader
        if reloader is not None:
            reloader.join(timeout)

    def _reload_in_background(self) -> None:
        if not self._lock.acquire(blocking=False):
            return  # a rebuild is already running
        try:
            changed = fingerprint(self.directory) != self._fingerprint
        except BaseException:
            self._lock.release()
            raise
        if not changed:
            self._lock.release()
            return
        self._reloader = threading.Thread(target=self._reload_then_release, name="knowledge-reload", daemon=True)
        self._reloader.start()

    def _reload_then_release(self) -> None:
        try:
            self._reload()
        except Exception:
            log.exception("rebuilding the knowledge index failed; still serving the previous version")
        finally:
            self._lock.release()

    def _reload(self) -> bool:
        """With the lock held: rebuild if the files changed since the last build."""
        self._checked_at = self._clock()
        current = fingerprint(self.directory)
        if current == self._fingerprint:
            return False
        self._fingerprint = current
        engine, errors = self._build()
        if engine is None:
            log.error(
                "knowledge files changed but have %d error(s); still serving the previous version. First: %s",
                len(errors),
                errors[0],
            )
            return False
        self._engine = engine
        log.info("knowledge reloaded: %d entries", len(engine.base.entries))
        return True

    def _build(self) -> tuple[AnswerEngine | None, list[Problem]]:
        """Load and check the files; an engine only when there is no error."""
        result = load_knowledge(self.directory)
        if result.errors:
            return None, result.errors
        engine = AnswerEngine(result.base, self._tuning)
        errors = [p for p in check_knowledge(result, self._today(), engine) if p.severity is Severity.ERROR]
        if errors:
            return None, errors
        return engine, []
