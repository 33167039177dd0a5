"""Growth > Interactions: the list with its counters and filters, the CSV export, the drawer.

Views stay thin: parse the query string, check the permission, call a selector of
`interactions.listing` / `interactions.selectors`, and shape what they return for
the templates (labels, local times, links). No query is made here.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import wraps
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth.views import redirect_to_login
from django.core.handlers.asgi import ASGIRequest
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode

from leadline.accounts.models import Company
from leadline.accounts.roles import LISTEN_CALL_RECORDING, VIEW_CUSTOMER_CHATS
from leadline.campaigns.models import Channel, Goal
from leadline.channels.base import ProviderError, get_provider, keeps_recordings_for
from leadline.console.display import Moment, moment
from leadline.console.display import duration_text as _duration
from leadline.console.display import speaker as _speaker
from leadline.console.errors import forbidden
from leadline.interactions import statuses
from leadline.interactions.listing import (
    EXPORT_HEADER,
    GROUP_PREFIX,
    SORT_LABELS,
    TIME_RANGE_LABELS,
    Counters,
    Cursor,
    InteractionFilters,
    InteractionList,
    ListQuery,
    Sort,
    TimeRange,
    company_zone,
    escalation_reason,
    export_chunk,
    interaction_list,
    parse_query,
)
from leadline.interactions.live import latest_event_id
from leadline.interactions.models import Author, Call, Interaction, Message, RecordType
from leadline.interactions.selectors import (
    InteractionDetail,
    get_call,
    get_interaction,
    interaction_detail,
)
from leadline.kit import clock
from leadline.kit.errors import NotFound
from leadline.kit.phone import format_phone

View = Callable[..., HttpResponseBase]

logger = logging.getLogger(__name__)


def _needs_customer_chats(view: View) -> View:
    """Anonymous: to the sign-in page. Without View Customer Chats (or a company): 403."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user: Any = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if user.company_id is None or not user.has_perm(VIEW_CUSTOMER_CHATS):
            return forbidden(request)
        return view(request, *args, **kwargs)

    return guarded


# The same guard for the other Growth pages (Insights, the live feed's fragments).
needs_customer_chats = _needs_customer_chats


def _is_htmx(request: HttpRequest) -> bool:
    # A history restore wants the whole page, not a fragment.
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


# ---- times as people read them (console/display.py, shared with the record pages) ----


def _moment(at: datetime, now: datetime, zone: tzinfo) -> Moment:
    return moment(at, now=now, zone=zone)


# ---- links ------------------------------------------------------------------------------


def _with(params: dict[str, str], **changes: str | None) -> str:
    merged = dict(params)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return "?" + urlencode(merged) if merged else ""


def _page_params(query: ListQuery) -> dict[str, str]:
    params = query.filters.to_params()
    if query.after:
        params["after"] = query.after.encode()
    elif query.before:
        params["before"] = query.before.encode()
    return params


# ---- the list ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    id: int
    name: str
    type_label: str
    phone: str
    status_label: str
    group: str
    reason: str
    channel: str
    goal: str
    last_activity: Moment
    messages: int
    page_url: str
    drawer_url: str
    push_url: str
    row_url: str


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    selected: bool


def _options(choices: list[tuple[str, str]], current: str) -> list[Option]:
    return [Option(value, label, value == current) for value, label in choices]


def _status_groups(filters: InteractionFilters) -> list[tuple[str, list[Option]]]:
    groups = []
    for group in statuses.Group:
        name = group.value.capitalize()
        options = [
            Option(
                GROUP_PREFIX + group.value,
                f"All {name.lower()} statuses",
                filters.status_group == group.value,
            )
        ]
        options += [
            Option(s.code, s.label, filters.status == s.code)
            for s in statuses.STATUSES
            if s.group is group
        ]
        groups.append((name, options))
    return groups


# An id no URL holds otherwise: reversed once per page, then replaced by each row's id.
_SAMPLE_ID = 918273645


def _id_url(name: str) -> Callable[[int], str]:
    """The URL of `name` for an id, reversed once (50 rows made 200 reverses a page)."""
    head, _, tail = reverse(name, args=[_SAMPLE_ID]).rpartition(str(_SAMPLE_ID))
    return lambda pk: f"{head}{pk}{tail}"


