"""Write audit entries (every write, every read of personal data) and list them for admins."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from casework.audit import repository
from casework.audit.models import ActorKind, AuditAction, AuditEntry
from casework.audit.schemas import AuditEntryPublic, AuditPage, AuditQuery
from casework.db import utcnow
from casework.officials.models import Official
from casework.officials.permissions import Action, require
from casework.pagination import decode_cursor, encode_cursor

Actor = Official | ActorKind

# Keys that would put personal data into the trail; ``record`` refuses them so a careless call
# fails in the tests instead of leaking into an export.
PERSONAL_KEYS = frozenset(
    {"phone", "contact_phone", "chat_ref", "chat", "text", "body", "name", "address", "password", "token", "email"}
)


def actor_columns(actor: Actor) -> tuple[ActorKind, int | None]:
    """The (kind, official id) pair stored for an actor."""
    if isinstance(actor, Official):
        return ActorKind.OFFICIAL, actor.id
    return actor, None


async def record(
    session: AsyncSession,
    *,
    actor: Actor,
    action: AuditAction,
    object_type: str,
    object_id: str | int,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one audit entry to the session's transaction."""
    detail = detail or {}
    leaking = PERSONAL_KEYS.intersection(detail)
    if leaking:
        raise ValueError(f"audit detail must not hold personal data: {sorted(leaking)}")
    kind, official_id = actor_columns(actor)
    entry = AuditEntry(
        at=utcnow(),
        actor_kind=kind,
        actor_id=official_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail,
    )
    session.add(entry)  # written with the change it describes, at the caller's next flush
    return entry


async def record_read(session: AsyncSession, *, actor: Official, ticket_code: str) -> AuditEntry:
    """Record that an official opened a ticket's personal data (contact, chat, text)."""
    return await record(
        session, actor=actor, action=AuditAction.TICKET_READ_PERSONAL, object_type="ticket", object_id=ticket_code
    )


async def list_entries(session: AsyncSession, *, actor: Official, query: AuditQuery) -> AuditPage:
    """One page of the audit trail, newest first (province admins only: it spans every commune)."""
    require(actor, Action.AUDIT_READ)
    last = decode_cursor(query.cursor, "audit", repository.NEWEST_FIRST) if query.cursor else None
    rows = await repository.newest_entries(session, query=query, last=last, limit=query.limit + 1)
    page, more = rows[: query.limit], len(rows) > query.limit
    next_cursor = encode_cursor("audit", [page[-1].id]) if more else None
    return AuditPage(items=[AuditEntryPublic.model_validate(row) for row in page], next_cursor=next_cursor)
