"""Lead intake: a lead from a web form or the API is recorded and Speed to Lead starts at once.

The same phone number arriving again while a conversation of the same campaign is
still open (a form submitted twice, a retried API call) is not a new lead: the
existing one comes back and no second conversation starts.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from leadline.accounts.models import Company
from leadline.campaigns.models import Campaign, Channel, Goal
from leadline.campaigns.selectors import enabled_campaign
from leadline.campaigns.services import start_campaign_for_lead
from leadline.crm.models import Lead
from leadline.crm.services import create_lead
from leadline.interactions import statuses
from leadline.interactions.models import Interaction
from leadline.kit.errors import Conflict, NotFound
from leadline.kit.phone import normalise_phone

# A conversation a person has taken over is still going: a resubmitted form must not
# start the agent again beside it.
_GOING = statuses.OPEN_CODES | {"takeover"}


@dataclass(frozen=True)
class Intake:
    """The lead, its conversation of the campaign (None when no campaign is on), and
    whether the lead is new (False: a duplicate, the existing lead came back)."""

    lead: Lead
    interaction: Interaction | None
    created: bool


def default_intake_campaign(*, company: Company) -> Campaign | None:
    """The company's switched-on Speed to Lead campaign (SMS before voice), if any."""
    for channel in (Channel.SMS, Channel.VOICE):
        campaign = enabled_campaign(company=company, goal=Goal.SPEED_TO_LEAD, channel=channel)
        if campaign is not None:
            return campaign
    return None


@transaction.atomic
def take_in_lead(
    *,
    company: Company,
    phone: str,
    campaign_id: int | None = None,
    source: str = Lead.Source.API,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    zip: str = "",
    address: str = "",
    note: str = "",
) -> Intake:
    """Record a lead and start its campaign (default: Speed to Lead), or return the duplicate."""
    campaign: Campaign | None
    if campaign_id is None:
        campaign = default_intake_campaign(company=company)
    else:
        campaign = Campaign.objects.for_company(company).filter(pk=campaign_id).first()
        if campaign is None:
            raise NotFound("no such campaign")
        if not campaign.enabled:
            raise Conflict(f"The campaign “{campaign.name}” is switched off.")
    e164 = normalise_phone(phone)
    if campaign is not None:
        # Intakes of one campaign take turns, so two copies of the same form sent at
        # once cannot both miss each other and start two conversations. NO KEY UPDATE
        # (PostgreSQL) is enough for that, and unlike FOR UPDATE it does not hold up
        # other transactions inserting interactions of the campaign (their foreign-key
        # check), which may hold the day-count rollup row this intake then needs.
        Campaign.objects.select_for_update(no_key=True).filter(pk=campaign.pk).first()
        existing = (
            Interaction.objects.for_company(company)
            .filter(
                campaign=campaign,
                lead__phone=e164,
                lead__deleted_at__isnull=True,
                status__in=_GOING,
            )
            .select_related("lead")
            .order_by("-id")
            .first()
        )
        if existing is not None:
            return Intake(lead=existing.lead, interaction=existing, created=False)
    lead = create_lead(
        company=company,
        phone=e164,
        source=source,
        first_name=first_name,
        last_name=last_name,
        zip=zip,
        note=note,
        email=email,
        address=address,
    )
    interaction = (
        start_campaign_for_lead(lead=lead, campaign=campaign) if campaign is not None else None
    )
    return Intake(lead=lead, interaction=interaction, created=True)
