"""The counters above the Interactions list, checked against a count done by hand.

The counters are written for speed at a million rows; these tests hold them to their
definitions on a mixed data set (leads with several interactions, every status group,
messages in and out of the High Activity window) for each filter on its own.
"""

from __future__ import annotations

import html as html_lib
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import urlencode

from leadline.accounts.models import Company
from leadline.campaigns.models import Campaign, Channel, Goal
from leadline.interactions import listing, statuses
from leadline.interactions.listing import InteractionFilters, TimeRange
from leadline.interactions.models import Interaction, Message, RecordType
from leadline.kit import clock
from tests.builders import make_campaign, make_lead

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    with clock.use_clock(clock.VirtualClock(NOW)):
        yield


@pytest.fixture
def mixed(company: Company) -> Company:
    """Sixty interactions of twenty-five leads, at random but the same every run."""
    rng = random.Random(5)
    campaigns: dict[tuple[str, str], Campaign] = {}
    for goal in Goal.values:
        for channel in Channel.values:
            campaigns[goal, channel] = make_campaign(
                company, name=f"{goal}/{channel}", goal=goal, channel=channel
            )
    leads = [make_lead(company, first_name=f"Lead{n}", phone=f"+1512555{n:04d}") for n in range(25)]
    codes = [s.code for s in statuses.STATUSES]
    marked: set[int] = set()
    # Around midnight UTC, and around the 7- and 30-day starts: the rollup's whole days
    # and the index-counted edges must meet exactly.
    ages = [5, 30, 90, 14 * 60 + 59, 15 * 60 + 1, 60 * 30]
    ages += [60 * 24 * 7 - 1, 60 * 24 * 7 + 1, 60 * 24 * 20, 60 * 24 * 30 - 2, 60 * 24 * 30 + 2]
    ages += [60 * 24 * 60]
    for n in range(60):
        lead = leads[n % 25] if n < 50 else rng.choice(leads)
        goal, channel = rng.choice(list(campaigns))
        info = statuses.get(rng.choice(codes))
        at = NOW - timedelta(minutes=rng.choice(ages))
        # Leads 0-19 have their first interaction marked as start_interaction marks it;
        # leads 20-24 have none marked (rows written by other paths), the slow way.
        first = lead.pk not in marked and leads.index(lead) < 20
        marked.add(lead.pk)
        interaction = Interaction.objects.create(
            first_of_lead=first,
            company=company,
            campaign=campaigns[goal, channel],
            lead=lead,
            record_type=rng.choice(RecordType.values),
            channel=channel,
            goal=goal,
            status=info.code,
            status_group=info.group.value,
            escalated=info.group is statuses.Group.ESCALATED,
            lead_name=lead.full_name,
            lead_phone=lead.phone,
            started_at=at - timedelta(hours=1),
            last_activity_at=at,
            created_at=at - timedelta(hours=1),
            updated_at=at,
            inbound_count=rng.choice([0, 0, 1, 3]),
        )
        recent = rng.choice([0, 2, 5, 7]) if at >= NOW - timedelta(hours=1) else 0
        for k in range(recent + 2):
            # Two older messages each, then the recent ones (High Activity counts these).
            ago = timedelta(minutes=rng.randint(1, 59)) if k >= 2 else timedelta(days=2)
            Message.objects.create(
                company=company,
                interaction=interaction,
                direction=Message.Direction.OUTBOUND,
                author="agent",
                body="hello",
                delivery_status=Message.Delivery.DELIVERED,
                created_at=min(NOW - ago, at),
            )
    return company


def by_hand(company: Company, filters: InteractionFilters) -> dict[str, int]:
    """The counters from their definitions, over the rows the list shows."""
    rows = list(listing.filtered_interactions(company=company, filters=filters, now=NOW))
    since = NOW - timedelta(minutes=company.high_activity_minutes)
    recent: dict[int, int] = {}
    for interaction_id in Message.objects.filter(
        interaction__in=[r.pk for r in rows], created_at__gte=since
    ).values_list("interaction_id", flat=True):
        recent[interaction_id] = recent.get(interaction_id, 0) + 1
    return {
        "conversations": len(rows),
        "escalated": sum(r.status_group == statuses.Group.ESCALATED for r in rows),
        "converted": sum(r.status_group == statuses.Group.CONVERTED for r in rows),
        "leads": len({r.lead_id for r in rows}),
        "replied_leads": len({r.lead_id for r in rows if r.inbound_count > 0}),
        "high_activity": sum(recent.get(r.pk, 0) >= company.high_activity_messages for r in rows),
    }


