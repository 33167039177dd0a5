"""What the lead writes: compliance first, people second, the brain last."""

from __future__ import annotations

from datetime import timedelta

import pytest

from leadline.accounts.models import Company, User
from leadline.campaigns.models import Campaign
from leadline.campaigns.services import start_campaign_for_lead
from leadline.channels.services import receive_sms
from leadline.compliance.models import OptOut
from leadline.crm.models import Lead
from leadline.interactions.models import Author, Interaction, Message
from leadline.interactions.services import change_status, take_over
from leadline.simulation.runner import VirtualWorker
from tests.builders import make_campaign, make_lead


def started(shop: Company, campaign: Campaign, worker: VirtualWorker, **lead: str) -> Interaction:
    interaction = start_campaign_for_lead(lead=make_lead(shop, **lead), campaign=campaign)
    worker.run_due()
    return interaction


def says(shop: Company, worker: VirtualWorker, body: str, phone: str = "+15125550143") -> None:
    receive_sms(company=shop, from_phone=phone, body=body)
    worker.run_due()


def outbound(interaction: Interaction) -> list[Message]:
    return list(
        Message.objects.filter(interaction=interaction, direction="outbound")
        .exclude(delivery_status=Message.Delivery.BLOCKED)
        .order_by("id")
    )


@pytest.mark.parametrize(
    ("text", "method"),
    [
        ("STOP", "keyword"),
        ("stop texting me please", "words"),
        ("no más", "words"),
        ("wrong number", "wrong_number"),
    ],
)
def test_an_opt_out_closes_the_interaction_and_is_confirmed_once(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker, text: str, method: str
) -> None:
    interaction = started(shop, sms_campaign, worker)
    says(shop, worker, text)
    interaction.refresh_from_db()
    assert interaction.status_label == "Opt-out"
    assert OptOut.objects.get(company=shop, phone="+15125550143").method == method
    says(shop, worker, "STOP")
    after = outbound(interaction)
    assert [m.author for m in after] == [Author.AGENT, Author.SYSTEM]
    assert "unsubscribed" in after[-1].body


def test_an_opt_out_closes_every_open_interaction_with_the_number(
    shop: Company, sms_campaign: Campaign, voice_campaign: Campaign, worker: VirtualWorker
) -> None:
    texting = started(shop, sms_campaign, worker)
    calling = start_campaign_for_lead(
        lead=make_lead(shop, first_name="Dana"), campaign=voice_campaign
    )
    says(shop, worker, "Remove me from your list")
    for interaction in (texting, calling):
        interaction.refresh_from_db()
        assert interaction.status == "opt_out"


def test_start_after_an_opt_out_resubscribes(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker
) -> None:
    interaction = started(shop, sms_campaign, worker)
    says(shop, worker, "STOP")
    says(shop, worker, "START")
    assert not OptOut.objects.get(company=shop, phone="+15125550143").active
    assert "resubscribed" in outbound(interaction)[-1].body
    interaction.refresh_from_db()
    assert interaction.status == "opt_out"


def test_help_gets_the_company_and_how_to_opt_out(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker
) -> None:
    interaction = started(shop, sms_campaign, worker)
    says(shop, worker, "HELP")
    answer = outbound(interaction)[-1]
    assert answer.author == Author.SYSTEM
    assert "Lone Star Comfort Pros" in answer.body
    assert "(512) 555-0100" in answer.body
    assert "STOP" in answer.body
    interaction.refresh_from_db()
    assert interaction.status == "started"


def test_after_a_takeover_the_agent_stays_silent(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker, csr: User
) -> None:
    interaction = started(shop, sms_campaign, worker)
    take_over(lead=Lead.objects.get(pk=interaction.lead_id), actor=csr)
    says(shop, worker, "hello? can you come tomorrow?")
    assert [m.author for m in outbound(interaction)] == [Author.AGENT]
    assert Message.objects.filter(interaction=interaction, author=Author.LEAD).count() == 1


def test_an_escalated_interaction_waits_for_a_person(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker
) -> None:
    interaction = started(shop, sms_campaign, worker)
    says(shop, worker, "I want to talk to a real person")
    interaction.refresh_from_db()
    assert interaction.status_label == "Escalated (Human Request)"
    count = len(outbound(interaction))
    says(shop, worker, "hello??")
    assert len(outbound(interaction)) == count


