"""Webhooks out: endpoints, the outbox rows written with each event, and signed sending.

How an event travels (docs/webhooks.md says it for integrators):

1. `record_webhook_events` runs inside the transaction that wrote an InteractionEvent
   (the `event_recorded` signal). It maps the event to webhook event types, writes one
   WebhookDelivery per subscribed, enabled endpoint and enqueues `deliver_webhook` for
   each, so the rows and the tasks commit or roll back with the event.
2. `attempt_delivery` (run by the worker) claims the row in a short transaction: it
   counts the attempt, books the next one and enqueues its task *before* sending. Then
   it POSTs (outbound.py: only to public addresses unless the installation allows private
   ones, and within SEND_TIMEOUT for the whole attempt), outside any transaction, and
   records the answer in a second one. A worker
   that dies between the POST and that second commit leaves the booked retry behind,
   so the receiver at most gets the same event id twice; the event itself is never lost.
3. Any 2xx is delivered. Anything else is retried with exponential backoff until 24
   hours after the event; the attempt at that moment is the last one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from leadline.accounts.models import Company
from leadline.interactions import statuses
from leadline.interactions.models import Interaction, InteractionEvent
from leadline.kit import clock
from leadline.kit.errors import DomainError, NotFound
from leadline.webhooks import outbound, tasks
from leadline.webhooks.models import (
    EVENT_TYPES,
    EventType,
    WebhookDelivery,
    WebhookEndpoint,
    generate_secret,
    http_url,
)

# Retry policy: wait 30 s after the first failure, doubling each time, at most an hour
# between attempts, and give up on an attempt made 24 hours or more after the event.
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(hours=24)
# A claimed final attempt whose worker died is tried once more after this long.
CRASH_RECOVERY = timedelta(minutes=10)
# Seconds for a whole attempt: resolving, connecting, sending and reading the answer. A
# per-read timeout is not enough: an endpoint dripping a byte at a time never trips it.
SEND_TIMEOUT = 15.0
RESPONSE_KEPT = 2000  # characters of the receiver's answer kept for the admin
# Answers shown in the admin as text; anything else is summarised, never stored.
_TEXT_TYPES = (
    "application/json",
    "application/xml",
    "application/x-www-form-urlencoded",
    "application/javascript",
)
USER_AGENT = "Leadline-Webhooks/1"

Pending = WebhookDelivery.State.PENDING


# ------------------------------------------------------------------ endpoints


def _clean_events(events: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(events))
    unknown = [e for e in chosen if e not in EVENT_TYPES]
    if unknown:
        raise DomainError(
            f"Unknown webhook event {', '.join(unknown)}; choose from {', '.join(EVENT_TYPES)}."
        )
    if not chosen:
        raise DomainError("Choose at least one event to send to this endpoint.")
    # Kept in the documented order, so the admin and the API show them the same way.
    return [e for e in EVENT_TYPES if e in chosen]


def private_addresses_allowed() -> bool:
    """Whether this installation sends webhooks to loopback and private addresses."""
    return bool(getattr(settings, "LEADLINE_WEBHOOKS_ALLOW_PRIVATE", False))


def check_endpoint_url(url: str) -> str:
    """The URL, stripped, if webhooks may be sent to it; DomainError says why not."""
    url = url.strip()
    try:
        http_url(url)
    except ValidationError as exc:
        raise DomainError("The webhook URL must be an http:// or https:// URL.") from exc
    try:
        outbound.check_url(url, allow_private=private_addresses_allowed())
    except outbound.SendError as exc:
        raise DomainError(str(exc)) from exc
    return url


@transaction.atomic
def create_endpoint(
    *,
    company: Company,
    url: str,
    events: Iterable[str],
    enabled: bool = True,
    description: str = "",
) -> WebhookEndpoint:
    """Register a URL that receives the chosen events, with a newly generated secret."""
    return WebhookEndpoint.objects.create(
        company=company,
        url=check_endpoint_url(url),
        events=_clean_events(events),
        enabled=enabled,
        description=description.strip()[:200],
        secret=generate_secret(),
        created_at=clock.now(),
    )


@transaction.atomic
def rotate_secret(*, company: Company, endpoint_id: int) -> WebhookEndpoint:
    """Give an endpoint a new signing secret; deliveries from now on are signed with it."""
    endpoint = WebhookEndpoint.objects.for_company(company).filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound("No such webhook endpoint.")
    endpoint.secret = generate_secret()
    endpoint.save(update_fields=["secret"])
    return endpoint


# ------------------------------------------------------------------ events -> deliveries


def event_types_for(event: InteractionEvent) -> list[str]:
    """The webhook event types one timeline entry stands for (often none)."""
    kind = event.kind
    if kind == InteractionEvent.Kind.STATUS_CHANGED and event.to_status:
        if event.to_status == event.from_status or event.to_status not in statuses.BY_CODE:
            return []
        found = [EventType.STATUS_CHANGED.value]
        before = statuses.BY_CODE.get(event.from_status)
        after = statuses.BY_CODE[event.to_status]
        entered = before is None or before.group is not after.group
        if entered and after.group is statuses.Group.ESCALATED:
            found.append(EventType.ESCALATED.value)
        if entered and after.group is statuses.Group.CONVERTED:
            found.append(EventType.CONVERTED.value)
        return found
    if kind == InteractionEvent.Kind.MESSAGE_IN and event.interaction_id is not None:
        return [EventType.MESSAGE_RECEIVED.value]
    # An opt-out entry names its method; a re-subscription (same kind) names none. A second
    # STOP from a number already opted out is on the timeline but is not news.
    data = event.data or {}
    if kind == InteractionEvent.Kind.OPT_OUT and data.get("method") and data.get("new", True):
        return [EventType.OPTED_OUT.value]
    return []


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _status_fields(code: str, prefix: str = "") -> dict[str, Any]:
    info = statuses.BY_CODE.get(code)
    return {
        f"{prefix}status": code or None,
        f"{prefix}status_label": info.label if info else None,
        f"{prefix}status_group": info.group.value if info else None,
    }


def _interaction_part(interaction: Interaction) -> dict[str, Any]:
    return {
        "id": interaction.pk,
        "campaign_id": interaction.campaign_id,
        "channel": interaction.channel,
        "goal": interaction.goal,
        **_status_fields(interaction.status),
        "escalated": interaction.escalated,
        "record_type": interaction.record_type,
        "customer_id": interaction.customer_id,
        "opportunity_id": interaction.opportunity_id,
        "started_at": _iso(interaction.started_at),
        "last_activity_at": _iso(interaction.last_activity_at),
        "closed_at": _iso(interaction.closed_at),
    }


def _lead_part(event: InteractionEvent) -> dict[str, Any] | None:
    lead = event.lead
    if lead is None:
        return None
    return {
        "id": lead.pk,
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "phone": lead.phone,
        "customer_id": lead.customer_id,
    }


def build_payload(
    *, event: InteractionEvent, event_type: str, event_id: uuid.UUID
) -> dict[str, Any]:
    """The JSON body of one webhook event: ids, statuses and times, never words of the lead."""
    data: dict[str, Any] = {"lead": _lead_part(event), "interaction": None}
    if event.interaction_id is not None:
        # Read again: the caller's copy of the interaction may predate this transaction's writes.
        interaction = Interaction.objects.get(pk=event.interaction_id)
        data["interaction"] = _interaction_part(interaction)
    if event.kind == InteractionEvent.Kind.STATUS_CHANGED:
        data["change"] = {
            **_status_fields(event.from_status, "from_"),
            **_status_fields(event.to_status, "to_"),
            "actor": event.actor_kind,
            "actor_user_id": event.actor_id,
        }
    elif event.kind == InteractionEvent.Kind.MESSAGE_IN:
        data["message"] = {
            "id": (event.data or {}).get("message_id"),
            "received_at": _iso(event.created_at),
        }
    elif event.kind == InteractionEvent.Kind.OPT_OUT:
        data["opt_out"] = {"method": (event.data or {}).get("method")}
    return {
        "id": str(event_id),
        "type": event_type,
        "created_at": _iso(event.created_at),
        "company_id": event.company_id,
        "sequence": event.pk,
        "data": data,
    }


def record_webhook_events(*, event: InteractionEvent) -> list[WebhookDelivery]:
    """Write the outbox rows (and enqueue their sends) for one timeline entry.

    Runs inside the transaction that wrote the entry, so both commit or neither does.
    """
    types = event_types_for(event)
    if not types:
        return []
    endpoints = list(WebhookEndpoint.objects.for_company(event.company_id).filter(enabled=True))
    created: list[WebhookDelivery] = []
    with transaction.atomic():
        for event_type in types:
            targets = [e for e in endpoints if e.wants(event_type)]
            if not targets:
                continue
            # One id per event: every endpoint and every retry carries the same one.
            event_id = uuid.uuid4()
            payload = build_payload(event=event, event_type=event_type, event_id=event_id)
            for endpoint in targets:
                delivery = WebhookDelivery.objects.create(
                    company_id=event.company_id,
                    endpoint=endpoint,
                    event_id=event_id,
                    event_type=event_type,
                    payload=payload,
                    source_event_id=event.pk,
                    created_at=event.created_at,
                    next_attempt_at=event.created_at,
                )
                tasks.deliver_webhook.using(run_after=event.created_at).enqueue(delivery.pk)
                created.append(delivery)
    return created


# ------------------------------------------------------------------ sending


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value: v1=<hex HMAC-SHA256 of "<timestamp>.<body>">."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"v1={mac.hexdigest()}"


def backoff(attempt: int) -> timedelta:
    """How long to wait after failed attempt number `attempt` (1-based)."""
    return min(FIRST_RETRY * 2 ** max(attempt - 1, 0), LONGEST_WAIT)


@dataclass(frozen=True)
class _Claim:
    delivery_id: int
    url: str
    secret: str
    body: bytes
    headers: dict[str, str]
    started_at: datetime
    final: bool


@dataclass(frozen=True)
class _Answer:
    status_code: int | None
    body: str
    error: str

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


@transaction.atomic
def _claim(delivery_id: int) -> _Claim | str:
    delivery = (
        WebhookDelivery.objects.select_for_update()
        .select_related("endpoint")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None:
        return "gone"
    if delivery.state != Pending:
        return f"already {delivery.state}"
    now = clock.now()
    if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
        # Another task is booked for the moment it is due (a retry was moved).
        return "not due"
    endpoint = delivery.endpoint
    if not endpoint.enabled:
        delivery.state = WebhookDelivery.State.FAILED
        delivery.next_attempt_at = None
        delivery.last_error = "Not sent: the endpoint is disabled."
        delivery.save(update_fields=["state", "next_attempt_at", "last_error"])
        return "endpoint disabled"
    deadline = delivery.created_at + GIVE_UP_AFTER
    final = now >= deadline
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.next_attempt_at = (
        now + CRASH_RECOVERY if final else min(now + backoff(delivery.attempts), deadline)
    )
    delivery.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])
    # Booked before the POST: if this worker dies mid-send, the retry still happens.
    tasks.deliver_webhook.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)
    body = _body_of(delivery.payload)
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Leadline-Webhook-Id": str(delivery.event_id),
        "Leadline-Webhook-Event": delivery.event_type,
        "Leadline-Webhook-Timestamp": str(timestamp),
        "Leadline-Webhook-Signature": sign(secret=endpoint.secret, timestamp=timestamp, body=body),
        "Leadline-Webhook-Attempt": str(delivery.attempts),
    }
    return _Claim(
        delivery_id=delivery.pk,
        url=endpoint.url,
        secret=endpoint.secret,
        body=body,
        headers=headers,
        started_at=now,
        final=final,
    )


def _is_text(mime: str) -> bool:
    return mime.startswith("text/") or mime in _TEXT_TYPES or mime.endswith(("+json", "+xml"))


def response_text(content_type: str, raw: bytes) -> str:
    """What the admin shows of an answer: its text, cut to RESPONSE_KEPT characters.

    An answer that is not text (an image, a database's binary protocol, ...) is
    described, not kept: the admin is no window onto whatever answered.
    """
    if not raw:
        return ""
    mime, _, params = content_type.partition(";")
    mime = mime.strip().lower()
    charset = "utf-8"
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
    not_text = f"(not shown: the answer is {mime or 'unlabelled'} data, not text)"
    if mime and not _is_text(mime):
        return not_text
    try:
        text = raw.decode(charset, errors="replace")
    except LookupError:
        text = raw.decode("utf-8", errors="replace")
    # Control characters (NUL and friends) mean binary, whatever the label says; so do
    # undecodable bytes in an unlabelled answer. The cut at the end may split a character.
    body = text[:-1] if len(raw) >= RESPONSE_KEPT * 2 else text
    if any(ord(c) < 32 and c not in "\t\n\r" for c in body):
        return not_text
    if not mime and "\ufffd" in body:
        return not_text
    return text[:RESPONSE_KEPT]


def _post(claim: _Claim) -> _Answer:
    try:
        answer = outbound.post(
            claim.url,
            body=claim.body,
            headers=claim.headers,
            deadline_seconds=SEND_TIMEOUT,
            allow_private=private_addresses_allowed(),
            keep_bytes=RESPONSE_KEPT * 2,
        )
    except outbound.Refused as exc:
        return _Answer(status_code=None, body="", error=f"Not sent: {exc}"[:500])
    except outbound.SendError as exc:
        return _Answer(status_code=None, body="", error=str(exc)[:500])
    text = response_text(answer.content_type, answer.body)
    # A redirect is not followed (it would turn the POST into a GET): it counts as a failure.
    error = "" if 200 <= answer.status < 300 else f"HTTP {answer.status}"
    return _Answer(status_code=answer.status, body=text, error=error)


@transaction.atomic
def _settle(claim: _Claim, answer: _Answer) -> str:
    delivery = WebhookDelivery.objects.select_for_update().get(pk=claim.delivery_id)
    delivery.last_status_code = answer.status_code
    delivery.last_response_body = answer.body
    delivery.last_error = answer.error
    fields = ["last_status_code", "last_response_body", "last_error"]
    if answer.ok:
        delivery.state = WebhookDelivery.State.DELIVERED
        delivery.delivered_at = clock.now()
        delivery.next_attempt_at = None
        fields += ["state", "delivered_at", "next_attempt_at"]
        outcome = "delivered"
    elif claim.final and delivery.state == Pending:
        delivery.state = WebhookDelivery.State.FAILED
        delivery.next_attempt_at = None
        fields += ["state", "next_attempt_at"]
        outcome = "failed"
    else:
        outcome = "retry"
    delivery.save(update_fields=fields)
    return outcome


def attempt_delivery(*, delivery_id: int) -> str:
    """Send one delivery now if it is due, and record the answer (run by the worker)."""
    claim = _claim(delivery_id)
    if isinstance(claim, str):
        return claim
    return _settle(claim, _post(claim))


@transaction.atomic
def retry_now(*, company: Company, delivery_ids: Iterable[int]) -> int:
    """Send these deliveries again at once (a failed one gets one more attempt); how many."""
    now = clock.now()
    rows = list(
        WebhookDelivery.objects.for_company(company)
        .filter(pk__in=list(delivery_ids))
        .exclude(state=WebhookDelivery.State.DELIVERED)
        .select_for_update()
    )
    for delivery in rows:
        delivery.state = Pending
        delivery.next_attempt_at = now
        delivery.save(update_fields=["state", "next_attempt_at"])
        tasks.deliver_webhook.using(run_after=now).enqueue(delivery.pk)
    return len(rows)
