"""Writes at the edge to the carrier: sending from the outbox, calls, and what comes back.

The carrier's webhooks (and the simulator) arrive here: an inbound text, a spoken
turn, a delivery report. Sending happens here too, and only here, after the
compliance gate and the takeover flag have been checked at the moment of sending.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from leadline.accounts.models import Company
from leadline.campaigns.models import Goal
from leadline.campaigns.selectors import enabled_campaign, inbound_campaign
from leadline.channels import tasks as channel_tasks
from leadline.channels import voice
from leadline.channels.base import (
    ProviderBusy,
    ProviderError,
    ProviderUncertain,
    SendResult,
    get_provider,
    public_url,
    sender_for,
)
from leadline.channels.models import WebhookReceipt
from leadline.compliance import gate, rules
from leadline.compliance import services as compliance_services
from leadline.compliance.selectors import is_opted_out
from leadline.crm.models import Lead
from leadline.crm.selectors import find_lead_by_phone
from leadline.crm.services import create_lead
from leadline.interactions import statuses
from leadline.interactions.models import (
    Author,
    Call,
    CallTurn,
    Interaction,
    InteractionEvent,
    Message,
)
from leadline.interactions.services import (
    add_call_turn,
    add_message,
    change_status,
    close_for_opt_out,
    record_event,
    start_interaction,
)
from leadline.kit import clock
from leadline.kit.phone import normalise_phone

logger = logging.getLogger(__name__)

# Carrier errors that mean the number cannot be reached (Twilio's codes).
UNREACHABLE_CODES = frozenset({"30003", "30005", "30006", "21211", "21612", "21614"})
# The carrier says the number has opted out of messages from us.
CARRIER_OPT_OUT_CODE = "21610"
# The carrier filtered our texts as a sending programme (Twilio 30007 filtering, 30034
# unregistered A2P 10DLC number): the lead did nothing wrong, an administrator must act.
PROGRAMME_CODES = frozenset({"30007", "30034"})
SMS_STATUS_PATH = "/webhooks/twilio/sms/status"
# A send without the carrier's answer is looked up after this long, then twice as long...
RECONCILE_AFTER_SECONDS = 60
RECONCILE_ATTEMPTS = 3
BUSY_RETRY_SECONDS = 30
# Delivery statuses only move forward; the final ones are never replaced.
_DELIVERY_RANK: dict[str, int] = {
    Message.Delivery.UNKNOWN: 0,
    Message.Delivery.QUEUED: 1,
    Message.Delivery.SENDING: 2,
    Message.Delivery.SENT: 3,
    Message.Delivery.DELIVERED: 4,
    Message.Delivery.UNDELIVERED: 4,
    Message.Delivery.FAILED: 4,
}
# After these the agent stays quiet: a person owns the lead, or the system ended it.
_SILENCING_STATUSES = frozenset({"takeover", "terminated"})
# A lead who texts after one of these gets a fresh interaction of the Inbound SMS goal.
_ENDED_WITHOUT_CONTACT = frozenset({"abandoned", "dismissed.agent", "failed", "terminated"})


def _agent_silenced(interaction: Interaction, lead: Lead) -> str:
    if lead.agent_paused_at is not None:
        return "takeover"
    if interaction.status in _SILENCING_STATUSES:
        return interaction.status
    return ""


def deliver_message(*, message_id: int, kind: str) -> str:
    """Send one queued text through the company's provider, exactly once, if it may go out now.

    The row is locked and marked `sending` before the provider is called, so two
    workers (or a retried task) never send it twice; a text refused for quiet hours
    is put back on the schedule for the moment the gate names, anything else
    refused is marked not sent. With a real carrier a reconcile task is queued in
    the same transaction as the `sending` mark: if the answer never comes (a
    timeout, or the process dies before storing it) that task looks the text up at
    the carrier instead of sending it again.
    """
    send_kind = gate.SendKind(kind)
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))  # not the company: see run_touch
            .select_related("interaction", "interaction__lead", "interaction__company")
            .get(pk=message_id)
        )
        if message.provider_id or message.delivery_status != Message.Delivery.QUEUED:
            return f"skipped: already {message.delivery_status}"
        interaction = message.interaction
        company = interaction.company
        lead = Lead.objects.get(pk=interaction.lead_id)
        if message.author == Author.AGENT:
            silenced = _agent_silenced(interaction, lead)
            if silenced:
                _block(message, reason=silenced)
                return f"blocked: {silenced}"
        now = clock.now()
        verdict = gate.check(
            company=company,
            lead=lead,
            kind=send_kind,
            now=now,
            last_inbound_at=interaction.last_inbound_at,
        )
        if not verdict.allowed:
            if verdict.retry_at is not None and verdict.retry_at > now:
                channel_tasks.send_message.using(run_after=verdict.retry_at).enqueue(
                    message.pk, send_kind.value
                )
                return f"deferred to {verdict.retry_at.isoformat()}: {verdict.reason}"
            _block(message, reason=str(verdict.reason))
            return f"blocked: {verdict.reason}"
        try:
            provider = get_provider(company)
        except ProviderError as exc:
            _block(message, reason=exc.code or "config")
            logger.error("text %s not sent: %s", message.pk, exc)
            return f"blocked: {exc}"
        message.delivery_status = Message.Delivery.SENDING
        # The attempt's time: the reconcile step looks for texts created since then.
        message.sent_at = now
        message.save(update_fields=["delivery_status", "sent_at"])
        if provider.name != "simulator":
            channel_tasks.reconcile_message.using(
                run_after=now + timedelta(seconds=reconcile_after_seconds())
            ).enqueue(message.pk, 1, send_kind.value)
        to, from_, body = lead.phone, sender_for(company), message.body
    callback = public_url(SMS_STATUS_PATH) if provider.name == "twilio" else None
    try:
        result = provider.send_sms(to=to, from_=from_, body=body, status_callback=callback)
    except ProviderUncertain as exc:
        # It may have gone out: the reconcile task already queued finds out, never a resend.
        Message.objects.filter(pk=message.pk, delivery_status=Message.Delivery.SENDING).update(
            delivery_status=Message.Delivery.UNKNOWN, error_code=(exc.code or "unknown")[:10]
        )
        logger.warning("text %s: the carrier's answer was lost (%s)", message.pk, exc)
        return f"unknown: {exc.code}"
    except ProviderBusy as exc:
        # Nothing was accepted: try again a little later, through the gate again.
        with transaction.atomic():
            Message.objects.filter(pk=message.pk).update(
                delivery_status=Message.Delivery.QUEUED, sent_at=None
            )
            channel_tasks.send_message.using(
                run_after=clock.now() + timedelta(seconds=BUSY_RETRY_SECONDS)
            ).enqueue(message.pk, send_kind.value)
        return f"busy: {exc.code}"
    except ProviderError as exc:
        with transaction.atomic():
            Message.objects.filter(pk=message.pk).update(
                delivery_status=Message.Delivery.FAILED, error_code=exc.code[:10], sent_at=None
            )
            record_event(
                interaction=interaction,
                lead=lead,
                kind=InteractionEvent.Kind.DELIVERY,
                actor_kind=Author.SYSTEM,
                detail=f"failed (error {exc.code})" if exc.code else "failed",
                data={"message_id": message.pk, "status": "failed", "error_code": exc.code},
            )
            _apply_delivery_failure(message=message, error_code=exc.code, status="failed")
        return f"failed: {exc.code}"
    with transaction.atomic():
        _store_send_result(message_id=message.pk, result=result, sent_at=clock.now())
    return f"sent: {result.provider_id}"


def _store_send_result(*, message_id: int, result: SendResult, sent_at: datetime) -> None:
    """Keep what the carrier answered (its id and status) and tell the live pages."""
    message = (
        Message.objects.select_for_update()
        .select_related("interaction", "interaction__lead")
        .get(pk=message_id)
    )
    message.provider_id = result.provider_id
    in_flight = message.delivery_status in (Message.Delivery.SENDING, Message.Delivery.UNKNOWN)
    # `sending` and `unknown` are ours, not the carrier's: its first answer replaces them.
    if in_flight or _moves_forward(message.delivery_status, result.status):
        message.delivery_status = result.status
    message.error_code = result.error_code[:10]
    message.sent_at = sent_at
    message.save(update_fields=["provider_id", "delivery_status", "error_code", "sent_at"])
    # Live pages refresh on events: without one a sent text would still read "Queued".
    record_event(
        interaction=message.interaction,
        lead=message.interaction.lead,
        kind=InteractionEvent.Kind.DELIVERY,
        actor_kind=Author.SYSTEM,
        detail=message.delivery_status,
        data={"message_id": message.pk, "status": message.delivery_status},
    )
    if result.error_code or message.delivery_status in ("undelivered", "failed"):
        _apply_delivery_failure(
            message=message, error_code=result.error_code, status=message.delivery_status
        )


def reconcile_after_seconds() -> int:
    """How long a send may stay without the carrier's answer before it is looked up."""
    return int(getattr(settings, "LEADLINE_RECONCILE_SECONDS", RECONCILE_AFTER_SECONDS))


