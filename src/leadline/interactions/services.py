"""Writes of interactions. Every status change goes through `change_status`."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F

from leadline.accounts.models import User
from leadline.campaigns.models import Campaign
from leadline.crm.models import Lead
from leadline.interactions import statuses
from leadline.interactions.models import Author, Interaction, InteractionEvent, Message
from leadline.kit import clock
from leadline.kit.errors import InvalidTransition


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
    return InteractionEvent.objects.create(
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


@transaction.atomic
def start_interaction(*, campaign: Campaign, lead: Lead, record_type: str = "lead") -> Interaction:
    """Open a new interaction of a campaign with a lead, in status Started."""
    now = clock.now()
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
        update_fields=["status", "status_group", "escalated", "engagement", "closed_at", "updated_at"]
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
    updates: dict[str, Any] = {
        "message_count": F("message_count") + 1,
        "last_activity_at": now,
        "updated_at": now,
    }
    if inbound:
        updates["inbound_count"] = F("inbound_count") + 1
        updates["last_inbound_at"] = now
    else:
        updates["outbound_count"] = F("outbound_count") + 1
        updates["last_outbound_at"] = now
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