SINGLE_FILTERS: list[dict[str, Any]] = [
    {},
    {"goal": Goal.SPEED_TO_LEAD},
    {"goal": Goal.INBOUND_SMS},
    {"channel": Channel.SMS},
    {"channel": Channel.VOICE},
    {"record_type": RecordType.CUSTOMER},
    {"status": "abandoned"},
    {"status_group": statuses.Group.CONVERTED.value},
    {"status_group": statuses.Group.ESCALATED.value},
    {"escalated_only": True},
    {"high_activity": True},
    {"search": "Lead1"},
    {"search": "+15125550003"},
    {"time_range": TimeRange.TODAY},
    {"time_range": TimeRange.DAYS_7},
    {"time_range": TimeRange.DAYS_90},
    {"time_range": TimeRange.CUSTOM, "date_from": date(2026, 2, 20), "date_to": date(2026, 3, 9)},
    {"time_range": TimeRange.CUSTOM, "date_to": date(2026, 3, 9)},
    {"time_range": TimeRange.CUSTOM, "date_from": date(2026, 3, 9)},
]


@pytest.mark.parametrize("change", SINGLE_FILTERS, ids=lambda c: ",".join(map(str, c.values())))
def test_counters_match_their_definitions(mixed: Company, change: dict[str, Any]) -> None:
    filters = InteractionFilters(**change)
    figures = listing.counters(company=mixed, filters=filters, now=NOW)
    assert {
        "conversations": figures.conversations,
        "escalated": figures.escalated,
        "converted": figures.converted,
        "leads": figures.leads,
        "replied_leads": figures.replied_leads,
        "high_activity": figures.high_activity,
    } == by_hand(mixed, filters)


def test_the_data_set_has_what_the_counters_must_get_right(mixed: Company) -> None:
    """Leads with several interactions in range, replies, and High Activity rows."""
    expected = by_hand(mixed, InteractionFilters(time_range=TimeRange.DAYS_90))
    assert expected["leads"] < expected["conversations"]
    assert 0 < expected["replied_leads"] < expected["leads"]
    assert 0 < expected["high_activity"] < expected["conversations"]
    assert expected["escalated"] > 0 and expected["converted"] > 0


def test_the_page_and_the_counters_share_one_clock(mixed: Company) -> None:
    query = listing.parse_query({"range": "today"})
    result = listing.interaction_list(company=mixed, query=query)
    assert result.counters == listing.counters(company=mixed, filters=query.filters)


def test_combined_filters_count_by_their_definitions_too(mixed: Company) -> None:
    for change in (
        {"goal": Goal.SPEED_TO_LEAD, "channel": Channel.SMS, "time_range": TimeRange.DAYS_90},
        {"record_type": RecordType.LEAD, "status_group": statuses.Group.ESCALATED.value},
        {"status": "abandoned", "escalated_only": True},
        {"goal": Goal.INBOUND_SMS, "search": "Lead2", "time_range": TimeRange.DAYS_7},
    ):
        filters = InteractionFilters(**change)
        figures = listing.counters(company=mixed, filters=filters, now=NOW)
        expected = by_hand(mixed, filters)
        assert (figures.conversations, figures.leads, figures.replied_leads) == (
            expected["conversations"],
            expected["leads"],
            expected["replied_leads"],
        ), change


def test_leads_are_counted_once_whether_or_not_their_first_is_in_the_list(
    company: Company,
) -> None:
    """A lead's first interaction outside the filter, and a lead with two in the list."""
    from leadline.interactions.services import add_message, start_interaction

    sms = make_campaign(company, name="sms", goal=Goal.SPEED_TO_LEAD, channel=Channel.SMS)
    inbound = make_campaign(company, name="in", goal=Goal.INBOUND_SMS, channel=Channel.SMS)
    ana, bo = make_lead(company, first_name="Ana"), make_lead(company, first_name="Bo")
    with clock.use_clock(clock.VirtualClock(NOW - timedelta(days=3))):
        start_interaction(campaign=sms, lead=ana)  # Ana's first: Speed to Lead
        second = start_interaction(campaign=inbound, lead=ana)
        add_message(interaction=second, direction="inbound", author="lead", body="hi")
        start_interaction(campaign=inbound, lead=bo)
        start_interaction(campaign=inbound, lead=bo)
    firsts = Interaction.objects.filter(company=company, first_of_lead=True)
    assert sorted(firsts.values_list("lead_id", flat=True)) == sorted([ana.pk, bo.pk])
    figures = listing.counters(
        company=company, filters=InteractionFilters(goal=Goal.INBOUND_SMS), now=NOW
    )
    assert (figures.conversations, figures.leads, figures.replied_leads) == (3, 2, 1)
    assert figures.response_rate == 50


