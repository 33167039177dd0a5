"""The Interactions list: its filters, keyset pages, counters and CSV rows.

Every query starts from the actor's company. The filters travel in the URL, so
`parse_query` turns query-string parameters into `InteractionFilters` (ignoring,
with a notice, what it cannot use) and `InteractionFilters.to_params` turns them
back into the shortest query string that means the same list.

The time range applies to `last_activity_at`: it is the column every list index
ends with, so a range narrows an index scan instead of adding one.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import connection
from django.db.models import Count, Exists, Field, Func, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from leadline.accounts.models import Company
from leadline.campaigns.models import Channel, Goal
from leadline.interactions import rollup, statuses
from leadline.interactions.models import Interaction, Message, RecordType
from leadline.kit import clock
from leadline.kit.phone import parse_phone

PAGE_SIZE = 50
EXPORT_CHUNK = 2000
SEARCH_MAX_LENGTH = 100
GROUP_PREFIX = "group:"


class Sort(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"


class TimeRange(StrEnum):
    TODAY = "today"
    DAYS_7 = "7d"
    DAYS_30 = "30d"
    DAYS_90 = "90d"
    CUSTOM = "custom"


SORT_LABELS: dict[str, str] = {Sort.NEWEST: "Newest first", Sort.OLDEST: "Oldest first"}
TIME_RANGE_LABELS: dict[str, str] = {
    TimeRange.TODAY: "Today",
    TimeRange.DAYS_7: "Last 7 days",
    TimeRange.DAYS_30: "Last 30 days",
    TimeRange.DAYS_90: "Last 90 days",
    TimeRange.CUSTOM: "Custom dates",
}
_RANGE_DAYS = {TimeRange.DAYS_7: 7, TimeRange.DAYS_30: 30, TimeRange.DAYS_90: 90}
_TRUE = {"1", "on", "true", "yes"}
_FALSE = {"", "0", "off", "false", "no"}


@dataclass(frozen=True)
class Cursor:
    """A position in the list: the (last_activity_at, id) of one row."""

    at: datetime
    id: int

    _PATTERN = re.compile(r"^(\d{8}T\d{6}\.\d{6})Z_(\d{1,19})$")

    def encode(self) -> str:
        return f"{self.at.astimezone(UTC):%Y%m%dT%H%M%S.%f}Z_{self.id}"

    @classmethod
    def decode(cls, text: str) -> Cursor | None:
        match = cls._PATTERN.match(text or "")
        if not match:
            return None
        try:
            at = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S.%f").replace(tzinfo=UTC)
        except ValueError:
            return None
        row_id = int(match.group(2))
        if row_id >= 2**63:
            return None
        return cls(at=at, id=row_id)

    @classmethod
    def of(cls, interaction: Interaction) -> Cursor:
        return cls(at=interaction.last_activity_at, id=interaction.pk)


@dataclass(frozen=True)
class InteractionFilters:
    """What the list shows; the defaults are the page as it opens."""

    sort: Sort = Sort.NEWEST
    goal: str = ""
    channel: str = ""
    record_type: str = ""
    status: str = ""
    status_group: str = ""
    escalated_only: bool = False
    high_activity: bool = False
    search: str = ""
    time_range: TimeRange = TimeRange.DAYS_30
    date_from: date | None = None
    date_to: date | None = None

    @property
    def status_param(self) -> str:
        if self.status_group:
            return GROUP_PREFIX + self.status_group
        return self.status

    @property
    def narrows(self) -> bool:
        """Something other than the time range and the sort narrows the list."""
        base = InteractionFilters()
        return (
            replace(self, sort=base.sort, time_range=base.time_range, date_from=None, date_to=None)
            != base
        )

    def to_params(self) -> dict[str, str]:
        """The shortest query-string parameters that mean these filters."""
        params: dict[str, str] = {}
        if self.sort is not Sort.NEWEST:
            params["sort"] = self.sort.value
        for key, value in (
            ("goal", self.goal),
            ("channel", self.channel),
            ("type", self.record_type),
            ("status", self.status_param),
            ("q", self.search),
        ):
            if value:
                params[key] = value
        if self.escalated_only:
            params["escalated"] = "1"
        if self.high_activity:
            params["activity"] = "high"
        if self.time_range is not TimeRange.DAYS_30:
            params["range"] = self.time_range.value
        if self.date_from:
            params["from"] = self.date_from.isoformat()
        if self.date_to:
            params["to"] = self.date_to.isoformat()
        return params


@dataclass(frozen=True)
class ListQuery:
    """A parsed request for the list: filters, a page position, the open interaction."""

    filters: InteractionFilters = field(default_factory=InteractionFilters)
    after: Cursor | None = None
    before: Cursor | None = None
    open_id: int | None = None
    notices: tuple[str, ...] = ()


def _choice(
    params: Mapping[str, str], key: str, label: str, choices: Mapping[str, str], notices: list[str]
) -> str:
    value = (params.get(key) or "").strip()
    if not value:
        return ""
    if value in choices:
        return value
    notices.append(f"Ignored {label} “{value[:40]}”: it is not one of the choices.")
    return ""


# Custom ranges stay within these days: nothing is older, and a year like 9999 would
# overflow the day arithmetic of the range and the day counts.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)


def _parse_date(value: str, label: str, notices: list[str]) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        notices.append(f"Ignored {label} date “{value[:40]}”: write it as YYYY-MM-DD.")
        return None
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        notices.append(
            f"Ignored {label} date {day.isoformat()}: pick a day between "
            f"{EARLIEST_DAY.year} and {LATEST_DAY.year}."
        )
        return None
    return day


def parse_query(params: Mapping[str, str]) -> ListQuery:
    """Read the list's query string; what cannot be used is dropped with a notice."""
    notices: list[str] = []

    sort_text = (params.get("sort") or "").strip()
    sort = Sort.NEWEST
    if sort_text:
        if sort_text in Sort._value2member_map_:
            sort = Sort(sort_text)
        else:
            notices.append(f"Ignored sort “{sort_text[:40]}”: showing newest first.")

    goal = _choice(params, "goal", "Goal", dict(Goal.choices), notices)
    channel = _choice(params, "channel", "Channel", dict(Channel.choices), notices)
    record_type = _choice(params, "type", "Type", dict(RecordType.choices), notices)

    status = ""
    status_group = ""
    status_text = (params.get("status") or "").strip()
    if status_text.startswith(GROUP_PREFIX) and status_text[len(GROUP_PREFIX) :] in {
        g.value for g in statuses.Group
    }:
        status_group = status_text[len(GROUP_PREFIX) :]
    elif status_text in statuses.BY_CODE:
        status = status_text
    elif status_text in statuses.BY_LABEL:
        status = statuses.BY_LABEL[status_text].code
    elif status_text:
        notices.append(f"Ignored Status “{status_text[:40]}”: it is not one of the statuses.")

    escalated_only = _flag(params, "escalated", "Escalated Only", notices)
    activity = (params.get("activity") or "").strip()
    if activity not in ("", "high"):
        notices.append(f"Ignored activity “{activity[:40]}”: only “high” is understood.")
    high_activity = activity == "high"

    search = " ".join("".join(ch for ch in params.get("q") or "" if ch.isprintable()).split())
    if len(search) > SEARCH_MAX_LENGTH:
        notices.append(f"The search was cut to its first {SEARCH_MAX_LENGTH} characters.")
        search = search[:SEARCH_MAX_LENGTH]

    range_text = (params.get("range") or "").strip()
    time_range = TimeRange.DAYS_30
    if range_text in TimeRange._value2member_map_:
        time_range = TimeRange(range_text)
    elif range_text:
        notices.append(f"Ignored time range “{range_text[:40]}”: showing the last 30 days.")
    date_from = _parse_date(params.get("from", ""), "From", notices)
    date_to = _parse_date(params.get("to", ""), "To", notices)
    if time_range is not TimeRange.CUSTOM and range_text:
        # A preset chosen on purpose wins over dates left in the form.
        date_from = date_to = None
    elif date_from or date_to:
        time_range = TimeRange.CUSTOM
    elif time_range is TimeRange.CUSTOM:
        notices.append("Custom dates need a From or a To date: showing the last 30 days.")
        time_range = TimeRange.DAYS_30
    if date_from and date_to and date_from > date_to:
        notices.append("The From date was after the To date: the two were swapped.")
        date_from, date_to = date_to, date_from

    after = _parse_cursor(params, "after", notices)
    before = _parse_cursor(params, "before", notices)
    if after and before:
        notices.append("A page link had two positions: showing the first page.")
        after = before = None

    open_id: int | None = None
    open_text = (params.get("open") or "").strip()
    if open_text:
        if open_text.isdigit() and 0 < int(open_text) < 2**63:
            open_id = int(open_text)
        else:
            notices.append("The interaction in the link could not be found.")

    filters = InteractionFilters(
        sort=sort,
        goal=goal,
        channel=channel,
        record_type=record_type,
        status=status,
        status_group=status_group,
        escalated_only=escalated_only,
        high_activity=high_activity,
        search=search,
        time_range=time_range,
        date_from=date_from,
        date_to=date_to,
    )
    return ListQuery(
        filters=filters, after=after, before=before, open_id=open_id, notices=tuple(notices)
    )


