"""/api/v1/campaigns (administrators), /api/v1/availability and /api/v1/events."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field as NinjaField
from ninja import Query, Router

from leadline.accounts.roles import ADMINISTER_COMPANY, LISTEN_CALL_RECORDING, VIEW_CUSTOMER_CHATS
from leadline.api import selectors, shapes
from leadline.api.auth import company_of, may, needs
from leadline.api.errors import COMMON_ERRORS
from leadline.api.schemas import MAX_ID, AvailabilityOut, CampaignOut, EventPage, Input, JobTypeCode
from leadline.campaigns.models import Campaign
from leadline.campaigns.services import set_campaign_enabled
from leadline.capacity.selectors import free_windows
from leadline.interactions.selectors import events_since

router = Router()


def _campaign(row: Campaign) -> CampaignOut:
    return CampaignOut(
        id=row.pk,
        name=row.name,
        goal=row.goal,
        channel=row.channel,
        enabled=row.enabled,
        skills=[str(s) for s in row.skills or []],
        cadence=[str(c) for c in row.cadence or []],
        created_at=row.created_at,
    )


@router.get(
    "/campaigns",
    response={200: list[CampaignOut], **COMMON_ERRORS},
    operation_id="listCampaigns",
    tags=["campaigns"],
    summary="List campaigns (administrators)",
)
def list_campaigns(request: HttpRequest) -> list[CampaignOut]:
    needs(request, ADMINISTER_COMPANY)
    return [_campaign(c) for c in selectors.campaigns_of(company=company_of(request))]


def _switch(request: HttpRequest, campaign_id: int, *, enabled: bool) -> CampaignOut:
    user = needs(request, ADMINISTER_COMPANY)
    campaign = selectors.get_campaign(company=company_of(request), campaign_id=campaign_id)
    return _campaign(set_campaign_enabled(campaign=campaign, enabled=enabled, actor=user))


@router.post(
    "/campaigns/{campaign_id}/enable",
    response={200: CampaignOut, **COMMON_ERRORS},
    operation_id="enableCampaign",
    tags=["campaigns"],
    summary="Switch a campaign on (administrators)",
)
def enable_campaign(request: HttpRequest, campaign_id: int) -> CampaignOut:
    return _switch(request, campaign_id, enabled=True)


@router.post(
    "/campaigns/{campaign_id}/disable",
    response={200: CampaignOut, **COMMON_ERRORS},
    operation_id="disableCampaign",
    tags=["campaigns"],
    summary="Switch a campaign off (administrators); its open conversations are Terminated",
)
def disable_campaign(request: HttpRequest, campaign_id: int) -> CampaignOut:
    return _switch(request, campaign_id, enabled=False)


class AvailabilityQuery(Input):
    job_type: JobTypeCode  # type: ignore[valid-type]
    days: int = NinjaField(14, ge=1, le=60, description="How many days ahead to look.")


@router.get(
    "/availability",
    response={200: AvailabilityOut, **COMMON_ERRORS},
    operation_id="getAvailability",
    tags=["availability"],
    summary="Free arrival windows for a job type",
)
def availability(request: HttpRequest, query: Query[AvailabilityQuery]) -> AvailabilityOut:
    needs(request, VIEW_CUSTOMER_CHATS)
    windows = free_windows(company=company_of(request), job_type=query.job_type, days=query.days)
    return AvailabilityOut(job_type=query.job_type, windows=[shapes.window(w) for w in windows])


class EventsQuery(Input):
    after: int = NinjaField(0, ge=0, le=MAX_ID, description="The cursor of the last page.")
    limit: int = NinjaField(100, ge=1, le=500)


@router.get(
    "/events",
    response={200: EventPage, **COMMON_ERRORS},
    operation_id="listEvents",
    tags=["events"],
    summary="The event timeline since a cursor (InteractionEvent ids)",
    exclude_unset=True,
)
def events(request: HttpRequest, query: Query[EventsQuery]) -> EventPage:
    """Status changes, messages, takeovers, notes, tasks, bookings, opt-outs, oldest first."""
    needs(request, VIEW_CUSTOMER_CHATS)
    rows = list(events_since(company=company_of(request), after_id=query.after, limit=query.limit))
    spoken = may(request, LISTEN_CALL_RECORDING)
    return EventPage(
        items=[shapes.event(row, with_spoken_words=spoken) for row in rows],
        cursor=rows[-1].pk if rows else query.after,
    )
