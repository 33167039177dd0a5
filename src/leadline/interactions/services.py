"""Writes of interactions. Every status change goes through `change_status`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F, Q

from leadline.accounts.models import Company, User
from leadline.agent.summary import job_type_for, refresh_summary
from leadline.campaigns.models import Campaign
from leadline.capacity.models import ArrivalWindow
from leadline.capacity.services import book_window
from leadline.channels import tasks as channel_tasks
from leadline.compliance import services as compliance_services
from leadline.compliance.models import OptOut
from leadline.crm.models import Job, Lead
from leadline.interactions import statuses
from leadline.interactions.models import (
    Author,
    Call,
    CallTurn,
    Interaction,
    InteractionEvent,
    Message,
)
from leadline.interactions.signals import event_recorded
from leadline.kit import clock
from leadline.kit.errors import DomainError, InvalidTransition


def record_event(
    *,
    interaction: Interaction | None,
    lead: Lead | None,
    kind: str,
    actor_kind: str,
    actor: User | None = None,
    detail: str = "",
    data: dict[str, Any] | None = None,
    from_status: str = "",
    to_status: str = "",
) -> InteractionEvent:
    """Append one entry to the timeline (and so to the audit trail and the live feed)."""
    company_id = interaction.company_id if interaction else (lead.company_id if lead else None)
    if company_id is None:
        raise ValueError("an event belongs to an interaction or a lead")
    event = InteractionEvent.objects.create(
        company_id=company_id,
        interaction=interaction,
        lead=lead or (interaction.lead if interaction else None),
        kind=kind,
        actor_kind=actor_kind,
        actor=actor,
        detail=detail[:500],
        data=data or {},
        from_status=from_status,
        to_status=to_status,
        created_at=clock.now(),
    )
    event_recorded.send(sender=InteractionEvent, event=event)
    return event


@transaction.atomic
def start_interaction(*, campaign: Campaign, lead: Lead, record_type: str = "lead") -> Interaction:
    """Open a new interaction of a campaign with a lead, in status Started."""
    now = clock.now()
    # The lead's row lock makes "is this its first interaction?" one answer at a time
    # (the counters rely on at most one first per lead; a constraint enforces it too).
    Lead.objects.select_for_update().filter(pk=lead.pk).values_list("pk", flat=True).first()
    first = not Interaction.objects.filter(lead_id=lead.pk).exists()
    interaction = Interaction.objects.create(
        company_id=campaign.company_id,
        campaign=campaign,
        lead=lead,
        customer=lead.customer,
        record_type=record_type,
        channel=campaign.channel,
        goal=campaign.goal,
        status="started",
        status_group=statuses.Group.ACTIVE.value,
        lead_name=lead.full_name,
        lead_phone=lead.phone,
        started_at=now,
        last_activity_at=now,
        first_of_lead=first,
        created_at=now,
        updated_at=now,
    )
    record_event(
        interaction=interaction,
        lead=lead,
        kind=InteractionEvent.Kind.STATUS_CHANGED,
        actor_kind=Author.SYSTEM,
        to_status="started",
        detail=f"{campaign.get_goal_display()} started on {campaign.get_channel_display()}",
    )
    return interaction


@transaction.atomic
def change_status(
    *,
    interaction: Interaction,
    to: str,
    actor_kind: str = Author.SYSTEM,
    actor: User | None = None,
    detail: str = "",
) -> Interaction:
    """Move an interaction to another status, or raise InvalidTransition.

    The row is locked and re-read first, so two processes deciding at once cannot
    both act on a status that one of them has already changed.
    """
    target = statuses.get(to)
    locked = Interaction.objects.select_for_update().get(pk=interaction.pk)
    current = locked.status
    if not statuses.can_change(current, to):
        raise InvalidTransition(
            f"an interaction that is {statuses.label_of(current)} cannot become {target.label}"
        )
    now = clock.now()
    locked.status = to
    locked.status_group = target.group.value
    locked.escalated = target.group is statuses.Group.ESCALATED
    engagement = {v: k for k, v in statuses.ENGAGEMENT_STATUSES.items()}.get(to)
    if engagement is not None:
        locked.engagement = engagement
    if not target.is_open and locked.closed_at is None:
        locked.closed_at = now
    locked.updated_at = now
    locked.save(
        update_fields=[
            "status",
            "status_group",
            "escalated",
            "engagement",
            "closed_at",
            "updated_at",
        ]
    )
    record_event(
        interaction=locked,
        lead=locked.lead,
        kind=InteractionEvent.Kind.STATUS_CHANGED,
        actor_kind=actor_kind,
        actor=actor,
        from_status=current,
        to_status=to,
        detail=detail,
    )
    for field in ("status", "status_group", "escalated", "engagement", "closed_at", "updated_at"):
        setattr(interaction, field, getattr(locked, field))
    if not target.is_open:
        # Nothing more of the cadence is due once it has ended.
        Interaction.objects.filter(pk=locked.pk).update(next_touch_at=None)
        interaction.next_touch_at = None
    refresh_summary(interaction=interaction)
    return interaction


@transaction.atomic
def add_message(
    *,
    interaction: Interaction,
    direction: str,
    author: str,
    body: str,
    author_user: User | None = None,
    delivery_status: str | None = None,
    provider_id: str | None = None,
) -> Message:
    """Store a message on the thread and keep the interaction's counts and times current."""
    now = clock.now()
    inbound = direction == Message.Direction.INBOUND
    message = Message.objects.create(
        company_id=interaction.company_id,
        interaction=interaction,
        direction=direction,
        author=author,
        author_user=author_user,
        body=body,
        provider_id=provider_id,
        delivery_status=delivery_status
        or (Message.Delivery.RECEIVED if inbound else Message.Delivery.QUEUED),
        created_at=now,
    )
    _bump_counts(interaction, inbound=inbound, at=now)
    record_event(
        interaction=interaction,
        lead=interaction.lead,
        kind=InteractionEvent.Kind.MESSAGE_IN if inbound else InteractionEvent.Kind.MESSAGE_OUT,
        actor_kind=author,
        actor=author_user,
        detail=body[:200],
        data={"message_id": message.pk},
    )
    return message


