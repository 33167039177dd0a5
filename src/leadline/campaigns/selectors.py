"""Reads of campaigns; every query starts from the company."""

from __future__ import annotations

from leadline.accounts.models import Company
from leadline.campaigns.models import Campaign, Goal


def enabled_campaign(*, company: Company, goal: str, channel: str) -> Campaign | None:
    """The company's switched-on campaign for a goal and channel (the oldest when several)."""
    return (
        Campaign.objects.for_company(company)
        .filter(goal=goal, channel=channel, enabled=True)
        .order_by("id")
        .first()
    )


def inbound_campaign(*, company: Company) -> Campaign | None:
    """The campaign that answers texts from numbers that have no conversation going."""
    return enabled_campaign(company=company, goal=Goal.INBOUND_SMS, channel="sms")
