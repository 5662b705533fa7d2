"""Create and manage officials, log them in with a rate limit, and issue and check API tokens."""

from __future__ import annotations

import datetime as dt
import math

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from casework.audit.models import ActorKind, AuditAction
from casework.audit.service import record
from casework.db import insert_ignoring_conflict, utcnow
from casework.errors import AuthenticationFailed, Conflict, Forbidden, LoginLocked, NotFound, ValidationFailed
from casework.officials import repository
from casework.officials.models import PROVINCE, ApiToken, LoginAttempt, Official, Role
from casework.officials.passwords import (
    ensure_strong_password,
    hash_password,
    hash_token,
    new_token,
    verify_password,
)
from casework.officials.permissions import Action, require
from casework.officials.schemas import (
    DEFAULT_LOGIN_POLICY,
    IssuedToken,
    LoginPolicy,
    OfficialCreate,
    OfficialPublic,
    PasswordReset,
    is_known_unit,
    normalize_username,
)

ADDRESS_CHARS = 64


def _ensure_manages(actor: Official | None, unit: str) -> None:
    """The command line (no actor) manages everyone; an admin only their own unit unless at province."""
    if actor is None:
        return
    require(actor, Action.OFFICIALS_MANAGE)
    if not actor.at_province and unit != actor.unit:
        raise Forbidden("a commune admin manages only the officials of that commune")


def _ensure_known_unit(unit: str) -> None:
    """Refuse a unit that is neither the province nor a commune of the gazetteer (an account nobody could reach)."""
    if not is_known_unit(unit):
        raise ValidationFailed(
            f"unit {unit!r} is neither {PROVINCE!r} nor a commune code of Cao Bằng (see knowledge/gazetteer.yaml)",
            field="unit",
        )


async def _ensure_not_last_province_admin(session: AsyncSession, official: Official) -> None:
    """Refuse to take away the last active province admin: nobody could then manage the province's accounts."""
    if official.disabled or official.role != Role.ADMIN or not official.at_province:
        return
    if [admin_id for admin_id in await repository.active_province_admin_ids(session) if admin_id != official.id]:
        return
    raise Conflict(f"official {official.id} is the last active province admin; make another one first")


async def create_official(session: AsyncSession, *, actor: Official | None, data: OfficialCreate) -> Official:
    """Create an official (``actor`` None: the trusted command line); a taken username is a Conflict.

    The unit must be the province or a commune of the gazetteer, and the password must meet the
    policy (``ensure_strong_password``): ValidationFailed otherwise.
    """
    _ensure_manages(actor, data.unit)
    _ensure_known_unit(data.unit)
    ensure_strong_password(data.password, username=data.username)
    now = utcnow()
    official_id = await insert_ignoring_conflict(
        session,
        Official,
        {
            "username": data.username,
            "display_name": data.display_name,
            "password_hash": await hash_password(data.password),
            "role": data.role,
            "unit": data.unit,
            "disabled": False,
            "created_at": now,
            "password_changed_at": now,
            "credentials_version": 1,
        },
        conflict_on=["username"],
    )
    if official_id is None or (official := await repository.by_id(session, official_id)) is None:
        raise Conflict(f"username {data.username!r} is taken")
    await record(
        session,
        actor=actor or ActorKind.SYSTEM,
        action=AuditAction.OFFICIAL_CREATE,
        object_type="official",
        object_id=official.id,
        detail={"role": data.role, "unit": data.unit},
    )
    return official


async def list_officials(session: AsyncSession, *, actor: Official | None) -> list[OfficialPublic]:
    """Officials the actor manages: all of them from the province or the command line, else one commune's."""
    unit = None
    if actor is not None:
        require(actor, Action.OFFICIALS_MANAGE)
        unit = None if actor.at_province else actor.unit
    return [OfficialPublic.model_validate(official) for official in await repository.listed(session, unit=unit)]


