"""The records behind the Interactions links: customer, opportunity and the lead record.

The lead record is where a team member acts: takeover, the chat area, notes, follow-up
tasks, Book job and Dismiss. Views stay thin: parse the request, check the permission,
call one selector of `crm.selectors` or one service of `crm.services`, and shape what
comes back for the templates. Every write needs Send Message (see docs/architecture.md,
"Records"), answers with a redirect and a flash message, and shows a refused action
(a DomainError) as a message, never as an error page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from leadline.accounts.models import Company, User
from leadline.accounts.roles import LISTEN_CALL_RECORDING, SEND_MESSAGE, VIEW_CUSTOMER_CHATS
from leadline.accounts.selectors import company_users
from leadline.capacity.job_types import label_of as job_type_label
from leadline.console.display import (
    Moment,
    day_text,
    duration_text,
    moment,
    person,
    sentence,
    speaker,
    window_hours,
    window_text,
)
from leadline.console.errors import forbidden
from leadline.console.interactions_views import needs_customer_chats
from leadline.crm import selectors, services
from leadline.crm.models import Customer, Job, Lead, Opportunity, Task
from leadline.interactions import statuses
from leadline.interactions.listing import company_zone, escalation_reason
from leadline.interactions.live import latest_event_id
from leadline.interactions.models import Call, Interaction, InteractionEvent, Message
from leadline.kit import clock
from leadline.kit.errors import DomainError, NotFound
from leadline.kit.phone import format_phone

View = Callable[..., HttpResponseBase]

# Events the timeline shows as themselves; messages and calls are shown from their own
# rows instead (with author, delivery status and, for calls, the transcript when allowed).
_EVENT_TITLES: dict[str, str] = {
    InteractionEvent.Kind.TAKEOVER: "Takeover",
    InteractionEvent.Kind.NOTE: "Note",
    InteractionEvent.Kind.TASK: "Task",
    InteractionEvent.Kind.BOOKING: "Booking",
    InteractionEvent.Kind.OPT_OUT: "Opt-out",
    InteractionEvent.Kind.SYSTEM: "System",
}

# The parts of the lead record that the live feed refreshes in place.
LIVE_PARTS = ("timeline", "banner", "conversations", "tasks", "notes", "jobs")


# ---- guards and parsing ------------------------------------------------------------------


def _needs_send_message(view: View) -> View:
    """View Customer Chats (login, 403) and then Send Message (403): who may act on a lead."""

    @needs_customer_chats
    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user: Any = request.user
        if not user.has_perm(SEND_MESSAGE):
            return forbidden(request)
        return view(request, *args, **kwargs)

    return guarded


def _company(request: HttpRequest) -> Company:
    user: Any = request.user
    company: Company = user.company
    return company


def _actor(request: HttpRequest) -> User:
    user: Any = request.user
    actor: User = user
    return actor


def _whole(text: str | None) -> int | None:
    value = (text or "").strip()
    return int(value) if value.isdigit() and len(value) < 19 else None


def _due_date(text: str | None) -> date | None:
    value = (text or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise DomainError("Enter the due date as a date (YYYY-MM-DD).") from exc


def _lead_for_action(request: HttpRequest, lead_id: int) -> Lead:
    try:
        return selectors.get_lead(company=_company(request), lead_id=lead_id)
    except NotFound as exc:
        raise Http404("no such lead") from exc


def _lead_url(lead_id: int, anchor: str = "") -> str:
    # "#reply" names no element: the page stays at its top (flash message and banner in
    # view) and records.js puts the cursor in the chat area.
    return reverse("lead", args=[lead_id]) + (f"#{anchor}" if anchor else "")


def _refused(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, sentence(str(error)))


def _lead_name(lead: Lead) -> str:
    return lead.full_name or (format_phone(lead.phone) if lead.phone else "") or "Unnamed lead"


# ---- shared shapes -------------------------------------------------------------------------


@dataclass(frozen=True)
class ConversationRow:
    id: int
    url: str
    name: str
    lead_url: str
    goal: str
    channel: str
    status_label: str
    group: str
    reason: str
    last_activity: Moment
    messages: int


def _conversation_rows(
    interactions: list[Interaction], now: datetime, zone: tzinfo
) -> list[ConversationRow]:
    return [
        ConversationRow(
            id=i.pk,
            url=reverse("interaction", args=[i.pk]),
            name=i.lead_name or format_phone(i.lead_phone) or "Unnamed lead",
            lead_url=_lead_url(i.lead_id),
            goal=i.get_goal_display(),
            channel=i.get_channel_display(),
            status_label=i.status_label,
            group=i.status_group,
            reason=escalation_reason(i.status),
            last_activity=moment(i.last_activity_at, now=now, zone=zone),
            messages=i.message_count,
        )
        for i in interactions
    ]


@dataclass(frozen=True)
class JobRow:
    job_type: str
    window: str
    status: str
    status_code: str
    booked_by: str
    lead_name: str
    lead_url: str
    booked_at: Moment


def _job_rows(jobs: list[Job], now: datetime, zone: tzinfo) -> list[JobRow]:
    rows = []
    for job in jobs:
        by = person(job.booked_by_user) if job.booked_by == Job.BookedBy.HUMAN else "Agent"
        rows.append(
            JobRow(
                job_type=job.get_job_type_display(),
                window=window_text(job.arrival_start, job.arrival_end, zone),
                status=job.get_status_display(),
                status_code=job.status,
                booked_by=by,
                lead_name=_lead_name(job.lead) if job.lead else "",
                lead_url=_lead_url(job.lead_id) if job.lead_id else "",
                booked_at=moment(job.created_at, now=now, zone=zone),
            )
        )
    return rows


@dataclass(frozen=True)
class OpportunityRow:
    url: str
    title: str
    stage: str
    stage_code: str
    job_type: str
    value: str


def _money(value: Any) -> str:
    return "" if value is None else f"${value:,.0f}" if value == int(value) else f"${value:,.2f}"


def _opportunity_rows(opportunities: list[Opportunity]) -> list[OpportunityRow]:
    return [
        OpportunityRow(
            url=reverse("opportunity", args=[o.pk]),
            title=o.title,
            stage=o.get_stage_display(),
            stage_code=o.stage,
            job_type=o.get_job_type_display() if o.job_type else "",
            value=_money(o.estimated_value),
        )
        for o in opportunities
    ]


@dataclass(frozen=True)
class TaskRow:
    id: int
    title: str
    lead_name: str
    lead_url: str
    assignee: str
    due: str
    due_iso: str
    overdue: bool
    done: bool
    done_at: Moment | None
    done_url: str
    can_complete: bool


def task_rows(tasks: list[Task], *, user: Any, now: datetime, zone: tzinfo) -> list[TaskRow]:
    """Follow-up tasks as the lead record and the Home page list them."""
    today = now.astimezone(zone).date()
    may_act = user.has_perm(SEND_MESSAGE)
    may_read = user.has_perm(VIEW_CUSTOMER_CHATS)
    rows = []
    for task in tasks:
        due = task.due_date
        rows.append(
            TaskRow(
                id=task.pk,
                title=task.title,
                lead_name=_lead_name(task.lead),
                lead_url=_lead_url(task.lead_id, "tasks"),
                assignee=person(task.assignee, missing="Nobody"),
                due=day_text(due, today) if due else "No due date",
                due_iso=due.isoformat() if due else "",
                overdue=bool(due and due < today and not task.done),
                done=task.done,
                done_at=moment(task.done_at, now=now, zone=zone) if task.done_at else None,
                done_url=reverse("lead-task-done", args=[task.lead_id, task.pk]),
                can_complete=may_read
                and not task.done
                and (may_act or task.assignee_id == user.pk),
            )
        )
    return rows


# ---- the lead record's timeline -----------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One line of the lead's timeline: a message, a call, or an event."""

    kind: str
    # Stable across renders ("m12", "c3", "e45"): live updates merge the list by it.
    key: str
    at: Moment
    actor: str
    actor_kind: str
    conversation: str = ""
    title: str = ""
    text: str = ""
    from_label: str = ""
    to_label: str = ""
    group: str = ""
    direction: str = ""
    body: str = ""
    delivery: str = ""
    delivery_code: str = ""
    error_code: str = ""
    call_outcome: str = ""
    call_duration: str = ""
    turns: list[tuple[str, str, str]] = field(default_factory=list)


