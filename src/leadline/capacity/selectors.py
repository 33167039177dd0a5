"""Reads of capacity: which arrival windows are free."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F, QuerySet

from leadline.accounts.models import Company
from leadline.capacity.job_types import trade_of
from leadline.capacity.models import ArrivalWindow
from leadline.kit import clock


def free_windows(
    *,
    company: Company,
    job_type: str,
    after: datetime | None = None,
    days: int = 14,
    limit: int | None = None,
) -> QuerySet[ArrivalWindow]:
    """Arrival windows of the job type's trade that start after `after` and still have room."""
    start = after or clock.now()
    qs = (
        ArrivalWindow.objects.for_company(company)
        .filter(
            trade=trade_of(job_type),
            starts_at__gt=start,
            starts_at__lt=start + timedelta(days=days),
            booked__lt=F("capacity"),
        )
        .order_by("starts_at", "id")
    )
    return qs[:limit] if limit else qs
