"""The lead record: details, one timeline of everything, takeover and the chat area."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from leadline.accounts.models import Company, User
from leadline.campaigns.models import Campaign
from leadline.campaigns.services import start_campaign_for_lead
from leadline.capacity.services import set_standard_week
from leadline.channels.base import use_provider
from leadline.channels.simulator import SimulatorProvider
from leadline.crm.models import Lead
from leadline.crm.services import delete_lead, merge_leads
from leadline.interactions.models import Author, Interaction, InteractionEvent, Message
from leadline.interactions.services import queue_outbound_message
from leadline.kit import clock
from leadline.kit.clock import VirtualClock
from leadline.simulation.runner import VirtualWorker
from tests.builders import (
    make_campaign,
    make_interaction,
    make_lead,
    make_opt_out,
    make_user,
)
from tests.console.test_records_world import (
    AGENT_TEXT,
    LEAD_TEXT,
    NOW,
    TRANSCRIPT_LINE,
    World,
    build_world,
    lead_url,
    signed_in,
    snapshot,
)

pytestmark = pytest.mark.django_db

BANNER = re.compile(
    r"The agent is paused for this lead</strong> since <time[^>]*>Mar 10, 10:00 AM</time>, "
    r"taken over by Sam Patel"
)


@pytest.fixture
def virtual_clock() -> Iterator[VirtualClock]:
    virtual = VirtualClock(NOW)
    with clock.use_clock(virtual):
        yield virtual


@pytest.fixture
def provider() -> Iterator[SimulatorProvider]:
    simulator = SimulatorProvider()
    with use_provider(simulator):
        yield simulator


@pytest.fixture
def world(company: Company, virtual_clock: VirtualClock) -> World:
    return build_world(company)


def html_of(user: User, url: str) -> str:
    response = signed_in(user).get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_lead_record_shows_the_details_and_the_linked_records(world: World) -> None:
    html = html_of(world.csr, lead_url(world))
    assert "<h1>Dana Ruiz</h1>" in html
    for fact in (
        "(512) 555-0143",
        'href="tel:+15125550143"',
        "dana@example.test",
        "78704",
        "1401 S Congress Ave",
        "AC not cooling",
        "Web form",
        "Mar 10, 8:00 AM",
    ):
        assert fact in html
    assert f'href="/customers/{world.customer.pk}/"' in html
    assert f'href="/opportunities/{world.opportunity.pk}/">AC replacement estimate</a>' in html
    assert f'href="/growth/interactions/{world.interaction.pk}/"' in html


def test_the_timeline_has_every_conversation_in_time_order(world: World) -> None:
    html = html_of(world.csr, lead_url(world))
    timeline = html.split("data-live-list", 1)[1].split('id="chat"', 1)[0]
    agent, lead, call = (timeline.index(t) for t in (AGENT_TEXT, LEAD_TEXT, TRANSCRIPT_LINE))
    assert agent < lead < call
    assert '<span class="ix-entry-author">Agent</span>' in timeline
    assert '<span class="ix-delivery ix-delivery-delivered">Delivered</span>' in timeline
    assert '<span class="ix-entry-author">Dana Ruiz</span>' in timeline
    assert (
        '<span class="rec-from">Started</span> <span aria-hidden="true">→</span>'
        '<span class="ix-sr-only"> to </span> '
        '<span class="ix-badge ix-badge-active">Active: Hot</span>'
    ) in timeline
    assert "Speed to Lead · Voice Agent" in timeline


def test_without_listen_to_call_recording_calls_are_absent_from_the_page(world: World) -> None:
    viewer = make_user(world.company, role="Viewer")
    html = html_of(viewer, lead_url(world))
    assert TRANSCRIPT_LINE not in html
    assert 'aria-label="Call transcript"' not in html
    assert "Call transcript hidden: needs Listen to Call Recording (1 call)" in html
    # The texts are still there for a Viewer.
    assert AGENT_TEXT in html


def test_before_takeover_the_chat_says_take_over_first(world: World) -> None:
    html = html_of(world.csr, lead_url(world))
    assert "Take over first to reply." in html
    assert f'action="{lead_url(world, "messages/")}"' not in html
    assert '<textarea id="chat-body" rows="2" disabled' in html


def test_replying_before_a_takeover_is_refused_with_a_message(world: World) -> None:
    client = signed_in(world.csr)
    before = snapshot(world)
    response = client.post(lead_url(world, "messages/"), {"body": "Hello?"}, follow=True)
    assert "Take over first to reply: the agent is still handling this lead." in (
        response.content.decode()
    )
    assert snapshot(world) == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_takeover_asks_for_confirmation_first(world: World, method: str) -> None:
    client = signed_in(world.csr)
    before = snapshot(world)
    response = getattr(client, method)(lead_url(world, "takeover/"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Take over Dana Ruiz from the agent?" in html
    assert 'name="confirm" value="yes"' in html
    assert snapshot(world) == before


def test_takeover_pauses_the_agent_and_shows_the_banner(world: World) -> None:
    client = signed_in(world.csr)
    response = client.post(lead_url(world, "takeover/"), {"confirm": "yes"})
    assert response.status_code == 302
    assert response["Location"] == lead_url(world, "#reply")
    labels = set(Interaction.objects.filter(lead=world.lead).values_list("status", flat=True))
    assert labels == {"takeover"}
    lead = Lead.objects.get(pk=world.lead.pk)
    assert (lead.agent_paused_at, lead.agent_paused_by) == (NOW, world.csr)
    html = client.get(response["Location"]).content.decode()
    assert "Taken over. The agent is paused for this lead." in html
    assert BANNER.search(html)
    assert "data-takeover-open" not in html
    assert f'action="{lead_url(world, "messages/")}"' in html
    assert '<span class="rec-event-title">Takeover</span>' in html
    assert '<span class="ix-badge ix-badge-closed">Takeover</span>' in html


def test_a_second_takeover_is_refused_and_recorded_once(world: World) -> None:
    client = signed_in(world.csr)
    client.post(lead_url(world, "takeover/"), {"confirm": "yes"})
    other = make_user(world.company, role="CSR", first_name="Rita")
    response = signed_in(other).post(lead_url(world, "takeover/"), {"confirm": "yes"}, follow=True)
    html = response.content.decode()
    assert "This lead was already taken over by Sam Patel; the agent is paused for it." in html
    kinds = InteractionEvent.objects.filter(lead=world.lead, kind=InteractionEvent.Kind.TAKEOVER)
    assert kinds.count() == 1


def test_a_team_members_message_appears_in_the_thread_with_their_name(world: World) -> None:
    client = signed_in(world.csr)
    client.post(lead_url(world, "takeover/"), {"confirm": "yes"})
    response = client.post(
        lead_url(world, "messages/"), {"body": "Sam here, Thursday 8-10 works?"}, follow=True
    )
    html = response.content.decode()
    assert "Message queued to send." in html
    message = Message.objects.get(author=Author.HUMAN)
    assert (message.author_user, message.interaction_id) == (world.csr, world.interaction.pk)
    entry = html.split(f'data-live-key="m{message.pk}"', 1)[1].split("</li>", 1)[0]
    assert '<span class="ix-entry-author">Sam Patel</span>' in entry
    assert "Sam here, Thursday 8-10 works?" in entry
    assert "Queued" in entry


def test_an_empty_message_is_refused_with_a_message(world: World) -> None:
    client = signed_in(world.csr)
    client.post(lead_url(world, "takeover/"), {"confirm": "yes"})
    response = client.post(lead_url(world, "messages/"), {"body": "   "}, follow=True)
    assert "A message needs some text." in response.content.decode()
    assert not Message.objects.filter(author=Author.HUMAN).exists()


def test_an_opted_out_number_cannot_be_texted_and_the_page_says_why(world: World) -> None:
    client = signed_in(world.csr)
    client.post(lead_url(world, "takeover/"), {"confirm": "yes"})
    make_opt_out(world.company, phone=world.lead.phone)
    response = client.post(lead_url(world, "messages/"), {"body": "Are you sure?"}, follow=True)
    assert response.status_code == 200
    assert "This number cannot be texted" in response.content.decode()
    assert not Message.objects.filter(author=Author.HUMAN).exists()


def test_the_live_part_returns_the_timeline_entries(world: World) -> None:
    page = html_of(world.csr, lead_url(world))
    assert 'data-live-url="/growth/interactions/live/?after=' in page
    assert f"lead={world.lead.pk}" in page
    response = signed_in(world.csr).get(
        lead_url(world, "live/timeline/"), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith("<li")
    assert AGENT_TEXT in html
    assert "<html" not in html


def test_a_deleted_lead_is_kept_for_reading_and_takes_no_action(world: World) -> None:
    delete_lead(lead=world.lead, actor=world.csr)
    html = html_of(world.csr, lead_url(world))
    assert "This lead was deleted." in html
    assert "data-takeover-open" not in html
    response = signed_in(world.csr).post(lead_url(world, "notes/"), {"body": "hello"})
    assert response.status_code == 404


def test_a_merged_lead_links_to_the_lead_it_was_merged_into(world: World) -> None:
    keeper = make_lead(world.company, first_name="Dana", last_name="R", phone="+15125550199")
    merge_leads(source=world.lead, target=keeper, actor=world.csr)
    html = html_of(world.csr, lead_url(world))
    assert "This lead was merged into another lead." in html
    assert f'href="/leads/{keeper.pk}/">Open Dana R</a>' in html
    response = signed_in(world.csr).post(lead_url(world, "notes/"), {"body": "hi"}, follow=True)
    assert "This lead was merged into another one; work on that lead instead." in (
        response.content.decode()
    )


def test_a_lead_with_no_conversation_says_so(company: Company, virtual_clock: VirtualClock) -> None:
    csr = make_user(company, role="CSR")
    lead = make_lead(company)
    html = html_of(csr, f"/leads/{lead.pk}/")
    assert "No activity yet." in html
    assert "No conversations with this lead yet." in html
    assert "No notes yet. Add the first one below." in html


# ---- through the real pipeline --------------------------------------------------------------


@pytest.fixture
def shop(db: None, virtual_clock: VirtualClock, provider: SimulatorProvider) -> Company:
    from tests.builders import make_company

    company = make_company(name="Lone Star Comfort Pros", service_area_zips=["78704"])
    set_standard_week(company=company, trades=["hvac", "plumbing"], slots=2)
    return company


@pytest.fixture
def sms_campaign(shop: Company) -> Campaign:
    return make_campaign(shop)


def test_after_takeover_the_agent_sends_nothing_not_even_what_was_queued(
    shop: Company,
    sms_campaign: Campaign,
    virtual_clock: VirtualClock,
    provider: SimulatorProvider,
) -> None:
    worker = VirtualWorker(virtual_clock)
    csr = make_user(shop, role="CSR", first_name="Sam", last_name="Patel")
    interaction = start_campaign_for_lead(lead=make_lead(shop), campaign=sms_campaign)
    worker.run_due()
    assert len(provider.sent) == 1
    # The cadence's next touch is scheduled; and one more text of the agent waits in the outbox.
    assert worker.pending() >= 1
    queued = queue_outbound_message(
        interaction=interaction,
        body="Still need a hand with the AC?",
        author=Author.AGENT,
        kind="outreach",
    )
    response = signed_in(csr).post(f"/leads/{interaction.lead_id}/takeover/", {"confirm": "yes"})
    assert response.status_code == 302
    worker.run_to_end()
    assert len(provider.sent) == 1
    agent_texts = Message.objects.filter(interaction__lead_id=interaction.lead_id, author="agent")
    assert agent_texts.exclude(delivery_status=Message.Delivery.BLOCKED).count() == 1
    queued.refresh_from_db()
    assert queued.delivery_status == Message.Delivery.BLOCKED
    interaction.refresh_from_db()
    assert interaction.status_label == "Takeover"


def test_a_team_members_text_is_delivered_after_takeover(
    shop: Company,
    sms_campaign: Campaign,
    virtual_clock: VirtualClock,
    provider: SimulatorProvider,
) -> None:
    worker = VirtualWorker(virtual_clock)
    csr = make_user(shop, role="CSR", first_name="Sam", last_name="Patel")
    interaction = start_campaign_for_lead(lead=make_lead(shop), campaign=sms_campaign)
    worker.run_due()
    client = signed_in(csr)
    client.post(f"/leads/{interaction.lead_id}/takeover/", {"confirm": "yes"})
    client.post(f"/leads/{interaction.lead_id}/messages/", {"body": "Hi Dana, Sam here."})
    worker.run_to_end()
    assert [s.body for s in provider.sent][-1] == "Hi Dana, Sam here."
    html = client.get(f"/leads/{interaction.lead_id}/").content.decode()
    assert '<span class="ix-entry-author">Sam Patel</span>' in html
    assert '<span class="ix-delivery ix-delivery-delivered">Delivered</span>' in html


def test_a_takeover_with_no_open_conversation_still_pauses_the_agent(
    company: Company, virtual_clock: VirtualClock
) -> None:
    csr = make_user(company, role="CSR", first_name="Sam", last_name="Patel")
    interaction = make_interaction(company, status="abandoned")
    client = signed_in(csr)
    client.post(f"/leads/{interaction.lead_id}/takeover/", {"confirm": "yes"})
    html = client.get(f"/leads/{interaction.lead_id}/").content.decode()
    assert BANNER.search(html)
    interaction.refresh_from_db()
    assert interaction.status == "abandoned"