INDEXED_FILTERS: list[dict[str, Any]] = [
    {},
    {"goal": Goal.INBOUND_SMS},
    {"channel": Channel.VOICE},
    {"record_type": RecordType.CUSTOMER},
    {"status": "abandoned"},
    {"status_group": statuses.Group.ESCALATED.value},
    {"escalated_only": True},
    {"time_range": TimeRange.DAYS_7},
    {"time_range": TimeRange.DAYS_90},
]


def _plan(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return [str(row[-1]) for row in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan")
@pytest.mark.parametrize("change", INDEXED_FILTERS, ids=lambda c: ",".join(map(str, c.values())))
def test_the_counters_read_the_rollup_and_small_index_ranges_on_sqlite(
    mixed: Company, change: dict[str, Any]
) -> None:
    """No counter reads the time range's interactions one by one.

    Whole days come from the rollup; the part-days at the edges from a covering index;
    the rows that are not their lead's first from their own partial index, by id.
    """
    filters = InteractionFilters(**change)
    with CaptureQueriesContext(connection) as captured:
        listing.counters(company=mixed, filters=filters, now=NOW)
    sqls = [q["sql"] for q in captured.captured_queries]
    assert any("interactions_interactiondaycount" in sql for sql in sqls)
    edge = [sql for sql in sqls if sql.startswith('SELECT COUNT("interactions_interaction"."id")')]
    assert edge
    for sql in edge:
        scans = [s for s in _plan(sql) if "interactions_interaction " in s + " "]
        assert scans and all("COVERING INDEX" in step for step in scans), scans
    ids = next(sql for sql in sqls if 'NOT "interactions_interaction"."first_of_lead"' in sql)
    assert any("ix_not_first" in step for step in _plan(ids))
    others = next(sql for sql in sqls if "COUNT(DISTINCT" in sql)
    plan = _plan(others)
    assert not any(step.startswith("SCAN") for step in plan), plan


SEARCHES = ["Lead1", "lead", "LEAD2", "+15125550003", "5550", "55500", "ea", "nobody"]


def _search_sqls(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "LIKE" in q["sql"].upper()]


@pytest.mark.parametrize("text", SEARCHES)
def test_a_search_is_read_once_for_the_page_and_the_counters(mixed: Company, text: str) -> None:
    """One query reads the matches; the counters still follow their definitions."""
    query = listing.parse_query({"q": text, "range": "90d"})
    with CaptureQueriesContext(connection) as captured:
        result = listing.interaction_list(company=mixed, query=query)
    if text.startswith("+"):
        # A whole valid number is an equality on ix_phone, no LIKE at all.
        assert _search_sqls(captured) == []
    else:
        assert len(_search_sqls(captured)) == 1
    figures = result.counters
    assert {
        "conversations": figures.conversations,
        "escalated": figures.escalated,
        "converted": figures.converted,
        "leads": figures.leads,
        "replied_leads": figures.replied_leads,
        "high_activity": figures.high_activity,
    } == by_hand(mixed, query.filters)
    expected = listing.filtered_interactions(company=mixed, filters=query.filters, now=NOW)
    newest = list(expected.order_by("-last_activity_at", "-id").values_list("id", flat=True))
    assert [row.pk for row in result.page.rows] == newest[: listing.PAGE_SIZE]


def test_a_search_with_high_activity_counts_by_its_definition(mixed: Company) -> None:
    filters = InteractionFilters(search="Lead", high_activity=True)
    expected = by_hand(mixed, filters)
    assert expected["conversations"] > 0
    figures = listing.counters(company=mixed, filters=filters, now=NOW)
    assert (figures.conversations, figures.leads, figures.high_activity) == (
        expected["conversations"],
        expected["leads"],
        expected["high_activity"],
    )


def _walk(
    mixed: Company, filters: InteractionFilters, *, in_memory: bool, size: int
) -> list[tuple[list[int], str, str]]:
    """Every page forwards to the end, then backwards to the start, as the links go."""
    qs = listing.filtered_interactions(company=mixed, filters=filters, now=NOW)
    matches = listing._search_matches(qs)
    assert matches is not None

    def page(
        after: listing.Cursor | None, before: listing.Cursor | None
    ) -> listing.InteractionPage:
        if in_memory:
            return listing._page_of_matches(
                company=mixed,
                matches=matches,
                sort=filters.sort,
                after=after,
                before=before,
                size=size,
            )
        return listing.page_of(qs, sort=filters.sort, after=after, before=before, size=size)

    def seen(p: listing.InteractionPage) -> tuple[list[int], str, str]:
        return (
            [row.pk for row in p.rows],
            p.next_cursor.encode() if p.next_cursor else "",
            p.previous_cursor.encode() if p.previous_cursor else "",
        )

    pages = [page(None, None)]
    # Bounded: a cursor that failed to move on would otherwise walk forever.
    while pages[-1].next_cursor is not None and len(pages) < 100:
        pages.append(page(pages[-1].next_cursor, None))
    while pages[-1].previous_cursor is not None and len(pages) < 200:
        pages.append(page(None, pages[-1].previous_cursor))
    # Positions between rows and past either end, as an old link can hold.
    for moment in (NOW - timedelta(days=1, microseconds=7), NOW + timedelta(days=1)):
        for row_id in (0, 10**9):
            cursor = listing.Cursor(at=moment, id=row_id)
            pages += [page(cursor, None), page(None, cursor)]
    pages.append(page(listing.Cursor(at=NOW - timedelta(days=400), id=1), None))
    return [seen(p) for p in pages]


@pytest.mark.parametrize("sort", list(listing.Sort))
@pytest.mark.parametrize("size", [1, 7, 50])
def test_a_searchs_pages_read_from_memory_are_the_pages_of_the_database(
    mixed: Company, sort: listing.Sort, size: int
) -> None:
    """Ties of last activity included (the data set has many): the same rows and links."""
    filters = InteractionFilters(search="Lead", sort=sort, time_range=TimeRange.DAYS_90)
    from_memory = _walk(mixed, filters, in_memory=True, size=size)
    assert from_memory == _walk(mixed, filters, in_memory=False, size=size)
    if size < 50:
        assert from_memory[0][1], "the walk must cross pages"


def test_a_search_with_too_many_matches_is_counted_by_the_database(
    mixed: Company, monkeypatch: pytest.MonkeyPatch
) -> None:
    query = listing.parse_query({"q": "Lead", "range": "90d"})
    read_once = listing.interaction_list(company=mixed, query=query)
    monkeypatch.setattr(listing, "SEARCH_ONCE_MAX", 3)
    with CaptureQueriesContext(connection) as captured:
        by_queries = listing.interaction_list(company=mixed, query=query)
    # The capped read that found too many, then the page, the counters and High Activity.
    assert len(_search_sqls(captured)) == 4
    assert by_queries.counters == read_once.counters
    assert [r.pk for r in by_queries.page.rows] == [r.pk for r in read_once.page.rows]
    assert by_queries.page.next_cursor == read_once.page.next_cursor


def test_the_time_key_sorts_and_reads_back_like_the_stored_time(mixed: Company) -> None:
    some = Interaction.objects.filter(company=mixed).order_by("id")[:3]
    for n, interaction in enumerate(some):
        # With and without microseconds: SQLite stores the two in different text lengths.
        interaction.last_activity_at = NOW - timedelta(hours=n, microseconds=n * 250_001)
        interaction.save(update_fields=["last_activity_at"])
    rows = Interaction.objects.filter(company=mixed).annotate(
        key=listing._TimeKey("last_activity_at")
    )
    stored = [(row.key, row.last_activity_at) for row in rows]
    for key, at in stored:
        assert key == listing._time_key(at)
        assert listing._key_time(key) == at
    assert sorted(stored, key=lambda pair: pair[0]) == sorted(stored, key=lambda pair: pair[1])


def test_each_rows_links_are_its_own_with_the_lists_filters(
    mixed: Company, company_admin: Any
) -> None:
    """The row links are built once per page; they must still be each row's reversed URL."""
    client = Client()
    client.force_login(company_admin)
    params = {"goal": Goal.SPEED_TO_LEAD, "range": "90d"}
    page = client.get(reverse("interactions"), params).content.decode()
    rows = listing.filtered_interactions(
        company=mixed, filters=listing.parse_query(params).filters, now=NOW
    ).order_by("-last_activity_at", "-id")
    query = "?" + urlencode(params)
    assert rows.count() > 2
    for interaction in rows[:3]:
        pk = interaction.pk
        for expected in (
            reverse("interaction", args=[pk]) + query,
            reverse("interaction-drawer", args=[pk]) + query,
            reverse("interaction-row", args=[pk]),
            reverse("interactions") + query + f"&open={pk}",
        ):
            assert f'"{html_lib.escape(expected)}"' in page, expected