def reconcile_message(*, message_id: int, attempt: int = 1, kind: str = "") -> str:
    """Settle a text whose send got no answer (`sending` or `unknown`) by asking the carrier.

    By its id when we have one, else by listing the carrier's texts to the lead.
    Found: its id and status are stored. Not found on the last look: the carrier
    never took it, so it goes back to the outbox (through the gate again). A text
    is never handed to the carrier a second time while the carrier may have it.
    A text with an id but no final status yet is refreshed the same way (its
    status callback may have come before we stored the id).
    """
    message = (
        Message.objects.select_related("interaction", "interaction__company", "interaction__lead")
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        return "gone"
    unsettled = message.delivery_status in (Message.Delivery.SENDING, Message.Delivery.UNKNOWN)
    in_flight = bool(message.provider_id) and message.delivery_status in (
        Message.Delivery.QUEUED,
        Message.Delivery.SENT,
    )
    if not (unsettled or in_flight):
        return f"settled: {message.delivery_status}"
    company = message.interaction.company
    lead = message.interaction.lead
    try:
        provider = get_provider(company)
        if message.provider_id:
            found = provider.fetch_sms(provider_id=message.provider_id)
        else:
            found = provider.find_sms(
                to=lead.phone,
                from_=sender_for(company),
                body=message.body,
                since=message.sent_at or message.created_at,
                # An earlier text with the same words is one we already know, not this one.
                exclude=_known_ids_of_same_text(message),
            )
    except ProviderError as exc:
        if attempt >= RECONCILE_ATTEMPTS:
            logger.error(
                "text %s: the carrier could not be asked (%s); left unknown", message_id, exc
            )
            Message.objects.filter(pk=message_id, delivery_status=Message.Delivery.SENDING).update(
                delivery_status=Message.Delivery.UNKNOWN
            )
            return f"unreachable: {exc}"
        _reconcile_later(message_id, attempt, kind)
        return f"retry: {exc}"
    with transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message_id)
        if found is not None:
            if locked.provider_id and locked.provider_id != found.provider_id:
                return f"settled: {locked.delivery_status}"
            if not locked.provider_id:
                _store_send_result(
                    message_id=message_id, result=found, sent_at=locked.sent_at or clock.now()
                )
                return f"found: {found.provider_id} {found.status}"
            report_delivery(
                company=company,
                provider_id=found.provider_id,
                status=found.status,
                error_code=found.error_code,
            )
            return f"refreshed: {found.status}"
        if locked.provider_id:
            return f"settled: {locked.delivery_status}"
        if locked.delivery_status not in (Message.Delivery.SENDING, Message.Delivery.UNKNOWN):
            return f"settled: {locked.delivery_status}"
        if attempt < RECONCILE_ATTEMPTS:
            _reconcile_later(message_id, attempt, kind)
            return "not found yet"
        if locked.sent_at and clock.now() - locked.sent_at < timedelta(
            seconds=reconcile_after_seconds()
        ):
            # A newer send of this text is under way (another look-up put it back in the
            # outbox, and it has its own look-up): this one stops, or it could go twice.
            return "newer send under way"
        # Looked for more than once, minutes apart: the carrier never took it.
        locked.delivery_status = Message.Delivery.QUEUED
        locked.sent_at = None
        locked.error_code = ""
        locked.save(update_fields=["delivery_status", "sent_at", "error_code"])
        record_event(
            interaction=message.interaction,
            lead=lead,
            kind=InteractionEvent.Kind.DELIVERY,
            actor_kind=Author.SYSTEM,
            detail="The carrier has no record of this text: it goes out again",
            data={"message_id": message_id, "status": "queued"},
        )
        channel_tasks.send_message.using(run_after=clock.now()).enqueue(
            message_id, kind or _send_kind_of(locked)
        )
    return "not found: queued again"