def _rows(
    interactions: list[Interaction], params: dict[str, str], now: datetime, zone: tzinfo
) -> list[Row]:
    goals, channels, types = dict(Goal.choices), dict(Channel.choices), dict(RecordType.choices)
    page_url, drawer_url, row_url = (
        _id_url("interaction"),
        _id_url("interaction-drawer"),
        _id_url("interaction-row"),
    )
    query = _with(params)
    # The list's URL with the row opened: the same as _with(params, open=...), built once.
    open_prefix = reverse("interactions") + (query + "&" if query else "?") + "open="
    rows = []
    for item in interactions:
        rows.append(
            Row(
                id=item.pk,
                name=item.lead_name or "Unnamed lead",
                type_label=types.get(item.record_type, item.record_type),
                phone=format_phone(item.lead_phone) if item.lead_phone else "",
                status_label=item.status_label,
                group=item.status_group,
                reason=escalation_reason(item.status),
                channel=channels.get(item.channel, item.channel),
                goal=goals.get(item.goal, item.goal),
                last_activity=_moment(item.last_activity_at, now, zone),
                messages=item.message_count,
                page_url=page_url(item.pk) + query,
                drawer_url=drawer_url(item.pk) + query,
                push_url=open_prefix + str(item.pk),
                row_url=row_url(item.pk),
            )
        )
    return rows


def _percent_text(value: int | None) -> str:
    return "—" if value is None else f"{value}%"


def filter_form_context(
    *, company: Company, filters: InteractionFilters, action_url: str
) -> dict[str, Any]:
    """What the filter form (_filters.html) needs, on the list and on pages sharing its filters."""
    params = filters.to_params()
    return {
        "company": company,
        "zone_name": str(company_zone(company)),
        "filters": filters,
        "filters_action": action_url,
        "narrowed": filters.narrows or filters.time_range is not TimeRange.DAYS_30,
        "high_activity_url": action_url
        + _with(params, activity=None if filters.high_activity else "high"),
        "high_activity_rule": (
            f"{company.high_activity_messages} or more messages in the last "
            f"{company.high_activity_minutes} minutes"
        ),
        "clear_url": action_url,
        "sort_options": _options(list(SORT_LABELS.items()), filters.sort.value),
        "range_options": _options(list(TIME_RANGE_LABELS.items()), filters.time_range.value),
        "goal_options": _options(list(Goal.choices), filters.goal),
        "channel_options": _options(list(Channel.choices), filters.channel),
        "type_options": _options(list(RecordType.choices), filters.record_type),
        "status_groups": _status_groups(filters),
        "is_custom_range": filters.time_range is TimeRange.CUSTOM,
    }


def _list_context(company: Company, query: ListQuery, result: InteractionList) -> dict[str, Any]:
    filters = query.filters
    now = clock.now()
    zone = company_zone(company)
    params = filters.to_params()
    page_params = _page_params(query)
    page = result.page
    figures: Counters = result.counters
    list_url = reverse("interactions")
    return {
        **filter_form_context(company=company, filters=filters, action_url=list_url),
        "notices": list(query.notices),
        "rows": _rows(page.rows, page_params, now, zone),
        "has_any": result.has_any,
        "counters": figures,
        "response_rate": _percent_text(figures.response_rate),
        "conversion_rate": _percent_text(figures.conversion_rate),
        "escalated_url": list_url
        + _with(params, escalated=None if filters.escalated_only else "1"),
        "insights_url": reverse("interactions-insights") + _with(params),
        "next_url": (
            list_url + _with(params, after=page.next_cursor.encode()) if page.next_cursor else ""
        ),
        "previous_url": (
            list_url + _with(params, before=page.previous_cursor.encode())
            if page.previous_cursor
            else ""
        ),
        "first_url": list_url + _with(params) if not page.is_first else "",
        "export_url": reverse("interactions-export") + _with(params),
        "sort_toggle_url": list_url
        + _with(params, sort=None if filters.sort is Sort.OLDEST else Sort.OLDEST.value),
        "open_id": query.open_id,
    }


# ---- the drawer -------------------------------------------------------------------------


@dataclass(frozen=True)
class ThreadEntry:
    kind: str  # "message" or "call"
    # Stable across renders ("m12", "c3"): live updates merge a thread by it.
    key: str
    at: Moment
    author: str
    author_kind: str
    direction: str
    body: str
    delivery: str
    delivery_code: str
    error_code: str
    call: Call | None
    call_outcome: str
    call_duration: str
    recording_url: str
    turns: list[tuple[str, str, str]]


