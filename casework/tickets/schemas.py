"""Tickets as the bot and the officials' API send them in and get them back."""

from __future__ import annotations

import datetime as dt
import enum
import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from casework.audit.models import ActorKind
from casework.channels import Channel
from casework.officials.models import COMMUNE_CODE_PATTERN
from casework.outbox.models import OutboxStatus
from casework.tickets.models import EventKind, ReplyApproval, TicketKind, TicketPriority, TicketStatus

MAX_TEXT = 5000


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


# Vietnamese typed on phones arrives in NFD as often as NFC; stored text is NFC.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT), AfterValidator(_nfc)]


class ConsentCreate(BaseModel):
    """Proof that the citizen agreed to leave a phone number: when, where, to which wording."""

    model_config = ConfigDict(extra="forbid")

    given_at: AwareDatetime
    channel: Channel
    wording_version: str = Field(min_length=1, max_length=32)


class AttachmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file_ref: str = Field(min_length=1, max_length=512)  # the channel's own file id
    mime_type: str | None = Field(default=None, max_length=100)
    size_bytes: int | None = Field(default=None, ge=0)
    file_name: str | None = Field(default=None, max_length=255)


class TicketCreate(BaseModel):
    """A new ticket from the bot, or entered by staff for a citizen who phoned, wrote or came in."""

    model_config = ConfigDict(extra="forbid")

    kind: TicketKind
    topic: str | None = Field(default=None, min_length=1, max_length=64)
    commune_code: str | None = Field(default=None, pattern=COMMUNE_CODE_PATTERN)
    channel: Channel
    chat_ref: str | None = Field(default=None, min_length=1, max_length=128)
    text: Text
    anonymous: bool = False
    confidential: bool = False
    contact_phone: str | None = Field(default=None, pattern=r"^\+?[0-9][0-9 .-]{7,18}[0-9]$")
    phone_consent: ConsentCreate | None = None
    attachments: list[AttachmentCreate] = Field(default_factory=list, max_length=10)
    priority: TicketPriority = TicketPriority.NORMAL
    received_at: AwareDatetime | None = None  # a paper letter received earlier; None means now

    @model_validator(mode="after")
    def _contact_rules(self) -> TicketCreate:
        if self.contact_phone and self.phone_consent is None:
            raise ValueError("a contact phone needs the citizen's recorded consent")
        if self.channel.delivers and not self.chat_ref:
            raise ValueError(f"a ticket from {self.channel} needs the chat reference to answer it")
        if not self.channel.delivers and self.chat_ref:
            raise ValueError(f"a ticket from {self.channel} has no chat")
        return self


class TicketSort(enum.StrEnum):
    NEWEST = "-received_at"
    OLDEST = "received_at"
    DEADLINE = "deadline"
    PRIORITY = "-priority"  # most urgent first, then by deadline


class TicketQuery(BaseModel):
    """Filters, order and page of the officials' queue."""

    model_config = ConfigDict(extra="forbid")

    status: list[TicketStatus] = Field(default_factory=list)
    kind: list[TicketKind] = Field(default_factory=list)
    topic: str | None = Field(default=None, max_length=64)
    commune_code: str | None = Field(default=None, pattern=COMMUNE_CODE_PATTERN)
    assignee_id: int | None = None
    unassigned: bool = False
    overdue: bool | None = None
    due_soon: bool | None = None
    received_from: dt.date | None = None  # Vietnamese calendar days, both ends included
    received_to: dt.date | None = None
    q: str | None = Field(default=None, max_length=200)
    sort: TicketSort = TicketSort.NEWEST
    limit: int = Field(default=50, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=500)


class TicketPublic(BaseModel):
    """A ticket as officials see it in the queue (the citizen's contact is separate)."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    kind: TicketKind
    topic: str | None
    commune_code: str | None
    channel: Channel
    anonymous: bool
    confidential: bool
    text: str
    status: TicketStatus
    priority: int
    assignee_id: int | None
    received_at: dt.datetime
    accepted_at: dt.datetime | None
    accepted_late: bool = Field(default=False, description="Accepted after the deadline to accept had passed.")
    deadline: dt.date
    is_complex: bool
    extended_count: int
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    updated_at: dt.datetime
    version: int
    overdue: bool = False
    due_soon: bool = False


class TicketContact(BaseModel):
    """How to reach the citizen: personal data, shown only to roles that may read contacts (a denouncer's
    only to the ticket's assignee and the province's admins: ``scope.may_read_contact``).

    Not the chat reference: officials answer through the ticket, and a chat reference (for the web
    chat, derived from the visitor's cookie) is the citizen's, not theirs to hold.
    """

    model_config = ConfigDict(from_attributes=True)

    contact_phone: str | None
    phone_consent_at: dt.datetime | None
    phone_consent_channel: Channel | None
    phone_consent_wording: str | None


class DeliveryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    status: OutboxStatus
    attempts: int
    sent_at: dt.datetime | None
    # Why it is not (yet) delivered: e.g. "outside the free reply window", "the citizen blocked the bot".
    last_error: str | None = None


class TicketEventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: EventKind
    actor_kind: ActorKind
    actor_id: int | None
    at: dt.datetime
    body: str | None
    data: dict[str, Any]
    delivery: DeliveryPublic | None = None
    # A public reply's approval: None where none is needed; "pending" awaits the unit's supervisor.
    approval: ReplyApproval | None = None
    approval_by: int | None = None
    approval_at: dt.datetime | None = None


class AttachmentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: int | None
    file_ref: str
    mime_type: str | None
    size_bytes: int | None
    file_name: str | None


class TicketDetail(BaseModel):
    ticket: TicketPublic
    contact: TicketContact | None
    events: list[TicketEventPublic]
    attachments: list[AttachmentPublic]


class TicketChange(BaseModel):
    """The ticket after a change (with its new version) and the event that recorded it."""

    ticket: TicketPublic
    event: TicketEventPublic


class TicketPage(BaseModel):
    items: list[TicketPublic]
    next_cursor: str | None


class CitizenReply(BaseModel):
    at: dt.datetime
    text: str


class CitizenTicketView(BaseModel):
    """What the citizen who filed a ticket may see of it in the chat."""

    code: str
    kind: TicketKind
    status: TicketStatus
    received_at: dt.datetime
    deadline: dt.date
    replies: list[CitizenReply]
    # A ticket merged into another: the original's code and status; ``deadline`` and ``replies``
    # are then the original's (its replies from the merge on, which this chat was sent too).
    merged_into: str | None = None
    merged_status: TicketStatus | None = None