def _known_ids_of_same_text(message: Message) -> list[str]:
    known = (
        Message.objects.filter(
            company_id=message.company_id,
            interaction__lead_id=message.interaction.lead_id,
            body=message.body,
            provider_id__isnull=False,
        )
        .exclude(pk=message.pk)
        .values_list("provider_id", flat=True)
    )
    return [provider_id for provider_id in known if provider_id]


def _reconcile_later(message_id: int, attempt: int, kind: str) -> None:
    delay = reconcile_after_seconds() * (2**attempt)
    channel_tasks.reconcile_message.using(run_after=clock.now() + timedelta(seconds=delay)).enqueue(
        message_id, attempt + 1, kind
    )


def _send_kind_of(message: Message) -> str:
    # The task that knew the kind is gone: a person's text stays a person's, the agent's
    # is checked as strictly as outreach.
    if message.author == Author.AGENT:
        return gate.SendKind.OUTREACH.value
    return gate.SendKind.HUMAN.value


def reconcile_stale_messages(*, older_than_seconds: int | None = None) -> int:
    """Look up every text stuck in `sending`/`unknown` for longer than that (after a crash)."""
    age = reconcile_after_seconds() if older_than_seconds is None else older_than_seconds
    cutoff = clock.now() - timedelta(seconds=age)
    stale = list(
        Message.objects.filter(
            direction=Message.Direction.OUTBOUND,
            delivery_status__in=[Message.Delivery.SENDING, Message.Delivery.UNKNOWN],
            sent_at__lt=cutoff,
        )
        .order_by("id")
        .values_list("id", flat=True)[:500]
    )
    for message_id in stale:
        reconcile_message(message_id=message_id, attempt=1)
    return len(stale)