async def find_official(session: AsyncSession, *, username: str) -> Official:
    """The official with this username, or NotFound."""
    official = await repository.by_username(session, normalize_username(username))
    if official is None:
        raise NotFound(f"no official named {username!r}")
    return official


async def _managed(session: AsyncSession, actor: Official | None, official_id: int) -> Official:
    official = await repository.by_id(session, official_id)
    if official is None:
        raise NotFound(f"official {official_id} not found")
    _ensure_manages(actor, official.unit)
    return official


async def disable_official(session: AsyncSession, *, actor: Official | None, official_id: int) -> Official:
    """Disable an account; its tokens stop working at once. The last active province admin is a Conflict."""
    official = await _managed(session, actor, official_id)
    await _ensure_not_last_province_admin(session, official)
    official.disabled = True
    official.credentials_version += 1
    await session.flush()
    await record(
        session,
        actor=actor or ActorKind.SYSTEM,
        action=AuditAction.OFFICIAL_DISABLE,
        object_type="official",
        object_id=official.id,
    )
    return official


async def enable_official(session: AsyncSession, *, actor: Official | None, official_id: int) -> Official:
    """Enable a disabled account again; it logs in anew (tokens from before it was disabled stay dead)."""
    official = await _managed(session, actor, official_id)
    official.disabled = False
    await session.flush()
    await record(
        session,
        actor=actor or ActorKind.SYSTEM,
        action=AuditAction.OFFICIAL_ENABLE,
        object_type="official",
        object_id=official.id,
    )
    return official


async def reset_password(
    session: AsyncSession, *, actor: Official | None, official_id: int, new_password: str
) -> Official:
    """Set a new password meeting the policy (ValidationFailed otherwise); every token issued before stops working."""
    try:
        PasswordReset(password=new_password)
    except ValidationError as error:
        raise ValidationFailed("the password must have 10 to 256 characters", field="password") from error
    official = await _managed(session, actor, official_id)
    ensure_strong_password(new_password, username=official.username)
    official.password_hash = await hash_password(new_password)
    official.password_changed_at = utcnow()
    official.credentials_version += 1
    await session.flush()
    await record(
        session,
        actor=actor or ActorKind.SYSTEM,
        action=AuditAction.OFFICIAL_PASSWORD_RESET,
        object_type="official",
        object_id=official.id,
    )
    return official


async def change_role(
    session: AsyncSession, *, actor: Official | None, official_id: int, role: Role, unit: str
) -> Official:
    """Give an official another role or unit; every token issued before stops working.

    An unknown unit is ValidationFailed; demoting or moving the last active province admin is a Conflict.
    """
    official = await _managed(session, actor, official_id)
    _ensure_manages(actor, unit)
    _ensure_known_unit(unit)
    if role != Role.ADMIN or unit != PROVINCE:
        await _ensure_not_last_province_admin(session, official)
    official.role = role
    official.unit = unit
    official.credentials_version += 1
    await session.flush()
    await record(
        session,
        actor=actor or ActorKind.SYSTEM,
        action=AuditAction.OFFICIAL_ROLE_CHANGE,
        object_type="official",
        object_id=official.id,
        detail={"role": role, "unit": unit},
    )
    return official


async def ensure_first_admin(session: AsyncSession, *, username: str, password: str) -> Official | None:
    """Create a province admin when no active admin exists (first start); return it, or None if not needed."""
    if await repository.count_admins(session):
        return None
    try:
        data = OfficialCreate(
            username=username, display_name="Quản trị viên", password=password, role=Role.ADMIN, unit=PROVINCE
        )
    except ValidationError as error:
        raise ValidationFailed(f"invalid first admin: {error.error_count()} problem(s)", field="admin") from error
    try:
        return await create_official(session, actor=None, data=data)
    except ValidationFailed as error:
        raise ValidationFailed(f"invalid first admin: {error}", field="admin") from error