def _message_entry(
    message: Message, lead_name: str, conversation: str, now: datetime, zone: tzinfo
) -> Entry:
    outbound = message.direction == Message.Direction.OUTBOUND
    failed = message.delivery_status in (Message.Delivery.FAILED, Message.Delivery.UNDELIVERED)
    return Entry(
        kind="message",
        key=f"m{message.pk}",
        at=moment(message.created_at, now=now, zone=zone),
        actor=speaker(message.author, lead_name, message.author_user),
        actor_kind=message.author,
        conversation=conversation,
        direction=message.direction,
        body=message.body,
        delivery=message.get_delivery_status_display() if outbound else "",
        delivery_code=message.delivery_status if outbound else "",
        error_code=message.error_code if outbound and failed else "",
    )


def _call_entry(
    call: Call, lead_name: str, conversation: str, now: datetime, zone: tzinfo
) -> Entry:
    return Entry(
        kind="call",
        key=f"c{call.pk}",
        at=moment(call.started_at, now=now, zone=zone),
        actor="Voice Agent",
        actor_kind="agent",
        conversation=conversation,
        direction=call.direction,
        call_outcome=call.get_outcome_display(),
        call_duration=duration_text(call.recording_duration),
        turns=[(speaker(t.speaker, lead_name, None), t.speaker, t.text) for t in call.turns.all()],
    )


