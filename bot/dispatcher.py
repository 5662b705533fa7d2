"""The dispatcher: sends one platform channel's outbox rows, at the platform's pace, each at most once.

One dispatcher per channel is active in a whole deployment: it holds the channel's lease
(``casework.leases``) and renews it; the other processes' dispatchers stand by and take over
when the lease runs out. So the platform's limits hold across processes (Telegram: 30 messages
per second overall, one per second per chat) with an in-process pacer.

Each row: claimed (a batch at a time, in priority and id order, one chat's rows in order), then
``mark_started`` is committed, then the row goes to the platform, then the result is committed.
A process that dies between the last two leaves the row UNCONFIRMED — the platform may have it —
and it is never sent again; a row claimed but not started is simply sent by whoever takes over.

What a ``Sender`` raises decides the row's fate:

- ``RateLimited(seconds)``: the platform's flood wait. Nothing goes to the channel for exactly
  that long; the row is put back, its attempt not counted.
- ``Unreachable``: the citizen blocked the bot. The chat is marked unreachable, the row and the
  chat's other claimed rows are given up, and nothing more is sent to it until the citizen writes.
- ``Rejected``: the platform refuses this message for good (a bad request, outside Zalo OA's free
  reply window): the row is DEAD with the reason, for officials to see.
- ``Temporary`` (5xx, network, timeouts): retried with backoff; the chat's later rows wait for it.
- anything else (a bug, an answer the sender cannot read): UNCONFIRMED if the part had been
  started (the platform may have it), DEAD if not; the chat's later rows go on.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import logging
import time
import traceback
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.channels import Channel
from casework.conversations.service import chat_languages, mark_unreachable, unreachable_chats
from casework.database import writing
from casework.db import utcnow
from casework.errors import Conflict
from casework.leases.service import acquire, release
from casework.outbox.models import OutboxMessage
from casework.outbox.schemas import DEFAULT_RETRY, OutboxPayload, RetryPolicy
from casework.outbox.service import (
    claim_batch,
    defer,
    mark_failed,
    mark_part_sent,
    mark_sent,
    mark_started,
    mark_unconfirmed,
    take_over,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One outbox row as a sender sees it."""

    id: int
    chat_ref: str
    payload: OutboxPayload
    language: str = "vi"  # the chat's, for what a channel adds itself ("Trả lời 1, 2 hoặc 3.")
    parts_sent: int = 0  # parts of it already delivered by an earlier attempt


class SendError(Exception):
    """Why a row was not delivered (the message must not quote the citizen's text)."""


class RateLimited(SendError):
    def __init__(self, retry_after: float, reason: str = "rate limited") -> None:
        super().__init__(f"{reason} (retry after {retry_after:g} s)")
        self.retry_after = retry_after


class Unreachable(SendError):
    """The chat refuses our messages for good (the citizen blocked the bot, left the OA)."""


class Rejected(SendError):
    """This message can never be delivered as it is."""


class Temporary(SendError):
    """Worth trying again later."""


class Sender(Protocol):
    """A platform adapter's sending half.

    ``prepare`` renders a row into the platform's messages (a long text in several parts) and may
    refuse it (``Rejected``); ``send_part`` delivers one of them and returns the platform's id for
    it. The dispatcher paces every part like a message of its own and records each delivered
    part, so a failure on the second part never sends the first again.
    """

    channel: Channel

    async def prepare(self, message: Outgoing) -> Sequence[Any]: ...

    async def send_part(self, message: Outgoing, part: Any) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Pace:
    """How fast a channel may be sent to."""

    per_second: float = 30.0  # every chat together
    per_chat_interval: float = 1.0  # seconds between two messages to one chat
    in_flight: int = 8  # requests at once (different chats), so platform latency does not cap the rate

    @property
    def interval(self) -> float:
        # 2 % margin: request start times spaced exactly 1/30 s can arrive closer than that.
        return 1.02 / self.per_second


