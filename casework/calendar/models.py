"""Days whose status officials set by hand, over what the holidays package says."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.db import Base, utcnow


class CalendarOverride(Base):
    """An extra day off or an extra working day (a swap day the library does not know yet)."""

    __tablename__ = "calendar_overrides"

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    is_working_day: Mapped[bool]
    note: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