def _block(message: Message, *, reason: str) -> None:
    message.delivery_status = Message.Delivery.BLOCKED
    message.error_code = reason[:10]
    message.save(update_fields=["delivery_status", "error_code"])
    record_event(
        interaction=message.interaction,
        lead=message.interaction.lead,
        kind=InteractionEvent.Kind.DELIVERY,
        actor_kind=Author.SYSTEM,
        detail=f"Not sent ({reason}): {message.body[:120]}",
        data={"message_id": message.pk, "reason": reason},
    )


def _conversation_for_inbound(company: Company, lead: Lead) -> Interaction | None:
    """Where a text from this lead belongs: the open interaction, or a new Inbound SMS one."""
    interactions = Interaction.objects.for_company(company).filter(lead=lead)
    current = interactions.filter(status__in=statuses.OPEN_CODES).order_by("-id").first()
    if current is not None:
        return current
    latest = interactions.order_by("-id").first()
    opted_out = is_opted_out(company=company, phone=lead.phone)
    if latest is not None and (
        lead.agent_paused_at is not None or opted_out or latest.status not in _ENDED_WITHOUT_CONTACT
    ):
        return latest
    campaign = inbound_campaign(company=company)
    if campaign is None or opted_out:
        return latest
    return start_interaction(campaign=campaign, lead=lead)


