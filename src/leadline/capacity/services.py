"""Writes of capacity: laying out arrival windows and consuming them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import F

from leadline.accounts.models import Company, User
from leadline.capacity.job_types import trade_of
from leadline.capacity.models import ArrivalWindow, CapacityRule
from leadline.crm.models import Customer, Job, Lead, Opportunity
from leadline.kit import clock
from leadline.kit.errors import NoCapacity

STANDARD_WINDOWS = [(8, 10), (10, 12), (12, 14), (14, 16)]


@transaction.atomic
def set_standard_week(*, company: Company, trades: list[str], slots: int = 2) -> None:
    """Monday to Saturday, 8-10, 10-12, 12-2 and 2-4, `slots` jobs per window per trade.

    Replaces the company's rules for those trades, in one insert.
    """
    CapacityRule.objects.for_company(company).filter(trade__in=trades).delete()
    CapacityRule.objects.bulk_create(
        CapacityRule(
            company=company,
            trade=trade,
            weekday=weekday,
            start_time=time(start),
            end_time=time(end),
            slots=slots,
        )
        for trade in trades
        for weekday in range(6)
        for start, end in STANDARD_WINDOWS
    )


def open_windows(*, company: Company, start: date | None = None, days: int = 21) -> int:
    """Create the arrival windows of the coming days from the company's capacity rules.

    Existing windows are left alone (their bookings stay); returns how many were created.
    """
    zone = ZoneInfo(company.time_zone)
    first = start or clock.now().astimezone(zone).date()
    rules = list(CapacityRule.objects.for_company(company))
    existing = set(
        ArrivalWindow.objects.for_company(company)
        .filter(date__gte=first, date__lt=first + timedelta(days=days))
        .values_list("trade", "starts_at")
    )
    to_create = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        for rule in rules:
            if rule.weekday != day.weekday():
                continue
            starts_at = datetime.combine(day, rule.start_time, tzinfo=zone)
            if (rule.trade, starts_at) in existing:
                continue
            to_create.append(
                ArrivalWindow(
                    company=company,
                    trade=rule.trade,
                    date=day,
                    starts_at=starts_at,
                    ends_at=datetime.combine(day, rule.end_time, tzinfo=zone),
                    capacity=rule.slots,
                )
            )
    ArrivalWindow.objects.bulk_create(to_create, ignore_conflicts=True)
    return len(to_create)


def consume_window(*, window: ArrivalWindow) -> ArrivalWindow:
    """Take one slot of the window, or raise NoCapacity; safe when two bookings race.

    The increment is a single conditional UPDATE, so of two concurrent bookings for
    the last slot exactly one succeeds, on SQLite and on PostgreSQL alike.
    """
    with transaction.atomic():
        try:
            taken = ArrivalWindow.objects.filter(pk=window.pk, booked__lt=F("capacity")).update(
                booked=F("booked") + 1
            )
        except IntegrityError as exc:
            raise NoCapacity("that arrival window is full") from exc
        if not taken:
            raise NoCapacity("that arrival window is full")
    window.refresh_from_db(fields=["booked", "capacity"])
    return window


def release_window(*, window: ArrivalWindow) -> None:
    """Give back one slot (a canceled job)."""
    ArrivalWindow.objects.filter(pk=window.pk, booked__gt=0).update(booked=F("booked") - 1)


@transaction.atomic
def book_window(
    *,
    window: ArrivalWindow,
    job_type: str,
    booked_by: str,
    lead: Lead | None = None,
    customer: Customer | None = None,
    opportunity: Opportunity | None = None,
    interaction_id: int | None = None,
    user: User | None = None,
) -> Job:
    """Book a job into an arrival window, consuming one slot; NoCapacity when it is full."""
    if trade_of(job_type) != window.trade:
        raise NoCapacity(f"{job_type} is not booked into {window.get_trade_display()} windows")
    consume_window(window=window)
    return Job.objects.create(
        company_id=window.company_id,
        lead=lead,
        customer=customer or (lead.customer if lead else None),
        opportunity=opportunity,
        interaction_id=interaction_id,
        job_type=job_type,
        arrival_window=window,
        arrival_start=window.starts_at,
        arrival_end=window.ends_at,
        booked_by=booked_by,
        booked_by_user=user,
        created_at=clock.now(),
    )
