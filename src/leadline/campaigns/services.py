"""Campaigns at work: Speed to Lead's first touch and follow-up cadence, abandonment,
switching a campaign off.

The schedule is durable: every touch and the abandonment check are task rows written
in the same transaction as the change that planned them, due at a time read from
kit.clock. A touch locks the interaction row and checks `touches_sent`, so however
many workers pick up the same touch, it goes out once.

Cadence timing: touch 1 is due when the lead is created (or, outside the lead's
allowed hours, at the opening of the next allowed window). Each later touch is due
its cadence gap after the previous touch actually went out: with the default
["0m", "1h", "1d", "3d"] that is first + 1 hour, first + 1 day, first + 3 days when
nothing had to wait for quiet hours. The abandonment check is due `abandon_after`
(24 hours) after the last touch went out.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from leadline.accounts.models import User
from leadline.agent import policy
from leadline.agent.registry import get_brain
from leadline.agent.summary import refresh_summary
from leadline.campaigns import tasks as campaign_tasks
from leadline.campaigns.models import DEFAULT_ABANDON_AFTER, DEFAULT_CADENCE, Campaign, Goal
from leadline.campaigns.selectors import enabled_campaign
from leadline.channels import tasks as channel_tasks
from leadline.compliance import gate
from leadline.compliance.selectors import is_opted_out
from leadline.crm.models import Lead
from leadline.interactions import statuses
from leadline.interactions.models import Author, Interaction, InteractionEvent
from leadline.interactions.services import (
    change_status,
    close_for_opt_out,
    record_event,
    start_interaction,
    terminate_open_interactions,
)
from leadline.kit import clock
from leadline.kit.durations import parse_duration
from leadline.kit.errors import DomainError
from leadline.kit.phone import parse_phone


def cadence_of(campaign: Campaign) -> list[timedelta]:
    """The offsets of the campaign's touches from the first (the default when unreadable)."""
    try:
        offsets = [parse_duration(text) for text in campaign.cadence or DEFAULT_CADENCE]
    except ValueError:
        offsets = [parse_duration(text) for text in DEFAULT_CADENCE]
    return offsets or [timedelta(0)]


def abandon_after_of(campaign: Campaign) -> timedelta:
    try:
        return parse_duration(campaign.abandon_after or DEFAULT_ABANDON_AFTER)
    except ValueError:
        return parse_duration(DEFAULT_ABANDON_AFTER)


@transaction.atomic
def start_campaign_for_lead(*, lead: Lead, campaign: Campaign) -> Interaction:
    """Open an interaction of the campaign with the lead; Speed to Lead's first touch is due now.

    A number that cannot be dialled ends the interaction as Failed at once.
    """
    if campaign.company_id != lead.company_id:
        raise DomainError("The campaign belongs to another company")
    interaction = start_interaction(campaign=campaign, lead=lead)
    if not parse_phone(lead.phone).is_valid:
        record_event(
            interaction=interaction,
            lead=lead,
            kind=InteractionEvent.Kind.SYSTEM,
            actor_kind=Author.SYSTEM,
            detail=f"{lead.phone or 'No number'} is not a phone number that can be reached",
        )
        change_status(interaction=interaction, to="failed", detail="Invalid phone number")
        return interaction
    if campaign.goal == Goal.SPEED_TO_LEAD:
        _schedule_touch(interaction, touch=1, due=clock.now())
    refresh_summary(interaction=interaction)
    return interaction


def start_speed_to_lead(*, lead: Lead, channel: str = "sms") -> Interaction | None:
    """Reach a new lead through the company's Speed to Lead campaign on this channel, if on."""
    campaign = enabled_campaign(company=lead.company, goal=Goal.SPEED_TO_LEAD, channel=channel)
    if campaign is None:
        return None
    return start_campaign_for_lead(lead=lead, campaign=campaign)


def _schedule_touch(interaction: Interaction, *, touch: int, due: datetime) -> None:
    campaign_tasks.run_touch.using(run_after=due).enqueue(interaction.pk, touch)
    Interaction.objects.filter(pk=interaction.pk).update(next_touch_at=due)
    interaction.next_touch_at = due