def _status_label(code: str) -> str:
    info = statuses.BY_CODE.get(code)
    return info.label if info else code


def _status_group(code: str) -> str:
    info = statuses.BY_CODE.get(code)
    return info.group.value if info else ""


def _event_entry(
    event: InteractionEvent,
    record: selectors.LeadRecord,
    conversation: str,
    now: datetime,
    zone: tzinfo,
) -> Entry | None:
    actor = speaker(event.actor_kind, _lead_name(record.lead), event.actor)
    common: dict[str, Any] = {
        "key": f"e{event.pk}",
        "at": moment(event.created_at, now=now, zone=zone),
        "actor": actor,
        "actor_kind": event.actor_kind,
        "conversation": conversation,
    }
    if event.kind == InteractionEvent.Kind.STATUS_CHANGED:
        return Entry(
            kind="status",
            title="Status",
            text=event.detail,
            from_label=_status_label(event.from_status) if event.from_status else "",
            to_label=_status_label(event.to_status),
            group=_status_group(event.to_status),
            **common,
        )
    title = _EVENT_TITLES.get(event.kind)
    if title is None:
        return None
    text = event.detail
    data = event.data or {}
    if event.kind == InteractionEvent.Kind.NOTE:
        note = next((n for n in record.notes if n.pk == data.get("note_id")), None)
        text = note.body if note else text
    elif event.kind == InteractionEvent.Kind.TASK and data.get("action") == "done":
        title = "Task done"
    elif event.kind == InteractionEvent.Kind.BOOKING:
        job = next((j for j in record.jobs if j.pk == data.get("job_id")), None)
        if job is not None:
            text = (
                f"{job.get_job_type_display()} booked for "
                f"{window_text(job.arrival_start, job.arrival_end, zone)}"
            )
    return Entry(kind=event.kind, title=title, text=text, **common)