def _bump_counts(interaction: Interaction, *, inbound: bool, at: datetime) -> None:
    updates: dict[str, Any] = {
        "message_count": F("message_count") + 1,
        "last_activity_at": at,
        "updated_at": at,
    }
    if inbound:
        updates["inbound_count"] = F("inbound_count") + 1
        updates["last_inbound_at"] = at
    else:
        updates["outbound_count"] = F("outbound_count") + 1
        updates["last_outbound_at"] = at
    Interaction.objects.filter(pk=interaction.pk).update(**updates)
    interaction.refresh_from_db(
        fields=[
            "message_count",
            "inbound_count",
            "outbound_count",
            "last_activity_at",
            "last_inbound_at",
            "last_outbound_at",
            "updated_at",
        ]
    )


@transaction.atomic
def queue_outbound_message(
    *,
    interaction: Interaction,
    body: str,
    author: str,
    kind: str,
    author_user: User | None = None,
) -> Message:
    """Store an outgoing text as queued and enqueue its send in the same transaction.

    `kind` is the compliance send kind (outreach, reply, ...); the send task checks
    the gate with it at the moment of sending, not now.
    """
    message = add_message(
        interaction=interaction,
        direction=Message.Direction.OUTBOUND,
        author=author,
        body=body,
        author_user=author_user,
        delivery_status=Message.Delivery.QUEUED,
    )
    channel_tasks.send_message.using(run_after=clock.now()).enqueue(message.pk, str(kind))
    return message