def _flag(params: Mapping[str, str], key: str, label: str, notices: list[str]) -> bool:
    value = (params.get(key) or "").strip().lower()
    if value in _TRUE:
        return True
    if value not in _FALSE:
        notices.append(f"Ignored {label} “{value[:40]}”: use 1 or leave it off.")
    return False


def _parse_cursor(params: Mapping[str, str], key: str, notices: list[str]) -> Cursor | None:
    text = (params.get(key) or "").strip()
    if not text:
        return None
    cursor = Cursor.decode(text)
    if cursor is None:
        notices.append("The page position in the link was not understood: showing the first page.")
    return cursor


def company_zone(company: Company) -> ZoneInfo:
    """The company's time zone (UTC when its setting is not a known zone)."""
    try:
        return ZoneInfo(company.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def time_bounds(
    *, company: Company, filters: InteractionFilters, now: datetime
) -> tuple[datetime | None, datetime | None]:
    """The [start, end) of last activity the filters ask for; days are the company's days."""
    zone = company_zone(company)

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)

    if filters.time_range is TimeRange.TODAY:
        return midnight(now.astimezone(zone).date()), None
    if filters.time_range is TimeRange.CUSTOM:
        start = midnight(filters.date_from) if filters.date_from else None
        end = midnight(filters.date_to + timedelta(days=1)) if filters.date_to else None
        return start, end
    return now - timedelta(days=_RANGE_DAYS[filters.time_range]), None