def _timeline(record: selectors.LeadRecord, now: datetime, zone: tzinfo) -> list[Entry]:
    """Everything of the lead in one list, oldest first: texts, calls and what happened."""
    lead_name = _lead_name(record.lead)
    several = len(record.interactions) > 1
    conversations = {
        i.pk: f"{i.get_goal_display()} · {i.get_channel_display()}" if several else ""
        for i in record.interactions
    }
    # At the same moment a conversation's start comes first, then texts, calls, the rest.
    ordered: list[tuple[datetime, int, int, Entry]] = []
    for message in record.messages:
        entry = _message_entry(
            message, lead_name, conversations.get(message.interaction_id, ""), now, zone
        )
        ordered.append((message.created_at, 1, message.pk, entry))
    for call in record.calls or []:
        entry = _call_entry(call, lead_name, conversations.get(call.interaction_id, ""), now, zone)
        ordered.append((call.started_at, 2, call.pk, entry))
    for event in record.events:
        conversation = conversations.get(event.interaction_id or 0, "")
        made = _event_entry(event, record, conversation, now, zone)
        if made is not None:
            starts = event.kind == InteractionEvent.Kind.STATUS_CHANGED and not event.from_status
            ordered.append((event.created_at, 0 if starts else 3, event.pk, made))
    ordered.sort(key=lambda item: item[:3])
    return [entry for *_, entry in ordered]


# ---- the lead record -----------------------------------------------------------------------


def _lead_context(request: HttpRequest, record: selectors.LeadRecord) -> dict[str, Any]:
    user: Any = request.user
    company = _company(request)
    now = clock.now()
    zone = company_zone(company)
    lead = record.lead
    can_act = user.has_perm(SEND_MESSAGE) and not record.is_gone
    reply_to = record.reply_to
    paused = None
    if lead.agent_paused_at is not None:
        paused = {
            "since": moment(lead.agent_paused_at, now=now, zone=zone),
            "by": person(lead.agent_paused_by, missing="a teammate"),
        }
    gone = ""
    if lead.deleted_at is not None:
        gone = "This lead was deleted. Its record is kept for reading; nothing can be done with it."
    elif lead.merged_into_id is not None:
        gone = "This lead was merged into another lead. Work on that lead instead."
    if not record.interactions:
        chat_blocked = "There is no conversation with this lead yet."
    elif record.is_gone:
        chat_blocked = "This lead can no longer be texted from here."
    elif paused is None:
        chat_blocked = (
            "Take over first to reply. The agent is still handling this lead; "
            "after the takeover it sends nothing more to them."
        )
    else:
        chat_blocked = ""
    open_tasks = task_rows(record.open_tasks, user=user, now=now, zone=zone)
    done_tasks = task_rows(record.done_tasks, user=user, now=now, zone=zone)
    latest = record.interactions[0] if record.interactions else None
    return {
        "lead_id": lead.pk,
        "name": _lead_name(lead),
        "lead": {
            "phone": format_phone(lead.phone) if lead.phone else "",
            "phone_e164": lead.phone,
            "email": lead.email,
            "zip": lead.zip,
            "address": lead.address,
            "note": lead.note,
            "source": lead.get_source_display(),
            "created": moment(lead.created_at, now=now, zone=zone),
        },
        "customer": (
            {"url": reverse("customer", args=[lead.customer_id]), "name": str(lead.customer)}
            if lead.customer
            else None
        ),
        "merged_into": (
            {"url": _lead_url(lead.merged_into.pk), "name": _lead_name(lead.merged_into)}
            if lead.merged_into
            else None
        ),
        "gone": gone,
        "opportunities": _opportunity_rows(record.opportunities),
        "paused": paused,
        "conversations": _conversation_rows(record.interactions, now, zone),
        "reply_to_id": reply_to.pk if reply_to else None,
        "summary": latest.summary.strip() if latest else "",
        "timeline": _timeline(record, now, zone),
        "calls_hidden": record.call_count if record.calls is None else 0,
        "jobs": _job_rows(record.jobs, now, zone),
        "notes": [
            {
                "author": person(note.author),
                "at": moment(note.created_at, now=now, zone=zone),
                "body": note.body,
            }
            for note in record.notes
        ],
        "open_tasks": open_tasks,
        "done_tasks": done_tasks,
        "can_act": can_act,
        "can_send": user.has_perm(SEND_MESSAGE),
        "chat_blocked": chat_blocked,
        "reply_conversation": (
            f"{reply_to.get_goal_display()} · {reply_to.get_channel_display()} "
            f"({reply_to.status_label})"
            if reply_to
            else ""
        ),
        "assignees": [(u.pk, person(u), u.pk == user.pk) for u in company_users(company=company)]
        if can_act
        else [],
        "today_iso": now.astimezone(zone).date().isoformat(),
        "dismissable": [
            (i.pk, f"{i.get_goal_display()} · {i.get_channel_display()} ({i.status_label})")
            for i in record.dismissable
        ],
        "can_book": bool(record.bookable),
        "book_url": reverse("lead-book", args=[lead.pk]),
        "takeover_url": reverse("lead-takeover", args=[lead.pk]),
        "live_parts": {part: reverse("lead-part", args=[lead.pk, part]) for part in LIVE_PARTS},
    }


