"""/api/v1/interactions: the list with the console's filters and counters, one interaction
with its summary and thread, calls (Listen to Call Recording only), booking and dismissing.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field as NinjaField
from ninja import Query, Router, Status

from leadline.accounts.roles import LISTEN_CALL_RECORDING, SEND_MESSAGE, VIEW_CUSTOMER_CHATS
from leadline.api import shapes
from leadline.api.auth import company_of, may, needs
from leadline.api.errors import COMMON_ERRORS, ApiError, ErrorOut
from leadline.api.schemas import (
    BookingIn,
    CallOut,
    DismissIn,
    Input,
    InteractionDetailOut,
    InteractionOut,
    InteractionPageOut,
    JobOut,
)
from leadline.channels.base import get_provider, keeps_recordings_for
from leadline.crm import services as crm_services
from leadline.interactions import statuses
from leadline.interactions.listing import (
    EARLIEST_DAY,
    LATEST_DAY,
    SEARCH_MAX_LENGTH,
    Cursor,
    interaction_list,
    parse_query,
)
from leadline.interactions.selectors import get_call, get_interaction, interaction_detail

router = Router(tags=["interactions"])

StatusFilter = Literal[  # type: ignore[valid-type]
    tuple(sorted(statuses.BY_CODE)) + tuple(f"group:{g.value}" for g in statuses.Group)
]


_DAY = r"^\d{4}-\d{2}-\d{2}$"


def _day(value: str | None, name: str) -> str:
    if value is None:
        return ""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ApiError(422, f"{name}: {value} is not a date.", field=name) from None
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ApiError(
            422,
            f"{name}: pick a day between {EARLIEST_DAY.year} and {LATEST_DAY.year}.",
            field=name,
        )
    return day.isoformat()


class InteractionFilters(Input):
    """The console's filters, by the same names as its query string."""

    sort: Literal["newest", "oldest"] = "newest"
    goal: Literal["speed_to_lead", "inbound_sms"] | None = None
    channel: Literal["sms", "voice"] | None = None
    type: Literal["lead", "customer", "opportunity"] | None = None
    status: StatusFilter | None = NinjaField(  # type: ignore[valid-type]
        None, description="A status code, or group:<active|converted|escalated|closed>."
    )
    escalated: bool = NinjaField(False, description="Escalated only.")
    activity: Literal["high"] | None = NinjaField(None, description="high: High Activity only.")
    q: str | None = NinjaField(
        None, max_length=SEARCH_MAX_LENGTH, description="Search by name or phone number."
    )
    range: Literal["today", "7d", "30d", "90d", "custom"] = NinjaField(
        "30d", description="Last activity within; custom: between from and to."
    )
    from_: str | None = NinjaField(
        None, alias="from", pattern=_DAY, description="First day of last activity (YYYY-MM-DD)."
    )
    to: str | None = NinjaField(
        None, pattern=_DAY, description="Last day of last activity (YYYY-MM-DD)."
    )
    after: str | None = NinjaField(None, max_length=60, description="next_cursor of a page.")
    before: str | None = NinjaField(None, max_length=60, description="previous_cursor of a page.")


def _params(filters: InteractionFilters) -> dict[str, str]:
    """The filters as the console's query string, for its own parser."""
    for name in ("after", "before"):
        value = getattr(filters, name)
        if value is not None and Cursor.decode(value) is None:
            raise ApiError(422, f"{name}: use a cursor the previous page returned.", field=name)
    if filters.after and filters.before:
        raise ApiError(422, "before: give after or before, not both.", field="before")
    params = {
        "sort": filters.sort,
        "goal": filters.goal or "",
        "channel": filters.channel or "",
        "type": filters.type or "",
        "status": filters.status or "",
        "escalated": "1" if filters.escalated else "",
        "activity": filters.activity or "",
        "q": filters.q or "",
        "from": _day(filters.from_, "from"),
        "to": _day(filters.to, "to"),
        "after": filters.after or "",
        "before": filters.before or "",
    }
    # An explicit preset wins over dates in the console; dates alone mean custom.
    if filters.range != "30d" or not (filters.from_ or filters.to):
        params["range"] = filters.range
    return params


