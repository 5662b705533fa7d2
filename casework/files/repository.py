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
