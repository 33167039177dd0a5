"""Builders with fixed defaults: make_x(company, **overrides)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from itertools import count
from typing import Any

from leadline.accounts.models import Company, User
from leadline.accounts.services import create_user
from leadline.campaigns.models import Campaign, Channel, Goal
from leadline.capacity.job_types import JOB_TYPES
from leadline.capacity.models import ArrivalWindow, CapacityRule
from leadline.compliance.models import OptOut
from leadline.crm.models import Customer, Lead
from leadline.interactions.models import Interaction
from leadline.interactions.services import start_interaction
from leadline.kit import clock

_seq = count(1)

PASSWORD = "correct-horse-battery"


def make_company(**overrides: Any) -> Company:
    n = next(_seq)
    fields: dict[str, Any] = {
        "name": f"Test Company {n}",
        "slug": f"test-company-{n}",
        "phone": "+15125550100",
        "time_zone": "America/Chicago",
        "service_area_zips": ["78704", "78745"],
        "trades": ["hvac", "plumbing", "electrical", "garage_doors"],
    }
    fields.update(overrides)
    return Company.objects.create(**fields)


def make_user(company: Company | None, role: str | None = "CSR", **overrides: Any) -> User:
    n = next(_seq)
    fields: dict[str, Any] = {
        "email": f"user{n}@example.test",
        "password": PASSWORD,
        "company": company,
        "role": role,
    }
    fields.update(overrides)
    return create_user(**fields)


def make_campaign(company: Company, **overrides: Any) -> Campaign:
    fields: dict[str, Any] = {
        "company": company,
        "name": "Speed to Lead: SMS",
        "goal": Goal.SPEED_TO_LEAD,
        "channel": Channel.SMS,
        "skills": list(JOB_TYPES),
    }
    fields.update(overrides)
    return Campaign.objects.create(**fields)


def make_customer(company: Company, **overrides: Any) -> Customer:
    fields: dict[str, Any] = {
        "company": company,
        "first_name": "Dana",
        "last_name": "Ruiz",
        "phone": "+15125550143",
        "zip": "78704",
        "created_at": clock.now(),
    }
    fields.update(overrides)
    return Customer.objects.create(**fields)


def make_lead(company: Company, **overrides: Any) -> Lead:
    fields: dict[str, Any] = {
        "company": company,
        "first_name": "Dana",
        "last_name": "Ruiz",
        "phone": "+15125550143",
        "zip": "78704",
        "note": "AC not cooling",
        "created_at": clock.now(),
    }
    fields.update(overrides)
    return Lead.objects.create(**fields)


def make_interaction(
    company: Company,
    *,
    campaign: Campaign | None = None,
    lead: Lead | None = None,
    status: str | None = None,
    at: datetime | None = None,
) -> Interaction:
    """An interaction in Started (or forced into `status` directly, for list and filter tests)."""
    interaction = start_interaction(
        campaign=campaign or make_campaign(company), lead=lead or make_lead(company)
    )
    if status is not None or at is not None:
        from leadline.interactions import statuses

        if status is not None:
            info = statuses.get(status)
            interaction.status = status
            interaction.status_group = info.group.value
            interaction.escalated = info.group is statuses.Group.ESCALATED
            interaction.closed_at = None if info.is_open else clock.now()
        if at is not None:
            interaction.last_activity_at = at
        interaction.save()
    return interaction


def make_capacity_rule(company: Company, **overrides: Any) -> CapacityRule:
    """Monday, HVAC, 8-10, two slots."""
    fields: dict[str, Any] = {
        "company": company,
        "trade": "hvac",
        "weekday": 0,
        "start_time": time(8),
        "end_time": time(10),
        "slots": 2,
    }
    fields.update(overrides)
    return CapacityRule.objects.create(**fields)


def make_window(
    company: Company, *, starts_at: datetime | None = None, **overrides: Any
) -> ArrivalWindow:
    """A two-hour HVAC arrival window with two free slots, starting a day from now."""
    start = starts_at or clock.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    fields: dict[str, Any] = {
        "company": company,
        "trade": "hvac",
        "date": start.date(),
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "capacity": 2,
        "booked": 0,
    }
    fields.update(overrides)
    return ArrivalWindow.objects.create(**fields)


def make_opt_out(company: Company, **overrides: Any) -> OptOut:
    fields: dict[str, Any] = {
        "company": company,
        "phone": "+15125550143",
        "opted_out_at": clock.now(),
        "method": OptOut.Method.KEYWORD,
        "raw_text": "STOP",
    }
    fields.update(overrides)
    return OptOut.objects.create(**fields)