def _lead_record(request: HttpRequest, lead_id: int) -> selectors.LeadRecord:
    user: Any = request.user
    try:
        return selectors.lead_record(
            company=_company(request),
            lead_id=lead_id,
            with_calls=user.has_perm(LISTEN_CALL_RECORDING),
        )
    except NotFound as exc:
        raise Http404("no such lead") from exc


@require_GET
@needs_customer_chats
def lead_page(request: HttpRequest, lead_id: int) -> HttpResponse:
    """The lead record: details, one timeline of everything, notes, tasks, and the actions."""
    # Read before the record: whatever happens after this reaches the page live.
    cursor = latest_event_id(company=_company(request))
    context = _lead_context(request, _lead_record(request, lead_id))
    context["live_url"] = (
        reverse("interactions-live") + "?" + urlencode({"after": cursor, "lead": lead_id})
    )
    return render(request, "console/records/lead.html", context)


@require_GET
@needs_customer_chats
def lead_part(request: HttpRequest, lead_id: int, part: str) -> HttpResponse:
    """One part of the lead record as it is now, for live updates to swap in place."""
    if part not in LIVE_PARTS:
        raise Http404("no such part")
    context = _lead_context(request, _lead_record(request, lead_id))
    return render(request, f"console/records/_{part}.html", context)


@require_http_methods(["GET", "POST"])
@_needs_send_message
def lead_takeover(request: HttpRequest, lead_id: int) -> HttpResponseBase:
    """Takeover: a GET or an unconfirmed POST shows the confirmation; confirm=yes does it."""
    lead = _lead_for_action(request, lead_id)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            services.take_over_lead(lead=lead, actor=_actor(request))
        except DomainError as error:
            _refused(request, error)
        else:
            messages.success(request, "Taken over. The agent is paused for this lead.")
        return redirect(_lead_url(lead.pk, "reply"))
    context = {
        "lead_id": lead.pk,
        "name": _lead_name(lead),
        "already": lead.agent_paused_at is not None,
        "takeover_url": reverse("lead-takeover", args=[lead.pk]),
    }
    return render(request, "console/records/takeover.html", context)


@require_POST
@_needs_send_message
def lead_message(request: HttpRequest, lead_id: int) -> HttpResponseBase:
    """The chat area: a team member's text to the lead (after a takeover)."""
    lead = _lead_for_action(request, lead_id)
    try:
        services.reply_to_lead(lead=lead, actor=_actor(request), body=request.POST.get("body", ""))
    except DomainError as error:
        _refused(request, error)
    else:
        messages.success(request, "Message queued to send. Its delivery status shows above.")
    return redirect(_lead_url(lead.pk, "reply"))


@require_POST
@_needs_send_message
def lead_note(request: HttpRequest, lead_id: int) -> HttpResponseBase:
    """Add a note to the lead."""
    lead = _lead_for_action(request, lead_id)
    try:
        services.add_note(lead=lead, author=_actor(request), body=request.POST.get("body", ""))
    except DomainError as error:
        _refused(request, error)
    else:
        messages.success(request, "Note added.")
    return redirect(_lead_url(lead.pk, "notes"))