# SQLite's trigram index (an FTS5 table kept by triggers, migration 0004) needs three
# characters in a row; PostgreSQL's pg_trgm GIN indexes serve Django's own lookups.
_TRIGRAM = 3
_FTS_SQL = "SELECT rowid FROM interactions_search WHERE interactions_search MATCH %s"


def _contains(column: str, text: str, *, indexed: bool = True) -> Q:
    """Rows whose column contains the text, case-insensitively for names."""
    exact = Q(**{f"{column}__icontains" if column == "lead_name" else f"{column}__contains": text})
    if not indexed or connection.vendor != "sqlite" or len(text) < _TRIGRAM:
        return exact
    # A trigram phrase matches where the text occurs (FTS5 cannot serve a LIKE with an
    # ESCAPE); the trigram table finds the candidates, the LIKE keeps the exact meaning.
    # No column filter: testing a column makes FTS5 read every position list (9 ms instead
    # of 2 ms for "Garcia" at a million). The phrase may then also match the other column
    # (a name with digits in it; phones hold no letters): the LIKE drops those.
    phrase = '"' + text.replace('"', '""') + '"'
    # Constant SQL; the user's text travels as a parameter.
    return Q(id__in=RawSQL(_FTS_SQL, [phrase])) & exact  # noqa: S611


def _search_q(search: str, *, indexed: bool = True) -> Q:
    """The search as a filter; `indexed=False` when a narrow range drives the scan instead."""
    if any(ch.isalpha() for ch in search):
        return _contains("lead_name", search, indexed=indexed)
    parsed = parse_phone(search)
    if parsed.e164:
        return Q(lead_phone=parsed.e164)
    digits = "".join(ch for ch in search if ch.isdigit())
    if digits:
        return _contains("lead_phone", digits, indexed=indexed)
    return _contains("lead_name", search, indexed=indexed)


def _high_activity_since(company: Company, now: datetime) -> datetime:
    return now - timedelta(minutes=company.high_activity_minutes)


def _recent_message_ids(
    *, company: Company, candidates: QuerySet[Interaction] | list[int], now: datetime
) -> QuerySet[Message, dict[str, Any]]:
    """Ids of the interactions with at least N messages in the last M minutes (High Activity).

    An interaction with a message in the window has its last activity in it too, so
    the candidates come already narrowed to the window on the indexed `last_activity_at`
    (by `filtered_interactions`) before messages are counted through the thread index.
    """
    since = _high_activity_since(company, now)
    threshold = max(1, company.high_activity_messages)
    return (
        Message.objects.for_company(company)
        .filter(
            interaction_id__in=(
                candidates.values("id") if isinstance(candidates, QuerySet) else candidates
            ),
            created_at__gte=since,
        )
        .values("interaction_id")
        .annotate(recent=Count("id"))
        .filter(recent__gte=threshold)
        .values("interaction_id")
    )


