"""The deadline rule table: data that settings can override, with the legal defaults.

Defaults follow ../shared/docs/legal-deadlines.md. Whether "ngày" in the complaint and
denunciation laws means calendar or working days is unresolved, so each period carries its own
day type; calendar days (with the art. 148 roll-forward) are the default there because they give
the earlier, safer deadline.
"""

from __future__ import annotations

import enum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from casework.tickets.models import TicketKind


class DayType(enum.StrEnum):
    WORKING = "working"
    CALENDAR = "calendar"


class ClockStart(enum.StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"  # thụ lý


class Period(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    day_type: DayType
    days: int = Field(ge=1, le=366)


class DeadlineRule(BaseModel):
    """The periods that apply to one kind of ticket (optionally only to one topic)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: TicketKind
    topic: str | None = None
    accept: Period | None = None  # to accept (thụ lý) the case, counted from receipt
    resolve: Period  # to settle it, counted from ``resolve_from``
    resolve_from: ClockStart = ClockStart.ACCEPTED
    resolve_complex: Period | None = None  # replaces ``resolve`` once the case is declared complex
    resolve_remote: Period | None = None  # for communes in vùng sâu, vùng xa
    resolve_remote_complex: Period | None = None
    extension: Period | None = None  # added per extension decision
    max_extensions: int = Field(default=0, ge=0, le=10)

    @model_validator(mode="after")
    def _extensions_are_coherent(self) -> DeadlineRule:
        if self.max_extensions and self.extension is None:
            raise ValueError("max_extensions needs an extension period")
        if self.extension and self.extension.day_type is not self.resolve.day_type:
            raise ValueError("an extension must count the same kind of days as the period it extends")
        return self


def period(day_type: DayType, days: int) -> Period:
    """Shorthand for a period, to keep the default table readable."""
    return Period(day_type=day_type, days=days)


def default_rules() -> tuple[DeadlineRule, ...]:
    """The legal defaults, one rule per kind."""
    working, calendar = DayType.WORKING, DayType.CALENDAR
    return (
        # Forwarded questions and feedback (PAKN): the law's own period is unverified; 10 working days.
        DeadlineRule(kind=TicketKind.QUESTION, resolve=period(working, 10), resolve_from=ClockStart.RECEIVED),
        DeadlineRule(kind=TicketKind.FEEDBACK, resolve=period(working, 10), resolve_from=ClockStart.RECEIVED),
        # Luật Khiếu nại 2011 art. 27-28: accept within 10 days; decide within 30 (45 complex),
        # in remote areas 45 (60 complex), counted from acceptance.
        DeadlineRule(
            kind=TicketKind.COMPLAINT,
            accept=period(calendar, 10),
            resolve=period(calendar, 30),
            resolve_complex=period(calendar, 45),
            resolve_remote=period(calendar, 45),
            resolve_remote_complex=period(calendar, 60),
        ),
        # Luật Tố cáo 2018 art. 30: 30 days from acceptance, at most two extensions of 30 days.
        # Acceptance within 7 working days (art. 24) is not in legal-deadlines.md: verify it.
        DeadlineRule(
            kind=TicketKind.DENUNCIATION,
            accept=period(working, 7),
            resolve=period(calendar, 30),
            extension=period(calendar, 30),
            max_extensions=2,
        ),
    )


class DeadlineRules(BaseModel):
    """The whole rule table plus the facts it depends on (which communes are remote)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: tuple[DeadlineRule, ...] = Field(default_factory=default_rules)
    remote_communes: frozenset[str] = frozenset()  # the province's list of vùng sâu, vùng xa communes
    due_soon_working_days: int = Field(default=3, ge=0, le=30)

    @model_validator(mode="after")
    def _one_default_rule_per_kind(self) -> DeadlineRules:
        keys = [(rule.kind, rule.topic) for rule in self.rules]
        if len(keys) != len(set(keys)):
            raise ValueError("two rules for the same kind and topic")
        missing = set(TicketKind) - {rule.kind for rule in self.rules if rule.topic is None}
        if missing:
            raise ValueError(f"no default rule for: {', '.join(sorted(missing))}")
        return self

    def rule_for(self, kind: TicketKind, topic: str | None) -> DeadlineRule:
        """The rule for this topic if there is one, else the kind's default."""
        by_key = {(rule.kind, rule.topic): rule for rule in self.rules}
        return by_key.get((kind, topic)) or by_key[(kind, None)]

    def with_overrides(self, *overrides: DeadlineRule) -> DeadlineRules:
        """A copy where each given rule replaces the one for its kind and topic (or is added)."""
        replaced = {(rule.kind, rule.topic) for rule in overrides}
        kept = tuple(rule for rule in self.rules if (rule.kind, rule.topic) not in replaced)
        return DeadlineRules(
            rules=kept + overrides,
            remote_communes=self.remote_communes,
            due_soon_working_days=self.due_soon_working_days,
        )

    def is_remote(self, commune_code: str | None) -> bool:
        """Whether the commune is on the remote-area list."""
        return commune_code is not None and commune_code in self.remote_communes


DEFAULT_RULES = DeadlineRules()
