"""Calendar overrides as officials send and see them."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class CalendarOverrideCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: dt.date
    is_working_day: bool
    note: str = Field(min_length=1, max_length=200)


class CalendarOverridePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    day: dt.date
    is_working_day: bool
    note: str
    created_by: int | None
    created_at: dt.datetime
