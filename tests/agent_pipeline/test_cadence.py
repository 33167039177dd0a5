"""Speed to Lead: the first touch, the follow-up cadence, quiet hours, abandonment."""

from __future__ import annotations

from datetime import datetime, timedelta

from leadline.accounts.models import Company
from leadline.campaigns.models import Campaign
from leadline.campaigns.services import run_touch, start_campaign_for_lead
from leadline.channels.services import receive_sms
from leadline.channels.simulator import SimulatorProvider
from leadline.interactions.models import Author, Interaction, InteractionEvent, Message
from leadline.kit.clock import VirtualClock
from leadline.simulation.runner import VirtualWorker
from tests.builders import make_lead
from tests.shop import CHICAGO


def agent_texts(interaction: Interaction) -> list[Message]:
    return list(Message.objects.filter(interaction=interaction, author=Author.AGENT).order_by("id"))


def test_the_first_touch_goes_out_at_once_and_names_the_business(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker, provider: SimulatorProvider
) -> None:
    interaction = start_campaign_for_lead(lead=make_lead(shop), campaign=sms_campaign)
    worker.run_due()
    interaction.refresh_from_db()
    [first] = agent_texts(interaction)
    assert first.delivery_status == Message.Delivery.DELIVERED
    assert first.provider_id and first.provider_id.startswith("SM")
    assert "Lone Star Comfort Pros" in first.body
    assert "Reply STOP to opt out" in first.body
    assert [s.body for s in provider.sent] == [first.body]
    assert interaction.touches_sent == 1
    assert interaction.status == "started"
    assert interaction.next_touch_at == first.created_at + timedelta(hours=1)


def test_a_touch_that_runs_twice_sends_once(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker, provider: SimulatorProvider
) -> None:
    interaction = start_campaign_for_lead(lead=make_lead(shop), campaign=sms_campaign)
    assert run_touch(interaction_id=interaction.pk, touch=1) == "touch 1 sent"
    assert run_touch(interaction_id=interaction.pk, touch=1) == "skipped: touch 1 already sent"
    worker.run_due()
    assert len(agent_texts(interaction)) == 1
    assert len(provider.sent) == 1


def test_the_whole_cadence_then_abandoned(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker, clock: VirtualClock
) -> None:
    start = clock.now()
    interaction = start_campaign_for_lead(lead=make_lead(shop), campaign=sms_campaign)
    worker.run_to_end()
    interaction.refresh_from_db()
    sent_at = [m.sent_at for m in agent_texts(interaction)]
    assert sent_at == [
        start,
        start + timedelta(hours=1),
        start + timedelta(days=1),
        start + timedelta(days=3),
    ]
    assert interaction.status == "abandoned"
    assert interaction.closed_at == start + timedelta(days=4)
    assert interaction.next_touch_at is None
    path = list(
        InteractionEvent.objects.filter(
            interaction=interaction, kind=InteractionEvent.Kind.STATUS_CHANGED
        ).values_list("to_status", flat=True)
    )
    assert path == ["started", "active.cold", "abandoned"]


def test_the_first_follow_up_makes_a_silent_lead_cold(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker
) -> None:
    interaction = start_campaign_for_lead(lead=make_lead(shop), campaign=sms_campaign)
    worker.advance(timedelta(minutes=59))
    interaction.refresh_from_db()
    assert interaction.status == "started"
    worker.advance(timedelta(minutes=1))
    interaction.refresh_from_db()
    assert interaction.status_label == "Active: Cold"
    assert interaction.touches_sent == 2


def test_a_reply_stops_the_cadence(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker
) -> None:
    lead = make_lead(shop)
    interaction = start_campaign_for_lead(lead=lead, campaign=sms_campaign)
    worker.run_due()
    worker.advance(timedelta(minutes=20))
    receive_sms(company=shop, from_phone=lead.phone, body="what does a visit cost?")
    worker.run_to_end()
    interaction.refresh_from_db()
    assert interaction.touches_sent == 1
    assert interaction.status.startswith("active")
    assert interaction.status != "abandoned"


def test_a_late_night_lead_is_texted_when_the_allowed_hours_open(
    shop: Company, sms_campaign: Campaign, clock: VirtualClock, worker: VirtualWorker
) -> None:
    clock.set(datetime(2026, 3, 3, 22, 30, tzinfo=CHICAGO))
    interaction = start_campaign_for_lead(lead=make_lead(shop), campaign=sms_campaign)
    worker.run_due()
    interaction.refresh_from_db()
    assert agent_texts(interaction) == []
    # Texas: 9:00 on a weekday.
    assert interaction.next_touch_at == datetime(2026, 3, 4, 9, 0, tzinfo=CHICAGO)
    worker.advance(timedelta(hours=12))
    first, second = agent_texts(interaction)
    assert first.sent_at == datetime(2026, 3, 4, 9, 0, tzinfo=CHICAGO)
    # The next touch counts from when the first one actually went out.
    assert second.sent_at == datetime(2026, 3, 4, 10, 0, tzinfo=CHICAGO)


def test_a_follow_up_due_at_night_waits_for_the_morning(
    shop: Company, sms_campaign: Campaign, clock: VirtualClock, worker: VirtualWorker
) -> None:
    clock.set(datetime(2026, 3, 3, 20, 30, tzinfo=CHICAGO))
    interaction = start_campaign_for_lead(lead=make_lead(shop), campaign=sms_campaign)
    worker.advance(timedelta(hours=14))
    times = [m.sent_at for m in agent_texts(interaction)]
    assert times == [
        datetime(2026, 3, 3, 20, 30, tzinfo=CHICAGO),
        datetime(2026, 3, 4, 9, 0, tzinfo=CHICAGO),
    ]


def test_an_invalid_number_fails_at_once(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker
) -> None:
    interaction = start_campaign_for_lead(
        lead=make_lead(shop, phone="+1512"), campaign=sms_campaign
    )
    worker.run_due()
    interaction.refresh_from_db()
    assert interaction.status_label == "Failed"
    assert agent_texts(interaction) == []
    assert InteractionEvent.objects.filter(
        interaction=interaction, kind=InteractionEvent.Kind.SYSTEM, detail__contains="+1512"
    ).exists()
    assert "could not reach" in interaction.summary
