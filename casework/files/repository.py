"""Queries on the attachments that name stored files."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.tickets.models import TicketAttachment


async def attachment_of_ticket(session: AsyncSession, *, ticket_id: int, attachment_id: int) -> TicketAttachment | None:
    """One attachment of one ticket (an id of another ticket's attachment finds nothing)."""
    statement = select(TicketAttachment).where(
        TicketAttachment.id == attachment_id, TicketAttachment.ticket_id == ticket_id
    )
    return (await session.scalars(statement)).one_or_none()


async def ref_attached(session: AsyncSession, ref: str) -> bool:
    """Whether any ticket has an attachment with this file reference."""
    statement = select(TicketAttachment.id).where(TicketAttachment.file_ref == ref).limit(1)
    return (await session.scalar(statement)) is not None


async def attached_among(session: AsyncSession, refs: list[str]) -> set[str]:
    """Which of these file references some ticket's attachment names."""
    attached: set[str] = set()
    for start in range(0, len(refs), 500):  # keep the IN list of one query bounded
        chunk = refs[start : start + 500]
        statement = select(TicketAttachment.file_ref).where(TicketAttachment.file_ref.in_(chunk))
        attached.update((await session.scalars(statement)).all())
    return attached