@transaction.atomic
def add_call_turn(*, call: Call, speaker: str, text: str) -> CallTurn:
    """Append one spoken turn to a call's transcript and keep the interaction's counts."""
    now = clock.now()
    last = call.turns.order_by("-seq").values_list("seq", flat=True).first() or 0
    turn = CallTurn.objects.create(call=call, seq=last + 1, speaker=speaker, text=text, at=now)
    interaction = call.interaction
    inbound = speaker == Author.LEAD
    _bump_counts(interaction, inbound=inbound, at=now)
    record_event(
        interaction=interaction,
        lead=interaction.lead,
        kind=InteractionEvent.Kind.CALL,
        actor_kind=speaker,
        detail=text[:200],
        data={"call_id": call.pk, "turn": turn.seq},
    )
    return turn


def block_queued_agent_messages(*, interactions: Iterable[Interaction], reason: str) -> int:
    """Mark the agent's not-yet-sent texts as not sent; their send task then does nothing."""
    ids = [i.pk for i in interactions]
    if not ids:
        return 0
    return Message.objects.filter(
        interaction_id__in=ids,
        author=Author.AGENT,
        delivery_status=Message.Delivery.QUEUED,
        provider_id__isnull=True,
    ).update(delivery_status=Message.Delivery.BLOCKED, error_code=reason[:10])


def _open_interactions_of_lead(lead: Lead, *, include_takeover: bool = False) -> list[Interaction]:
    codes = set(statuses.OPEN_CODES)
    if include_takeover:
        codes.add("takeover")
    return list(
        Interaction.objects.for_company(lead.company_id)
        .filter(lead=lead, status__in=codes)
        .select_for_update()
        .order_by("id")
    )


@transaction.atomic
def take_over(*, lead: Lead, actor: User | None) -> list[Interaction]:
    """A team member takes the lead from the agent: the agent is silent for it from now on.

    Every open interaction of the lead becomes Takeover, and whatever the agent had
    queued for it is not sent.
    """
    now = clock.now()
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    locked.agent_paused_at = locked.agent_paused_at or now
    locked.agent_paused_by = locked.agent_paused_by or actor
    locked.save(update_fields=["agent_paused_at", "agent_paused_by"])
    lead.agent_paused_at = locked.agent_paused_at
    lead.agent_paused_by = locked.agent_paused_by
    open_ones = _open_interactions_of_lead(locked)
    for interaction in open_ones:
        change_status(
            interaction=interaction,
            to="takeover",
            actor_kind=Author.HUMAN,
            actor=actor,
            detail=f"Taken over by {actor}" if actor else "Taken over",
        )
    block_queued_agent_messages(
        interactions=Interaction.objects.filter(lead=locked), reason="takeover"
    )
    record_event(
        interaction=open_ones[-1] if open_ones else None,
        lead=locked,
        kind=InteractionEvent.Kind.TAKEOVER,
        actor_kind=Author.HUMAN,
        actor=actor,
        detail="The agent is paused for this lead",
    )
    return open_ones


def _refuse_if_opted_out(*, interaction: Interaction) -> None:
    from leadline.compliance import gate

    verdict = gate.check(
        company=interaction.company,
        lead=interaction.lead,
        kind=gate.SendKind.HUMAN,
        now=clock.now(),
        last_inbound_at=interaction.last_inbound_at,
    )
    if not verdict.allowed:
        raise DomainError(f"This number cannot be texted: {verdict.reason}")


@transaction.atomic
def send_human_message(*, interaction: Interaction, actor: User | None, body: str) -> Message:
    """A team member texts the lead from the lead record (refused for an opted-out number)."""
    from leadline.compliance import gate

    text = (body or "").strip()
    if not text:
        raise DomainError("A message needs some text")
    _refuse_if_opted_out(interaction=interaction)
    return queue_outbound_message(
        interaction=interaction,
        body=text,
        author=Author.HUMAN,
        author_user=actor,
        kind=gate.SendKind.HUMAN.value,
    )


