"""Log in (OAuth2 password grant → bearer token) and log out (revoke the token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response

from admin_api.deps import PUBLIC, BearerToken, ContextDep, CurrentOfficial, SessionDep
from admin_api.errors import documented
from admin_api.schemas import LoginForm, TokenResponse
from casework.db import utcnow
from casework.errors import AuthenticationFailed
from casework.officials.service import authenticate, issue_token, revoke_token

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/token", openapi_extra=PUBLIC, responses=documented(401, 422, 429))
async def log_in(
    form: Annotated[LoginForm, Form()], request: Request, session: SessionDep, context: ContextDep
) -> TokenResponse:
    """Exchange a username and password for a bearer token.

    429 with Retry-After after repeated failures for the username from the same address, or from
    one address whatever the usernames: failures from elsewhere never lock the real user out.
    """
    # uvicorn (`caunoi run`) already put the client's address here from X-Forwarded-For when the
    # request came through a trusted proxy (FORWARDED_ALLOW_IPS, see docs/channels.md).
    address = request.client.host if request.client else "unknown"
    try:
        official = await authenticate(
            session, username=form.username, password=form.password, address=address, policy=context.login_policy
        )
    except AuthenticationFailed:
        # The failed attempt is the rate limit's evidence: keep it although the request fails.
        await session.commit()
        raise
    issued = await issue_token(session, official=official, policy=context.login_policy)
    lifetime = int((issued.expires_at - utcnow()).total_seconds())
    return TokenResponse(access_token=issued.token, expires_in=max(lifetime, 0), expires_at=issued.expires_at)


@router.post("/logout", status_code=204, response_class=Response, responses=documented(401))
async def log_out(official: CurrentOfficial, token: BearerToken, session: SessionDep) -> None:
    """Revoke the bearer token this request carries; it answers 401 from now on."""
    await revoke_token(session, token=token or "")
