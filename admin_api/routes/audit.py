"""The audit trail, for province admins: every write and every read of a ticket's personal data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from admin_api.deps import SessionDep, allowed
from admin_api.errors import documented
from admin_api.schemas import AuditParams
from casework.audit.schemas import AuditPage
from casework.audit.service import list_entries
from casework.officials.models import Official
from casework.officials.permissions import Action

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", responses=documented(401, 403, 422))
async def audit_trail(
    params: Annotated[AuditParams, Query()],
    actor: Annotated[Official, allowed(Action.AUDIT_READ)],
    session: SessionDep,
) -> AuditPage:
    """One page of the trail, newest first, with who did what to which object and when.

    Province admins only (403 for everyone else, commune admins included): the trail is not
    scoped by unit and names every commune's tickets, confidential ones too.
    """
    return await list_entries(session, actor=actor, query=params.to_query())
