"""What the conversation services take and give back, and the button payloads both sides share."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from casework.channels import Channel

MAX_SCORE = 5
# Button payloads (ASCII, <= 64 bytes) the dialogue engine accepts from any state. The officials'
# side may attach them to the notice that a ticket was answered, so the citizen rates it or disputes
# it with one tap; codes are tracking codes such as CB-7K3M-9Q2X.
RATE_PAYLOAD = "rt:{code}:{score}"  # score 1..5
DISPUTE_PAYLOAD = "dp:{code}"
TRACK_PAYLOAD = "t:{code}"


class ConversationPublic(BaseModel):
    """A conversation as the dialogue engine reads it (the state is the engine's own JSON)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    channel: Channel
    chat_ref: str
    language: str
    commune_code: str | None
    state: dict[str, Any]
    updated_at: dt.datetime
    version: int


class AnswerVote(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entry_id: str = Field(min_length=1, max_length=80)
    helpful: bool


class Erasure(BaseModel):
    """What erasing one chat's personal data did."""

    tickets_unlinked: int  # tickets that keep their content but lost the chat reference and phone
    subscriptions_removed: int
    deliveries_scrubbed: int  # delivered messages whose chat reference and text were removed
    conversation_removed: bool
