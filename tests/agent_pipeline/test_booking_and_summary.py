"""Booking by the agent, the race for the last slot, and the Overview Summary."""

from __future__ import annotations

import re

from leadline.accounts.models import Company
from leadline.agent.summary import build_summary
from leadline.campaigns.models import Campaign
from leadline.campaigns.services import start_campaign_for_lead
from leadline.capacity.models import ArrivalWindow
from leadline.channels.services import receive_sms
from leadline.crm.models import Job
from leadline.interactions.models import Author, Interaction, Message
from leadline.simulation.runner import VirtualWorker
from tests.builders import make_lead


def converse(shop: Company, campaign: Campaign, worker: VirtualWorker, *texts: str) -> Interaction:
    interaction = start_campaign_for_lead(lead=make_lead(shop), campaign=campaign)
    worker.run_due()
    for text in texts:
        receive_sms(company=shop, from_phone="+15125550143", body=text)
        worker.run_due()
    interaction.refresh_from_db()
    return interaction


def window_id(offered: dict[str, int]) -> int:
    """The brain's memory of an offered window (its key has been "id" and "window_id")."""
    return offered.get("window_id", offered.get("id", 0))


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text.strip()) if s]


def test_the_agent_books_an_offered_window_and_consumes_capacity(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker
) -> None:
    interaction = converse(shop, sms_campaign, worker, "yes please", "the second one")
    assert interaction.status_label == "Converted: Agent"
    job = Job.objects.get(interaction=interaction)
    assert (job.job_type, job.booked_by) == ("ac_repair", Job.BookedBy.AGENT)
    assert job.arrival_window.booked == 1
    assert job.arrival_start.astimezone(job.arrival_window.starts_at.tzinfo).hour in (10, 16)


def test_when_someone_else_takes_the_last_slot_first_the_agent_offers_again(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker
) -> None:
    interaction = converse(shop, sms_campaign, worker, "yes please")
    offered = [window_id(w) for w in interaction.agent_state["offered"]]
    first = ArrivalWindow.objects.get(pk=offered[0])
    ArrivalWindow.objects.filter(pk=first.pk).update(booked=first.capacity)
    receive_sms(company=shop, from_phone="+15125550143", body="the first one")
    worker.run_due()
    interaction.refresh_from_db()
    assert interaction.status.startswith("active")
    assert not Job.objects.filter(interaction=interaction).exists()
    answer = Message.objects.filter(interaction=interaction, author=Author.AGENT).latest("id")
    assert "taken" in answer.body.lower() or "booked" in answer.body.lower()
    assert first.pk not in [window_id(w) for w in interaction.agent_state["offered"]]


def test_the_summary_of_a_booking_says_who_what_and_when(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker
) -> None:
    interaction = converse(shop, sms_campaign, worker, "yes please", "the first one works")
    summary = interaction.summary
    assert 2 <= len(sentences(summary)) <= 4
    assert summary.startswith("Dana Ruiz (78704) needs AC repair")
    assert "The agent booked AC repair for Wed, Mar 4, 8-10 am." in summary


def test_the_summary_of_an_escalation_says_why_and_what_is_pending(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker
) -> None:
    interaction = converse(shop, sms_campaign, worker, "can i just talk to a person")
    summary = interaction.summary
    assert 2 <= len(sentences(summary)) <= 4
    assert "the lead asked for a person" in summary
    assert "waiting for a team member" in summary


def test_the_summary_follows_every_change(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker
) -> None:
    interaction = converse(shop, sms_campaign, worker)
    assert "Waiting for a first reply" in interaction.summary
    receive_sms(company=shop, from_phone="+15125550143", body="yes what do you have")
    worker.run_due()
    interaction.refresh_from_db()
    assert "The agent offered Wed, Mar 4, 8-10 am" in interaction.summary
    assert interaction.summary == build_summary(interaction)


def test_a_job_type_named_after_a_thing_reads_as_a_service_in_the_summary() -> None:
    from leadline.agent.summary import need_phrase

    assert need_phrase("garage_door_opener") == "garage door opener service"
    assert need_phrase("ac_repair") == "AC repair"
    assert need_phrase("hvac_tune_up") == "HVAC tune-up"
