"""Build the summary and the yearly export, within what the official may see."""

from __future__ import annotations

import datetime as dt
import statistics

from sqlalchemy.ext.asyncio import AsyncSession

from admin_api.reports import repository
from admin_api.reports.export import render_csv, render_xlsx
from admin_api.reports.schemas import (
    CommuneTally,
    ExportFile,
    ExportFormat,
    ExportParams,
    ExportRow,
    OnTime,
    ReportParams,
    ReportSummary,
    Tally,
)
from admin_api.schemas import ensure_commune_in_scope
from casework.calendar.service import load_calendar
from casework.db import utcnow
from casework.deadlines.schemas import DEFAULT_RULES, DeadlineRules
from casework.deadlines.service import deadline_state, legal_day
from casework.officials.models import Official
from casework.officials.permissions import Action, require
from casework.tickets.lifecycle import RUNNING
from casework.tickets.models import Ticket
from casework.tickets.scope import visible_clause
from knowledge.gazetteer import unit_by_code

T = Ticket


def commune_name(code: str | None) -> str | None:
    """The commune's name from the gazetteer, or the bare code if it is not (or no longer) there."""
    if code is None:
        return None
    unit = unit_by_code(code)
    return unit.full_name if unit else code


def _tallies(pairs: list[tuple[object, int]]) -> list[Tally]:
    return [Tally(key=None if key is None else str(key), count=count) for key, count in pairs]


async def summarize(
    session: AsyncSession, *, actor: Official, params: ReportParams, now: dt.datetime | None = None
) -> ReportSummary:
    """Counts by status, kind, topic, commune and month; reply times; the share answered on time."""
    require(actor, Action.REPORT_READ)
    ensure_commune_in_scope(actor, params.commune)
    today = legal_day(now or utcnow())
    where = repository.conditions(visible_clause(actor), params.commune, params.received_from, params.received_to)
    by_status = await repository.counts_by(session, T.status, where)
    delays = await repository.first_reply_delays(session, where)
    outcomes = await repository.deadline_outcomes(session, where, today=today)
    # A case accepted after its deadline to accept was not settled on time, however fast it was answered.
    on_time = sum(
        1
        for deadline, answered, accepted_late in outcomes
        if answered is not None and legal_day(answered) <= deadline and not accepted_late
    )
    median = statistics.median(delay.total_seconds() for delay in delays) / 3600 if delays else None
    return ReportSummary(
        commune=params.commune,
        received_from=params.received_from,
        received_to=params.received_to,
        total=sum(count for _, count in by_status),
        by_status=_tallies(list(by_status)),
        by_kind=_tallies(list(await repository.counts_by(session, T.kind, where))),
        by_topic=_tallies(list(await repository.counts_by(session, T.topic, where))),
        by_commune=[
            CommuneTally(commune_code=code, name=commune_name(code), count=count)
            for code, count in await repository.counts_by(session, T.commune_code, where)
        ],
        by_month=_tallies(list(await repository.counts_by_month(session, where))),
        replied=len(delays),
        median_hours_to_first_reply=None if median is None else round(median, 2),
        answered_on_time=OnTime(
            due=len(outcomes), on_time=on_time, share=round(on_time / len(outcomes), 4) if outcomes else None
        ),
    )


async def export_year(
    session: AsyncSession,
    *,
    actor: Official,
    params: ExportParams,
    rules: DeadlineRules = DEFAULT_RULES,
    now: dt.datetime | None = None,
) -> ExportFile:
    """The year's tickets (no personal data) and its summary, as CSV or as an XLSX workbook."""
    now = now or utcnow()
    period = params.as_period()
    summary = await summarize(session, actor=actor, params=period, now=now)
    where = repository.conditions(visible_clause(actor), period.commune, period.received_from, period.received_to)
    calendar = await load_calendar(session)
    today = legal_day(now)
    rows = [
        ExportRow(
            code=row.code,
            kind=row.kind,
            topic=row.topic,
            commune_code=row.commune_code,
            channel=row.channel,
            status=row.status,
            received_at=row.received_at,
            deadline=row.deadline,
            resolved_at=row.resolved_at,
            accepted_late=row.accepted_late,
            overdue=deadline_state(
                rules, calendar, deadline=row.deadline, today=today, running=row.status in RUNNING
            ).overdue,
        )
        for row in await repository.export_rows(session, where)
    ]
    stem = f"bao-cao-{params.year}" + (f"-{params.commune}" if params.commune else "")
    if params.format is ExportFormat.XLSX:
        return ExportFile(
            filename=f"{stem}.xlsx",
            media_type=XLSX_MEDIA_TYPE,
            content=render_xlsx(rows, summary, year=params.year, made_on=today),
        )
    return ExportFile(filename=f"{stem}.csv", media_type=CSV_MEDIA_TYPE, content=render_csv(rows))


CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
