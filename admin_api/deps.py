"""Request dependencies: the transaction, the official behind the bearer token, and route permissions.

Every route declares who may call it, in one of three ways the router checks when it is built
(deny by default: a route declaring none refuses to load):

- ``Allowed(Action.X)``: an official whose role includes the action (403 otherwise);
- ``CurrentOfficial``: any official with a valid token (logout, "who am I");
- ``PUBLIC`` in ``openapi_extra``: no token at all (login, health checks).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any, Final

from fastapi import Depends, Header, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession

from admin_api.context import ApiContext, context_of
from casework.errors import AuthenticationFailed
from casework.officials.models import Official
from casework.officials.permissions import Action, require
from casework.officials.service import resolve_token

TOKEN_URL = "/api/v1/auth/token"  # noqa: S105 - a path, not a secret
PERMISSION_KEY = "x-permission"
PUBLIC: Final = {PERMISSION_KEY: "public"}
AUTHENTICATED = "authenticated"

bearer = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)


def get_context(request: Request) -> ApiContext:
    """The API's context, attached by the application's lifespan."""
    return context_of(request.app)


ContextDep = Annotated[ApiContext, Depends(get_context)]


async def transaction(context: ContextDep) -> AsyncIterator[AsyncSession]:
    """The request's one unit of work: committed when the route returns, rolled back when anything raises.

    Scoped to the route function (not the request), so the commit happens before the answer
    is sent: a client never sees 200 for a change that failed to commit.
    """
    async with context.sessions() as session:
        try:
            yield session
        except Exception:
            await session.rollback()
            raise
        await session.commit()


SessionDep = Annotated[AsyncSession, Depends(transaction, scope="function")]
BearerToken = Annotated[str | None, Depends(bearer)]


async def current_official(session: SessionDep, token: BearerToken) -> Official:
    """The active official the bearer token belongs to; 401 for a missing, expired or revoked token."""
    if not token:
        raise AuthenticationFailed("a bearer token is required")
    return await resolve_token(session, token=token)


CurrentOfficial = Annotated[Official, Depends(current_official)]


class Allowed:
    """A dependency admitting officials whose role includes ``action``; the router reads ``action`` back."""

    def __init__(self, action: Action) -> None:
        self.action = action

    async def __call__(self, official: CurrentOfficial) -> Official:
        require(official, self.action)
        return official

    def __repr__(self) -> str:
        return f"Allowed({self.action.value})"


_ALLOWED = {action: Allowed(action) for action in Action}


def allowed(action: Action) -> Any:
    """``Depends`` on the permission check for ``action`` (one shared instance per action)."""
    return Depends(_ALLOWED[action])


def _version(value: str | None) -> int | None:
    if value is None or value.strip() == "*":
        return None
    return int(value.strip().removeprefix("W/").strip('"'))


async def expected_version(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            pattern=r'^\s*(\*|(W/)?"?[0-9]{1,9}"?)\s*$',
            description='The ticket version the change is based on, as sent in ETag (`"3"`); 412 if it moved on.',
        ),
    ] = None,
) -> int | None:
    """The version in If-Match, or None (no check) when absent or ``*``."""
    return _version(if_match)


ExpectedVersion = Annotated[int | None, Depends(expected_version)]


def etag(version: int) -> str:
    """The ETag of an object version."""
    return f'"{version}"'
