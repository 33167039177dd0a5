"""Insights: patterns across the interactions that the list's filters select.

The page answers the administrator's questions of the product brief: when do leads
answer, how do conversations end per goal and channel, at which touch of the cadence
leads stop answering, how long a first reply takes, and why conversations escalate.

Definitions (docs/architecture.md repeats them for the page's readers):

- The analysed set is the list's filtered set (`listing.filtered_interactions`, so the
  time range applies to last activity), capped at the `SAMPLE_SIZE` most recent; the
  page says when the cap applies.
- *First outreach*: the earliest outbound text that was not blocked by compliance, or
  the earliest outbound call. *First reply*: the earliest inbound text, inbound call or
  spoken turn of the lead on a call. An interaction whose first contact came from the
  lead (Inbound SMS) is *lead-started*: it has no outreach and no reply time.
- *Replied*: an outreach interaction with a first reply after its first outreach.
- *The touch a lead replied after*: `touches_sent` of a replied interaction. The
  cadence sends no touch once the lead has answered (`campaigns.services.run_touch`),
  so its count is the number of touches the lead had received when they replied. A
  silent interaction stopped at `touches_sent`; while it is still active the cadence
  may send more. Where `touches_sent` is 0 (outreach sent outside the cadence) the
  first outreach counts as touch 1.
- *Escalations over time*: status changes into an Escalated status of the analysed
  interactions, dated by the change, within the filter's time range; by company day,
  or by week (from Monday) when the range is longer than 31 days.

Every query starts from the company and is bounded by the sample: the per-message
figures are one `MIN(...) GROUP BY interaction` per table over the sample's ids.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Min, Q, QuerySet

from leadline.accounts.models import Company
from leadline.campaigns.models import Channel, Goal
from leadline.interactions import statuses
from leadline.interactions.listing import (
    InteractionFilters,
    company_zone,
    filtered_interactions,
    time_bounds,
)
from leadline.interactions.models import (
    Author,
    Call,
    CallTurn,
    Interaction,
    InteractionEvent,
    Message,
)
from leadline.kit import clock

SAMPLE_SIZE = 20_000
DAYS_IN_WEEK = 7
HOURS_IN_DAY = 24
# Longer ranges are shown by week so the escalation bars stay readable.
DAILY_UP_TO_DAYS = 31
# An en dash for ranges, as the console writes them.
DASH = "\u2013"
REPLY_TIME_BUCKETS: tuple[tuple[str, timedelta | None], ...] = (
    ("Under 5 min", timedelta(minutes=5)),
    (f"5{DASH}60 min", timedelta(hours=1)),
    (f"1{DASH}24 h", timedelta(days=1)),
    ("A day or more", None),
)


def _percent(part: int, whole: int) -> int | None:
    """A whole percentage, halves rounded up; None when there is nothing to divide by."""
    if not whole:
        return None
    return (200 * part + whole) // (2 * whole)


@dataclass(frozen=True)
class Rate:
    """`part` of `whole` (replied of reached, ...), with its whole percentage."""

    part: int
    whole: int

    @property
    def percent(self) -> int | None:
        return _percent(self.part, self.whole)


@dataclass(frozen=True)
class HeatMap:
    """Response rate by the local weekday (0 = Monday) and hour of the first outreach."""

    cells: tuple[tuple[Rate, ...], ...]
    by_weekday: tuple[Rate, ...]
    by_hour: tuple[Rate, ...]
    total: Rate
    zone: str


@dataclass(frozen=True)
class Outcome:
    """How the interactions of one goal on one channel stand: counts by group and status."""

    goal: str
    channel: str
    by_group: dict[str, int]
    by_status: dict[str, int]
    total: int


@dataclass(frozen=True)
class CadenceTouch:
    """What happened at one touch of the cadence (1 = the first message or call)."""

    touch: int
    # Outreach interactions that got this touch while the lead had not answered yet.
    reached: int
    # Leads whose first reply came after this touch (it was their last touch).
    replied: int
    # Never answered; this was the last touch and the interaction has ended.
    ended_silent: int
    # Not answered yet; this is the last touch so far and the cadence is still running.
    waiting: int

    @property
    def reply_rate(self) -> int | None:
        return _percent(self.replied, self.reached)


@dataclass(frozen=True)
class ReplyTimes:
    """Time from the first outreach to the first reply ("" channel: all channels)."""

    channel: str
    replies: int
    median: timedelta | None
    # Counts per REPLY_TIME_BUCKETS entry.
    buckets: tuple[int, ...]


@dataclass(frozen=True)
class EscalationSeries:
    """How many interactions entered one Escalated status in each period."""

    status: str
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Escalations:
    periods: tuple[date, ...]
    period_days: int
    series: tuple[EscalationSeries, ...]

    @property
    def total(self) -> int:
        return sum(s.total for s in self.series)


@dataclass(frozen=True)
class Insights:
    """Every figure of the Insights page, from one analysed set."""

    analysed: int
    matching: int
    has_any: bool
    outreach: int
    replied: int
    lead_started: int
    heat_map: HeatMap
    outcomes: tuple[Outcome, ...]
    cadence: tuple[CadenceTouch, ...]
    reply_times: tuple[ReplyTimes, ...]
    escalations: Escalations

    @property
    def capped(self) -> bool:
        return self.matching > self.analysed


@dataclass(frozen=True)
class _Contact:
    """One analysed interaction with its first outreach and first reply."""

    goal: str
    channel: str
    status: str
    touches_sent: int
    first_out: datetime | None
    first_in: datetime | None

    @property
    def is_outreach(self) -> bool:
        return self.first_out is not None and (
            self.first_in is None or self.first_in >= self.first_out
        )

    @property
    def is_lead_started(self) -> bool:
        return self.first_in is not None and not self.is_outreach


def _earliest(*moments: datetime | None) -> datetime | None:
    known = [m for m in moments if m is not None]
    return min(known) if known else None


def _first_contacts(
    company: Company, sample: QuerySet[Interaction, Any]
) -> tuple[dict[int, datetime], dict[int, datetime]]:
    """The first outreach and first reply of each sampled interaction that has them."""
    outbound: dict[int, list[datetime | None]] = {}
    inbound: dict[int, list[datetime | None]] = {}

    def note(pk: int, out_at: datetime | None, in_at: datetime | None) -> None:
        outbound.setdefault(pk, []).append(out_at)
        inbound.setdefault(pk, []).append(in_at)

    texts = (
        Message.objects.for_company(company)
        .filter(interaction_id__in=sample)
        .values("interaction_id")
        .annotate(
            out_at=Min(
                "created_at",
                filter=Q(direction=Message.Direction.OUTBOUND)
                & ~Q(delivery_status=Message.Delivery.BLOCKED),
            ),
            in_at=Min("created_at", filter=Q(direction=Message.Direction.INBOUND)),
        )
        .values_list("interaction_id", "out_at", "in_at")
    )
    for pk, out_at, in_at in texts:
        note(pk, out_at, in_at)
    calls = (
        Call.objects.for_company(company)
        .filter(interaction_id__in=sample)
        .values("interaction_id")
        .annotate(
            out_at=Min("started_at", filter=~Q(direction="inbound")),
            in_at=Min("started_at", filter=Q(direction="inbound")),
        )
        .values_list("interaction_id", "out_at", "in_at")
    )
    for pk, out_at, in_at in calls:
        note(pk, out_at, in_at)
    spoken = (
        CallTurn.objects.filter(
            call__company_id=company.pk, call__interaction_id__in=sample, speaker=Author.LEAD
        )
        .values("call__interaction_id")
        .annotate(in_at=Min("at"))
        .values_list("call__interaction_id", "in_at")
    )
    for pk, in_at in spoken:
        note(pk, None, in_at)
    first_out = {pk: at for pk, ats in outbound.items() if (at := _earliest(*ats)) is not None}
    first_in = {pk: at for pk, ats in inbound.items() if (at := _earliest(*ats)) is not None}
    return first_out, first_in


def _heat_map(contacts: list[_Contact], company: Company) -> HeatMap:
    zone = company_zone(company)
    reached = [[0] * HOURS_IN_DAY for _ in range(DAYS_IN_WEEK)]
    replied = [[0] * HOURS_IN_DAY for _ in range(DAYS_IN_WEEK)]
    for contact in contacts:
        if not contact.is_outreach or contact.first_out is None:
            continue
        local = contact.first_out.astimezone(zone)
        reached[local.weekday()][local.hour] += 1
        if contact.first_in is not None:
            replied[local.weekday()][local.hour] += 1
    cells = tuple(
        tuple(Rate(replied[day][hour], reached[day][hour]) for hour in range(HOURS_IN_DAY))
        for day in range(DAYS_IN_WEEK)
    )
    by_weekday = tuple(Rate(sum(replied[d]), sum(reached[d])) for d in range(DAYS_IN_WEEK))
    by_hour = tuple(
        Rate(
            sum(replied[d][h] for d in range(DAYS_IN_WEEK)),
            sum(reached[d][h] for d in range(DAYS_IN_WEEK)),
        )
        for h in range(HOURS_IN_DAY)
    )
    total = Rate(sum(r.part for r in by_weekday), sum(r.whole for r in by_weekday))
    return HeatMap(cells=cells, by_weekday=by_weekday, by_hour=by_hour, total=total, zone=str(zone))


_STATUS_ORDER = {s.code: n for n, s in enumerate(statuses.STATUSES)}


def _outcomes(contacts: list[_Contact]) -> tuple[Outcome, ...]:
    by_pair: dict[tuple[str, str], Counter[str]] = {}
    for contact in contacts:
        by_pair.setdefault((contact.goal, contact.channel), Counter())[contact.status] += 1
    order = [(goal, channel) for goal in Goal.values for channel in Channel.values]
    order += sorted(pair for pair in by_pair if pair not in order)
    outcomes = []
    for goal, channel in order:
        counts = by_pair.get((goal, channel))
        if not counts:
            continue
        groups = {group.value: 0 for group in statuses.Group}
        for code, n in counts.items():
            info = statuses.BY_CODE.get(code)
            if info is not None:
                groups[info.group.value] += n
        outcomes.append(
            Outcome(
                goal=goal,
                channel=channel,
                by_group=groups,
                by_status=dict(
                    sorted(
                        counts.items(), key=lambda item: (-item[1], _STATUS_ORDER.get(item[0], 99))
                    )
                ),
                total=sum(counts.values()),
            )
        )
    return tuple(outcomes)


def _touch(contact: _Contact) -> int:
    return max(1, contact.touches_sent)


def _cadence(contacts: list[_Contact]) -> tuple[CadenceTouch, ...]:
    outreach = [c for c in contacts if c.is_outreach]
    if not outreach:
        return ()
    last = max(_touch(c) for c in outreach)
    replied: Counter[int] = Counter()
    ended: Counter[int] = Counter()
    waiting: Counter[int] = Counter()
    stopped_at: Counter[int] = Counter()
    for contact in outreach:
        touch = _touch(contact)
        stopped_at[touch] += 1
        if contact.first_in is not None:
            replied[touch] += 1
        elif contact.status in statuses.ACTIVE_CODES:
            waiting[touch] += 1
        else:
            ended[touch] += 1
    touches = []
    still_silent = len(outreach)
    for touch in range(1, last + 1):
        touches.append(
            CadenceTouch(
                touch=touch,
                reached=still_silent,
                replied=replied[touch],
                ended_silent=ended[touch],
                waiting=waiting[touch],
            )
        )
        still_silent -= stopped_at[touch]
    return tuple(touches)


def _bucket(delay: timedelta) -> int:
    for index, (_, limit) in enumerate(REPLY_TIME_BUCKETS):
        if limit is None or delay < limit:
            return index
    return len(REPLY_TIME_BUCKETS) - 1


def _reply_times(contacts: list[_Contact]) -> tuple[ReplyTimes, ...]:
    delays: dict[str, list[timedelta]] = {"": []}
    for contact in contacts:
        if not contact.is_outreach or contact.first_in is None or contact.first_out is None:
            continue
        delay = contact.first_in - contact.first_out
        delays[""].append(delay)
        delays.setdefault(contact.channel, []).append(delay)
    result = []
    for channel in ["", *Channel.values]:
        found = delays.get(channel, [])
        if channel and not found:
            continue
        buckets = [0] * len(REPLY_TIME_BUCKETS)
        for delay in found:
            buckets[_bucket(delay)] += 1
        median = (
            timedelta(seconds=statistics.median(d.total_seconds() for d in found))
            if found
            else None
        )
        result.append(
            ReplyTimes(channel=channel, replies=len(found), median=median, buckets=tuple(buckets))
        )
    return tuple(result)


def _escalations(
    company: Company,
    filters: InteractionFilters,
    sample: QuerySet[Interaction, Any],
    now: datetime,
) -> Escalations:
    zone = company_zone(company)
    start, end = time_bounds(company=company, filters=filters, now=now)
    changes = InteractionEvent.objects.for_company(company).filter(
        interaction_id__in=sample,
        kind=InteractionEvent.Kind.STATUS_CHANGED,
        to_status__in=statuses.ESCALATED_CODES,
    )
    if start is not None:
        changes = changes.filter(created_at__gte=start)
    if end is not None:
        changes = changes.filter(created_at__lt=end)
    found = [
        (code, at.astimezone(zone).date())
        for code, at in changes.values_list("to_status", "created_at")
    ]
    codes = [s.code for s in statuses.STATUSES if s.group is statuses.Group.ESCALATED]
    if start is not None:
        first = start.astimezone(zone).date()
    elif found:
        first = min(day for _, day in found)
    else:
        return Escalations(periods=(), period_days=1, series=())
    last = (end - timedelta(microseconds=1)).astimezone(zone).date() if end else None
    last = last or now.astimezone(zone).date()
    if found:
        last = max(last, max(day for _, day in found))
    period_days = 1
    if (last - first).days + 1 > DAILY_UP_TO_DAYS:
        period_days = DAYS_IN_WEEK
        first -= timedelta(days=first.weekday())
    count = (last - first).days // period_days + 1
    periods = tuple(first + timedelta(days=n * period_days) for n in range(count))
    grid = {code: [0] * count for code in codes}
    for code, day in found:
        index = (day - first).days // period_days
        if code in grid and 0 <= index < count:
            grid[code][index] += 1
    series = tuple(
        EscalationSeries(status=code, counts=tuple(grid[code]))
        for code in codes
        # The general "Escalated" status shows only when it was used.
        if statuses.get(code).reason or any(grid[code])
    )
    return Escalations(periods=periods, period_days=period_days, series=series)


def interaction_insights(
    *, company: Company, filters: InteractionFilters, now: datetime | None = None
) -> Insights:
    """Every chart of the Insights page for the interactions the filters select."""
    now = now or clock.now()
    matching_qs = filtered_interactions(company=company, filters=filters, now=now)
    recent = matching_qs.order_by("-last_activity_at", "-id")
    rows = list(recent.values_list("id", "goal", "channel", "status", "touches_sent")[:SAMPLE_SIZE])
    sample = recent.values("id")[:SAMPLE_SIZE]
    matching = len(rows) if len(rows) < SAMPLE_SIZE else matching_qs.count()
    has_any = bool(rows) or Interaction.objects.for_company(company).exists()
    first_out, first_in = _first_contacts(company, sample) if rows else ({}, {})
    contacts = [
        _Contact(
            goal=goal,
            channel=channel,
            status=status,
            touches_sent=touches,
            first_out=first_out.get(pk),
            first_in=first_in.get(pk),
        )
        for pk, goal, channel, status, touches in rows
    ]
    outreach = [c for c in contacts if c.is_outreach]
    return Insights(
        analysed=len(rows),
        matching=matching,
        has_any=has_any,
        outreach=len(outreach),
        replied=sum(1 for c in outreach if c.first_in is not None),
        lead_started=sum(1 for c in contacts if c.is_lead_started),
        heat_map=_heat_map(contacts, company),
        outcomes=_outcomes(contacts),
        cadence=_cadence(contacts),
        reply_times=_reply_times(contacts),
        escalations=(
            _escalations(company, filters, sample, now)
            if rows
            else Escalations(periods=(), period_days=1, series=())
        ),
    )
