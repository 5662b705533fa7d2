"""What the audit trail shows and how it is filtered."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from casework.audit.models import ActorKind, AuditAction


class AuditEntryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: dt.datetime
    actor_kind: ActorKind
    actor_id: int | None
    action: AuditAction
    object_type: str
    object_id: str
    detail: dict[str, Any]


class AuditQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: AuditAction | None = None
    actor_id: int | None = None
    object_type: str | None = Field(default=None, max_length=32)
    object_id: str | None = Field(default=None, max_length=64)
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=200)


class AuditPage(BaseModel):
    items: list[AuditEntryPublic]
    next_cursor: str | None
