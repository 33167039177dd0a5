"""The day rollup behind the counters stays exact on every write path; first_of_lead and
the substring search indexes do what the counters and the search rely on."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Min
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadline.accounts.models import Company
from leadline.campaigns.models import Channel, Goal
from leadline.crm.models import Lead
from leadline.demo import reference
from leadline.demo.bulk import generate_interactions
from leadline.demo.loader import load_demo
from leadline.demo.reference import ensure_reference_company
from leadline.interactions import listing, rollup, statuses
from leadline.interactions.listing import InteractionFilters, TimeRange
from leadline.interactions.models import Interaction, InteractionDayCount
from leadline.interactions.services import add_message, change_status, start_interaction
from leadline.kit import clock
from tests.builders import make_campaign, make_company, make_lead

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)


def assert_exact(company: Company) -> None:
    assert rollup.stored(company) == rollup.recount(company)


def test_the_services_keep_the_rollup_exact(company: Company) -> None:
    campaign = make_campaign(company)
    virtual = clock.VirtualClock(NOW)
    with clock.use_clock(virtual):
        interaction = start_interaction(campaign=campaign, lead=make_lead(company))
        assert_exact(company)
        add_message(interaction=interaction, direction="outbound", author="agent", body="Hi")
        virtual.advance(timedelta(hours=1))  # past midnight UTC: another day's bucket
        add_message(interaction=interaction, direction="inbound", author="lead", body="Yes")
        assert_exact(company)
        change_status(interaction=interaction, to="active.hot")
        change_status(interaction=interaction, to="escalated.human_request")
        assert_exact(company)
    day = rollup.stored(company)
    assert list(day.values()) == [(1, 1)]
    assert next(iter(day))[0] == "2026-03-11"


def test_other_writes_keep_it_exact_too(company: Company) -> None:
    """Direct saves, queryset updates, deletes and cascades: the triggers see them all."""
    campaign = make_campaign(company)
    with clock.use_clock(clock.VirtualClock(NOW)):
        kept = start_interaction(campaign=campaign, lead=make_lead(company))
        gone = start_interaction(campaign=campaign, lead=make_lead(company))
    kept.goal = Goal.INBOUND_SMS
    kept.last_activity_at = NOW - timedelta(days=3)
    kept.save()
    Interaction.objects.filter(pk=kept.pk).update(inbound_count=2, status="abandoned")
    assert_exact(company)
    gone.delete()
    assert_exact(company)
    Lead.objects.filter(pk=kept.lead_id).delete()
    assert_exact(company)
    assert rollup.stored(company) == {}


def test_the_bulk_generator_keeps_it_exact_and_marks_each_lead_first(db: None) -> None:
    with clock.use_clock(clock.VirtualClock(NOW)):
        company = ensure_reference_company()
        generate_interactions(company=company, count=120, out=io.StringIO())
    assert_exact(company)
    generated = Interaction.objects.for_company(company)
    assert generated.count() == 120
    assert not generated.filter(first_of_lead=False).exists()


ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["start", "inbound", "outbound", "status", "delete", "move"]),
        st.integers(min_value=0, max_value=5),
        st.integers(min_value=0, max_value=40),
    ),
    min_size=1,
    max_size=14,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=ACTIONS)
def test_any_sequence_of_writes_keeps_the_rollup_and_the_counters_exact(
    db: None, actions: list[tuple[str, int, int]]
) -> None:
    with transaction.atomic():
        company = make_company()
        campaigns = [
            make_campaign(company, name="a", goal=Goal.SPEED_TO_LEAD, channel=Channel.SMS),
            make_campaign(company, name="b", goal=Goal.INBOUND_SMS, channel=Channel.SMS),
        ]
        leads = [make_lead(company, first_name=f"L{n}") for n in range(3)]
        virtual = clock.VirtualClock(NOW - timedelta(days=40))
        with clock.use_clock(virtual):
            for action, pick, hours in actions:
                virtual.advance(timedelta(hours=hours))
                existing = list(Interaction.objects.filter(company=company).order_by("id"))
                if action == "start" or not existing:
                    start_interaction(campaign=campaigns[pick % 2], lead=leads[pick % 3])
                    continue
                target = existing[pick % len(existing)]
                if action in ("inbound", "outbound"):
                    author = "lead" if action == "inbound" else "agent"
                    add_message(interaction=target, direction=action, author=author, body="x")
                elif action == "status":
                    allowed = sorted(statuses.ALLOWED.get(target.status, ()))
                    if allowed:
                        change_status(interaction=target, to=allowed[pick % len(allowed)])
                elif action == "delete":
                    target.delete()
                else:
                    Interaction.objects.filter(pk=target.pk).update(
                        last_activity_at=NOW - timedelta(hours=hours * 7)
                    )
        assert_exact(company)
        rows = list(Interaction.objects.filter(company=company))
        for time_range in (TimeRange.DAYS_7, TimeRange.DAYS_30, TimeRange.DAYS_90):
            for goal in ("", Goal.INBOUND_SMS):
                filters = InteractionFilters(time_range=time_range, goal=goal)
                start, _end = listing.time_bounds(company=company, filters=filters, now=NOW)
                chosen = [
                    r for r in rows if r.last_activity_at >= start and (not goal or r.goal == goal)
                ]
                figures = listing.counters(company=company, filters=filters, now=NOW)
                assert figures.conversations == len(chosen)
                assert figures.leads == len({r.lead_id for r in chosen})
                assert figures.replied_leads == len({r.lead_id for r in chosen if r.inbound_count})
        transaction.set_rollback(True)


def test_a_lead_has_one_first_interaction_at_most(company: Company) -> None:
    campaign = make_campaign(company)
    lead = make_lead(company)
    one = start_interaction(campaign=campaign, lead=lead)
    two = start_interaction(campaign=campaign, lead=lead)
    assert (one.first_of_lead, two.first_of_lead) == (True, False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Interaction.objects.filter(pk=two.pk).update(first_of_lead=True)


def test_the_triggers_are_in_place_after_every_migration(db: None) -> None:
    """A later migration that rebuilds the interactions table (SQLite does that for many
    field changes) would drop them silently: this fails first."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'interactions_interaction'::regclass"
            )
        names = {row[0] for row in cursor.fetchall()}
    expected = {"interaction_day_count_insert", "interaction_day_count_update"}
    expected |= {"interaction_day_count_delete"}
    if connection.vendor == "sqlite":
        expected |= {"interaction_search_insert", "interaction_search_update"}
        expected |= {"interaction_search_delete"}
    assert expected <= names