@transaction.atomic
def receive_sms(
    *, company: Company, from_phone: str, body: str, provider_id: str | None = None
) -> Message | None:
    """A text arrived from a lead: store it and let the agent answer in a task.

    A number the company does not know becomes a Lead (source Inbound SMS) with an
    interaction of the company's Inbound SMS campaign. The same carrier id twice
    (a retried webhook) is stored once.
    """
    if provider_id:
        existing = Message.objects.for_company(company).filter(provider_id=provider_id).first()
        if existing is not None:
            return existing
    phone = normalise_phone(from_phone)
    lead = find_lead_by_phone(company=company, phone=phone)
    if lead is None:
        lead = create_lead(company=company, phone=phone, source=Lead.Source.INBOUND_SMS)
    interaction = _conversation_for_inbound(company, lead)
    if interaction is None:
        # No conversation to put it in (no Inbound SMS campaign): compliance still applies.
        method = rules.classify_opt_out(body, lead_first_name=lead.first_name or None)
        if method:
            _, created = compliance_services.record_opt_out(
                company=company, phone=phone, method=method, raw_text=body
            )
            if created:
                # On the lead's timeline (and so to the lead.opted_out webhook) like any other.
                record_event(
                    interaction=None,
                    lead=lead,
                    kind=InteractionEvent.Kind.OPT_OUT,
                    actor_kind=Author.LEAD,
                    detail=f"Opt-out ({method}): {body[:200]}",
                    data={"method": str(method), "new": True},
                )
        logger.warning("inbound text from %s dropped: no Inbound SMS campaign", phone)
        return None
    try:
        with transaction.atomic():
            message = add_message(
                interaction=interaction,
                direction=Message.Direction.INBOUND,
                author=Author.LEAD,
                body=body,
                provider_id=provider_id,
            )
    except IntegrityError:
        return Message.objects.for_company(company).get(provider_id=provider_id)
    channel_tasks.handle_inbound_sms.using(run_after=clock.now()).enqueue(message.pk)
    return message


def _ever_got_through(interaction: Interaction) -> bool:
    if interaction.inbound_count:
        return True
    if Message.objects.filter(
        interaction_id=interaction.pk,
        direction=Message.Direction.OUTBOUND,
        delivery_status=Message.Delivery.DELIVERED,
    ).exists():
        return True
    return CallTurn.objects.filter(
        call__interaction_id=interaction.pk, speaker=Author.LEAD
    ).exists()


def _apply_delivery_failure(
    *, message: Message | None, error_code: str, status: str, interaction: Interaction | None = None
) -> None:
    target = interaction or (message.interaction if message else None)
    if target is None:
        return
    target.refresh_from_db()
    if error_code == CARRIER_OPT_OUT_CODE:
        lead = target.lead
        compliance_services.record_opt_out(
            company=target.company,
            phone=lead.phone,
            method="carrier",
            raw_text=f"carrier error {error_code}",
        )
        close_for_opt_out(
            company_id=target.company_id,
            phone=lead.phone,
            detail=f"The carrier reports the number opted out ({error_code})",
            actor_kind=Author.SYSTEM,
        )
        return
    if error_code in PROGRAMME_CODES:
        # Not the lead's number: our sending programme. The interaction stays as it is.
        flag_sending_problem(company=target.company, error_code=error_code, interaction=target)
        return
    unreachable = error_code in UNREACHABLE_CODES or status in ("undelivered", "failed")
    if unreachable and target.is_open and not _ever_got_through(target):
        reason = f"error {error_code}" if error_code else status
        change_status(
            interaction=target,
            to="failed",
            detail=f"The number could not be reached ({reason})",
        )


