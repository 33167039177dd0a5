"""The counters above the Interactions list, checked against a count done by hand.

The counters are written for speed at a million rows; these tests hold them to their
definitions on a mixed data set (leads with several interactions, every status group,
messages in and out of the High Activity window) for each filter on its own.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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
