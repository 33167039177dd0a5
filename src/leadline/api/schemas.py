"""What the API reads and answers: request bodies with their validation, and responses."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Field, Schema
from pydantic import field_validator

from leadline.capacity.job_types import JOB_TYPES
from leadline.crm.services import (
    DISMISS_REASON_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    REPLY_MAX_LENGTH,
    TASK_TITLE_MAX_LENGTH,
)
from leadline.kit.phone import parse_phone
from leadline.kit.places import lookup_zip

# Ids are 64-bit: a larger number can name nothing, and databases refuse to compare with it.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
_ZIP = re.compile(r"^\d{5}(-\d{4})?$")

LeadSource = Literal["web_form", "api", "inbound_sms", "phone", "referral"]
JobTypeCode = Literal[tuple(JOB_TYPES)]  # type: ignore[valid-type]


def _text(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _required_text(value: object, what: str) -> object:
    if isinstance(value, str):
        value = value.strip()
        if not value:
            raise ValueError(f"{what} cannot be blank")
    return value


class Input(Schema):
    """What a client sends: no text may carry a NUL character (databases refuse to store it)."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("Text cannot contain the NUL character")
        return value


# ---- leads --------------------------------------------------------------------------------


class LeadIn(Input):
    """A new lead; `phone` is required, everything else is optional."""

    phone: str = Field(max_length=40, description="Any common US form, e.g. (512) 555-0143.")
    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    email: str = Field("", max_length=254)
    zip: str = Field("", max_length=10, description="A US ZIP code (12345 or 12345-6789).")
    address: str = Field("", max_length=300)
    note: str = Field("", max_length=5000)
    source: LeadSource = "api"
    campaign: Id | None = Field(
        None,
        description="A campaign id; by default the company's switched-on Speed to Lead campaign.",
    )

    @field_validator("first_name", "last_name", "address", "note", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return _text(value)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        parsed = parse_phone(value)
        if parsed.e164 is None:
            raise ValueError(
                "Enter a phone number that can be texted, e.g. +15125550143 or (512) 555-0143"
            )
        return parsed.e164

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        value = value.strip()
        if value:
            try:
                validate_email(value)
            except DjangoValidationError:
                raise ValueError("Enter a valid email address, e.g. dana@example.com") from None
        return value

    @field_validator("zip")
    @classmethod
    def _zip(cls, value: str) -> str:
        value = value.strip()
        if not value:
            return value
        if not _ZIP.fullmatch(value) or lookup_zip(value[:5]) is None:
            raise ValueError("Enter a US ZIP code, e.g. 78704")
        return value[:5]


class InteractionBrief(Schema):
    id: int
    campaign_id: int
    goal: str
    channel: str
    status: str
    status_label: str
    status_group: str


class LeadOut(Schema):
    id: int
    first_name: str
    last_name: str
    phone: str
    email: str
    zip: str
    address: str
    note: str
    source: str
    created_at: datetime
    customer_id: int | None
    merged_into_id: int | None
    agent_paused_at: datetime | None = Field(
        description="Set when a person took the lead over: the agent sends nothing more."
    )
    interactions: list[InteractionBrief]


class LeadPage(Schema):
    items: list[LeadOut]
    next_cursor: str | None = Field(
        description="Pass as ?cursor= for the next page; null at the end."
    )


# ---- interactions -------------------------------------------------------------------------


class InteractionOut(Schema):
    id: int
    lead_id: int
    customer_id: int | None
    opportunity_id: int | None
    campaign_id: int
    lead_name: str
    lead_phone: str
    record_type: str
    goal: str
    channel: str
    status: str
    status_label: str
    status_group: str
    escalated: bool
    escalation_reason: str
    engagement: str
    started_at: datetime
    last_activity_at: datetime
    closed_at: datetime | None
    message_count: int
    inbound_count: int
    outbound_count: int


class CountersOut(Schema):
    escalated: int
    high_activity: int
    conversations: int
    leads: int
    replied_leads: int
    converted: int
    response_rate: int | None = Field(
        description="Whole percent of leads that replied; null: none."
    )
    conversion_rate: int | None = Field(description="Whole percent that booked a job; null: none.")


class InteractionPageOut(Schema):
    items: list[InteractionOut]
    counters: CountersOut
    next_cursor: str | None
    previous_cursor: str | None
    notices: list[str]


class MessageOut(Schema):
    kind: Literal["message"] = "message"
    id: int
    interaction_id: int
    direction: str
    author: str
    author_user_id: int | None
    body: str
    delivery_status: str
    error_code: str
    created_at: datetime
    sent_at: datetime | None


class TurnOut(Schema):
    seq: int
    speaker: str
    text: str
    at: datetime


class CallOut(Schema):
    kind: Literal["call"] = "call"
    id: int
    interaction_id: int
    direction: str
    outcome: str
    started_at: datetime
    ended_at: datetime | None
    duration_seconds: int | None
    transcript: list[TurnOut]
    recording_url: str | None = Field(
        description="Where to download the audio (with the same token); null when none is kept."
    )


ThreadEntry = Annotated[MessageOut | CallOut, Field(discriminator="kind")]


class InteractionDetailOut(InteractionOut):
    summary: str
    thread: list[ThreadEntry] = Field(
        description=(
            "Messages and, only for holders of Listen to Call Recording, calls with their "
            "transcripts, oldest first."
        )
    )


# ---- acting on a lead ---------------------------------------------------------------------


class MessageIn(Input):
    body: str = Field(min_length=1, max_length=REPLY_MAX_LENGTH)

    @field_validator("body")
    @classmethod
    def _body(cls, value: str) -> object:
        return _required_text(value, "The message")


class NoteIn(Input):
    body: str = Field(min_length=1, max_length=NOTE_MAX_LENGTH)

    @field_validator("body")
    @classmethod
    def _body(cls, value: str) -> object:
        return _required_text(value, "A note")


class NoteOut(Schema):
    id: int
    lead_id: int
    body: str
    author_id: int | None
    created_at: datetime


class TaskIn(Input):
    title: str = Field(min_length=1, max_length=TASK_TITLE_MAX_LENGTH)
    assignee_id: Id = Field(description="The teammate (user id) the task is assigned to.")
    due_date: date | None = None

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> object:
        return _required_text(value, "A task title")


class TaskOut(Schema):
    id: int
    lead_id: int
    title: str
    assignee_id: int | None
    created_by_id: int | None
    due_date: date | None
    done: bool
    done_at: datetime | None
    created_at: datetime


class BookingIn(Input):
    window_id: Id = Field(description="A free arrival window (see GET /availability).")
    job_type: JobTypeCode  # type: ignore[valid-type]


class JobOut(Schema):
    id: int
    lead_id: int | None
    interaction_id: int | None
    job_type: str
    arrival_window_id: int
    arrival_start: datetime
    arrival_end: datetime
    booked_by: str
    booked_by_user_id: int | None
    status: str
    created_at: datetime


class DismissIn(Input):
    reason: str = Field(min_length=1, max_length=DISMISS_REASON_MAX_LENGTH)

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> object:
        return _required_text(value, "The reason")


# ---- campaigns, availability, events ------------------------------------------------------


class CampaignOut(Schema):
    id: int
    name: str
    goal: str
    channel: str
    enabled: bool
    skills: list[str]
    cadence: list[str]
    created_at: datetime


class WindowOut(Schema):
    id: int
    trade: str
    date: date
    starts_at: datetime
    ends_at: datetime
    capacity: int
    booked: int
    free: int


class AvailabilityOut(Schema):
    job_type: str
    windows: list[WindowOut]


class EventOut(Schema):
    id: int
    kind: str
    interaction_id: int | None
    lead_id: int | None
    actor_kind: str
    actor_id: int | None
    from_status: str
    to_status: str
    detail: str = Field(
        "",
        description=(
            "What happened in words. Absent from call events unless the token's user holds "
            "Listen to Call Recording (they carry spoken words)."
        ),
    )
    created_at: datetime


class EventPage(Schema):
    items: list[EventOut]
    cursor: int = Field(description="The highest event id so far: pass it as ?after= next time.")