@dataclass(frozen=True, slots=True)
class DispatchConfig:
    pace: Pace = Pace()
    policy: RetryPolicy = DEFAULT_RETRY
    lease_ttl: dt.timedelta = dt.timedelta(seconds=15)
    idle_poll: float = 1.0  # seconds between looks at an empty outbox (a wake-up comes sooner)
    batch: int = 150  # rows claimed at once: enough chats in hand to keep 30/s while each waits 1 s


class Dispatcher:
    """Sends one channel's outbox rows while it holds that channel's lease."""

    def __init__(
        self,
        sender: Sender,
        sessions: async_sessionmaker[AsyncSession],
        config: DispatchConfig = DispatchConfig(),
        *,
        worker: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.sender = sender
        self.channel = sender.channel
        self.sessions = sessions
        self.config = config
        self.worker = worker or f"{self.channel}-{uuid.uuid4().hex[:12]}"
        self._clock = clock
        self._now = now
        self._wake = asyncio.Event()
        self._leader = False
        self._lease_renewed = float("-inf")
        self._next_slot = float("-inf")
        self._paused_until = float("-inf")
        self._chat_next: dict[str, float] = {}
        self._languages: dict[str, str] = {}
        self._stopping = False
        self.sent = 0

    @property
    def lease_name(self) -> str:
        return f"dispatch:{self.channel}"

    def wake(self) -> None:
        """New rows were committed: look at once instead of at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        """Send until ``stop`` (or cancelled); a database outage is waited out, never fatal.

        Cancelling is a crash as far as the rows are concerned: sends in flight are abandoned (their
        rows end UNCONFIRMED) and the lease runs out by itself. ``stop`` is the clean way out.
        """
        while not self._stopping:
            try:
                handled = await self.run_once()
            except (SQLAlchemyError, OSError) as error:
                log.warning("dispatcher %s: database unavailable (%s); retrying", self.channel, type(error).__name__)
                handled = 0
                await asyncio.sleep(self.config.idle_poll)
            if handled == 0 and not self._stopping:
                await self._idle()
        await self._resign()

    def stop(self) -> None:
        """Finish the sends in flight, start no new ones, give the lease up; ``run`` then returns."""
        self._stopping = True
        self._wake.set()

    async def run_once(self) -> int:
        """Hold the lease, claim one batch and deliver it; return how many rows were settled."""
        if not await self._hold_lease():
            return 0
        self._wake.clear()
        async with writing(self.sessions), self.sessions() as session:
            rows = await claim_batch(
                session,
                worker=self.worker,
                limit=self.config.batch,
                channel=self.channel,
                now=self._now(),
                policy=self.config.policy,
            )
            chats = {row.chat_ref for row in rows}
            refused = await unreachable_chats(session, channel=self.channel, chat_refs=chats)
            self._languages = await chat_languages(session, channel=self.channel, chat_refs=chats)
            await session.commit()
        for row in rows:
            if row.chat_ref in refused:
                await self._settle(row.id, "give up", "the chat is unreachable (the citizen blocked the bot)")
        rows = [row for row in rows if row.chat_ref not in refused]
        if rows:
            await self._deliver_batch(rows)
        return len(rows) + len(refused)

    async def _idle(self) -> None:
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=self.config.idle_poll)
        except TimeoutError:
            pass

    async def _hold_lease(self) -> bool:
        """Take or renew the channel's lease (renewed every third of its lifetime)."""
        ttl = self.config.lease_ttl
        if self._leader and self._clock() - self._lease_renewed < ttl.total_seconds() / 3:
            return True
        async with self.sessions() as session:
            held = await acquire(session, name=self.lease_name, holder=self.worker, ttl=ttl, now=self._now())
            if held and not self._leader:
                # The previous holder is gone: its claims are settled now, not when they lapse.
                await take_over(session, channel=self.channel, worker=self.worker, now=self._now())
            await session.commit()
        if held != self._leader:
            log.info("dispatcher %s: %s the channel", self.channel, "took" if held else "lost")
        self._leader = held
        self._lease_renewed = self._clock() if held else float("-inf")
        return held

    async def _resign(self) -> None:
        if not self._leader:
            return
        try:
            async with self.sessions() as session:
                await release(session, name=self.lease_name, holder=self.worker)
                await session.commit()
        except (SQLAlchemyError, OSError):  # pragma: no cover - stopping while the database is down
            log.warning("dispatcher %s: could not release the lease; it runs out by itself", self.channel)
        self._leader = False

    async def _deliver_batch(self, rows: list[OutboxMessage]) -> None:
        """Send the batch at the channel's pace: chats in parallel, one chat's rows in order, one at a time."""
        queues: dict[str, collections.deque[OutboxMessage]] = collections.defaultdict(collections.deque)
        for row in sorted(rows, key=lambda r: r.id):
            queues[row.chat_ref].append(row)
        order = {row.id: (row.priority, row.id) for row in rows}
        busy: dict[str, asyncio.Task[None]] = {}
        try:
            await self._run_batch(queues, order, busy)
        finally:
            for task in busy.values():  # cancelled (a crash, for these rows): abandon what is in flight
                task.cancel()
            await asyncio.gather(*busy.values(), return_exceptions=True)
        self._forget_idle_chats()

    async def _run_batch(
        self,
        queues: dict[str, collections.deque[OutboxMessage]],
        order: dict[int, tuple[int, int]],
        busy: dict[str, asyncio.Task[None]],
    ) -> None:
        while queues or busy:
            if self._stopping and queues:
                for chat in list(queues):
                    await self._hold_back(chat, queues, "defer", until=self._now(), reason="dispatcher stopped")
                continue
            now = self._clock()
            ready = [chat for chat in queues if chat not in busy]
            start_at = float("inf")
            chosen = None
            if ready and len(busy) < self.config.pace.in_flight:
                chosen = min(ready, key=lambda c: (self._chat_next.get(c, 0.0), order[queues[c][0].id]))
                start_at = max(self._next_slot, self._chat_next.get(chosen, 0.0), self._paused_until)
            if chosen is not None and start_at <= now:
                row = queues[chosen].popleft()
                if not queues[chosen]:
                    del queues[chosen]
                self._reserve(chosen, now)
                busy[chosen] = asyncio.create_task(self._deliver(row, queues))
                continue
            await self._wait(busy, start_at - now)
            for chat in [chat for chat, task in busy.items() if task.done()]:
                busy.pop(chat).result()
            await self._hold_lease()

    @staticmethod
    async def _wait(busy: dict[str, asyncio.Task[None]], timeout: float) -> None:
        if busy:
            await asyncio.wait(busy.values(), timeout=min(timeout, 5.0), return_when=asyncio.FIRST_COMPLETED)
        elif timeout != float("inf"):
            await asyncio.sleep(max(timeout, 0.0))

    def _forget_idle_chats(self) -> None:
        now = self._clock()
        for chat in [chat for chat, at in self._chat_next.items() if at < now]:
            del self._chat_next[chat]

    def _reserve(self, chat: str, now: float) -> None:
        """Take the next sending slot: the channel's overall pace and the chat's own."""
        self._next_slot = max(self._next_slot, now) + self.config.pace.interval
        self._chat_next[chat] = now + self.config.pace.per_chat_interval

    async def _pace(self, chat: str) -> None:
        """Wait for a slot for another part of a message to ``chat``, then take it."""
        while True:
            now = self._clock()
            start = max(self._next_slot, self._chat_next.get(chat, 0.0), self._paused_until)
            if start <= now:
                self._reserve(chat, now)
                return
            await asyncio.sleep(start - now)

    async def _deliver(self, row: OutboxMessage, queues: dict[str, collections.deque[OutboxMessage]]) -> None:
        """Send one row, part by part, and record the outcome; on failure, hold the chat's later rows back."""
        outgoing = Outgoing(
            id=row.id,
            chat_ref=row.chat_ref,
            payload=OutboxPayload.model_validate(row.payload),
            language=self._languages.get(row.chat_ref, "vi"),
            parts_sent=row.parts_sent,
        )
        external_id: str | None = None
        started = False
        try:
            parts = await self.sender.prepare(outgoing)
            for index in range(row.parts_sent, len(parts)):
                if index > row.parts_sent:
                    await self._pace(row.chat_ref)
                if not await self._settle(row.id, "start"):
                    return
                started = True
                external_id = await self.sender.send_part(outgoing, parts[index])
                if index < len(parts) - 1:
                    await self._settle(row.id, "part", parts_sent=index + 1)
        except RateLimited as error:
            self._paused_until = max(self._paused_until, self._clock() + error.retry_after)
            until = self._now() + dt.timedelta(seconds=error.retry_after)
            log.warning("dispatcher %s: flood wait of %g s", self.channel, error.retry_after)
            await self._settle(row.id, "defer", str(error), until=until)
            await self._hold_back(row.chat_ref, queues, "defer", until=until)
        except Unreachable as error:
            await self._settle(row.id, "unreachable", str(error))
            await self._hold_back(row.chat_ref, queues, "give up", reason=str(error))
        except Rejected as error:
            log.warning("dispatcher %s: row %d rejected: %s", self.channel, row.id, error)
            await self._settle(row.id, "give up", str(error))
        except Temporary as error:
            log.info("dispatcher %s: row %d failed, will retry: %s", self.channel, row.id, error)
            await self._settle(row.id, "retry", str(error))
            await self._hold_back(row.chat_ref, queues, "defer", until=self._now())
        except (SQLAlchemyError, OSError):
            raise  # the database: the loop waits for it, and the claim settles the row
        except Exception as error:
            # A bug, or an answer the sender cannot read. Once the part was started the platform may
            # have it: UNCONFIRMED, never resent; before that the row can never go out: dead. The
            # frames, not the message, are logged (an error may quote the text).
            log.error(
                "dispatcher %s: row %d failed unexpectedly: %s\n%s",
                self.channel,
                row.id,
                type(error).__name__,
                "".join(traceback.format_tb(error.__traceback__)),
            )
            reason = f"unexpected error while sending: {type(error).__name__}"
            await self._settle(row.id, "unconfirmed" if started else "give up", reason)
        else:
            await self._settle(row.id, "sent", external_id=external_id)
            self.sent += 1

    async def _hold_back(
        self,
        chat_ref: str,
        queues: dict[str, collections.deque[OutboxMessage]],
        outcome: str,
        *,
        until: dt.datetime | None = None,
        reason: str = "held back behind an earlier message of the chat",
    ) -> None:
        for later in queues.pop(chat_ref, ()):
            await self._settle(later.id, outcome, reason, until=until)

    async def _settle(
        self,
        message_id: int,
        outcome: str,
        reason: str = "",
        *,
        until: dt.datetime | None = None,
        external_id: str | None = None,
        parts_sent: int = 0,
    ) -> bool:
        """Commit one row's new state; False if the row is no longer ours (our claim lapsed)."""
        worker, now = self.worker, self._now()
        actions: dict[str, Callable[[AsyncSession], Awaitable[object]]] = {
            "start": lambda s: mark_started(s, message_id=message_id, worker=worker, now=now),
            "part": lambda s: mark_part_sent(s, message_id=message_id, worker=worker, parts_sent=parts_sent),
            "sent": lambda s: mark_sent(s, message_id=message_id, worker=worker, external_id=external_id, now=now),
            "defer": lambda s: defer(s, message_id=message_id, worker=worker, until=until or now, reason=reason),
            "retry": lambda s: mark_failed(
                s, message_id=message_id, worker=worker, error=reason, now=now, policy=self.config.policy
            ),
            "unconfirmed": lambda s: mark_unconfirmed(s, message_id=message_id, worker=worker, error=reason),
            "give up": lambda s: mark_failed(
                s, message_id=message_id, worker=worker, error=reason, permanent=True, now=now
            ),
        }
        async with writing(self.sessions), self.sessions() as session:
            try:
                if outcome == "unreachable":
                    message = await mark_failed(
                        session, message_id=message_id, worker=worker, error=reason, permanent=True, now=now
                    )
                    await mark_unreachable(session, channel=self.channel, chat_ref=message.chat_ref, now=now)
                else:
                    await actions[outcome](session)
                await session.commit()
            except Conflict:
                await session.rollback()
                log.warning("dispatcher %s: row %d is no longer ours; left alone", self.channel, message_id)
                return False
        return True
