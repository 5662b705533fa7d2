"""Compute a ticket's deadline, its extensions, and whether it is overdue or due soon."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from casework.calendar.workdays import WorkingCalendar
from casework.deadlines.schemas import ClockStart, DayType, DeadlineRule, DeadlineRules, Period
from casework.errors import LimitReached
from casework.tickets.models import TicketKind

# Legal days are Vietnamese days whatever zone a display uses: a complaint received at 23:30 in
# Cao Bằng was received that day, not the next one in UTC.
LEGAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


class DeadlineSubject(Protocol):
    """What the deadline of a ticket depends on."""

    @property
    def kind(self) -> TicketKind: ...
    @property
    def topic(self) -> str | None: ...
    @property
    def commune_code(self) -> str | None: ...
    @property
    def received_at(self) -> dt.datetime: ...
    @property
    def accepted_at(self) -> dt.datetime | None: ...
    @property
    def is_complex(self) -> bool: ...
    @property
    def extended_count(self) -> int: ...


class ExtensionKind(enum.StrEnum):
    COMPLEX = "complex"  # a complaint declared complex: the longer period replaces the normal one
    EXTENSION = "extension"  # one more extension period added (denunciations)


@dataclass(frozen=True, slots=True)
class DeadlineState:
    overdue: bool
    due_soon: bool


def legal_day(moment: dt.datetime) -> dt.date:
    """The Vietnamese calendar day of an instant."""
    return moment.astimezone(LEGAL_ZONE).date()


def period_end(calendar: WorkingCalendar, start: dt.date, period: Period) -> dt.date:
    """The last day of a period starting after ``start`` (the first day is not counted)."""
    if period.day_type is DayType.WORKING:
        return calendar.add_working_days(start, period.days)
    return calendar.add_calendar_days(start, period.days)


def resolution_period(rule: DeadlineRule, *, remote: bool, complex_case: bool, extensions: int) -> Period:
    """The period to settle a case, with the remote-area, complexity and extension rules applied."""
    chosen = rule.resolve
    if remote and complex_case:
        chosen = rule.resolve_remote_complex or rule.resolve_complex or rule.resolve_remote or chosen
    elif remote:
        chosen = rule.resolve_remote or chosen
    elif complex_case:
        chosen = rule.resolve_complex or chosen
    if extensions and rule.extension is not None:
        # Extensions lengthen the period (not chain from a rolled-forward end), which keeps the
        # earlier of the two readings.
        chosen = Period(day_type=chosen.day_type, days=chosen.days + extensions * rule.extension.days)
    return chosen


def current_deadline(rules: DeadlineRules, calendar: WorkingCalendar, subject: DeadlineSubject) -> dt.date:
    """The deadline that runs now: to accept the case until it is accepted, then to settle it."""
    rule = rules.rule_for(subject.kind, subject.topic)
    received_on = legal_day(subject.received_at)
    if subject.accepted_at is None and rule.accept is not None:
        return period_end(calendar, received_on, rule.accept)
    start = received_on
    if rule.resolve_from is ClockStart.ACCEPTED and subject.accepted_at is not None:
        start = legal_day(subject.accepted_at)
    period = resolution_period(
        rule,
        remote=rules.is_remote(subject.commune_code),
        complex_case=subject.is_complex,
        extensions=subject.extended_count,
    )
    return period_end(calendar, start, period)


def next_extension(rule: DeadlineRule, *, complex_case: bool, extended_count: int) -> ExtensionKind:
    """What the next extension of a case would be; LimitReached when none is left."""
    if rule.resolve_complex is not None and not complex_case:
        return ExtensionKind.COMPLEX
    if rule.extension is not None and extended_count < rule.max_extensions:
        return ExtensionKind.EXTENSION
    raise LimitReached(f"no extension left for a {rule.kind} (at most {rule.max_extensions})")


def due_soon_limit(rules: DeadlineRules, calendar: WorkingCalendar, today: dt.date) -> dt.date:
    """The last deadline that still counts as due soon today."""
    return calendar.add_working_days(today, rules.due_soon_working_days)


def deadline_state(
    rules: DeadlineRules, calendar: WorkingCalendar, *, deadline: dt.date, today: dt.date, running: bool
) -> DeadlineState:
    """Whether a running deadline has passed, or falls within the next few working days."""
    if not running:
        return DeadlineState(overdue=False, due_soon=False)
    overdue = deadline < today
    return DeadlineState(overdue=overdue, due_soon=not overdue and deadline <= due_soon_limit(rules, calendar, today))