@router.get(
    "/interactions",
    response={200: InteractionPageOut, **COMMON_ERRORS},
    operation_id="listInteractions",
    summary="List interactions with the console's filters, sort and counters",
)
def list_interactions(
    request: HttpRequest, filters: Query[InteractionFilters]
) -> InteractionPageOut:
    """A keyset page (50 rows, as in the console) of the company's interactions, and the
    counters for the same filters."""
    needs(request, VIEW_CUSTOMER_CHATS)
    query = parse_query(_params(filters))
    result = interaction_list(company=company_of(request), query=query)
    page = result.page
    return InteractionPageOut(
        items=[shapes.interaction(row) for row in page.rows],
        counters=shapes.counters(result.counters),
        next_cursor=page.next_cursor.encode() if page.next_cursor else None,
        previous_cursor=page.previous_cursor.encode() if page.previous_cursor else None,
        notices=list(query.notices),
    )


@router.get(
    "/interactions/{interaction_id}",
    response={200: InteractionDetailOut, **COMMON_ERRORS},
    operation_id="getInteraction",
    summary="Get an interaction with its overview summary and thread",
)
def get_interaction_detail(request: HttpRequest, interaction_id: int) -> InteractionDetailOut:
    """Calls and their transcripts are in the thread only for Listen to Call Recording."""
    needs(request, VIEW_CUSTOMER_CHATS)
    detail = interaction_detail(
        company=company_of(request),
        interaction_id=interaction_id,
        with_calls=may(request, LISTEN_CALL_RECORDING),
    )
    return shapes.interaction_detail(
        detail.interaction,
        detail.messages,
        detail.calls,
        keeps_recordings=keeps_recordings_for(company_of(request)),
    )


@router.get(
    "/interactions/{interaction_id}/calls",
    response={200: list[CallOut], **COMMON_ERRORS},
    operation_id="listCalls",
    summary="The interaction's calls with transcripts (Listen to Call Recording)",
)
def list_calls(request: HttpRequest, interaction_id: int) -> list[CallOut]:
    needs(request, VIEW_CUSTOMER_CHATS, LISTEN_CALL_RECORDING)
    detail = interaction_detail(
        company=company_of(request), interaction_id=interaction_id, with_calls=True
    )
    keeps = keeps_recordings_for(company_of(request))
    return [shapes.call(c, keeps_recordings=keeps) for c in detail.calls or []]


@router.get(
    "/interactions/{interaction_id}/calls/{call_id}/recording",
    response={200: None, **COMMON_ERRORS, 502: ErrorOut},
    operation_id="getCallRecording",
    url_name="call_recording",
    summary="Download a call's recording (Listen to Call Recording)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The audio, fetched through Leadline.",
                "content": {"audio/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def call_recording(request: HttpRequest, interaction_id: int, call_id: int) -> HttpResponse:
    needs(request, VIEW_CUSTOMER_CHATS, LISTEN_CALL_RECORDING)
    call = get_call(company=company_of(request), interaction_id=interaction_id, call_id=call_id)
    if not call.recording_id:
        raise ApiError(404, "No recording is stored for this call.")
    recording = get_provider(company_of(request)).fetch_recording(recording_id=call.recording_id)
    if recording is None:
        raise ApiError(404, "No recording is stored for this call.")
    response = HttpResponse(recording.content, content_type=recording.content_type)
    response["Cache-Control"] = "private, max-age=300"
    return response


@router.post(
    "/interactions/{interaction_id}/booking",
    response={201: JobOut, **COMMON_ERRORS},
    operation_id="bookJob",
    summary="Book a job into a free arrival window (Converted: Human)",
)
def book_job(request: HttpRequest, interaction_id: int, payload: BookingIn) -> Status[JobOut]:
    """409 when the conversation cannot be booked (closed, opted out) or the window is full."""
    user = needs(request, VIEW_CUSTOMER_CHATS, SEND_MESSAGE)
    interaction = get_interaction(company=company_of(request), interaction_id=interaction_id)
    job = crm_services.book_job_for_lead(
        lead=interaction.lead,
        actor=user,
        interaction_id=interaction.pk,
        window_id=payload.window_id,
        job_type=payload.job_type,
    )
    return Status(201, shapes.job(job))


@router.post(
    "/interactions/{interaction_id}/dismiss",
    response={200: InteractionOut, **COMMON_ERRORS},
    operation_id="dismissInteraction",
    summary="Dismiss the interaction with a reason (Dismissed: Human)",
)
def dismiss(request: HttpRequest, interaction_id: int, payload: DismissIn) -> InteractionOut:
    user = needs(request, VIEW_CUSTOMER_CHATS, SEND_MESSAGE)
    interaction = get_interaction(company=company_of(request), interaction_id=interaction_id)
    done = crm_services.dismiss_for_lead(
        lead=interaction.lead, actor=user, interaction_id=interaction.pk, reason=payload.reason
    )
    return shapes.interaction(done)
