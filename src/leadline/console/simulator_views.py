"""The simulator phone: try the agent in the browser by playing the lead.

`/simulator/` is for administrators of a company whose texts and calls go through the
simulator provider. It shows the company's recent conversations as the lead's phone
would, and lets a person text the business as the lead, speak turns of a call, and mark
one of the business's texts undelivered. Every action goes through the same services a
carrier's webhooks reach (`channels.services`): the agent answers in the task worker,
exactly as in `leadline simulate` and in production.

Views stay thin: check, parse, call one selector or service, render. A POST answers with
a redirect (and a flash message when it was refused); the page's script sends the same
forms with `X-Leadline-Phone: 1` and gets 204 (with the conversation's address in
`X-Phone-Location`) or 400 with the reason as plain text, so it can stay on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from leadline.accounts.models import Company
from leadline.accounts.roles import ADMINISTER_COMPANY, LISTEN_CALL_RECORDING
from leadline.channels import selectors
from leadline.channels import services as channels
from leadline.channels.base import provider_name_for
from leadline.console.display import Moment, moment, sentence, speaker
from leadline.console.errors import forbidden
from leadline.interactions.listing import company_zone
from leadline.interactions.live import latest_event_id
from leadline.interactions.models import Author, Call, Message
from leadline.interactions.selectors import get_interaction
from leadline.kit import clock
from leadline.kit.errors import DomainError, NotFound
from leadline.kit.phone import format_phone, parse_phone

View = Callable[..., HttpResponseBase]

# A text longer than this is ten SMS segments; nobody types that on a phone.
MAX_TEXT = 1600
# After this long without an answer the hint says the worker may not be running.
SLOW_ANSWER = timedelta(seconds=20)
# The parts of the phone that the live feed (and the page's script) refresh in place.
PARTS = ("header", "thread", "composer")
# Delivery states in which the carrier could still report a text undelivered.
_MARKABLE = {Message.Delivery.SENT, Message.Delivery.DELIVERED, Message.Delivery.UNKNOWN}


class Refused(Exception):
    """Bad input or a refused action: the message is shown to the person as it is."""


# ---- guards --------------------------------------------------------------------------------


def simulator_available(company: object) -> bool:
    """Whether the company's texts and calls go through the simulator provider."""
    return isinstance(company, Company) and provider_name_for(company) == "simulator"


def _unavailable(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "console/error.html",
        {
            "code": 404,
            "title": "The simulator phone is off for this company",
            "text": (
                "Texts and calls of this company go through a real carrier, so there is no "
                "simulated phone to answer from. It is available when the company's "
                "provider is the simulator (Settings, or LEADLINE_PROVIDER=simulator)."
            ),
        },
        status=404,
    )


