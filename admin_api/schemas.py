"""What the API accepts: request bodies and query parameters, each refusing unknown fields.

The schemas say as much as JSON Schema can (no NUL bytes, at least one visible character,
the 56 commune codes, a phone only together with its consent), so the published OpenAPI
document is an honest contract; rules that depend on stored state stay in casework and
answer 422 or 409 from there.
"""

from __future__ import annotations

import datetime as dt
import enum
import unicodedata
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from casework.audit.models import AuditAction
from casework.audit.schemas import AuditQuery
from casework.calendar.schemas import CalendarOverrideCreate, CalendarOverridePublic
from casework.channels import Channel
from casework.db import utcnow
from casework.errors import OutOfScope
from casework.officials.models import UNIT_PATTERN, Official, Role
from casework.officials.schemas import OfficialCreate
from casework.tickets.models import TicketKind, TicketPriority, TicketStatus
from casework.tickets.schemas import MAX_TEXT, ConsentCreate, TicketCreate, TicketQuery, TicketSort
from casework.tickets.service import CLOCK_SKEW
from knowledge.gazetteer import units

MAX_ID = 2_147_483_647  # PostgreSQL's integer: a larger id cannot exist, and must not reach the driver
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)
EARLIEST_MOMENT = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST_MOMENT = dt.datetime(2100, 12, 31, tzinfo=dt.UTC)

# Anchored: any character but NUL (PostgreSQL text cannot hold it), and at least one that is not
# a space, so that stripping never leaves an empty string behind.
# Some visible character, and no NUL: blank, or zero-width spaces and joiners only, is nothing to read.
VISIBLE = r"^[^\x00]*[^\s\x00\u200B-\u200F\u2060\uFEFF][^\x00]*$"
NO_NUL = r"^[^\x00]*$"
COMMUNE_CODES: tuple[str, ...] = tuple(sorted(unit.code for unit in units()))


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def _written_out(value: object) -> object:
    # JSON has no date type: a number is not a moment (lax validation would read it as a Unix time).
    if not isinstance(value, str | dt.datetime):
        raise ValueError("expected an ISO 8601 date and time, e.g. 2026-03-02T10:00:00+07:00")
    return value


def _known_commune(value: str) -> str:
    if value not in COMMUNE_CODES:
        raise ValueError("not a commune of Cao Bằng (see knowledge/gazetteer.yaml)")
    return value


LongText = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT, pattern=VISIBLE), AfterValidator(_nfc)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=1000, pattern=VISIBLE), AfterValidator(_nfc)]
Note = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=VISIBLE), AfterValidator(_nfc)]
CommuneCode = Annotated[
    str,
    Field(pattern=r"^[0-9]{5}$", json_schema_extra={"enum": list(COMMUNE_CODES)}),
    AfterValidator(_known_commune),
]


def in_order(first: dt.date | None, last: dt.date | None, names: str) -> None:
    """Refuse a period whose start comes after its end (it would quietly match nothing); moments are dates too."""
    if first is not None and last is not None and first > last:
        raise ValueError(f"{names}: the start is after the end")


