"""Liveness and readiness, for load balancers and the operator (no token needed)."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from admin_api.deps import PUBLIC, ContextDep
from admin_api.errors import documented
from casework.database import ping

router = APIRouter(tags=["health"])

READY_TIMEOUT_SECONDS = 5.0


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ready"] = "ready"
    database: str


@router.get("/healthz", openapi_extra=PUBLIC)
async def healthz() -> Health:
    """The process is up and serving."""
    return Health()


@router.get("/readyz", openapi_extra=PUBLIC, responses=documented(503))
async def readyz(context: ContextDep) -> Readiness:
    """The database answers (503 otherwise): the process can take traffic."""
    async with asyncio.timeout(READY_TIMEOUT_SECONDS):
        return Readiness(database=await ping(context.engine))