def _message_entry(message: Message, lead_name: str, now: datetime, zone: tzinfo) -> ThreadEntry:
    outbound = message.direction == Message.Direction.OUTBOUND
    failed = message.delivery_status in (Message.Delivery.FAILED, Message.Delivery.UNDELIVERED)
    return ThreadEntry(
        kind="message",
        key=f"m{message.pk}",
        at=_moment(message.created_at, now, zone),
        author=_speaker(message.author, lead_name, message.author_user),
        author_kind=message.author,
        direction=message.direction,
        body=message.body,
        delivery=message.get_delivery_status_display() if outbound else "",
        delivery_code=message.delivery_status if outbound else "",
        error_code=message.error_code if outbound and failed else "",
        call=None,
        call_outcome="",
        call_duration="",
        recording_url="",
        turns=[],
    )


def _call_entry(
    call: Call, interaction_id: int, lead_name: str, now: datetime, zone: tzinfo
) -> ThreadEntry:
    recording = (
        reverse("call-recording", args=[interaction_id, call.pk])
        if call.recording_id and keeps_recordings_for(call.company)
        else ""
    )
    turns = [
        (_speaker(turn.speaker, lead_name, None), turn.speaker, turn.text)
        for turn in call.turns.all()
    ]
    return ThreadEntry(
        kind="call",
        key=f"c{call.pk}",
        at=_moment(call.started_at, now, zone),
        author="Voice Agent",
        author_kind=Author.AGENT,
        direction=call.direction,
        body="",
        delivery="",
        delivery_code="",
        error_code="",
        call=call,
        call_outcome=call.get_outcome_display(),
        call_duration=_duration(call.recording_duration),
        recording_url=recording,
        turns=turns,
    )


def _drawer_context(
    detail: InteractionDetail, company: Company, params: dict[str, str]
) -> dict[str, Any]:
    interaction = detail.interaction
    now = clock.now()
    zone = company_zone(company)
    lead_name = interaction.lead_name
    entries: list[tuple[datetime, int, ThreadEntry]] = [
        (m.created_at, 0, _message_entry(m, lead_name, now, zone)) for m in detail.messages
    ]
    if detail.calls is not None:
        entries += [
            (c.started_at, 1, _call_entry(c, interaction.pk, lead_name, now, zone))
            for c in detail.calls
        ]
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    customer = interaction.customer
    opportunity = interaction.opportunity
    return {
        "id": interaction.pk,
        "name": lead_name or "Unnamed lead",
        "phone": format_phone(interaction.lead_phone) if interaction.lead_phone else "",
        "phone_e164": interaction.lead_phone,
        "customer": (
            {"url": f"/customers/{customer.pk}/", "name": str(customer) or "Customer"}
            if customer
            else None
        ),
        "lead_url": f"/leads/{interaction.lead_id}/",
        "lead_label": lead_name or format_phone(interaction.lead_phone) or "Lead",
        "opportunity": (
            {"url": f"/opportunities/{opportunity.pk}/", "title": opportunity.title}
            if opportunity
            else None
        ),
        "status_label": interaction.status_label,
        "group": interaction.status_group,
        "reason": escalation_reason(interaction.status),
        "channel": interaction.get_channel_display(),
        "goal": interaction.get_goal_display(),
        "record_type": interaction.get_record_type_display(),
        "last_activity": _moment(interaction.last_activity_at, now, zone),
        "summary": interaction.summary.strip(),
        "thread": [entry for _, _, entry in entries],
        "calls_hidden": detail.calls is None and detail.has_calls,
        "close_url": reverse("interactions") + _with(params),
    }


def _load_drawer(
    request: HttpRequest, company: Company, interaction_id: int, params: dict[str, str]
) -> dict[str, Any]:
    user: Any = request.user
    try:
        detail = interaction_detail(
            company=company,
            interaction_id=interaction_id,
            with_calls=user.has_perm(LISTEN_CALL_RECORDING),
        )
    except NotFound as exc:
        raise Http404("no such interaction") from exc
    return _drawer_context(detail, company, params)


# ---- pages ------------------------------------------------------------------------------