PROGRAMME_PROBLEMS = {
    "30007": (
        "Carriers are filtering the company's texts as unwanted (Twilio error 30007). "
        "Check what the texts say and that the sender is registered (A2P 10DLC or "
        "toll-free verification)."
    ),
    "30034": (
        "Texts are sent from a US number that is not registered for A2P 10DLC (Twilio "
        "error 30034). Register the brand and campaign in Twilio and add the number to "
        "the registered Messaging Service."
    ),
}


def flag_sending_problem(
    *, company: Company, error_code: str, interaction: Interaction | None = None
) -> None:
    """Show administrators that the carrier blocks the company's texts as a programme."""
    text = PROGRAMME_PROBLEMS.get(error_code, f"The carrier refused texts (error {error_code}).")
    Company.objects.filter(pk=company.pk).update(
        sending_problem=text[:300], sending_problem_at=clock.now()
    )
    company.sending_problem = text[:300]
    if interaction is not None:
        record_event(
            interaction=interaction,
            lead=interaction.lead,
            kind=InteractionEvent.Kind.SYSTEM,
            actor_kind=Author.SYSTEM,
            detail=text,
            data={"error_code": error_code, "sending_problem": True},
        )
    logger.warning("company %s: sending programme problem %s", company.pk, error_code)


def _moves_forward(current: str, new: str) -> bool:
    """queued < sending < sent < delivered/undelivered/failed; the same status twice is no news."""
    if new == current or new not in _DELIVERY_RANK:
        return False
    return _DELIVERY_RANK[new] >= _DELIVERY_RANK.get(current, 0)


@transaction.atomic
def report_delivery(
    *, company: Company, provider_id: str, status: str, error_code: str = ""
) -> Message | None:
    """The carrier's delivery report for a text we sent (a status callback).

    Reports only move a text forward: a duplicate, or a `sent` that arrives after
    `delivered`, changes nothing. A report for a text we do not know is ignored.
    """
    message = (
        Message.objects.for_company(company)
        .select_for_update()
        .select_related("interaction", "interaction__lead")
        .filter(provider_id=provider_id)
        .first()
    )
    if message is None:
        logger.info("delivery report for unknown message %s", provider_id)
        return None
    status = status.lower()
    if not _moves_forward(message.delivery_status, status):
        return message
    message.delivery_status = status
    message.error_code = (error_code or "")[:10]
    message.save(update_fields=["delivery_status", "error_code"])
    record_event(
        interaction=message.interaction,
        lead=message.interaction.lead,
        kind=InteractionEvent.Kind.DELIVERY,
        actor_kind=Author.SYSTEM,
        detail=f"{status}{f' (error {error_code})' if error_code else ''}",
        data={"message_id": message.pk, "status": status, "error_code": error_code},
    )
    if error_code or status in ("undelivered", "failed"):
        _apply_delivery_failure(message=message, error_code=error_code, status=status)
    return message


@transaction.atomic
def receive_twilio_sms(
    *, company: Company, message_sid: str, from_phone: str, body: str
) -> Message | None:
    """An inbound text webhook: taken in once per MessageSid, however often it arrives.

    The receipt row is inserted first: a second delivery of the same MessageSid,
    even one racing this one in another process, fails on its unique key and
    stores nothing. The agent answers in a task (receive_sms enqueues it).
    """
    try:
        with transaction.atomic():
            WebhookReceipt.objects.create(
                company=company,
                provider="twilio",
                kind=WebhookReceipt.Kind.INBOUND_SMS,
                external_id=message_sid,
                received_at=clock.now(),
            )
    except IntegrityError:
        logger.info("inbound text %s already taken in", message_sid)
        return None
    return receive_sms(company=company, from_phone=from_phone, body=body, provider_id=message_sid)