def filtered_interactions(
    *, company: Company, filters: InteractionFilters, now: datetime | None = None
) -> QuerySet[Interaction]:
    """The company's interactions that match the filters, unordered."""
    now = now or clock.now()
    qs = Interaction.objects.for_company(company)
    if filters.goal:
        qs = qs.filter(goal=filters.goal)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.record_type:
        qs = qs.filter(record_type=filters.record_type)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.status_group:
        qs = qs.filter(status_group=filters.status_group)
    if filters.escalated_only:
        # The same rows as escalated=True, but SQLite matches `status_group = ?` to the
        # ix_group index, while Django writes the boolean as a bare `WHERE escalated`.
        qs = qs.filter(status_group=statuses.Group.ESCALATED.value)
    if filters.search:
        # Within High Activity's window (an hour's interactions) the window's index range is
        # the cheaper driver; the trigram table would look up every match in the history.
        qs = qs.filter(_search_q(filters.search, indexed=not filters.high_activity))
    start, end = time_bounds(company=company, filters=filters, now=now)
    if filters.high_activity:
        # Implied (see _recent_message_ids), and stated as the one lower bound so that the
        # scan is the window's few entries of the list index, not the whole time range.
        since = _high_activity_since(company, now)
        start = since if start is None else max(start, since)
    if start is not None:
        qs = qs.filter(last_activity_at__gte=start)
    if end is not None:
        qs = qs.filter(last_activity_at__lt=end)
    if filters.high_activity:
        qs = qs.filter(id__in=_recent_message_ids(company=company, candidates=qs, now=now))
    return qs


def _beyond(cursor: Cursor, *, descending: bool) -> Q:
    """Rows after the cursor in the given order; the leading bound keeps it an index range."""
    if descending:
        return Q(last_activity_at__lte=cursor.at) & (
            Q(last_activity_at__lt=cursor.at) | Q(id__lt=cursor.id)
        )
    return Q(last_activity_at__gte=cursor.at) & (
        Q(last_activity_at__gt=cursor.at) | Q(id__gt=cursor.id)
    )


def _order(descending: bool) -> tuple[str, str]:
    return ("-last_activity_at", "-id") if descending else ("last_activity_at", "id")


@dataclass(frozen=True)
class InteractionPage:
    """One keyset page of the list."""

    rows: list[Interaction]
    next_cursor: Cursor | None
    previous_cursor: Cursor | None

    @property
    def is_first(self) -> bool:
        return self.previous_cursor is None


def page_of(
    qs: QuerySet[Interaction],
    *,
    sort: Sort,
    after: Cursor | None = None,
    before: Cursor | None = None,
    size: int = PAGE_SIZE,
) -> InteractionPage:
    """A page of `size` rows after (or before) a cursor, never by OFFSET."""
    descending = sort is Sort.NEWEST
    if before is not None:
        backwards = list(
            qs.filter(_beyond(before, descending=not descending)).order_by(*_order(not descending))[
                : size + 1
            ]
        )
        if len(backwards) > size:
            rows = backwards[:size][::-1]
            return InteractionPage(
                rows=rows,
                next_cursor=Cursor.of(rows[-1]),
                previous_cursor=Cursor.of(rows[0]),
            )
        # Fewer than a page before the cursor: that is the first page, shown full.
        after = None
    scoped = qs.filter(_beyond(after, descending=descending)) if after is not None else qs
    rows = list(scoped.order_by(*_order(descending))[: size + 1])
    has_next = len(rows) > size
    rows = rows[:size]
    previous = None
    if after is not None and rows:
        first = Cursor.of(rows[0])
        if qs.filter(_beyond(first, descending=not descending)).exists():
            previous = first
    elif after is not None:
        # Past the end (the rows moved on): offer the way back.
        previous = after
    return InteractionPage(
        rows=rows,
        next_cursor=Cursor.of(rows[-1]) if has_next else None,
        previous_cursor=previous,
    )


