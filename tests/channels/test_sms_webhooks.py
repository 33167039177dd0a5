"""Twilio's SMS webhooks: signatures, answering at once, once per MessageSid, statuses that
only move forward, and the error codes of status callbacks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from leadline.accounts.models import Company
from leadline.campaigns.models import Campaign, Goal
from leadline.campaigns.services import start_campaign_for_lead
from leadline.channels.models import WebhookReceipt
from leadline.compliance.models import OptOut
from leadline.crm.models import Lead
from leadline.crm.services import create_lead
from leadline.interactions.models import Author, Interaction, InteractionEvent, Message
from leadline.simulation.runner import VirtualWorker
from tests.builders import make_campaign, make_company
from tests.channels.conftest import LEAD_PHONE, PUBLIC_URL, post_signed
from tests.fakes.twilio_server import (
    FakeTwilio,
    inbound_sms_params,
    signature,
    status_params,
)

INBOUND = "/webhooks/twilio/sms"
STATUS = "/webhooks/twilio/sms/status"
OWN_ACCOUNT = "AC" + "9" * 32
OWN_TOKEN = "the-company-own-token"
OWN_NUMBER = "+15125550166"


def texted(shop: Company, campaign: Campaign, worker: VirtualWorker) -> Interaction:
    """A lead created through the services, whose first text went out through Twilio."""
    lead = create_lead(company=shop, phone=LEAD_PHONE, first_name="Dana")
    interaction = start_campaign_for_lead(lead=lead, campaign=campaign)
    worker.run_due()
    return interaction


def agent_texts(interaction: Interaction) -> list[Message]:
    return list(Message.objects.filter(interaction=interaction, author=Author.AGENT))


def stored() -> tuple[int, int, int, int]:
    return (
        Message.objects.count(),
        Lead.objects.count(),
        WebhookReceipt.objects.count(),
        InteractionEvent.objects.count(),
    )


# ---- signatures ----


def test_a_signed_inbound_yes_is_answered_at_once_and_the_agent_replies_in_the_worker(
    shop: Company,
    sms_campaign: Campaign,
    worker: VirtualWorker,
    fake_twilio: FakeTwilio,
    client: Client,
) -> None:
    interaction = texted(shop, sms_campaign, worker)
    response = post_signed(client, INBOUND, inbound_sms_params(from_=LEAD_PHONE, body="yes"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.decode().endswith("<Response/>")
    inbound = Message.objects.get(interaction=interaction, direction="inbound")
    assert inbound.body == "yes"
    # The answer is the worker's job, not the webhook's.
    assert len(fake_twilio.sms_creates()) == 1
    worker.run_due()
    creates = fake_twilio.sms_creates()
    assert len(creates) == 2
    assert creates[1]["To"] == LEAD_PHONE
    assert creates[1]["Body"] == agent_texts(interaction)[-1].body


@pytest.mark.parametrize(
    "forgery",
    ["missing", "wrong token", "signed for the proxied url", "signed for another path"],
)
def test_a_forged_inbound_webhook_is_403_and_changes_nothing(
    shop: Company,
    sms_campaign: Campaign,
    worker: VirtualWorker,
    fake_twilio: FakeTwilio,
    client: Client,
    forgery: str,
) -> None:
    texted(shop, sms_campaign, worker)
    before = stored()
    params = inbound_sms_params(from_=LEAD_PHONE, body="STOP")
    if forgery == "missing":
        response = post_signed(client, INBOUND, params, sign=False)
    elif forgery == "wrong token":
        response = post_signed(client, INBOUND, params, token="someone-elses-token")
    elif forgery == "signed for the proxied url":
        # What Django sees behind a proxy is not what Twilio signed.
        response = post_signed(client, INBOUND, params, signed_url="http://testserver" + INBOUND)
    else:
        response = post_signed(client, INBOUND, params, signed_url=PUBLIC_URL + STATUS)
    assert response.status_code == 403
    assert stored() == before
    worker.run_due()
    assert not OptOut.objects.filter(company=shop).exists()
    assert len(fake_twilio.sms_creates()) == 1


def test_a_tampered_body_breaks_the_signature(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker, client: Client
) -> None:
    texted(shop, sms_campaign, worker)
    params = inbound_sms_params(from_=LEAD_PHONE, body="yes")
    header = signature(PUBLIC_URL + INBOUND, params)
    params["Body"] = "STOP"
    before = stored()
    response = client.post(INBOUND, params, headers={"X-Twilio-Signature": header})
    assert response.status_code == 403
    assert stored() == before


def test_webhooks_take_only_post(shop: Company, client: Client) -> None:
    assert client.get(INBOUND).status_code == 405
    assert client.get(STATUS).status_code == 405


def test_a_company_with_its_own_account_is_checked_with_its_own_token(
    shop: Company, inbound_campaign: Campaign, client: Client
) -> None:
    own = make_company(
        name="Own Account HVAC",
        provider="twilio",
        twilio_account_sid=OWN_ACCOUNT,
        twilio_auth_token=OWN_TOKEN,
        twilio_from=OWN_NUMBER,
    )
    make_campaign(own, name="Inbound SMS", goal=Goal.INBOUND_SMS)
    params = inbound_sms_params(from_=LEAD_PHONE, to=OWN_NUMBER, body="Do you fix heaters?")
    params["AccountSid"] = OWN_ACCOUNT
    # The installation's token does not sign for another account's number.
    assert post_signed(client, INBOUND, params).status_code == 403
    assert not Message.objects.filter(company=own).exists()
    assert post_signed(client, INBOUND, params, token=OWN_TOKEN).status_code == 200
    message = Message.objects.get(company=own)
    assert message.body == "Do you fix heaters?"
    assert not Message.objects.filter(company=shop).exists()


# ---- once per MessageSid ----


def test_the_same_inbound_webhook_twice_is_taken_in_and_answered_once(
    shop: Company,
    sms_campaign: Campaign,
    worker: VirtualWorker,
    fake_twilio: FakeTwilio,
    client: Client,
) -> None:
    interaction = texted(shop, sms_campaign, worker)
    params = inbound_sms_params(from_=LEAD_PHONE, body="yes")
    assert post_signed(client, INBOUND, params).status_code == 200
    assert post_signed(client, INBOUND, params).status_code == 200
    worker.run_due()
    assert post_signed(client, INBOUND, params).status_code == 200
    worker.run_due()
    assert Message.objects.filter(interaction=interaction, direction="inbound").count() == 1
    assert len(fake_twilio.sms_creates()) == 2
    assert WebhookReceipt.objects.count() == 1


def test_an_inbound_text_from_a_new_number_starts_an_inbound_conversation(
    shop: Company,
    inbound_campaign: Campaign,
    worker: VirtualWorker,
    fake_twilio: FakeTwilio,
    client: Client,
) -> None:
    params = inbound_sms_params(from_="+15125550150", body="Do you service water heaters?")
    assert post_signed(client, INBOUND, params).status_code == 200
    lead = Lead.objects.get(company=shop, phone="+15125550150")
    assert lead.source == Lead.Source.INBOUND_SMS
    worker.run_due()
    assert [c["To"] for c in fake_twilio.sms_creates()] == ["+15125550150"]


def test_an_inbound_text_to_a_number_no_company_uses_is_acknowledged_and_dropped(
    shop: Company, inbound_campaign: Campaign, client: Client, settings: object
) -> None:
    params = inbound_sms_params(from_="+15125550150", to="+15125550111", body="hello")
    before = stored()
    response = post_signed(client, INBOUND, params)
    assert response.status_code == 200
    assert stored() == before


# ---- STOP ----


def test_stop_by_webhook_stops_everything(
    shop: Company,
    sms_campaign: Campaign,
    worker: VirtualWorker,
    fake_twilio: FakeTwilio,
    client: Client,
) -> None:
    interaction = texted(shop, sms_campaign, worker)
    stop = inbound_sms_params(from_=LEAD_PHONE, body="STOP")
    assert post_signed(client, INBOUND, stop).status_code == 200
    worker.run_due()
    interaction.refresh_from_db()
    assert interaction.status_label == "Opt-out"
    assert OptOut.objects.get(company=shop, phone=LEAD_PHONE).active
    sent = len(fake_twilio.sms_creates())
    worker.advance(timedelta(days=5))
    post_signed(client, INBOUND, inbound_sms_params(from_=LEAD_PHONE, body="what about tuesday"))
    worker.advance(timedelta(days=2))
    assert len(fake_twilio.sms_creates()) == sent
    assert sent <= 2  # the first text and at most the one confirmation


# ---- status callbacks ----


def status(client: Client, message: Message, value: str, *, error_code: str = "") -> int:
    params = status_params(
        sid=message.provider_id or "", status=value, to=LEAD_PHONE, error_code=error_code
    )
    return int(post_signed(client, STATUS, params).status_code)


def test_duplicate_and_reordered_status_callbacks_only_move_forward(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker, client: Client
) -> None:
    [message] = agent_texts(texted(shop, sms_campaign, worker))
    events = InteractionEvent.objects.filter(kind=InteractionEvent.Kind.DELIVERY)
    before = events.count()
    assert status(client, message, "sent") == 200
    assert status(client, message, "delivered") == 200
    assert status(client, message, "delivered") == 200  # Twilio retried
    assert status(client, message, "sent") == 200  # late
    assert status(client, message, "sending") == 200  # later still
    message.refresh_from_db()
    assert message.delivery_status == Message.Delivery.DELIVERED
    assert events.count() == before + 2


def test_a_status_callback_for_an_unknown_message_is_ignored_quietly(
    shop: Company, client: Client
) -> None:
    before = stored()
    params = status_params(sid="SM" + "7" * 32, status="delivered", to=LEAD_PHONE)
    assert post_signed(client, STATUS, params).status_code == 200
    assert stored() == before


def test_a_forged_status_callback_is_403_and_changes_nothing(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker, client: Client
) -> None:
    [message] = agent_texts(texted(shop, sms_campaign, worker))
    params = status_params(
        sid=message.provider_id or "", status="undelivered", to=LEAD_PHONE, error_code="30003"
    )
    assert post_signed(client, STATUS, params, token="forged").status_code == 403
    message.refresh_from_db()
    assert message.delivery_status == Message.Delivery.QUEUED
    assert Interaction.objects.get(pk=message.interaction_id).is_open


@pytest.mark.parametrize("code", ["30003", "30005", "30006", "21211", "21612", "21614"])
def test_an_undeliverable_number_reported_by_callback_fails_the_interaction(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker, client: Client, code: str
) -> None:
    [message] = agent_texts(texted(shop, sms_campaign, worker))
    assert status(client, message, "undelivered", error_code=code) == 200
    message.refresh_from_db()
    assert (message.delivery_status, message.error_code) == ("undelivered", code)
    assert Interaction.objects.get(pk=message.interaction_id).status_label == "Failed"


def test_an_undelivered_text_after_the_lead_answered_does_not_fail_the_interaction(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker, client: Client
) -> None:
    interaction = texted(shop, sms_campaign, worker)
    [first] = agent_texts(interaction)
    post_signed(client, INBOUND, inbound_sms_params(from_=LEAD_PHONE, body="yes please"))
    worker.run_due()
    assert status(client, first, "undelivered", error_code="30003") == 200
    interaction.refresh_from_db()
    assert interaction.status != "failed"


def test_a_carrier_opt_out_reported_by_callback_opts_the_lead_out(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker, client: Client
) -> None:
    [message] = agent_texts(texted(shop, sms_campaign, worker))
    assert status(client, message, "failed", error_code="21610") == 200
    assert Interaction.objects.get(pk=message.interaction_id).status_label == "Opt-out"
    assert OptOut.objects.get(company=shop, phone=LEAD_PHONE).method == "carrier"


@pytest.mark.parametrize("code", ["30007", "30034"])
def test_a_sending_programme_problem_is_shown_to_administrators(
    shop: Company,
    sms_campaign: Campaign,
    worker: VirtualWorker,
    client: Client,
    code: str,
) -> None:
    [message] = agent_texts(texted(shop, sms_campaign, worker))
    assert status(client, message, "undelivered", error_code=code) == 200
    shop.refresh_from_db()
    assert f"error {code}" in shop.sending_problem
    interaction = Interaction.objects.get(pk=message.interaction_id)
    # Not the lead's fault: the conversation is not failed.
    assert interaction.is_open
    assert InteractionEvent.objects.filter(
        interaction=interaction, kind=InteractionEvent.Kind.SYSTEM, data__error_code=code
    ).exists()