def live_call(interaction: Interaction) -> Call | None:
    """The interaction's call in progress, if any."""
    return (
        Call.objects.filter(interaction_id=interaction.pk, outcome=Call.Outcome.IN_PROGRESS)
        .order_by("-started_at", "-id")
        .first()
    )


CALL_RETRY_AFTER = timedelta(minutes=1)


def place_agent_call(*, interaction_id: int, opening: str) -> str:
    """Dial the lead for a cadence touch and speak the opening, if a call may go out now."""
    with transaction.atomic():
        interaction = (
            Interaction.objects.select_for_update(of=("self",))  # not the company: see run_touch
            .select_related("lead", "company")
            .get(pk=interaction_id)
        )
        lead = interaction.lead
        silenced = _agent_silenced(interaction, lead)
        if silenced or not interaction.is_open:
            return f"not placed: {silenced or interaction.status}"
        now = clock.now()
        verdict = gate.check(
            company=interaction.company,
            lead=lead,
            kind=gate.SendKind.OUTREACH,
            now=now,
            last_inbound_at=interaction.last_inbound_at,
        )
        if not verdict.allowed:
            if verdict.retry_at is not None and verdict.retry_at > now:
                channel_tasks.place_call.using(run_after=verdict.retry_at).enqueue(
                    interaction.pk, opening
                )
                return f"deferred to {verdict.retry_at.isoformat()}"
            return f"not placed: {verdict.reason}"
        provider = get_provider(interaction.company)
        # With Twilio the words are asked for by its webhooks (channels/voice.py).
        by_webhook = voice.drives_calls_by_webhook(provider)
        to, from_ = lead.phone, voice.caller_id_for(interaction.company, provider)
    try:
        result = provider.start_call(
            to=to,
            from_=from_,
            status_callback=voice.status_callback_url() if by_webhook else None,
        )
    except ProviderBusy:
        # Refused for now without dialling (rate limited): try again shortly.
        channel_tasks.place_call.using(run_after=clock.now() + CALL_RETRY_AFTER).enqueue(
            interaction.pk, opening
        )
        return "deferred: the carrier is busy"
    except ProviderError as exc:
        uncertain = isinstance(exc, ProviderUncertain)
        with transaction.atomic():
            call = Call.objects.create(
                company_id=interaction.company_id,
                interaction=interaction,
                direction="outbound",
                started_at=clock.now(),
                ended_at=clock.now(),
                outcome=Call.Outcome.FAILED,
            )
            if uncertain:
                # The carrier may have dialled; its webhooks for a call we never stored
                # get a polite goodbye. The cadence's next touch follows as usual.
                record_event(
                    interaction=interaction,
                    lead=lead,
                    kind=InteractionEvent.Kind.CALL,
                    actor_kind=Author.SYSTEM,
                    detail="The call could not be confirmed by the carrier",
                    data={"call_id": call.pk, "error_code": exc.code},
                )
            else:
                _apply_delivery_failure(
                    message=None, error_code=exc.code, status="failed", interaction=interaction
                )
        return f"failed: {exc.code}"
    with transaction.atomic():
        call = Call.objects.create(
            company_id=interaction.company_id,
            interaction=interaction,
            provider_id=result.provider_id,
            direction="outbound",
            started_at=clock.now(),
        )
        record_event(
            interaction=interaction,
            lead=lead,
            kind=InteractionEvent.Kind.CALL,
            actor_kind=Author.AGENT,
            detail="The Voice Agent placed a call",
            # Said (and written as a turn) only once a person answers: voice.answer_call.
            data={"call_id": call.pk, "opening": opening} if by_webhook else {"call_id": call.pk},
        )
        if by_webhook:
            return f"placed: {result.provider_id}"
        add_call_turn(call=call, speaker=Author.AGENT, text=opening)
    provider.say(call_id=result.provider_id, text=opening)
    return f"placed: {result.provider_id}"