@dataclass(frozen=True)
class Counters:
    """The figures above the list; rates are whole percentages, None when undefined."""

    escalated: int
    high_activity: int
    conversations: int
    leads: int
    replied_leads: int
    converted: int

    @property
    def response_rate(self) -> int | None:
        return _percent(self.replied_leads, self.leads)

    @property
    def conversion_rate(self) -> int | None:
        return _percent(self.converted, self.conversations)


def _percent(part: int, whole: int) -> int | None:
    if not whole:
        return None
    return (200 * part + whole) // (2 * whole)


def counters(
    *, company: Company, filters: InteractionFilters, now: datetime | None = None
) -> Counters:
    """Escalated, High Activity, Conversations, Response Rate and Conversion Rate."""
    now = now or clock.now()
    qs = filtered_interactions(company=company, filters=filters, now=now)
    if _reads_matches_once(filters):
        matches = _search_matches(qs)
        if matches is not None:
            return _counted_from_matches(company=company, matches=matches, now=now)
    return _counted_by_queries(company=company, filters=filters, now=now, qs=qs)


def _counted_by_queries(
    *, company: Company, filters: InteractionFilters, now: datetime, qs: QuerySet[Interaction]
) -> Counters:
    """The counters in SQL: from the rollup, or directly where it cannot answer."""
    if filters.search or filters.high_activity:
        # The rollup has no search column and no last-hour bucket: counted directly.
        figures = _counted_directly(qs)
    else:
        figures = _counted_by_day(company=company, filters=filters, now=now, qs=qs)
    # The filtered interactions that are also High Activity: the list behind the counter.
    high = filtered_interactions(
        company=company, filters=replace(filters, high_activity=True), now=now
    ).count()
    return replace(figures, high_activity=high)


def _counted_directly(qs: QuerySet[Interaction]) -> Counters:
    totals = qs.aggregate(
        conversations=Count("id"),
        escalated=Count("id", filter=Q(status_group=statuses.Group.ESCALATED.value)),
        converted=Count("id", filter=Q(status_group=statuses.Group.CONVERTED.value)),
        leads=Count("lead_id", distinct=True),
        replied=Count("lead_id", distinct=True, filter=Q(inbound_count__gt=0)),
    )
    return Counters(
        escalated=totals["escalated"],
        high_activity=0,
        conversations=totals["conversations"],
        leads=totals["leads"],
        replied_leads=totals["replied"],
        converted=totals["converted"],
    )


@dataclass
class _Tally:
    conversations: int = 0
    replied: int = 0
    escalated: int = 0
    converted: int = 0

    def add_status(self, status: str, conversations: int, replied: int) -> None:
        self.conversations += conversations
        self.replied += replied
        group = statuses.BY_CODE[status].group if status in statuses.BY_CODE else None
        if group is statuses.Group.ESCALATED:
            self.escalated += conversations
        elif group is statuses.Group.CONVERTED:
            self.converted += conversations


def _status_codes(filters: InteractionFilters) -> list[str] | None:
    """The statuses the filters allow (None: any)."""
    allowed: set[str] | None = None
    groups = {filters.status_group} if filters.status_group else set()
    if filters.escalated_only:
        groups.add(statuses.Group.ESCALATED.value)
    for group in groups:
        codes = {s.code for s in statuses.STATUSES if s.group.value == group}
        allowed = codes if allowed is None else allowed & codes
    if filters.status:
        allowed = {filters.status} if allowed is None else allowed & {filters.status}
    return None if allowed is None else sorted(allowed)


# Up to this many rows that are not their lead's first are passed to the query as a list
# of ids; beyond it, as a subquery (exact either way; the list is what SQLite plans well).
NOT_FIRST_AS_LIST = 5000


def _not_first_rows(
    *,
    company: Company,
    qs: QuerySet[Interaction],
    start: datetime | None,
    end: datetime | None,
) -> dict[str, int]:
    """Of the filtered rows that are not their lead's first: how many (and with a reply),
    and the leads among them with no first row in the filtered set (and that replied)."""
    not_first = Interaction.objects.for_company(company).filter(first_of_lead=False)
    if start is not None:
        not_first = not_first.filter(last_activity_at__gte=start)
    if end is not None:
        not_first = not_first.filter(last_activity_at__lt=end)
    # Read from their own partial index first: given the filtered set as the driver,
    # SQLite would walk the whole range's index and test each row.
    ids = list(not_first.values_list("id", flat=True)[: NOT_FIRST_AS_LIST + 1])
    if not ids:
        return {"rows": 0, "replied_rows": 0, "lone": 0, "lone_replied": 0}
    chosen: Any = ids if len(ids) <= NOT_FIRST_AS_LIST else not_first.values("id")
    firsts = qs.filter(first_of_lead=True, lead_id=OuterRef("lead_id"))
    return (
        qs.filter(id__in=chosen)
        .annotate(
            has_first=Exists(firsts), has_replied_first=Exists(firsts.filter(inbound_count__gt=0))
        )
        .aggregate(
            rows=Count("id"),
            replied_rows=Count("id", filter=Q(inbound_count__gt=0)),
            lone=Count("lead_id", distinct=True, filter=Q(has_first=False)),
            lone_replied=Count(
                "lead_id", distinct=True, filter=Q(inbound_count__gt=0, has_replied_first=False)
            ),
        )
    )


