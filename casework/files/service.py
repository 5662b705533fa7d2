"""Stored files and the tickets that hold them: whether the dialogue kept an upload, and an official's download.

Services only flush; the caller's unit of work commits.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from casework.audit.models import AuditAction
from casework.audit.service import record
from casework.channels import Channel
from casework.conversations import repository as conversations_repository
from casework.db import utcnow
from casework.errors import NotFound
from casework.files import repository
from casework.files.errors import KeptOnPlatform, NotStored
from casework.files.storage import REF_PREFIX, StoredFile, files_older_than, open_stored
from casework.officials.models import Official
from casework.officials.permissions import Action, require
from casework.tickets import repository as tickets_repository
from casework.tickets.codes import normalize_tracking_code
from casework.tickets.scope import ensure_visible

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Download:
    """A ticket's stored attachment, with a file name safe to offer (the tracking code and the id)."""

    file: StoredFile
    filename: str


async def is_referenced(session: AsyncSession, *, ref: str, channel: Channel, chat_ref: str) -> bool:
    """Whether the chat's unfinished report or any ticket holds this file reference (after a turn, in its transaction)."""
    conversation = await conversations_repository.conversation(session, channel=channel, chat_ref=chat_ref)
    if conversation is not None and _mentions(conversation.state, ref):
        return True
    return await repository.ref_attached(session, ref)


def _mentions(value: Any, ref: str) -> bool:
    """Whether ``ref`` is one of the strings of a JSON value (a draft's list of files, say)."""
    if isinstance(value, str):
        return value == ref
    if isinstance(value, dict):
        return any(_mentions(item, ref) for item in value.values())
    if isinstance(value, list):
        return any(_mentions(item, ref) for item in value)
    return False


async def attachment_download(
    session: AsyncSession, *, actor: Official, code: str, attachment_id: int, directory: Path
) -> Download:
    """A ticket's uploaded file, for an official who may see the ticket; the read is audited.

    Out of scope or confidential below the province reads as NotFound, as the ticket itself does;
    a Telegram or Zalo attachment is KeptOnPlatform (only the platform has the bytes).
    """
    require(actor, Action.TICKET_READ)
    normalized = normalize_tracking_code(code)
    ticket = await tickets_repository.by_code(session, normalized) if normalized else None
    if ticket is None:
        raise NotFound(f"ticket {code!r} not found")
    ensure_visible(actor, ticket)
    attachment = await repository.attachment_of_ticket(session, ticket_id=ticket.id, attachment_id=attachment_id)
    if attachment is None:
        raise NotFound(f"attachment {attachment_id} of ticket {ticket.code} not found")
    # The reference, not the ticket's channel, says where the bytes are: ``web:`` is our own store
    # (platforms' ids and URLs never take that form), and ``open_stored`` accepts only its own names.
    if not attachment.file_ref.startswith(REF_PREFIX):
        raise KeptOnPlatform(str(attachment.channel))
    try:
        stored = open_stored(directory, attachment.file_ref)
    except NotStored:
        log.warning("attachment %d of ticket %s: the uploaded file is missing", attachment.id, ticket.code)
        raise
    await record(
        session,
        actor=actor,
        action=AuditAction.TICKET_READ_PERSONAL,
        object_type="ticket",
        object_id=ticket.code,
        detail={"attachment_id": attachment.id},
    )
    return Download(file=stored, filename=f"{ticket.code}-{attachment.id}.{stored.type.extension}")


async def sweep_orphans(session: AsyncSession, directory: Path, *, older_than: dt.timedelta) -> int:
    """Delete the uploads no ticket kept, once they are older than any unfinished report could be.

    A photo sent into a report that was then cancelled, left to expire (a form lasts a day) or
    erased, and temporary files a crash left behind: personal data with no purpose left. Files a
    ticket names are the record and stay. Returns how many files went.
    """
    cutoff = (utcnow() - older_than).timestamp()
    candidates = files_older_than(directory, cutoff)
    kept = await repository.attached_among(session, [ref for ref, _ in candidates if ref is not None])
    removed = 0
    for ref, path in candidates:
        if ref in kept:
            continue
        path.unlink(missing_ok=True)
        removed += 1
    return removed