@pytest.mark.parametrize(
    "text", ["garc", "GARC", "Rosa G", "arcía", "5550", "512555", "0% D", "a_b", 'say "hi"']
)
def test_substring_search_finds_what_a_plain_scan_finds(company: Company, text: str) -> None:
    campaign = make_campaign(company)
    names = [("Rosa", "García"), ("Mark", "Garcia"), ("A_b", "100% Done"), ("Hi", 'say "hi"')]
    for n, (first, last) in enumerate(names):
        lead = make_lead(company, first_name=first, last_name=last, phone=f"+1512555{n:04d}")
        start_interaction(campaign=campaign, lead=lead)
    moved = Interaction.objects.filter(company=company, lead_name="Mark Garcia")
    moved.update(lead_name="Marco Garcia")  # renamed: the search index follows
    found = set(
        listing.filtered_interactions(
            company=company, filters=InteractionFilters(search=text), now=clock.now()
        ).values_list("lead_name", flat=True)
    )
    rows = Interaction.objects.filter(company=company)
    if any(ch.isalpha() for ch in text):
        plain = {r.lead_name for r in rows if text.lower() in r.lead_name.lower()}
    else:
        digits = "".join(ch for ch in text if ch.isdigit())
        plain = {r.lead_name for r in rows if digits in r.lead_phone}
    assert found == plain


def test_the_rollup_is_per_company(company: Company, other_company: Company) -> None:
    start_interaction(campaign=make_campaign(other_company), lead=make_lead(other_company))
    assert rollup.stored(company) == {}
    assert InteractionDayCount.objects.filter(company=other_company).count() == 1


def test_the_demo_story_marks_each_leads_first_interaction(db: None) -> None:
    """As start_interaction would have: the lead's lowest id, and only that one."""
    load_demo(reset=False, interactions=None, out=io.StringIO())
    company = Company.objects.get(slug=reference.SLUG)
    story = Interaction.objects.for_company(company)
    assert story.count() > 400
    firsts = set(story.filter(first_of_lead=True).values_list("id", flat=True))
    lowest = {row["first"] for row in story.values("lead_id").annotate(first=Min("id"))}
    assert firsts == lowest
    assert_exact(company)