def _counted_by_day(
    *, company: Company, filters: InteractionFilters, now: datetime, qs: QuerySet[Interaction]
) -> Counters:
    """The counters from the day rollup for whole UTC days, the list index for the rest.

    Distinct leads without a distinct count: every lead has at most one interaction
    marked `first_of_lead`, so the leads of a set S are its rows, minus its rows that
    are not a first, plus the leads of those rows that have no first row in S. Only the
    rows that are not a first are read one by one (an index of their own), and the
    same holds for the leads that replied, over the rows of S with an inbound message.
    """
    start, end = time_bounds(company=company, filters=filters, now=now)
    first_day, last_day = rollup.whole_days(start, end)
    tally = _Tally()
    edges: list[Q] = []
    if first_day is not None and last_day is not None and first_day >= last_day:
        edges.append(Q())  # no whole day: the range is counted from the index alone
    else:
        days = rollup.sums(
            company=company,
            first=first_day,
            last=last_day,
            goal=filters.goal,
            channel=filters.channel,
            record_type=filters.record_type,
            status_in=_status_codes(filters),
        )
        for status, (conversations, replied) in days.by_status.items():
            tally.add_status(status, conversations, replied)
        if first_day is not None:
            edges.append(Q(last_activity_at__lt=rollup.day_start(first_day)))
        if last_day is not None:
            edges.append(Q(last_activity_at__gte=rollup.day_start(last_day)))
    for edge in edges:
        # Less than a day on each side: a count of index entries, no distinct.
        part = qs.filter(edge).aggregate(
            conversations=Count("id"),
            replied=Count("id", filter=Q(inbound_count__gt=0)),
            escalated=Count("id", filter=Q(status_group=statuses.Group.ESCALATED.value)),
            converted=Count("id", filter=Q(status_group=statuses.Group.CONVERTED.value)),
        )
        tally.conversations += part["conversations"]
        tally.replied += part["replied"]
        tally.escalated += part["escalated"]
        tally.converted += part["converted"]

    others = _not_first_rows(company=company, qs=qs, start=start, end=end)
    return Counters(
        escalated=tally.escalated,
        high_activity=0,
        conversations=tally.conversations,
        leads=tally.conversations - others["rows"] + others["lone"],
        replied_leads=tally.replied - others["replied_rows"] + others["lone_replied"],
        converted=tally.converted,
    )


# A search's matches in the time range are read once per request (their keys and the
# columns the counters need), and both the page and the counters are made from them, when
# there are at most this many; beyond that, each is its own query, as without a search.
SEARCH_ONCE_MAX = 20_000

# (last activity as a sort key, id, status_group, inbound_count, lead_id) of one filtered row.
_Match = tuple[Any, int, str, int, int]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class _TimeKey(Func):
    """A datetime column as a key that sorts like it and is cheap to read in bulk.

    SQLite: the stored text itself (what SQLite compares). PostgreSQL: whole microseconds
    since 1970. Django's time-zone-aware datetime loading of 5,000 rows costs 30-40 ms.
    """

    arity = 1
    output_field = Field()  # no converter: the driver's value as is

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "sqlite":
            return f"CAST({sql} AS TEXT)", list(params)
        if connection.vendor == "postgresql":
            return f"(EXTRACT(EPOCH FROM {sql}) * 1000000)::bigint", list(params)
        return sql, list(params)


def _time_key(at: datetime) -> Any:
    """The `_TimeKey` of a moment, to compare with the keys read."""
    if connection.vendor == "sqlite":
        return connection.ops.adapt_datetimefield_value(at)
    if connection.vendor == "postgresql":
        delta = at - _EPOCH
        return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return at