def test_a_text_from_an_unknown_number_starts_an_inbound_conversation(
    shop: Company, inbound_campaign: Campaign, worker: VirtualWorker
) -> None:
    says(shop, worker, "hi do you fix garage doors? mine is stuck", phone="(512) 555-0177")
    lead = Lead.objects.get(company=shop, phone="+15125550177")
    assert lead.source == Lead.Source.INBOUND_SMS
    interaction = Interaction.objects.get(lead=lead)
    assert interaction.campaign == inbound_campaign
    [answer] = outbound(interaction)
    assert answer.author == Author.AGENT
    assert "Reply STOP to opt out" in answer.body
    assert interaction.status != "started" or interaction.inbound_count == 1


def test_the_same_carrier_message_twice_is_stored_once(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker
) -> None:
    interaction = started(shop, sms_campaign, worker)
    for _ in range(2):
        receive_sms(company=shop, from_phone="+15125550143", body="yes", provider_id="SMabc")
    worker.run_due()
    assert Message.objects.filter(interaction=interaction, author=Author.LEAD).count() == 1
    assert len([m for m in outbound(interaction) if m.author == Author.AGENT]) == 2


def test_two_quick_texts_get_one_answer(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker
) -> None:
    interaction = started(shop, sms_campaign, worker)
    receive_sms(company=shop, from_phone="+15125550143", body="yes")
    receive_sms(company=shop, from_phone="+15125550143", body="whats the earliest?")
    worker.run_due()
    assert len(outbound(interaction)) == 2


def test_a_lead_who_writes_after_abandonment_gets_a_new_conversation(
    shop: Company, sms_campaign: Campaign, inbound_campaign: Campaign, worker: VirtualWorker
) -> None:
    first = started(shop, sms_campaign, worker)
    worker.run_to_end()
    first.refresh_from_db()
    assert first.status == "abandoned"
    worker.advance(timedelta(days=2))
    says(shop, worker, "sorry was out of town, still need the AC looked at")
    latest = Interaction.objects.filter(lead_id=first.lead_id).latest("id")
    assert latest.pk != first.pk
    assert latest.campaign == inbound_campaign
    assert outbound(latest)


def test_a_closed_conversation_stays_closed(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker
) -> None:
    interaction = started(shop, sms_campaign, worker)
    change_status(interaction=interaction, to="dismissed.agent")
    says(shop, worker, "ok")
    assert Interaction.objects.filter(lead_id=interaction.lead_id).count() == 1
    assert len(outbound(interaction)) == 1


def test_another_campaign_of_the_company_is_not_needed_for_known_leads(
    shop: Company, worker: VirtualWorker
) -> None:
    campaign = make_campaign(shop)
    interaction = started(shop, campaign, worker)
    says(shop, worker, "yes please")
    interaction.refresh_from_db()
    assert interaction.inbound_count == 1
    assert len(outbound(interaction)) == 2


class BrokenBrain:
    def opening(self, conversation: object) -> object:
        raise RuntimeError("endpoint down")

    follow_up = opening

    def respond(self, conversation: object) -> object:
        raise RuntimeError("endpoint down")


def test_a_brain_that_breaks_hands_the_lead_to_a_person(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker
) -> None:
    from leadline.agent.registry import use_brain

    interaction = started(shop, sms_campaign, worker)
    with use_brain(BrokenBrain()):  # type: ignore[arg-type]
        says(shop, worker, "yes please")
    interaction.refresh_from_db()
    assert interaction.status_label == "Escalated (Agent Issue)"
    assert "get back to you" in outbound(interaction)[-1].body


def test_help_and_a_second_text_sent_together_both_get_answers(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker
) -> None:
    interaction = started(shop, sms_campaign, worker)
    receive_sms(company=shop, from_phone="+15125550143", body="HELP")
    receive_sms(company=shop, from_phone="+15125550143", body="yes please what do you have")
    worker.run_due()
    authors = [m.author for m in outbound(interaction)]
    assert authors == [Author.AGENT, Author.SYSTEM, Author.AGENT]