@require_POST
@_needs_send_message
def lead_task(request: HttpRequest, lead_id: int) -> HttpResponseBase:
    """Assign a follow-up task on the lead."""
    lead = _lead_for_action(request, lead_id)
    try:
        task = services.create_task(
            lead=lead,
            actor=_actor(request),
            title=request.POST.get("title", ""),
            assignee_id=_whole(request.POST.get("assignee")),
            due_date=_due_date(request.POST.get("due_date")),
        )
    except DomainError as error:
        _refused(request, error)
    else:
        messages.success(request, f"Task added for {person(task.assignee)}.")
    return redirect(_lead_url(lead.pk, "tasks"))


@require_POST
@needs_customer_chats
def lead_task_done(request: HttpRequest, lead_id: int, task_id: int) -> HttpResponseBase:
    """Mark a follow-up task done: with Send Message, or by the teammate it is assigned to."""
    user: Any = request.user
    try:
        task = selectors.get_task(company=_company(request), lead_id=lead_id, task_id=task_id)
    except NotFound as exc:
        raise Http404("no such task") from exc
    if not (user.has_perm(SEND_MESSAGE) or task.assignee_id == user.pk):
        return forbidden(request)
    try:
        services.complete_task(task=task, actor=_actor(request))
    except DomainError as error:
        _refused(request, error)
    else:
        messages.success(request, f"Task done: {task.title}")
    back = request.POST.get("next", "")
    return redirect(reverse("home") if back == "home" else _lead_url(lead_id, "tasks"))


@require_POST
@_needs_send_message
def lead_dismiss(request: HttpRequest, lead_id: int) -> HttpResponseBase:
    """Dismiss one of the lead's conversations, with a reason."""
    lead = _lead_for_action(request, lead_id)
    try:
        interaction = services.dismiss_for_lead(
            lead=lead,
            actor=_actor(request),
            interaction_id=_whole(request.POST.get("interaction")),
            reason=request.POST.get("reason", ""),
        )
    except DomainError as error:
        _refused(request, error)
    else:
        messages.success(request, f"Dismissed. The conversation is {interaction.status_label}.")
    return redirect(_lead_url(lead.pk, "activity"))


# ---- Book job ------------------------------------------------------------------------------


@dataclass(frozen=True)
class WindowChoice:
    id: int
    hours: str
    label: str
    free: int


@dataclass(frozen=True)
class WindowDay:
    label: str
    iso: str
    windows: list[WindowChoice]


def _window_days(options: selectors.BookingOptions, now: datetime, zone: tzinfo) -> list[WindowDay]:
    today = now.astimezone(zone).date()
    days: dict[date, list[WindowChoice]] = {}
    for window in options.windows:
        local_day = window.starts_at.astimezone(zone).date()
        days.setdefault(local_day, []).append(
            WindowChoice(
                id=window.pk,
                hours=window_hours(window.starts_at, window.ends_at, zone),
                label=window_text(window.starts_at, window.ends_at, zone),
                free=window.free,
            )
        )
    return [
        WindowDay(label=day_text(day, today), iso=day.isoformat(), windows=choices)
        for day, choices in sorted(days.items())
    ]


@require_http_methods(["GET", "POST"])
@_needs_send_message
def lead_book(request: HttpRequest, lead_id: int) -> HttpResponseBase:
    """Book job: GET lists free arrival windows for a job type; POST books one."""
    if request.method == "POST":
        return _book(request, lead_id)
    company = _company(request)
    try:
        options = selectors.booking_options(
            company=company, lead_id=lead_id, job_type=request.GET.get("job_type") or None
        )
    except NotFound as exc:
        raise Http404("no such lead") from exc
    now = clock.now()
    zone = company_zone(company)
    wanted = _whole(request.GET.get("interaction"))
    chosen = next((i for i in options.interactions if i.pk == wanted), None)
    if chosen is None and options.interactions:
        chosen = options.interactions[0]
    context = {
        "lead_id": options.lead.pk,
        "name": _lead_name(options.lead),
        "lead_url": _lead_url(options.lead.pk),
        "book_url": reverse("lead-book", args=[options.lead.pk]),
        "zone_name": str(zone),
        "job_types": [(jt.code, jt.label) for jt in options.job_types],
        "job_type": options.job_type or "",
        "job_type_label": job_type_label(options.job_type) if options.job_type else "",
        "conversations": [
            (i.pk, f"{i.get_goal_display()} · {i.get_channel_display()} ({i.status_label})")
            for i in options.interactions
        ],
        "interaction_id": chosen.pk if chosen else None,
        "days": _window_days(options, now, zone),
        "horizon": selectors.BOOKING_DAYS,
    }
    return render(request, "console/records/book.html", context)


