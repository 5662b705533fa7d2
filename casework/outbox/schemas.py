"""What an outbox message carries, and how hard the dispatcher tries to deliver it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field


class Button(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=64)
    data: str = Field(min_length=1, max_length=64)  # Telegram's callback_data limit


class OutboxPayload(BaseModel):
    """The message itself: text, and buttons where the channel supports them."""

    model_config = ConfigDict(extra="forbid")

    # Longer than any platform allows (Telegram 4,096, Zalo 2,000): channel adapters split the text.
    text: str = Field(min_length=1, max_length=8000)
    buttons: list[Button] = Field(default_factory=list, max_length=8)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Backoff and lease settings of the dispatcher."""

    max_attempts: int = 8
    base_delay: dt.timedelta = dt.timedelta(seconds=30)
    max_delay: dt.timedelta = dt.timedelta(hours=1)
    # How long a claim lasts: a process that dies mid-send frees its rows after this.
    lease: dt.timedelta = dt.timedelta(minutes=5)

    def backoff(self, attempts: int) -> dt.timedelta:
        """The wait before the next attempt after ``attempts`` failures: doubling, capped."""
        doublings = min(max(attempts - 1, 0), 20)  # 2**20 × base is far past any cap
        return min(self.max_delay, self.base_delay * (1 << doublings))


DEFAULT_RETRY = RetryPolicy()
