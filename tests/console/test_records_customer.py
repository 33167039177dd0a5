"""The customer and opportunity records behind the links of the Interactions drawer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from leadline.accounts.models import Company
from leadline.crm.models import Opportunity
from leadline.kit import clock
from tests.builders import make_customer, make_interaction, make_lead, make_user
from tests.console.test_records_world import NOW, World, build_world, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    with clock.use_clock(clock.VirtualClock(NOW)):
        yield


@pytest.fixture
def world(company: Company) -> World:
    return build_world(company)


def test_the_customer_record_shows_contact_details_and_everything_linked(world: World) -> None:
    viewer = make_user(world.company, role="Viewer")
    html = signed_in(viewer).get(f"/customers/{world.customer.pk}/").content.decode()
    assert "<h1>Dana Ruiz</h1>" in html
    for fact in ("(512) 555-0143", "dana@example.test", "1401 S Congress Ave, 78704"):
        assert fact in html
    assert f'href="/leads/{world.lead.pk}/">Dana Ruiz</a>' in html
    assert f'href="/opportunities/{world.opportunity.pk}/">AC replacement estimate</a>' in html
    assert "$8,400" in html
    assert "HVAC tune-up" in html and "Completed" in html and "Agent" in html
    assert '<span class="ix-badge ix-badge-active">Active: Hot</span>' in html
    assert f'href="/growth/interactions/{world.interaction.pk}/"' in html


def test_a_customer_with_nothing_linked_says_so(company: Company) -> None:
    customer = make_customer(company, first_name="Lee", last_name="Park", phone="", zip="")
    viewer = make_user(company, role="Viewer")
    html = signed_in(viewer).get(f"/customers/{customer.pk}/").content.decode()
    assert "No leads are linked to this customer." in html
    assert "The agent has had no conversations with this customer yet." in html
    assert "No opportunities for this customer yet." in html
    assert "No jobs booked for this customer yet." in html
    assert "Not known" in html


def test_interactions_of_the_customers_leads_are_listed_even_without_the_customer_link(
    world: World,
) -> None:
    other_lead = make_lead(world.company, customer=world.customer, first_name="Dan")
    interaction = make_interaction(world.company, lead=other_lead)
    interaction.customer = None
    interaction.save()
    html = signed_in(world.csr).get(f"/customers/{world.customer.pk}/").content.decode()
    assert f'href="/growth/interactions/{interaction.pk}/"' in html


def test_the_opportunity_record_shows_its_facts_links_interactions_and_jobs(world: World) -> None:
    viewer = make_user(world.company, role="Viewer")
    html = signed_in(viewer).get(f"/opportunities/{world.opportunity.pk}/").content.decode()
    assert "<h1>AC replacement estimate</h1>" in html
    for fact in ("Open", "HVAC replacement estimate", "$8,400"):
        assert fact in html
    assert f'href="/customers/{world.customer.pk}/">Dana Ruiz</a>' in html
    assert f'href="/leads/{world.lead.pk}/">Dana Ruiz</a>' in html
    assert f'href="/growth/interactions/{world.interaction.pk}/"' in html
    assert '<span class="ix-badge ix-badge-active">Active: Hot</span>' in html
    assert "HVAC tune-up" in html


def test_an_opportunity_with_nothing_linked_says_so(company: Company) -> None:
    opportunity = Opportunity.objects.create(company=company, title="Panel upgrade", created_at=NOW)
    viewer = make_user(company, role="Viewer")
    html = signed_in(viewer).get(f"/opportunities/{opportunity.pk}/").content.decode()
    assert "No conversations are linked to this opportunity yet." in html
    assert "No jobs booked for this opportunity yet." in html
    assert html.count("Not linked") == 2