@transaction.atomic
def book_as_human(
    *,
    interaction: Interaction,
    actor: User | None,
    window: ArrivalWindow,
    job_type: str | None = None,
) -> Job:
    """A team member books the job into an arrival window: Converted: Human."""
    if window.company_id != interaction.company_id:
        raise DomainError("That arrival window belongs to another company")
    chosen = job_type or job_type_for(interaction)
    if chosen is None:
        raise DomainError("Choose a job type to book")
    if not statuses.can_change(interaction.status, "converted.human"):
        raise InvalidTransition(
            f"an interaction that is {statuses.label_of(interaction.status)} cannot be booked"
        )
    job = book_window(
        window=window,
        job_type=chosen,
        booked_by=Job.BookedBy.HUMAN,
        lead=interaction.lead,
        interaction_id=interaction.pk,
        user=actor,
    )
    record_event(
        interaction=interaction,
        lead=interaction.lead,
        kind=InteractionEvent.Kind.BOOKING,
        actor_kind=Author.HUMAN,
        actor=actor,
        detail=f"Booked {job.get_job_type_display()} for {window.starts_at.isoformat()}",
        data={"job_id": job.pk, "window_id": window.pk},
    )
    change_status(
        interaction=interaction,
        to="converted.human",
        actor_kind=Author.HUMAN,
        actor=actor,
        detail=f"Booked by {actor}" if actor else "Booked by a team member",
    )
    return job


@transaction.atomic
def dismiss(*, interaction: Interaction, actor: User | None, reason: str) -> Interaction:
    """A team member closes the interaction: Dismissed: Human."""
    change_status(
        interaction=interaction,
        to="dismissed.human",
        actor_kind=Author.HUMAN,
        actor=actor,
        detail=(reason or "Dismissed by a team member").strip(),
    )
    block_queued_agent_messages(interactions=[interaction], reason="dismissed")
    return interaction


@transaction.atomic
def terminate_open_interactions(
    *, reason: str, campaign: Campaign | None = None, lead: Lead | None = None
) -> list[Interaction]:
    """The system ends what is still open for a campaign (switched off) or a lead (deleted,
    merged): Terminated, and nothing queued is sent."""
    if (campaign is None) == (lead is None):
        raise ValueError("terminate the interactions of one campaign or of one lead")
    if campaign is not None:
        query = Interaction.objects.for_company(campaign.company_id).filter(
            campaign=campaign, status__in=statuses.OPEN_CODES
        )
    else:
        assert lead is not None
        query = Interaction.objects.for_company(lead.company_id).filter(
            Q(status__in=statuses.OPEN_CODES) | Q(status="takeover"), lead=lead
        )
    ended = list(query.select_for_update().order_by("id"))
    for interaction in ended:
        change_status(interaction=interaction, to="terminated", detail=reason)
    block_queued_agent_messages(interactions=ended, reason="terminated")
    return ended


@transaction.atomic
def close_for_opt_out(
    *, company_id: int, phone: str, detail: str, actor_kind: str = Author.LEAD
) -> list[Interaction]:
    """Every open interaction with this number (any campaign, any channel) becomes Opt-out,
    and nothing the agent queued for it is sent."""
    everything = Interaction.objects.for_company(company_id).filter(
        Q(lead_phone=phone) | Q(lead__phone=phone)
    )
    open_ones = list(
        everything.filter(Q(status__in=statuses.OPEN_CODES) | Q(status="takeover"))
        .select_for_update()
        .order_by("id")
    )
    for interaction in open_ones:
        change_status(interaction=interaction, to="opt_out", actor_kind=actor_kind, detail=detail)
    block_queued_agent_messages(interactions=list(everything), reason="opt_out")
    return open_ones


@transaction.atomic
def record_opt_out_by_hand(
    *,
    company: Company,
    phone: str,
    actor: User | None,
    note: str = "",
    at: datetime | None = None,
) -> OptOut:
    """A team member enters an opt-out: the registry, then every open conversation ends."""
    opt_out, _ = compliance_services.record_opt_out(
        company=company, phone=phone, method=OptOut.Method.MANUAL, raw_text=note, at=at
    )
    close_for_opt_out(
        company_id=company.pk,
        phone=opt_out.phone,
        detail=f"Opted out by {actor}" if actor else "Opted out by a team member",
        actor_kind=Author.HUMAN,
    )
    return opt_out
