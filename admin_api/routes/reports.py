"""Reports for the yearly review: a JSON summary, and the year's tickets as CSV or XLSX."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from admin_api.deps import ContextDep, SessionDep, allowed
from admin_api.errors import documented
from admin_api.reports.schemas import ExportParams, ReportParams, ReportSummary
from admin_api.reports.service import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, export_year, summarize
from casework.officials.models import Official
from casework.officials.permissions import Action

router = APIRouter(prefix="/reports", tags=["reports"])


@router.get("/summary", responses=documented(401, 403, 404, 422))
async def summary(
    params: Annotated[ReportParams, Query()],
    actor: Annotated[Official, allowed(Action.REPORT_READ)],
    session: SessionDep,
) -> ReportSummary:
    """Counts by status, kind, topic, commune and month; median time to first reply; share answered on time."""
    return await summarize(session, actor=actor, params=params)


@router.get(
    "/export",
    response_class=Response,
    responses={
        200: {
            "description": "The year's tickets (no personal data); XLSX adds a summary sheet.",
            "content": {
                CSV_MEDIA_TYPE: {"schema": {"type": "string"}},
                XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
            },
        },
        **documented(401, 403, 404, 422),
    },
)
async def export(
    params: Annotated[ExportParams, Query()],
    actor: Annotated[Official, allowed(Action.REPORT_READ)],
    session: SessionDep,
    context: ContextDep,
) -> Response:
    """The yearly report for the department, dates written the Vietnamese way."""
    exported = await export_year(session, actor=actor, params=params, rules=context.rules)
    disposition = f'attachment; filename="{exported.filename}"'
    return Response(exported.content, media_type=exported.media_type, headers={"Content-Disposition": disposition})
