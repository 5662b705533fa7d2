"""Subscriptions as the bot creates them and the broadcast side reads them."""

from __future__ import annotations

import datetime as dt
import enum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from casework.channels import Channel
from casework.officials.models import COMMUNE_CODE_PATTERN


class Topic(enum.StrEnum):
    """What announcements are about; the bot offers these, officials tag announcements with them."""

    REVIEW = "ra-soat"  # the yearly and monthly review of poor households, village meetings
    SUPPORT = "ho-tro"  # support payments and benefits being handed out
    LOANS = "vay-von"  # policy-bank loans
    HEALTH = "y-te"  # health insurance cards
    EDUCATION = "giao-duc"
    HOUSING = "nha-o"


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Channel
    chat_ref: str = Field(min_length=1, max_length=128)
    commune_code: str = Field(pattern=COMMUNE_CODE_PATTERN)
    topics: list[Topic] = Field(min_length=1)
    language: str = Field(default="vi", min_length=2, max_length=8)
    consent_at: AwareDatetime
    consent_wording: str = Field(min_length=1, max_length=32)

    @field_validator("topics")
    @classmethod
    def _distinct_in_order(cls, value: list[Topic]) -> list[Topic]:
        return list(dict.fromkeys(value))

    @field_validator("channel")
    @classmethod
    def _reachable(cls, value: Channel) -> Channel:
        if not value.delivers:
            raise ValueError(f"nothing can be sent through {value}")
        return value


class SubscriptionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    channel: Channel
    chat_ref: str
    commune_code: str
    topics: list[Topic]
    language: str
    consent_at: dt.datetime
    consent_wording: str
