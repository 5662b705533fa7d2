"""Report parameters and the summary's shape."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from pydantic import BaseModel, Field, model_validator

from admin_api.schemas import CommuneCode, Day, Strict, in_order


class ReportParams(Strict):
    commune: CommuneCode | None = Field(default=None, description="One commune only.")
    received_from: Day | None = Field(default=None, description="First day of receipt (Vietnamese calendar).")
    received_to: Day | None = Field(default=None, description="Last day of receipt, included.")

    @model_validator(mode="after")
    def _period_in_order(self) -> ReportParams:
        in_order(self.received_from, self.received_to, "received_from, received_to")
        return self


class ExportFormat(enum.StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class ExportParams(Strict):
    format: ExportFormat = ExportFormat.CSV
    year: int = Field(ge=2000, le=2100, description="The year tickets were received in.")
    commune: CommuneCode | None = None

    def as_period(self) -> ReportParams:
        """The same tickets as summary parameters."""
        return ReportParams(
            commune=self.commune, received_from=dt.date(self.year, 1, 1), received_to=dt.date(self.year, 12, 31)
        )


class Tally(BaseModel):
    key: str | None = Field(description="The value counted; null for tickets without one (no topic, no commune).")
    count: int


class CommuneTally(BaseModel):
    commune_code: str | None
    name: str | None = Field(description="The commune's name, e.g. 'Xã Hạ Lang'; null for the province queue.")
    count: int


class OnTime(BaseModel):
    """Tickets whose deadline has been met or missed: answered, or still open past it."""

    due: int
    on_time: int = Field(description="Answered no later than their deadline (Vietnamese calendar day).")
    share: float | None = Field(description="on_time / due, or null when nothing was due.")


class ReportSummary(BaseModel):
    commune: str | None
    received_from: dt.date | None
    received_to: dt.date | None
    total: int
    by_status: list[Tally]
    by_kind: list[Tally]
    by_topic: list[Tally]
    by_commune: list[CommuneTally]
    by_month: list[Tally] = Field(description="By month of receipt in Vietnam, keys like '2026-03'.")
    replied: int = Field(description="Tickets with at least one public reply.")
    median_hours_to_first_reply: float | None
    answered_on_time: OnTime


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One ticket in the yearly export: no personal data (no text, chat or phone)."""

    code: str
    kind: str
    topic: str | None
    commune_code: str | None
    channel: str
    status: str
    received_at: dt.datetime
    deadline: dt.date
    resolved_at: dt.datetime | None
    overdue: bool
    accepted_late: bool = False


@dataclass(frozen=True, slots=True)
class ExportFile:
    filename: str
    media_type: str
    content: bytes
