"""Writes at the edge to the carrier: sending from the outbox, calls, and what comes back.

The carrier's webhooks (and the simulator) arrive here: an inbound text, a spoken
turn, a delivery report. Sending happens here too, and only here, after the
compliance gate and the takeover flag have been checked at the moment of sending.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction

from leadline.accounts.models import Company
from leadline.campaigns.models import Goal
from leadline.campaigns.selectors import enabled_campaign, inbound_campaign
from leadline.channels import tasks as channel_tasks
from leadline.channels.base import ProviderError, get_provider
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
_FINAL_DELIVERY = {
    Message.Delivery.DELIVERED,
    Message.Delivery.UNDELIVERED,
    Message.Delivery.FAILED,
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
    """Send one queued text through the provider, exactly once, if it may go out now.

    The row is locked and marked `sending` before the provider is called, so two
    workers (or a retried task) never send it twice; a text refused for quiet hours
    is put back on the schedule for the moment the gate names, anything else
    refused is marked not sent.
    """
    send_kind = gate.SendKind(kind)
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .select_related("interaction", "interaction__lead", "interaction__company")
            .get(pk=message_id)
        )
        if message.provider_id or message.delivery_status != Message.Delivery.QUEUED:
            return f"skipped: already {message.delivery_status}"
        interaction = message.interaction
        lead = Lead.objects.get(pk=interaction.lead_id)
        if message.author == Author.AGENT:
            silenced = _agent_silenced(interaction, lead)
            if silenced:
                _block(message, reason=silenced)
                return f"blocked: {silenced}"
        now = clock.now()
        verdict = gate.check(
            company=interaction.company,
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
        message.delivery_status = Message.Delivery.SENDING
        message.save(update_fields=["delivery_status"])
        to, from_, body = lead.phone, interaction.company.phone, message.body
    try:
        result = get_provider().send_sms(to=to, from_=from_, body=body, status_callback=None)
    except ProviderError as exc:
        with transaction.atomic():
            Message.objects.filter(pk=message.pk).update(
                delivery_status=Message.Delivery.FAILED, error_code=exc.code[:10]
            )
            _apply_delivery_failure(message=message, error_code=exc.code, status="failed")
        return f"failed: {exc.code}"
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(
            provider_id=result.provider_id,
            delivery_status=result.status,
            error_code=result.error_code[:10],
            sent_at=clock.now(),
        )
        # Live pages refresh on events: without one a sent text would still read "Queued".
        record_event(
            interaction=interaction,
            lead=lead,
            kind=InteractionEvent.Kind.DELIVERY,
            actor_kind=Author.SYSTEM,
            detail=result.status,
            data={"message_id": message.pk, "status": result.status},
        )
    return f"sent: {result.provider_id}"


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
            compliance_services.record_opt_out(
                company=company, phone=phone, method=method, raw_text=body
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
    unreachable = error_code in UNREACHABLE_CODES or status in ("undelivered", "failed")
    if unreachable and target.is_open and not _ever_got_through(target):
        reason = f"error {error_code}" if error_code else status
        change_status(
            interaction=target,
            to="failed",
            detail=f"The number could not be reached ({reason})",
        )


@transaction.atomic
def report_delivery(
    *, company: Company, provider_id: str, status: str, error_code: str = ""
) -> Message | None:
    """The carrier's delivery report for a text we sent (a status callback)."""
    message = (
        Message.objects.for_company(company)
        .select_for_update()
        .select_related("interaction")
        .filter(provider_id=provider_id)
        .first()
    )
    if message is None:
        logger.info("delivery report for unknown message %s", provider_id)
        return None
    status = status.lower()
    known = {choice for choice, _ in Message.Delivery.choices}
    if status not in known:
        status = Message.Delivery.UNKNOWN
    # Reports can arrive out of order: a final state is never replaced by "sent".
    if not (message.delivery_status in _FINAL_DELIVERY and status not in _FINAL_DELIVERY):
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


def live_call(interaction: Interaction) -> Call | None:
    """The interaction's call in progress, if any."""
    return (
        Call.objects.filter(interaction_id=interaction.pk, outcome=Call.Outcome.IN_PROGRESS)
        .order_by("-started_at", "-id")
        .first()
    )


def place_agent_call(*, interaction_id: int, opening: str) -> str:
    """Dial the lead for a cadence touch and speak the opening, if a call may go out now."""
    with transaction.atomic():
        interaction = (
            Interaction.objects.select_for_update()
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
        to, from_ = lead.phone, interaction.company.phone
    provider = get_provider()
    try:
        result = provider.start_call(to=to, from_=from_, status_callback=None)
    except ProviderError as exc:
        with transaction.atomic():
            call = Call.objects.create(
                company_id=interaction.company_id,
                interaction=interaction,
                direction="outbound",
                started_at=clock.now(),
                ended_at=clock.now(),
                outcome=Call.Outcome.FAILED,
            )
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
            data={"call_id": call.pk},
        )
        add_call_turn(call=call, speaker=Author.AGENT, text=opening)
    provider.say(call_id=result.provider_id, text=opening)
    return f"placed: {result.provider_id}"


def speak(*, call: Call, text: str, speaker: str = Author.AGENT) -> CallTurn:
    """Say one turn on a live call (the agent's answer, or a compliance line)."""
    turn = add_call_turn(call=call, speaker=speaker, text=text)
    if call.provider_id:
        get_provider().say(call_id=call.provider_id, text=text)
    return turn


@transaction.atomic
def start_inbound_call(*, company: Company, from_phone: str) -> Call:
    """The lead calls the company (or calls back): a call on their current conversation."""
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
    if locked.provider_id:
        get_provider().hang_up(call_id=locked.provider_id)
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