def _key_time(key: Any) -> datetime:
    """The moment of a `_TimeKey`."""
    if isinstance(key, str):
        return datetime.fromisoformat(key).replace(tzinfo=UTC)
    if isinstance(key, int):
        return _EPOCH + timedelta(microseconds=key)
    return key


def _reads_matches_once(filters: InteractionFilters) -> bool:
    # High Activity narrows a search to an hour's rows, which are counted directly.
    return bool(filters.search) and not filters.high_activity


def _search_matches(qs: QuerySet[Interaction]) -> list[_Match] | None:
    """The filtered rows' keys and counted columns, in ascending list order (None: too many).

    Unordered in SQL: an ORDER BY would tempt the planner to walk the list index and test
    every row of the range against the search instead of starting from the search's index.
    """
    columns = ("time_key", "id", "status_group", "inbound_count", "lead_id")
    keyed = qs.annotate(time_key=_TimeKey("last_activity_at")).values_list(*columns)
    matches: list[_Match] = list(keyed[: SEARCH_ONCE_MAX + 1])
    if len(matches) > SEARCH_ONCE_MAX:
        return None
    matches.sort()  # (last_activity_at, id) is unique: the other columns never decide
    return matches


def _counted_from_matches(*, company: Company, matches: list[_Match], now: datetime) -> Counters:
    """The counters of a search, from its matches (one query for High Activity's messages)."""
    escalated = converted = 0
    leads: set[int] = set()
    replied: set[int] = set()
    for _, _, group, inbound, lead_id in matches:
        leads.add(lead_id)
        if inbound > 0:
            replied.add(lead_id)
        if group == statuses.Group.ESCALATED.value:
            escalated += 1
        elif group == statuses.Group.CONVERTED.value:
            converted += 1
    # The matches are already inside the range, so High Activity's are those in its window
    # (read from the end: the window is the newest part) with enough recent messages.
    since = _high_activity_since(company, now)
    window = [pk for _, pk, *_ in matches[bisect_left(matches, (_time_key(since),)) :]]
    high = 0
    if window:
        high = _recent_message_ids(company=company, candidates=window, now=now).count()
    return Counters(
        escalated=escalated,
        high_activity=high,
        conversations=len(matches),
        leads=len(leads),
        replied_leads=len(replied),
        converted=converted,
    )


def _page_of_matches(
    *,
    company: Company,
    matches: list[_Match],
    sort: Sort,
    after: Cursor | None,
    before: Cursor | None,
    size: int = PAGE_SIZE,
) -> InteractionPage:
    """The same page as `page_of` would read, cut from the matches in memory."""
    keys = [(at, pk) for at, pk, *_ in matches]
    descending = sort is Sort.NEWEST

    def around(cursor: Cursor) -> tuple[list[tuple[Any, int]], list[tuple[Any, int]]]:
        """The keys before and after the cursor, each in list order."""
        position = (_time_key(cursor.at), cursor.id)
        lo = bisect_left(keys, position)
        hi = bisect_right(keys, position)
        if descending:
            return keys[hi:][::-1], keys[:lo][::-1]
        return keys[:lo], keys[hi:]

    if before is not None:
        prior = around(before)[0]
        if len(prior) > size:
            chosen = prior[-size:]
            return InteractionPage(
                rows=_rows_in_order(company, chosen),
                next_cursor=_cursor(chosen[-1]),
                previous_cursor=_cursor(chosen[0]),
            )
        # Fewer than a page before the cursor: that is the first page, shown full.
        after = None
    rest = around(after)[1] if after is not None else (keys[::-1] if descending else keys)
    chosen = rest[:size]
    previous = None
    if after is not None and chosen:
        if len(rest) < len(keys):  # some row comes before the first one shown
            previous = _cursor(chosen[0])
    elif after is not None:
        # Past the end (the rows moved on): offer the way back.
        previous = after
    return InteractionPage(
        rows=_rows_in_order(company, chosen),
        next_cursor=_cursor(chosen[-1]) if len(rest) > size else None,
        previous_cursor=previous,
    )


def _cursor(key: tuple[Any, int]) -> Cursor:
    return Cursor(at=_key_time(key[0]), id=key[1])


def _rows_in_order(company: Company, keys: list[tuple[Any, int]]) -> list[Interaction]:
    by_id = Interaction.objects.for_company(company).in_bulk([pk for _, pk in keys])
    # A row deleted since the matches were read is left out.
    return [by_id[pk] for _, pk in keys if pk in by_id]