def _phone_view(view: View) -> View:
    """Anonymous: sign in. Not an administrator: 403. Not on the simulator: 404."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user: Any = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if user.company_id is None or not user.has_perm(ADMINISTER_COMPANY):
            return forbidden(request)
        if not simulator_available(user.company):
            return _unavailable(request)
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except Refused as exc:
            return _refused(request, str(exc), kwargs.get("interaction_id"))

    return guarded


def _company(request: HttpRequest) -> Company:
    user: Any = request.user
    company: Company = user.company
    return company


def _from_script(request: HttpRequest) -> bool:
    return request.headers.get("X-Leadline-Phone") == "1"


def _phone_url(interaction_id: int | None) -> str:
    if interaction_id is None:
        return reverse("simulator")
    return reverse("simulator-conversation", args=[interaction_id])


def _done(request: HttpRequest, interaction_id: int) -> HttpResponseBase:
    url = _phone_url(interaction_id)
    if _from_script(request):
        response = HttpResponse(status=204)
        response["X-Phone-Location"] = url
        return response
    return redirect(url)


def _refused(request: HttpRequest, text: str, interaction_id: int | None) -> HttpResponseBase:
    text = sentence(text)
    if _from_script(request):
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    messages.error(request, text)
    return redirect(_phone_url(interaction_id))


def _text_field(request: HttpRequest, name: str, *, empty: str) -> str:
    text = (request.POST.get(name) or "").strip()
    if not text:
        raise Refused(empty)
    if len(text) > MAX_TEXT:
        raise Refused(f"Keep it under {MAX_TEXT:,} characters (this one has {len(text):,})")
    return text


# ---- what the phone shows ------------------------------------------------------------------


@dataclass(frozen=True)
class Bubble:
    """A text on the phone: the lead's own on one side, the business's on the other."""

    key: str
    mine: bool
    author: str
    author_kind: str
    body: str
    at: Moment
    delivery: str
    delivery_code: str
    error_code: str
    undelivered_url: str


@dataclass(frozen=True)
class SpokenTurn:
    mine: bool
    speaker: str
    speaker_kind: str
    text: str


@dataclass(frozen=True)
class CallCard:
    key: str
    at: Moment
    title: str
    outcome: str
    live: bool
    turns: list[SpokenTurn]


@dataclass(frozen=True)
class Entry:
    kind: str  # "text" or "call"
    key: str
    text: Bubble | None = None
    call: CallCard | None = None


def _bubble(message: Message, lead_name: str, now: datetime, zone: tzinfo) -> Bubble:
    mine = message.author == Author.LEAD
    markable = (
        not mine
        and message.direction == Message.Direction.OUTBOUND
        and bool(message.provider_id)
        and message.delivery_status in _MARKABLE
    )
    failed = message.delivery_status in (Message.Delivery.FAILED, Message.Delivery.UNDELIVERED)
    return Bubble(
        key=f"m{message.pk}",
        mine=mine,
        author="You" if mine else speaker(message.author, lead_name, message.author_user),
        author_kind=message.author,
        body=message.body,
        at=moment(message.created_at, now=now, zone=zone),
        delivery="" if mine else message.get_delivery_status_display(),
        delivery_code="" if mine else message.delivery_status,
        error_code=message.error_code if failed else "",
        undelivered_url=(
            reverse("simulator-undelivered", args=[message.interaction_id, message.pk])
            if markable
            else ""
        ),
    )


def _call_card(call: Call, company_name: str, now: datetime, zone: tzinfo) -> CallCard:
    live = call.outcome == Call.Outcome.IN_PROGRESS
    title = "You called " + company_name if call.direction == "inbound" else "The agent called you"
    return CallCard(
        key=f"c{call.pk}",
        at=moment(call.started_at, now=now, zone=zone),
        title=title,
        outcome="On the call now" if live else call.get_outcome_display(),
        live=live,
        turns=[
            SpokenTurn(
                mine=turn.speaker == Author.LEAD,
                speaker="You" if turn.speaker == Author.LEAD else speaker(turn.speaker, "", None),
                speaker_kind=turn.speaker,
                text=turn.text,
            )
            for turn in call.turns.all()
        ],
    )


def _thread_context(request: HttpRequest, interaction_id: int) -> dict[str, Any]:
    company = _company(request)
    user: Any = request.user
    thread = selectors.phone_thread(
        company=company,
        interaction_id=interaction_id,
        with_calls=user.has_perm(LISTEN_CALL_RECORDING),
    )
    interaction = thread.interaction
    now = clock.now()
    zone = company_zone(company)
    lead_name = interaction.lead_name
    timed: list[tuple[datetime, int, Entry]] = [
        (
            m.created_at,
            m.pk,
            Entry(kind="text", key=f"m{m.pk}", text=_bubble(m, lead_name, now, zone)),
        )
        for m in thread.messages
    ]
    for call in thread.calls or []:
        card = _call_card(call, company.name, now, zone)
        timed.append((call.started_at, 0, Entry(kind="call", key=card.key, call=card)))
    timed.sort(key=lambda item: (item[0], item[2].kind == "text", item[1]))
    waiting = thread.waiting_since
    lead = interaction.lead
    live = thread.live_call
    return {
        "conversation": {
            "id": interaction.pk,
            "lead_id": interaction.lead_id,
            "name": lead_name or (format_phone(lead.phone) if lead.phone else "Unnamed lead"),
            "phone": format_phone(lead.phone) if lead.phone else "",
            "has_phone": bool(lead.phone),
            "status_label": interaction.status_label,
            "group": interaction.status_group,
            "goal": interaction.get_goal_display(),
            "channel": interaction.get_channel_display(),
            "paused": lead.agent_paused_at is not None,
            "interaction_url": reverse("interaction", args=[interaction.pk]),
            "lead_url": reverse("lead", args=[interaction.lead_id]),
        },
        "business": {"name": company.name, "phone": format_phone(company.phone)},
        "entries": [entry for _, _, entry in timed],
        "calls_hidden": thread.calls is None and thread.has_calls,
        "waiting": waiting is not None,
        "waiting_long": waiting is not None and now - waiting > SLOW_ANSWER,
        "live_call": (
            {"started": moment(live.started_at, now=now, zone=zone), "title": company.name}
            if live
            else None
        ),
        "parts": {part: reverse("simulator-part", args=[interaction.pk, part]) for part in PARTS},
        "urls": {
            "text": reverse("simulator-text", args=[interaction.pk]),
            "call": reverse("simulator-call", args=[interaction.pk]),
            "say": reverse("simulator-say", args=[interaction.pk]),
            "hang_up": reverse("simulator-hang-up", args=[interaction.pk]),
        },
    }


def _list_context(request: HttpRequest, selected: int | None) -> dict[str, Any]:
    company = _company(request)
    now = clock.now()
    zone = company_zone(company)
    rows = []
    for row in selectors.phone_conversations(company=company):
        interaction = row.interaction
        rows.append(
            {
                "id": interaction.pk,
                "url": _phone_url(interaction.pk),
                "name": interaction.lead_name
                or format_phone(interaction.lead_phone)
                or "Unnamed lead",
                "phone": format_phone(interaction.lead_phone) if interaction.lead_phone else "",
                "last_text": row.last_text,
                "status_label": interaction.status_label,
                "group": interaction.status_group,
                "at": moment(interaction.last_activity_at, now=now, zone=zone),
                "selected": interaction.pk == selected,
            }
        )
    list_url = reverse("simulator-list")
    if selected is not None:
        list_url += f"?selected={selected}"
    return {"conversations": rows, "list_url": list_url}


def _whole(text: str | None) -> int | None:
    value = (text or "").strip()
    return int(value) if value.isdigit() and len(value) < 19 else None


# ---- pages and fragments -------------------------------------------------------------------


@_phone_view
@require_GET
def phone_page(request: HttpRequest, interaction_id: int | None = None) -> HttpResponseBase:
    """The phone: the conversation list, and the chosen conversation if there is one."""
    company = _company(request)
    # Read before the page's data, so nothing written in between is missed by the feed.
    cursor = latest_event_id(company=company)
    context: dict[str, Any] = {
        "live_url": f"{reverse('interactions-live')}?after={cursor}",
        "new_text_url": reverse("simulator-new"),
        "suggested_number": format_phone(selectors.unused_number(company=company)),
        "business": {"name": company.name, "phone": format_phone(company.phone)},
    }
    context.update(_list_context(request, interaction_id))
    if interaction_id is not None:
        context.update(_thread_context(request, interaction_id))
    return render(request, "console/simulator/page.html", context)


@_phone_view
@require_GET
def phone_list(request: HttpRequest) -> HttpResponseBase:
    """The conversation list alone, for live refreshes (`?selected=<id>` keeps the mark)."""
    context = _list_context(request, _whole(request.GET.get("selected")))
    return render(request, "console/simulator/_list.html", context)


@_phone_view
@require_GET
def phone_part(request: HttpRequest, interaction_id: int, part: str) -> HttpResponseBase:
    """One part of the open conversation (header, thread, composer), for live refreshes."""
    if part not in PARTS:
        raise Http404("no such part")
    context = _thread_context(request, interaction_id)
    return render(request, f"console/simulator/_{part}.html", context)


# ---- acting as the lead --------------------------------------------------------------------


def _lead_phone(request: HttpRequest, interaction_id: int) -> str:
    interaction = get_interaction(company=_company(request), interaction_id=interaction_id)
    phone = str(interaction.lead.phone or "")
    if not phone:
        raise Refused("This lead has no phone number, so it can neither text nor call")
    return phone


@_phone_view
@require_POST
def phone_new_text(request: HttpRequest) -> HttpResponseBase:
    """A text to the business from a number it may not know yet."""
    raw = (request.POST.get("phone") or "").strip()
    phone = parse_phone(raw).e164
    if phone is None:
        raise Refused(
            "Enter a phone number that can receive texts, like (512) 555-0199"
            if raw
            else "Enter the number the text comes from"
        )
    if phone == parse_phone(_company(request).phone).e164:
        raise Refused("That is the business's own number; text from another one")
    body = _text_field(request, "body", empty="Type the text to send first")
    message = channels.receive_sms(company=_company(request), from_phone=phone, body=body)
    if message is None:
        raise Refused(
            "The company has no enabled Inbound SMS campaign, so a text from a new number "
            "has nowhere to go; enable one in Settings"
        )
    return _done(request, message.interaction_id)


@_phone_view
@require_POST
def phone_text(request: HttpRequest, interaction_id: int) -> HttpResponseBase:
    """The lead texts the business (the reply lands in the lead's current conversation)."""
    body = _text_field(request, "body", empty="Type a message first")
    phone = _lead_phone(request, interaction_id)
    message = channels.receive_sms(company=_company(request), from_phone=phone, body=body)
    if message is None:
        raise Refused(
            "The text was not taken: the lead has no open conversation and the company has "
            "no enabled Inbound SMS campaign to start one"
        )
    return _done(request, message.interaction_id)


@_phone_view
@require_POST
def phone_call(request: HttpRequest, interaction_id: int) -> HttpResponseBase:
    """The lead calls the business (nothing new if a call is already on)."""
    company = _company(request)
    if selectors.live_call_of(company=company, interaction_id=interaction_id) is not None:
        return _done(request, interaction_id)
    phone = _lead_phone(request, interaction_id)
    try:
        call = channels.start_inbound_call(company=company, from_phone=phone, greet=True)
    except ValueError as exc:
        raise Refused(
            "Nobody can take the call: the company has no enabled voice campaign"
        ) from exc
    return _done(request, call.interaction_id)


@_phone_view
@require_POST
def phone_say(request: HttpRequest, interaction_id: int) -> HttpResponseBase:
    """The lead says something on the call in progress."""
    text = _text_field(request, "text", empty="Type what you say on the call first")
    call = selectors.live_call_of(company=_company(request), interaction_id=interaction_id)
    if call is None:
        raise Refused("The call has ended; call again to keep talking")
    channels.receive_call_turn(call=call, text=text)
    return _done(request, interaction_id)


@_phone_view
@require_POST
def phone_hang_up(request: HttpRequest, interaction_id: int) -> HttpResponseBase:
    """The lead hangs up."""
    call = selectors.live_call_of(company=_company(request), interaction_id=interaction_id)
    if call is not None:
        channels.end_call(call=call)
    return _done(request, interaction_id)


@_phone_view
@require_POST
def phone_mark_undelivered(
    request: HttpRequest, interaction_id: int, message_id: int
) -> HttpResponseBase:
    """The carrier reports one of the business's texts undelivered."""
    company = _company(request)
    message = selectors.agent_text(
        company=company, interaction_id=interaction_id, message_id=message_id
    )
    if not message.provider_id:
        raise Refused("This text never reached the carrier, so it cannot be undelivered")
    if message.delivery_status not in _MARKABLE:
        raise Refused(f"This text is already {message.get_delivery_status_display().lower()}")
    try:
        channels.report_delivery(
            company=company,
            provider_id=message.provider_id,
            status=Message.Delivery.UNDELIVERED,
        )
    except DomainError as exc:
        raise Refused(str(exc)) from exc
    return _done(request, interaction_id)
