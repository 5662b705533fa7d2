"""Deadline rules per ticket kind, remote communes, complexity and extensions, overdue and due soon."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from pydantic import ValidationError

from casework.calendar.workdays import WorkingCalendar
from casework.deadlines.schemas import DEFAULT_RULES, ClockStart, DayType, DeadlineRule, DeadlineRules, period
from casework.deadlines.service import (
    LEGAL_ZONE,
    ExtensionKind,
    current_deadline,
    deadline_state,
    due_soon_limit,
    legal_day,
    next_extension,
)
from casework.errors import LimitReached
from casework.tickets.models import TicketKind as K

D = dt.date
CALENDAR = WorkingCalendar()
REMOTE = "01696"
RULES = DeadlineRules(remote_communes=frozenset({REMOTE}))


def vn(day: dt.date, hour: int = 10) -> dt.datetime:
    """A time on a Vietnamese calendar day, as UTC."""
    return dt.datetime.combine(day, dt.time(hour), LEGAL_ZONE).astimezone(dt.UTC)


@dataclass
class Case:
    kind: K
    received: dt.date
    accepted: dt.date | None = None
    commune_code: str | None = "01273"
    topic: str | None = None
    is_complex: bool = False
    extended_count: int = 0

    @property
    def received_at(self) -> dt.datetime:
        return vn(self.received)

    @property
    def accepted_at(self) -> dt.datetime | None:
        return vn(self.accepted) if self.accepted else None


CASES = [
    # Feedback and forwarded questions: 10 working days from receipt, skipping Tết 2026.
    ("feedback over Tết", Case(K.FEEDBACK, D(2026, 2, 12)), D(2026, 3, 5)),
    ("question", Case(K.QUESTION, D(2026, 3, 6)), D(2026, 3, 20)),
    ("feedback clock ignores acceptance", Case(K.FEEDBACK, D(2026, 3, 6), accepted=D(2026, 3, 10)), D(2026, 3, 20)),
    # Complaints: 10 days to accept, then 30 / 45 complex / 45 remote / 60 remote complex from acceptance.
    ("complaint to accept", Case(K.COMPLAINT, D(2026, 3, 2)), D(2026, 3, 12)),
    ("complaint, lands on Saturday", Case(K.COMPLAINT, D(2026, 3, 2), accepted=D(2026, 3, 5)), D(2026, 4, 6)),
    ("complex complaint", Case(K.COMPLAINT, D(2026, 3, 2), D(2026, 3, 5), is_complex=True), D(2026, 4, 20)),
    ("remote complaint", Case(K.COMPLAINT, D(2026, 3, 2), D(2026, 3, 5), commune_code=REMOTE), D(2026, 4, 20)),
    (
        "remote complex complaint",
        Case(K.COMPLAINT, D(2026, 3, 2), D(2026, 3, 5), commune_code=REMOTE, is_complex=True),
        D(2026, 5, 4),
    ),
    # Denunciations: 7 working days to accept, 30 days from acceptance, +30 per extension (two at most).
    ("denunciation to accept", Case(K.DENUNCIATION, D(2026, 3, 2)), D(2026, 3, 11)),
    ("denunciation", Case(K.DENUNCIATION, D(2026, 3, 2), D(2026, 3, 5)), D(2026, 4, 6)),
    ("denunciation, 1 extension", Case(K.DENUNCIATION, D(2026, 3, 2), D(2026, 3, 5), extended_count=1), D(2026, 5, 4)),
    ("denunciation, 2 extensions", Case(K.DENUNCIATION, D(2026, 3, 2), D(2026, 3, 5), extended_count=2), D(2026, 6, 3)),
]


@pytest.mark.parametrize(
    ("case", "expected"), [(case, expected) for _, case, expected in CASES], ids=[c[0] for c in CASES]
)
def test_default_rules_give_the_legal_deadline(case: Case, expected: dt.date) -> None:
    assert current_deadline(RULES, CALENDAR, case) == expected


def test_a_remote_commune_only_counts_when_listed() -> None:
    case = Case(K.COMPLAINT, D(2026, 3, 2), D(2026, 3, 5), commune_code=REMOTE)
    assert current_deadline(DEFAULT_RULES, CALENDAR, case) == D(2026, 4, 6)


def test_receipt_day_is_the_vietnamese_day() -> None:
    just_after_midnight = dt.datetime(2026, 3, 1, 17, 30, tzinfo=dt.UTC)  # 00:30 on 2 March in Cao Bằng
    assert legal_day(just_after_midnight) == D(2026, 3, 2)


def test_a_topic_rule_overrides_its_kind_and_others_keep_the_default() -> None:
    faster = DeadlineRule(
        kind=K.FEEDBACK, topic="dien", resolve=period(DayType.WORKING, 5), resolve_from=ClockStart.RECEIVED
    )
    rules = RULES.with_overrides(faster)
    assert current_deadline(rules, CALENDAR, Case(K.FEEDBACK, D(2026, 3, 6), topic="dien")) == D(2026, 3, 13)
    assert current_deadline(rules, CALENDAR, Case(K.FEEDBACK, D(2026, 3, 6), topic="nuoc")) == D(2026, 3, 20)
    assert rules.remote_communes == RULES.remote_communes


def test_a_kind_default_can_be_replaced() -> None:
    rules = RULES.with_overrides(
        DeadlineRule(kind=K.FEEDBACK, resolve=period(DayType.CALENDAR, 15), resolve_from=ClockStart.RECEIVED)
    )
    assert current_deadline(rules, CALENDAR, Case(K.FEEDBACK, D(2026, 3, 6))) == D(2026, 3, 23)


def test_rules_load_from_settings_json_keeping_the_defaults() -> None:
    rules = DeadlineRules.model_validate_json('{"remote_communes": ["01696"], "due_soon_working_days": 2}')
    assert rules.is_remote("01696") and not rules.is_remote(None)
    assert rules.rule_for(K.COMPLAINT, None).resolve_remote == period(DayType.CALENDAR, 45)


@pytest.mark.parametrize(
    "broken",
    [
        {"rules": [{"kind": "feedback", "resolve": {"day_type": "working", "days": 10}}]},  # kinds missing
        {"remote": ["01696"]},  # unknown field
        {"due_soon_working_days": -1},
    ],
)
def test_incoherent_rule_tables_are_refused(broken: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        DeadlineRules.model_validate(broken)


def test_two_rules_for_the_same_kind_are_refused() -> None:
    with pytest.raises(ValidationError, match="same kind"):
        DeadlineRules(rules=(*DEFAULT_RULES.rules, DEFAULT_RULES.rules[0]))


def test_extensions_without_a_period_are_refused() -> None:
    with pytest.raises(ValidationError, match="needs an extension period"):
        DeadlineRule(kind=K.DENUNCIATION, resolve=period(DayType.CALENDAR, 30), max_extensions=1)


def test_an_extension_counting_other_days_is_refused() -> None:
    with pytest.raises(ValidationError, match="same kind of days"):
        DeadlineRule(
            kind=K.DENUNCIATION,
            resolve=period(DayType.CALENDAR, 30),
            extension=period(DayType.WORKING, 20),
            max_extensions=1,
        )


def test_a_complaint_extends_once_by_being_declared_complex() -> None:
    rule = RULES.rule_for(K.COMPLAINT, None)
    assert next_extension(rule, complex_case=False, extended_count=0) is ExtensionKind.COMPLEX
    with pytest.raises(LimitReached):
        next_extension(rule, complex_case=True, extended_count=0)


def test_a_denunciation_extends_twice_and_the_third_is_refused() -> None:
    rule = RULES.rule_for(K.DENUNCIATION, None)
    assert next_extension(rule, complex_case=False, extended_count=0) is ExtensionKind.EXTENSION
    assert next_extension(rule, complex_case=False, extended_count=1) is ExtensionKind.EXTENSION
    with pytest.raises(LimitReached, match="at most 2"):
        next_extension(rule, complex_case=False, extended_count=2)


def test_feedback_cannot_be_extended() -> None:
    with pytest.raises(LimitReached):
        next_extension(RULES.rule_for(K.FEEDBACK, None), complex_case=False, extended_count=0)


FRIDAY_BEFORE_TET = D(2026, 2, 13)


@pytest.mark.parametrize(
    ("deadline", "running", "overdue", "due_soon"),
    [
        (D(2026, 2, 12), True, True, False),  # yesterday
        (FRIDAY_BEFORE_TET, True, False, True),  # today
        (D(2026, 2, 25), True, False, True),  # third working day after Tết
        (D(2026, 2, 26), True, False, False),  # fourth
        (D(2026, 2, 12), False, False, False),  # answered or closed: the clock has stopped
    ],
)
def test_overdue_and_due_soon_count_working_days(
    deadline: dt.date, running: bool, overdue: bool, due_soon: bool
) -> None:
    state = deadline_state(RULES, CALENDAR, deadline=deadline, today=FRIDAY_BEFORE_TET, running=running)
    assert (state.overdue, state.due_soon) == (overdue, due_soon)


def test_due_soon_window_is_configurable() -> None:
    rules = DeadlineRules(due_soon_working_days=1)
    assert due_soon_limit(rules, CALENDAR, FRIDAY_BEFORE_TET) == D(2026, 2, 23)