async def _retry_after(
    session: AsyncSession, *, username: str, address: str, now: dt.datetime, policy: LoginPolicy
) -> int | None:
    """Seconds until a login may be tried again, or None when it may be tried now."""
    window_start = now - policy.window
    # A success proves the password is known there: earlier failures from that address no longer count.
    success_id = await repository.last_success_id(session, username=username, address=address, after=window_start)
    recent = (
        # The pair, not the username alone: failures from elsewhere must not lock the real user out.
        (
            policy.max_failures_per_username_and_address,
            {"username": username, "address": address, "after_id": success_id},
        ),
        (policy.max_failures_per_address, {"address": address}),
    )
    waits = []
    for limit, key in recent:
        times = await repository.failure_times(session, after=window_start, limit=limit, **key)
        if len(times) >= limit:
            # Locked until the oldest of the last `limit` failures leaves the window.
            waits.append(math.ceil((times[-1] + policy.window - now).total_seconds()))
    return max(1, *waits) if waits else None


async def authenticate(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    address: str,
    now: dt.datetime | None = None,
    policy: LoginPolicy = DEFAULT_LOGIN_POLICY,
) -> Official:
    """Return the active official with these credentials, or raise AuthenticationFailed / LoginLocked.

    Every try is recorded for the rate limit, failed ones too: the caller must commit even when
    AuthenticationFailed is raised (but not on LoginLocked, which records nothing), or the
    failures are rolled back and the limit never bites.
    """
    now = now or utcnow()
    name = normalize_username(username)
    address = address[:ADDRESS_CHARS]
    retry_after = await _retry_after(session, username=name, address=address, now=now, policy=policy)
    if retry_after is not None:
        raise LoginLocked(retry_after)
    official = await repository.by_username(session, name)
    valid, updated_hash = await verify_password(password, official.password_hash if official else None)
    succeeded = official is not None and valid and not official.disabled
    session.add(LoginAttempt(username=name, address=address, at=now, succeeded=succeeded))
    await session.flush()
    if not succeeded or official is None:
        raise AuthenticationFailed("wrong username or password")
    if updated_hash is not None:
        official.password_hash = updated_hash
        await session.flush()
    return official


async def issue_token(
    session: AsyncSession,
    *,
    official: Official,
    now: dt.datetime | None = None,
    policy: LoginPolicy = DEFAULT_LOGIN_POLICY,
) -> IssuedToken:
    """Issue a bearer token for an authenticated official; only its hash is stored."""
    now = now or utcnow()
    token = new_token()
    row = ApiToken(
        official_id=official.id,
        token_hash=hash_token(token),
        credentials_version=official.credentials_version,
        created_at=now,
        expires_at=now + policy.token_lifetime,
    )
    session.add(row)
    await session.flush()
    await record(session, actor=official, action=AuditAction.TOKEN_ISSUE, object_type="token", object_id=row.id)
    return IssuedToken(token=token, expires_at=row.expires_at)


async def resolve_token(session: AsyncSession, *, token: str, now: dt.datetime | None = None) -> Official:
    """The official a bearer token belongs to; AuthenticationFailed if it is unknown, expired or revoked."""
    now = now or utcnow()
    found = await repository.token_with_owner(session, hash_token(token))
    if found is None:
        raise AuthenticationFailed("invalid token")
    row, official = found
    if (
        row.revoked_at is not None
        or row.expires_at <= now
        or official.disabled
        or row.credentials_version != official.credentials_version
    ):
        raise AuthenticationFailed("invalid token")
    return official


async def revoke_token(session: AsyncSession, *, token: str, now: dt.datetime | None = None) -> None:
    """Revoke a token (logging out); revoking an unknown or already revoked token does nothing."""
    found = await repository.token_with_owner(session, hash_token(token))
    if found is None or found[0].revoked_at is not None:
        return
    row, official = found
    row.revoked_at = now or utcnow()
    await session.flush()
    await record(session, actor=official, action=AuditAction.TOKEN_REVOKE, object_type="token", object_id=row.id)