def _render_page(
    request: HttpRequest, *, open_id: int | None, must_exist: bool = False
) -> HttpResponse:
    user: Any = request.user
    company: Company = user.company
    query = parse_query(request.GET)
    # Read before the rows: whatever changes after this reaches the page live.
    live_cursor = latest_event_id(company=company)
    result = interaction_list(company=company, query=query)
    context = _list_context(company, query, result)
    context["live_url"] = reverse("interactions-live") + _with({"after": str(live_cursor)})
    context["drawer"] = None
    if open_id is not None:
        try:
            context["drawer"] = _load_drawer(request, company, open_id, _page_params(query))
            context["open_id"] = open_id
        except Http404:
            if must_exist:
                raise
            context["notices"].append("The interaction in the link could not be found.")
            context["open_id"] = None
    response = render(request, "console/interactions/list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@_needs_customer_chats
def interaction_list_page(request: HttpRequest) -> HttpResponseBase:
    """Growth > Interactions (or its CSV with ?format=csv)."""
    if request.GET.get("format") == "csv":
        return _export(request)
    return _render_page(request, open_id=parse_query(request.GET).open_id)


@_needs_customer_chats
def interaction_page(request: HttpRequest, interaction_id: int) -> HttpResponse:
    """The list page with one interaction's drawer open (a link that can be shared)."""
    return _render_page(request, open_id=interaction_id, must_exist=True)


@_needs_customer_chats
def interaction_drawer(request: HttpRequest, interaction_id: int) -> HttpResponse:
    """The drawer fragment for htmx; a plain request gets the whole page with it open."""
    if not _is_htmx(request):
        return _render_page(request, open_id=interaction_id, must_exist=True)
    user: Any = request.user
    query = parse_query(request.GET)
    context = {"drawer": _load_drawer(request, user.company, interaction_id, _page_params(query))}
    response = render(request, "console/interactions/_drawer.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@_needs_customer_chats
def interaction_row(request: HttpRequest, interaction_id: int) -> HttpResponse:
    """One row of the list as it is now; live updates swap it in place.

    The list's query string is passed along so the row's links keep the filters.
    """
    user: Any = request.user
    company: Company = user.company
    query = parse_query(request.GET)
    try:
        interaction = get_interaction(company=company, interaction_id=interaction_id)
    except NotFound as exc:
        raise Http404("no such interaction") from exc
    row = _rows([interaction], _page_params(query), clock.now(), company_zone(company))[0]
    context = {"row": row, "open_id": query.open_id}
    return render(request, "console/interactions/_row.html", context)


# ---- CSV ----------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a stream."""

    def write(self, value: str) -> str:
        return value


@_needs_customer_chats
def interaction_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered list as CSV (every matching row, in list order)."""
    return _export(request)


def _export(request: HttpRequest) -> StreamingHttpResponse:
    user: Any = request.user
    company: Company = user.company
    filters = parse_query(request.GET).filters
    now = clock.now()
    writer = csv.writer(_Echo())
    # The byte-order mark lets spreadsheet programs read the file as UTF-8.
    header = "\ufeff" + writer.writerow(EXPORT_HEADER)

    def lines() -> Iterator[str]:
        yield header
        cursor: Cursor | None = None
        while True:
            rows, cursor = export_chunk(company=company, filters=filters, now=now, after=cursor)
            yield "".join(writer.writerow(row) for row in rows)
            if cursor is None:
                return

    async def async_lines() -> AsyncIterator[str]:
        yield header
        cursor: Cursor | None = None
        while True:
            rows, cursor = await sync_to_async(export_chunk)(
                company=company, filters=filters, now=now, after=cursor
            )
            yield "".join(writer.writerow(row) for row in rows)
            if cursor is None:
                return

    # Under ASGI a synchronous iterator would be read whole into memory before sending.
    content: Iterator[str] | AsyncIterator[str] = (
        async_lines() if isinstance(request, ASGIRequest) else lines()
    )
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    day = now.astimezone(company_zone(company)).date().isoformat()
    response["Content-Disposition"] = f'attachment; filename="interactions-{day}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@_needs_customer_chats
def call_recording(request: HttpRequest, interaction_id: int, call_id: int) -> HttpResponseBase:
    """A call's audio, fetched through Leadline: only with Listen to Call Recording."""
    user: Any = request.user
    if not user.has_perm(LISTEN_CALL_RECORDING):
        return forbidden(request)
    try:
        call = get_call(company=user.company, interaction_id=interaction_id, call_id=call_id)
    except NotFound as exc:
        raise Http404("no such call") from exc
    # With the company's own carrier credentials (its Twilio account, when it has one).
    if not call.recording_id:
        raise Http404("no recording is stored for this call")
    try:
        recording = get_provider(user.company).fetch_recording(recording_id=call.recording_id)
    except ProviderError:
        logger.warning("recording %s: the carrier could not be asked", call.recording_id)
        return HttpResponse(
            "The carrier could not be reached; try again later.",
            status=502,
            content_type="text/plain; charset=utf-8",
        )
    if recording is None:
        raise Http404("no recording is stored for this call")
    response = HttpResponse(recording.content, content_type=recording.content_type)
    response["Cache-Control"] = "private, max-age=300"
    return response
