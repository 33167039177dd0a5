"""Delivery reports: an unreachable number fails the interaction, a carrier opt-out opts out."""

from __future__ import annotations

import pytest

from leadline.accounts.models import Company
from leadline.campaigns.models import Campaign
from leadline.campaigns.services import start_campaign_for_lead
from leadline.channels.services import receive_sms, report_delivery
from leadline.compliance.models import OptOut
from leadline.interactions.models import Author, Interaction, Message
from leadline.simulation.runner import VirtualWorker
from tests.builders import make_lead


def first_text(shop: Company, campaign: Campaign, worker: VirtualWorker) -> Message:
    interaction = start_campaign_for_lead(lead=make_lead(shop), campaign=campaign)
    worker.run_due()
    return Message.objects.get(interaction=interaction, author=Author.AGENT)


@pytest.mark.parametrize("code", ["30003", "30005", "30006", "21211", "21612", "21614"])
def test_an_unreachable_number_fails_the_interaction(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker, code: str
) -> None:
    message = first_text(shop, sms_campaign, worker)
    report_delivery(
        company=shop, provider_id=message.provider_id or "", status="undelivered", error_code=code
    )
    message.refresh_from_db()
    assert message.delivery_status == Message.Delivery.UNDELIVERED
    assert message.error_code == code
    interaction = Interaction.objects.get(pk=message.interaction_id)
    assert interaction.status_label == "Failed"
    worker.run_to_end()
    assert Message.objects.filter(interaction=interaction, author=Author.AGENT).count() == 1


def test_a_failed_text_after_the_lead_answered_does_not_fail_the_interaction(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker
) -> None:
    message = first_text(shop, sms_campaign, worker)
    receive_sms(company=shop, from_phone="+15125550143", body="yes please")
    worker.run_due()
    report_delivery(
        company=shop,
        provider_id=message.provider_id or "",
        status="undelivered",
        error_code="30006",
    )
    interaction = Interaction.objects.get(pk=message.interaction_id)
    assert interaction.status != "failed"


def test_the_carrier_saying_the_number_opted_out_is_an_opt_out(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker
) -> None:
    message = first_text(shop, sms_campaign, worker)
    report_delivery(
        company=shop, provider_id=message.provider_id or "", status="failed", error_code="21610"
    )
    interaction = Interaction.objects.get(pk=message.interaction_id)
    assert interaction.status_label == "Opt-out"
    assert OptOut.objects.get(company=shop, phone="+15125550143").method == "carrier"
    worker.run_to_end()
    assert Message.objects.filter(interaction=interaction, author=Author.AGENT).count() == 1


def test_a_late_delivered_report_never_undoes_a_failure(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker
) -> None:
    message = first_text(shop, sms_campaign, worker)
    pid = message.provider_id or ""
    report_delivery(company=shop, provider_id=pid, status="undelivered", error_code="30003")
    report_delivery(company=shop, provider_id=pid, status="sent")
    message.refresh_from_db()
    assert message.delivery_status == Message.Delivery.UNDELIVERED


def test_a_report_for_an_unknown_message_is_ignored(shop: Company) -> None:
    assert report_delivery(company=shop, provider_id="SMnope", status="delivered") is None