def run_touch(*, interaction_id: int, touch: int) -> str:
    """Send the `touch`-th message of the cadence (1 = the first), once, if still wanted."""
    with transaction.atomic():
        # Only the interaction row (of=self): locking the joined company and campaign
        # rows too made every lead intake of the company wait, and deadlock with it.
        interaction = (
            Interaction.objects.select_for_update(of=("self",))
            .select_related("company", "campaign", "lead")
            .get(pk=interaction_id)
        )
        lead = Lead.objects.get(pk=interaction.lead_id)
        interaction.lead = lead
        if interaction.status not in statuses.ACTIVE_CODES:
            return f"skipped: {interaction.status}"
        if interaction.touches_sent >= touch:
            return f"skipped: touch {touch} already sent"
        if interaction.inbound_count:
            return "skipped: the lead has answered"
        if lead.agent_paused_at is not None:
            return "skipped: taken over"
        offsets = cadence_of(interaction.campaign)
        if touch > len(offsets):
            return "skipped: past the cadence"
        now = clock.now()
        verdict = gate.check(
            company=interaction.company,
            lead=lead,
            kind=gate.SendKind.OUTREACH,
            now=now,
            last_inbound_at=interaction.last_inbound_at,
        )
        if not verdict.allowed:
            return _touch_refused(interaction, touch=touch, verdict=verdict, now=now)

        conversation = policy.conversation_for(interaction)
        brain = get_brain()
        decision = (
            brain.opening(conversation) if touch == 1 else brain.follow_up(conversation, touch)
        )
        interaction.agent_state = dict(decision.state or {})
        if decision.reply:
            if interaction.channel == "voice":
                channel_tasks.place_call.using(run_after=now).enqueue(
                    interaction.pk, decision.reply
                )
            else:
                policy.say(interaction, decision.reply, kind=gate.SendKind.OUTREACH)
        interaction.touches_sent = touch
        if touch < len(offsets):
            due = now + (offsets[touch] - offsets[touch - 1])
            campaign_tasks.run_touch.using(run_after=due).enqueue(interaction.pk, touch + 1)
        else:
            due = now + abandon_after_of(interaction.campaign)
            campaign_tasks.check_abandonment.using(run_after=due).enqueue(interaction.pk)
        interaction.next_touch_at = due
        interaction.save(update_fields=["agent_state", "touches_sent", "next_touch_at"])
        if touch >= 2:
            policy.mark_cold(interaction)
        refresh_summary(interaction=interaction)
        return f"touch {touch} sent"


def _touch_refused(
    interaction: Interaction, *, touch: int, verdict: gate.Verdict, now: datetime
) -> str:
    if verdict.retry_at is not None and verdict.retry_at > now:
        _schedule_touch(interaction, touch=touch, due=verdict.retry_at)
        refresh_summary(interaction=interaction)
        return f"deferred to {verdict.retry_at.isoformat()}: {verdict.reason}"
    if is_opted_out(company=interaction.company, phone=interaction.lead.phone):
        close_for_opt_out(
            company_id=interaction.company_id,
            phone=interaction.lead.phone,
            detail="The number had opted out before",
            actor_kind=Author.SYSTEM,
        )
        return "closed: the number is opted out"
    record_event(
        interaction=interaction,
        lead=interaction.lead,
        kind=InteractionEvent.Kind.SYSTEM,
        actor_kind=Author.SYSTEM,
        detail=f"Touch {touch} not sent: {verdict.reason}",
    )
    Interaction.objects.filter(pk=interaction.pk).update(next_touch_at=None)
    return f"not sent: {verdict.reason}"


def check_abandonment(*, interaction_id: int) -> str:
    """Abandoned, when the whole cadence went out and the lead never answered."""
    with transaction.atomic():
        interaction = Interaction.objects.select_for_update().get(pk=interaction_id)
        if interaction.status not in statuses.ACTIVE_CODES:
            return f"skipped: {interaction.status}"
        if interaction.inbound_count:
            return "skipped: the lead has answered"
        sent = interaction.touches_sent
        change_status(
            interaction=interaction,
            to="abandoned",
            detail=f"No reply after {sent} message{'s' if sent != 1 else ''}",
        )
        return "abandoned"


@transaction.atomic
@transaction.atomic
def set_campaign_enabled(
    *, campaign: Campaign, enabled: bool, actor: User | None = None
) -> Campaign:
    """Switch a campaign on or off; switching off Terminates what it still has open."""
    Campaign.objects.filter(pk=campaign.pk).update(enabled=enabled)
    campaign.enabled = enabled
    if not enabled:
        who = f" by {actor}" if actor else ""
        terminate_open_interactions(campaign=campaign, reason=f"The campaign was switched off{who}")
    return campaign