def speak(*, call: Call, text: str, speaker: str = Author.AGENT) -> CallTurn:
    """Say one turn on a live call (the agent's answer, or a compliance line)."""
    turn = add_call_turn(call=call, speaker=speaker, text=text)
    # During a Twilio webhook the turn is said in its TwiML answer (channels/voice.py).
    if call.provider_id and not voice.answers_in_twiml(call.provider_id):
        get_provider(call.interaction.company).say(call_id=call.provider_id, text=text)
    return turn


@transaction.atomic
def start_inbound_call(
    *, company: Company, from_phone: str, provider_id: str | None = None, greet: bool = False
) -> Call:
    """The lead calls the company (or calls back): a call on their current conversation.

    With `greet` the line answers at once, as the Twilio number does (channels/voice.py):
    who we are, the recording notice, how to stop our calls, then a question.
    """
    phone = normalise_phone(from_phone)
    lead = find_lead_by_phone(company=company, phone=phone)
    if lead is None:
        lead = create_lead(company=company, phone=phone, source=Lead.Source.PHONE)
    interactions = Interaction.objects.for_company(company).filter(lead=lead)
    interaction = (
        interactions.filter(status__in=statuses.OPEN_CODES).order_by("-id").first()
        or interactions.order_by("-id").first()
    )
    if interaction is None:
        campaign = enabled_campaign(company=company, goal=Goal.SPEED_TO_LEAD, channel="voice")
        if campaign is None:
            raise ValueError("the company has no voice campaign to take the call")
        interaction = start_interaction(campaign=campaign, lead=lead)
    call = Call.objects.create(
        company_id=company.pk,
        interaction=interaction,
        provider_id=provider_id,
        direction="inbound",
        started_at=clock.now(),
    )
    record_event(
        interaction=interaction,
        lead=lead,
        kind=InteractionEvent.Kind.CALL,
        actor_kind=Author.LEAD,
        detail="The lead called",
        data={"call_id": call.pk},
    )
    if greet:
        speak(call=call, text=voice.call_notice(company.name), speaker=Author.SYSTEM)
        speak(call=call, text=voice.INBOUND_QUESTION)
    return call


@transaction.atomic
def receive_call_turn(*, call: Call, text: str) -> CallTurn:
    """The lead said something on a call: keep it and let the agent answer in a task."""
    turn = add_call_turn(call=call, speaker=Author.LEAD, text=text)
    channel_tasks.handle_call_turn.using(run_after=clock.now()).enqueue(turn.pk)
    return turn


@transaction.atomic
def end_call(*, call: Call, outcome: str | None = None, error_code: str = "") -> Call:
    """The call is over: answered and completed, not answered, or failed."""
    locked = Call.objects.select_for_update().get(pk=call.pk)
    if locked.outcome != Call.Outcome.IN_PROGRESS:
        return locked
    answered = locked.turns.filter(speaker=Author.LEAD).exists()
    locked.outcome = outcome or (Call.Outcome.COMPLETED if answered else Call.Outcome.NO_ANSWER)
    locked.ended_at = clock.now()
    locked.save(update_fields=["outcome", "ended_at"])
    # During a Twilio webhook the TwiML answer ends with <Hangup/> (channels/voice.py).
    if locked.provider_id and not voice.answers_in_twiml(locked.provider_id):
        get_provider(locked.interaction.company).hang_up(call_id=locked.provider_id)
    record_event(
        interaction=locked.interaction,
        lead=locked.interaction.lead,
        kind=InteractionEvent.Kind.CALL,
        actor_kind=Author.SYSTEM,
        detail=f"Call ended: {locked.get_outcome_display()}"
        + (f" (error {error_code})" if error_code else ""),
        data={"call_id": locked.pk, "outcome": locked.outcome, "error_code": error_code},
    )
    if locked.outcome == Call.Outcome.FAILED:
        _apply_delivery_failure(
            message=None, error_code=error_code, status="failed", interaction=locked.interaction
        )
    return locked