TrackingCode = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9 _.-]+$")]
Day = Annotated[dt.date, Field(ge=EARLIEST, le=LATEST)]
Moment = Annotated[AwareDatetime, BeforeValidator(_written_out), Field(ge=EARLIEST_MOMENT, le=LATEST_MOMENT)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# In bodies, JSON types are kept as they are: `true` is not 1 and 1.0 is not 1 (query strings are parsed).
BodyId = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
Priority = Annotated[StrictInt, Field(ge=TicketPriority.LOW, le=TicketPriority.URGENT, description="0 low … 3 urgent")]


def ensure_commune_in_scope(actor: Official, commune: str | None) -> None:
    """Refuse, as not found, a filter on a commune outside a commune official's own."""
    if commune is not None and not actor.at_province and commune != actor.unit:
        raise OutOfScope(f"commune {commune} not found")


class Strict(BaseModel):
    """A request model: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------ tickets


class OfflineChannel(enum.StrEnum):
    """How a case reached the office when staff enter it: there is no chat to answer through."""

    PHONE = Channel.PHONE.value
    PAPER = Channel.PAPER.value
    IN_PERSON = Channel.IN_PERSON.value


def _not_ahead(value: dt.datetime) -> dt.datetime:
    # A consent cannot be given later than now; a few minutes allow for a clock running fast.
    if value > utcnow() + CLOCK_SKEW:
        raise ValueError("the consent cannot have been given in the future")
    return value


class ConsentEntry(Strict):
    given_at: Annotated[Moment, AfterValidator(_not_ahead)] = Field(
        description="When the citizen agreed; not later than now."
    )
    channel: Channel
    wording_version: str = Field(min_length=1, max_length=32, pattern=VISIBLE)


class ContactEntry(Strict):
    """A phone number to call the citizen back on, with the consent that allows keeping it."""

    phone: str = Field(pattern=r"^\+?[0-9][0-9 .-]{7,18}[0-9]$")
    consent: ConsentEntry


class TicketEntry(Strict):
    """A case staff enter for a citizen who phoned, wrote or came in."""

    kind: TicketKind
    topic: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    commune_code: CommuneCode | None = None
    channel: OfflineChannel
    text: LongText
    anonymous: StrictBool = Field(
        default=False,
        description="The citizen did not give their identity: no contact then, and a complaint or denunciation "
        "cannot be accepted (it is handled as feedback).",
    )
    confidential: StrictBool = False
    contact: ContactEntry | None = Field(default=None, description="Not with `anonymous`.")
    priority: Priority = TicketPriority.NORMAL
    received_at: Moment | None = Field(default=None, description="When a letter or call arrived; now if omitted.")

    @field_validator("contact")
    @classmethod
    def _no_contact_when_anonymous(cls, value: ContactEntry | None, info: ValidationInfo) -> ContactEntry | None:
        if value is not None and info.data.get("anonymous"):
            raise ValueError("an anonymous case has no contact: leave out the phone, or set anonymous to false")
        return value

    def to_create(self) -> TicketCreate:
        """The casework submission this entry stands for."""
        consent = None
        if self.contact is not None:
            consent = ConsentCreate.model_validate(self.contact.consent.model_dump())
        return TicketCreate(
            kind=self.kind,
            topic=self.topic,
            commune_code=self.commune_code,
            channel=Channel(self.channel.value),
            chat_ref=None,
            text=self.text,
            anonymous=self.anonymous,
            confidential=self.confidential,
            contact_phone=self.contact.phone if self.contact else None,
            phone_consent=consent,
            priority=TicketPriority(self.priority),
            received_at=self.received_at,
        )


class AssignRequest(Strict):
    assignee_id: BodyId | None = Field(description="The official to work on the ticket; null takes it back.")


class StatusRequest(Strict):
    status: TicketStatus
    reason: Reason | None = Field(default=None, description="Required to reject; recorded for any change.")
    commune_code: str | None = Field(
        default=None, pattern=UNIT_PATTERN, description="For a transfer: the receiving commune, or 'province'."
    )


class TextRequest(Strict):
    text: LongText


class ReturnRequest(Strict):
    comment: LongText = Field(description="Why the reply goes back to its author; kept as an internal note.")


class MergeRequest(Strict):
    into: TrackingCode = Field(description="The tracking code of the original ticket.")


class ExtendRequest(Strict):
    reason: Reason


class TicketListParams(Strict):
    """Filters, order and page of the queue (repeat ``status`` or ``kind`` to allow several)."""

    status: list[TicketStatus] = Field(default_factory=list, max_length=len(TicketStatus))
    kind: list[TicketKind] = Field(default_factory=list, max_length=len(TicketKind))
    topic: str | None = Field(default=None, min_length=1, max_length=64, pattern=NO_NUL)
    commune: CommuneCode | None = None
    assignee: str | None = Field(
        default=None, pattern=r"^(me|none|[1-9][0-9]{0,8})$", description="An official's id, `me`, or `none`."
    )
    overdue: bool | None = None
    due_soon: bool | None = Field(default=None, description="Due within the next 3 working days.")
    received_from: Day | None = Field(default=None, description="First day of receipt (Vietnamese calendar).")
    received_to: Day | None = Field(default=None, description="Last day of receipt, included.")
    q: str | None = Field(default=None, max_length=200, pattern=NO_NUL, description="Words, diacritics optional.")
    sort: TicketSort = TicketSort.NEWEST
    limit: int = Field(default=50, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=500, pattern=r"^[A-Za-z0-9_-]+$")

    @model_validator(mode="after")
    def _period_in_order(self) -> TicketListParams:
        in_order(self.received_from, self.received_to, "received_from, received_to")
        return self

    def to_query(self, actor: Official) -> TicketQuery:
        """The casework query, with ``assignee=me`` read as the caller; another unit's commune is not found."""
        ensure_commune_in_scope(actor, self.commune)
        assignee_id = None
        if self.assignee == "me":
            assignee_id = actor.id
        elif self.assignee not in (None, "none"):
            assignee_id = int(self.assignee)
        return TicketQuery(
            status=self.status,
            kind=self.kind,
            topic=self.topic,
            commune_code=self.commune,
            assignee_id=assignee_id,
            unassigned=self.assignee == "none",
            overdue=self.overdue,
            due_soon=self.due_soon,
            received_from=self.received_from,
            received_to=self.received_to,
            q=self.q,
            sort=self.sort,
            limit=self.limit,
            cursor=self.cursor,
        )


# ------------------------------------------------------------------ audit, calendar, officials


class AuditParams(Strict):
    action: AuditAction | None = None
    actor_id: Id | None = None
    object_type: str | None = Field(default=None, min_length=1, max_length=32, pattern=NO_NUL)
    object_id: str | None = Field(default=None, min_length=1, max_length=64, pattern=NO_NUL)
    since: Moment | None = None
    until: Moment | None = None
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")

    @model_validator(mode="after")
    def _period_in_order(self) -> AuditParams:
        in_order(self.since, self.until, "since, until")
        return self

    def to_query(self) -> AuditQuery:
        """The casework query."""
        return AuditQuery.model_validate(self.model_dump())


class CalendarDayChanged(CalendarOverridePublic):
    """The day as stored, and how many running deadlines it moved."""

    deadlines_moved: int = Field(description="Open cases whose deadline was counted again with this day.")


class CalendarDayRequest(Strict):
    is_working_day: StrictBool = Field(description="true: an extra working day; false: an extra day off.")
    note: Note

    def for_day(self, day: dt.date) -> CalendarOverrideCreate:
        """The casework override for ``day``."""
        return CalendarOverrideCreate(day=day, is_working_day=self.is_working_day, note=self.note)


Username = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$", description="Stored in lower case.")]
Password = Annotated[str, Field(min_length=10, max_length=256)]


class OfficialEntry(Strict):
    username: Username
    display_name: str = Field(min_length=1, max_length=120, pattern=VISIBLE)
    password: Password
    role: Role
    unit: str = Field(pattern=UNIT_PATTERN, description="'province' or a commune code.")

    def to_create(self) -> OfficialCreate:
        """The casework creation request."""
        return OfficialCreate.model_validate(self.model_dump())


class PasswordRequest(Strict):
    password: Password


class RoleRequest(Strict):
    role: Role
    unit: str = Field(pattern=UNIT_PATTERN)


class LoginForm(Strict):
    """The OAuth2 password grant, as a form (what Swagger UI's Authorize button sends)."""

    grant_type: Literal["password"] | None = None
    username: str = Field(min_length=1, max_length=64, pattern=NO_NUL)
    password: str = Field(min_length=1, max_length=256)
    scope: str = Field(default="", max_length=200)
    client_id: str | None = Field(default=None, max_length=200)
    client_secret: str | None = Field(default=None, max_length=200)


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int = Field(description="Seconds until the token expires.")
    expires_at: dt.datetime
