"""The per-day counts behind the Interactions counters (`InteractionDayCount`).

Database triggers keep the rollup (migration 0004): each interaction counts once, in the
bucket of the UTC day of its last activity, its goal, channel, record type and status,
and as replied when it has an inbound message. Nothing in Python writes it. This module
reads it, and recounts it from the interactions for the tests that hold it exact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate

from leadline.accounts.models import Company
from leadline.interactions.models import Interaction, InteractionDayCount

KEY = ("day", "goal", "channel", "record_type", "status")


@dataclass(frozen=True)
class DaySums:
    """Interactions and replied interactions per status, over whole days."""

    by_status: dict[str, tuple[int, int]]


def day_start(day: date) -> datetime:
    """The UTC midnight that starts a rollup day."""
    return datetime.combine(day, time(0), tzinfo=UTC)


def whole_days(start: datetime | None, end: datetime | None) -> tuple[date | None, date | None]:
    """The whole UTC days inside [start, end): the first day and the day after the last.

    None stands for no bound. When no whole day fits, the first is not before the last.
    """
    first = None
    if start is not None:
        moment = start.astimezone(UTC)
        first = moment.date()
        if moment != day_start(first):
            first += timedelta(days=1)
    last = end.astimezone(UTC).date() if end is not None else None
    return first, last


def sums(
    *,
    company: Company,
    first: date | None,
    last: date | None,
    goal: str = "",
    channel: str = "",
    record_type: str = "",
    status_in: Iterable[str] | None = None,
) -> DaySums:
    """The rollup's counts for days in [first, last), narrowed like the list."""
    qs = InteractionDayCount.objects.filter(company=company)
    if first is not None:
        qs = qs.filter(day__gte=first)
    if last is not None:
        qs = qs.filter(day__lt=last)
    if goal:
        qs = qs.filter(goal=goal)
    if channel:
        qs = qs.filter(channel=channel)
    if record_type:
        qs = qs.filter(record_type=record_type)
    if status_in is not None:
        qs = qs.filter(status__in=list(status_in))
    rows = qs.values("status").annotate(n=Sum("conversations"), r=Sum("replied")).order_by()
    return DaySums(by_status={row["status"]: (row["n"] or 0, row["r"] or 0) for row in rows})


def recount(company: Company) -> dict[tuple[str, ...], tuple[int, int]]:
    """What the rollup should hold, counted from the interactions (for checks and tests)."""
    rows = (
        Interaction.objects.for_company(company)
        .annotate(day=TruncDate("last_activity_at", tzinfo=UTC))
        .values(*KEY)
        .annotate(n=Count("id"), r=Count("id", filter=Q(inbound_count__gt=0)))
        .order_by()
    )
    return {tuple(str(row[k]) for k in KEY): (row["n"], row["r"]) for row in rows}


def stored(company: Company) -> dict[tuple[str, ...], tuple[int, int]]:
    """What the rollup holds, without the buckets that have gone back to zero."""
    rows = InteractionDayCount.objects.filter(company=company).values(
        *KEY, "conversations", "replied"
    )
    return {
        tuple(str(row[k]) for k in KEY): (row["conversations"], row["replied"])
        for row in rows
        if row["conversations"] or row["replied"]
    }
