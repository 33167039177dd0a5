"""What a team member does, each on the timeline with who did it."""

from __future__ import annotations

import pytest

from leadline.accounts.models import Company, User
from leadline.campaigns.models import Campaign
from leadline.campaigns.services import set_campaign_enabled, start_campaign_for_lead
from leadline.capacity.models import ArrivalWindow
from leadline.capacity.selectors import free_windows
from leadline.capacity.services import open_windows
from leadline.channels.services import receive_sms
from leadline.channels.simulator import SimulatorProvider
from leadline.compliance.services import record_opt_out
from leadline.crm.models import Job, Lead
from leadline.crm.services import delete_lead, merge_leads
from leadline.interactions.models import Author, Interaction, InteractionEvent, Message
from leadline.interactions.services import (
    book_as_human,
    dismiss,
    send_human_message,
    take_over,
)
from leadline.kit.errors import DomainError
from leadline.simulation.runner import VirtualWorker
from tests.builders import make_lead


def started(shop: Company, campaign: Campaign, worker: VirtualWorker, **lead: str) -> Interaction:
    interaction = start_campaign_for_lead(lead=make_lead(shop, **lead), campaign=campaign)
    worker.run_due()
    interaction.refresh_from_db()
    return interaction


def first_hvac_window(shop: Company) -> ArrivalWindow:
    open_windows(company=shop, days=7)
    window = free_windows(company=shop, job_type="ac_repair").first()
    assert window is not None
    return window


def test_takeover_pauses_the_agent_for_every_open_interaction_of_the_lead(
    shop: Company,
    sms_campaign: Campaign,
    voice_campaign: Campaign,
    worker: VirtualWorker,
    csr: User,
) -> None:
    one = started(shop, sms_campaign, worker)
    lead = Lead.objects.get(pk=one.lead_id)
    two = start_campaign_for_lead(lead=lead, campaign=voice_campaign)
    take_over(lead=lead, actor=csr)
    for interaction in (one, two):
        interaction.refresh_from_db()
        assert interaction.status_label == "Takeover"
    lead.refresh_from_db()
    assert lead.agent_paused_at is not None
    assert lead.agent_paused_by == csr
    event = InteractionEvent.objects.get(lead=lead, kind=InteractionEvent.Kind.TAKEOVER)
    assert event.actor == csr
    worker.run_to_end()
    assert Message.objects.filter(interaction__lead=lead, author=Author.AGENT).count() == 1


def test_a_team_member_texts_from_the_lead_record(
    shop: Company,
    sms_campaign: Campaign,
    worker: VirtualWorker,
    csr: User,
    provider: SimulatorProvider,
) -> None:
    interaction = started(shop, sms_campaign, worker)
    take_over(lead=interaction.lead, actor=csr)
    message = send_human_message(interaction=interaction, actor=csr, body="Hi, Sam here.")
    worker.run_due()
    message.refresh_from_db()
    assert message.author == Author.HUMAN
    assert message.author_user == csr
    assert message.delivery_status == Message.Delivery.DELIVERED
    assert provider.sent[-1].body == "Hi, Sam here."


def test_a_team_member_cannot_text_an_opted_out_number(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker, csr: User
) -> None:
    interaction = started(shop, sms_campaign, worker)
    record_opt_out(company=shop, phone="+15125550143", method="keyword", raw_text="STOP")
    with pytest.raises(DomainError):
        send_human_message(interaction=interaction, actor=csr, body="Are you sure?")


def test_booking_as_a_person_converts_it_as_human(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker, csr: User
) -> None:
    interaction = started(shop, sms_campaign, worker)
    take_over(lead=interaction.lead, actor=csr)
    window = first_hvac_window(shop)
    job = book_as_human(interaction=interaction, actor=csr, window=window)
    interaction.refresh_from_db()
    assert interaction.status_label == "Converted: Human"
    assert (job.job_type, job.booked_by, job.booked_by_user) == (
        "ac_repair",
        Job.BookedBy.HUMAN,
        csr,
    )
    window.refresh_from_db()
    assert window.booked == 1
    change = InteractionEvent.objects.get(interaction=interaction, to_status="converted.human")
    assert change.actor == csr
    assert "A team member booked AC repair" in interaction.summary


def test_dismissing_as_a_person(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker, csr: User
) -> None:
    interaction = started(shop, sms_campaign, worker)
    dismiss(interaction=interaction, actor=csr, reason="Duplicate of a job already booked")
    interaction.refresh_from_db()
    assert interaction.status_label == "Dismissed: Human"
    change = InteractionEvent.objects.get(interaction=interaction, to_status="dismissed.human")
    assert (change.actor, change.detail) == (csr, "Duplicate of a job already booked")
    worker.run_to_end()
    assert Message.objects.filter(interaction=interaction, author=Author.AGENT).count() == 1


def test_switching_a_campaign_off_terminates_its_open_interactions(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker, csr: User
) -> None:
    interaction = started(shop, sms_campaign, worker)
    set_campaign_enabled(campaign=sms_campaign, enabled=False, actor=csr)
    interaction.refresh_from_db()
    assert interaction.status_label == "Terminated"
    worker.run_to_end()
    assert Message.objects.filter(interaction=interaction, author=Author.AGENT).count() == 1


def test_deleting_a_lead_terminates_its_interactions(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker, csr: User
) -> None:
    interaction = started(shop, sms_campaign, worker)
    delete_lead(lead=interaction.lead, actor=csr)
    interaction.refresh_from_db()
    assert interaction.status_label == "Terminated"
    assert "deleted" in interaction.summary


def test_merging_a_duplicate_lead_terminates_its_interactions(
    shop: Company,
    sms_campaign: Campaign,
    inbound_campaign: Campaign,
    worker: VirtualWorker,
    csr: User,
) -> None:
    duplicate = started(shop, sms_campaign, worker)
    keeper = make_lead(shop, first_name="Dana", phone="+15125550199")
    merge_leads(source=duplicate.lead, target=keeper, actor=csr)
    duplicate.refresh_from_db()
    assert duplicate.status_label == "Terminated"
    # Texts from the merged number now belong to the surviving lead.
    receive_sms(company=shop, from_phone="+15125550143", body="hello")
    assert Message.objects.filter(interaction__lead=keeper, author=Author.LEAD).exists()


def test_the_summary_after_a_takeover_says_who_took_over_and_why_the_agent_had_escalated(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker, csr: User
) -> None:
    interaction = started(shop, sms_campaign, worker)
    receive_sms(company=shop, from_phone=interaction.lead_phone, body="can I talk to a real person")
    worker.run_due()
    interaction.refresh_from_db()
    assert interaction.status == "escalated.human_request"
    take_over(lead=Lead.objects.get(pk=interaction.lead_id), actor=csr)
    interaction.refresh_from_db()
    assert "Sam Patel took over after the agent escalated it because" in interaction.summary
    assert "the agent sends nothing more to this lead" in interaction.summary


def test_the_summary_of_a_takeover_without_escalation_names_only_who_took_over(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker, csr: User
) -> None:
    interaction = started(shop, sms_campaign, worker)
    take_over(lead=Lead.objects.get(pk=interaction.lead_id), actor=csr)
    interaction.refresh_from_db()
    assert "Sam Patel took over; the agent sends nothing more" in interaction.summary
    assert "escalated" not in interaction.summary