def _book(request: HttpRequest, lead_id: int) -> HttpResponseBase:
    lead = _lead_for_action(request, lead_id)
    job_type = request.POST.get("job_type", "")
    interaction_id = _whole(request.POST.get("interaction"))
    try:
        job = services.book_job_for_lead(
            lead=lead,
            actor=_actor(request),
            interaction_id=interaction_id,
            window_id=_whole(request.POST.get("window")),
            job_type=job_type,
        )
    except DomainError as error:
        _refused(request, error)
        query = {"job_type": job_type, "interaction": interaction_id or ""}
        return redirect(reverse("lead-book", args=[lead.pk]) + "?" + urlencode(query))
    zone = company_zone(_company(request))
    messages.success(
        request,
        f"Booked {job.get_job_type_display()} for "
        f"{window_text(job.arrival_start, job.arrival_end, zone)}. "
        "The conversation is Converted: Human.",
    )
    return redirect(_lead_url(lead.pk, "activity"))


# ---- customer and opportunity --------------------------------------------------------------


@require_GET
@needs_customer_chats
def customer_page(request: HttpRequest, customer_id: int) -> HttpResponse:
    """A customer: contact details, service address, leads, opportunities, jobs, interactions."""
    company = _company(request)
    try:
        record = selectors.customer_record(company=company, customer_id=customer_id)
    except NotFound as exc:
        raise Http404("no such customer") from exc
    now = clock.now()
    zone = company_zone(company)
    customer: Customer = record.customer
    context = {
        "name": str(customer) or "Unnamed customer",
        "customer": {
            "phone": format_phone(customer.phone) if customer.phone else "",
            "phone_e164": customer.phone,
            "email": customer.email,
            "address": customer.address,
            "zip": customer.zip,
            "since": moment(customer.created_at, now=now, zone=zone),
        },
        "leads": [
            {
                "url": _lead_url(lead.pk),
                "name": _lead_name(lead),
                "phone": format_phone(lead.phone) if lead.phone else "",
                "source": lead.get_source_display(),
                "created": moment(lead.created_at, now=now, zone=zone),
                "paused": lead.agent_paused_at is not None,
            }
            for lead in record.leads
        ],
        "opportunities": _opportunity_rows(record.opportunities),
        "jobs": _job_rows(record.jobs, now, zone),
        "conversations": _conversation_rows(record.interactions, now, zone),
        "limit": selectors.RECORD_LIST_LIMIT,
    }
    return render(request, "console/records/customer.html", context)


@require_GET
@needs_customer_chats
def opportunity_page(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    """An opportunity: title, stage, job type, value, its customer and lead, interactions, jobs."""
    company = _company(request)
    try:
        record = selectors.opportunity_record(company=company, opportunity_id=opportunity_id)
    except NotFound as exc:
        raise Http404("no such opportunity") from exc
    now = clock.now()
    zone = company_zone(company)
    opportunity: Opportunity = record.opportunity
    context = {
        "opportunity": _opportunity_rows([opportunity])[0],
        "created": moment(opportunity.created_at, now=now, zone=zone),
        "customer": (
            {
                "url": reverse("customer", args=[opportunity.customer_id]),
                "name": str(opportunity.customer),
            }
            if opportunity.customer
            else None
        ),
        "lead": (
            {"url": _lead_url(opportunity.lead.pk), "name": _lead_name(opportunity.lead)}
            if opportunity.lead
            else None
        ),
        "jobs": _job_rows(record.jobs, now, zone),
        "conversations": _conversation_rows(record.interactions, now, zone),
        "limit": selectors.RECORD_LIST_LIMIT,
    }
    return render(request, "console/records/opportunity.html", context)
