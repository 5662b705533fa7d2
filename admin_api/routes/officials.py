"""Officials: who am I, and (for admins) the accounts of their unit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from admin_api.deps import CurrentOfficial, SessionDep, allowed
from admin_api.errors import documented
from admin_api.schemas import Id, OfficialEntry, PasswordRequest, RoleRequest
from casework.officials.models import Official
from casework.officials.permissions import Action, allowed_actions
from casework.officials.schemas import OfficialPublic
from casework.officials.service import (
    change_role,
    create_official,
    disable_official,
    enable_official,
    list_officials,
    reset_password,
)
from casework.tickets.workflow import release_assignments

router = APIRouter(prefix="/officials", tags=["officials"])

OfficialId = Annotated[Id, Path()]
Manager = Annotated[Official, allowed(Action.OFFICIALS_MANAGE)]


class Me(OfficialPublic):
    permissions: list[Action]


@router.get("/me", responses=documented(401))
async def me(official: CurrentOfficial) -> Me:
    """The official behind the token, with what their role allows at their unit."""
    public = OfficialPublic.model_validate(official).model_dump()
    return Me.model_validate({**public, "permissions": allowed_actions(official)})


@router.get("", responses=documented(401, 403))
async def officials(actor: Manager, session: SessionDep) -> list[OfficialPublic]:
    """The officials the admin manages: everyone from the province, else their commune's."""
    return await list_officials(session, actor=actor)


@router.post("", status_code=201, responses=documented(401, 403, 409, 422))
async def add_official(body: OfficialEntry, actor: Manager, session: SessionDep) -> OfficialPublic:
    """Create an account (a username already taken is 409).

    422 for a unit that is neither "province" nor a commune code of the gazetteer, and for a weak
    password: shorter than 10 characters, only spaces, containing the username, a common password
    or a run such as 1234567890.
    """
    return OfficialPublic.model_validate(await create_official(session, actor=actor, data=body.to_create()))


@router.post("/{official_id}/disable", responses=documented(401, 403, 404, 409, 422))
async def disable(official_id: OfficialId, actor: Manager, session: SessionDep) -> OfficialPublic:
    """Disable an account; its tokens stop working at once (409 for the last active province admin).

    Its open tickets go back to the unassigned queue, each with an assignment event.
    """
    official = await disable_official(session, actor=actor, official_id=official_id)
    await release_assignments(session, official=official, actor=actor)
    return OfficialPublic.model_validate(official)


@router.post("/{official_id}/enable", responses=documented(401, 403, 404, 422))
async def enable(official_id: OfficialId, actor: Manager, session: SessionDep) -> OfficialPublic:
    """Enable a disabled account again; it must log in anew (tokens from before stay revoked)."""
    return OfficialPublic.model_validate(await enable_official(session, actor=actor, official_id=official_id))


@router.put("/{official_id}/password", responses=documented(401, 403, 404, 422))
async def set_password(
    official_id: OfficialId, body: PasswordRequest, actor: Manager, session: SessionDep
) -> OfficialPublic:
    """Set a new password (the same policy as for a new account); every token issued before stops working."""
    official = await reset_password(session, actor=actor, official_id=official_id, new_password=body.password)
    return OfficialPublic.model_validate(official)


@router.put("/{official_id}/role", responses=documented(401, 403, 404, 409, 422))
async def set_role(official_id: OfficialId, body: RoleRequest, actor: Manager, session: SessionDep) -> OfficialPublic:
    """Give the official another role or unit; every token issued before stops working.

    422 for an unknown unit; 409 when it would demote or move the last active province admin. Open
    tickets the official can no longer work on go back to the unassigned queue.
    """
    official = await change_role(session, actor=actor, official_id=official_id, role=body.role, unit=body.unit)
    await release_assignments(session, official=official, actor=actor)
    return OfficialPublic.model_validate(official)