@dataclass(frozen=True)
class InteractionList:
    """What the list page shows: a page of rows and the counters, from the same filters."""

    page: InteractionPage
    counters: Counters
    has_any: bool


def interaction_list(*, company: Company, query: ListQuery) -> InteractionList:
    """The page of rows and the counters for a parsed list request."""
    now = clock.now()
    filters = query.filters
    qs = filtered_interactions(company=company, filters=filters, now=now)
    matches = _search_matches(qs) if _reads_matches_once(filters) else None
    if matches is not None:
        # A search reads its matches once, for the page and the counters alike.
        page = _page_of_matches(
            company=company,
            matches=matches,
            sort=filters.sort,
            after=query.after,
            before=query.before,
        )
        figures = _counted_from_matches(company=company, matches=matches, now=now)
    else:
        page = page_of(qs, sort=filters.sort, after=query.after, before=query.before)
        figures = _counted_by_queries(company=company, filters=filters, now=now, qs=qs)
    has_any = bool(page.rows) or Interaction.objects.for_company(company).exists()
    return InteractionList(page=page, counters=figures, has_any=has_any)


def escalation_reason(status_code: str) -> str:
    """What the escalation was about, in the words of the status label ('' if none)."""
    info = statuses.BY_CODE.get(status_code)
    if info is None or info.group is not statuses.Group.ESCALATED:
        return ""
    match = re.search(r"\((.+)\)", info.label)
    return match.group(1) if match else ""


EXPORT_HEADER = (
    "Interaction ID",
    "Name",
    "Phone",
    "Status",
    "Status group",
    "Escalation reason",
    "Channel",
    "Goal",
    "Type",
    "Last activity",
    "Started",
    "Messages",
    "Lead ID",
)

_EXPORT_FIELDS = (
    "id",
    "lead_name",
    "lead_phone",
    "status",
    "status_group",
    "channel",
    "goal",
    "record_type",
    "last_activity_at",
    "started_at",
    "message_count",
    "lead_id",
)
_PHONE_LIKE = re.compile(r"^\+[\d ()\-]+$")


def _cell(value: str) -> str:
    """Text a spreadsheet will not run as a formula."""
    if value and value[0] in "=+-@\t\r" and not _PHONE_LIKE.match(value):
        return "'" + value
    return value


def export_chunk(
    *,
    company: Company,
    filters: InteractionFilters,
    now: datetime,
    after: Cursor | None,
    size: int | None = None,
) -> tuple[list[tuple[str, ...]], Cursor | None]:
    """One chunk of CSV rows in list order, and the cursor of the next chunk (None at the end)."""
    size = size or EXPORT_CHUNK
    zone = company_zone(company)
    goals, channels, types = dict(Goal.choices), dict(Channel.choices), dict(RecordType.choices)
    descending = filters.sort is Sort.NEWEST
    qs = filtered_interactions(company=company, filters=filters, now=now)
    if after is not None:
        qs = qs.filter(_beyond(after, descending=descending))
    values = list(qs.order_by(*_order(descending)).values_list(*_EXPORT_FIELDS)[:size])
    rows: list[tuple[str, ...]] = [
        (
            str(pk),
            _cell(name),
            # E.164 as stored: what dialers and CRMs import (and 100x cheaper than formatting).
            _cell(phone),
            statuses.label_of(status) if status in statuses.BY_CODE else status,
            group.capitalize(),
            escalation_reason(status),
            channels.get(channel, channel),
            goals.get(goal, goal),
            types.get(record_type, record_type),
            last_at.astimezone(zone).isoformat(timespec="seconds"),
            started.astimezone(zone).isoformat(timespec="seconds"),
            str(messages),
            str(lead_id),
        )
        for (
            pk,
            name,
            phone,
            status,
            group,
            channel,
            goal,
            record_type,
            last_at,
            started,
            messages,
            lead_id,
        ) in values
    ]
    following = None
    if len(values) == size:
        following = Cursor(at=values[-1][8], id=values[-1][0])
    return rows, following


def export_rows(
    *, company: Company, filters: InteractionFilters, now: datetime | None = None
) -> Iterator[tuple[str, ...]]:
    """Every row of the filtered list for CSV, read in keyset chunks (no long-held cursor)."""
    now = now or clock.now()
    cursor: Cursor | None = None
    while True:
        rows, cursor = export_chunk(company=company, filters=filters, now=now, after=cursor)
        yield from rows
        if cursor is None:
            return
