"""Sending texts through Twilio: the SID and status are kept, a lost answer is looked up,
never sent twice, and Twilio's error codes decide what happens to the lead."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from leadline.accounts.models import Company
from leadline.campaigns.models import Campaign
from leadline.campaigns.services import start_campaign_for_lead
from leadline.channels import services
from leadline.channels.base import Provider, SendResult, get_provider, use_provider
from leadline.channels.simulator import SimulatorProvider
from leadline.compliance.models import OptOut
from leadline.crm.services import create_lead
from leadline.interactions.models import Author, Interaction, InteractionEvent, Message
from leadline.interactions.services import send_human_message
from leadline.kit.clock import VirtualClock
from leadline.simulation.runner import VirtualWorker
from tests.builders import make_campaign, make_company
from tests.channels.conftest import LEAD_PHONE, PUBLIC_URL
from tests.fakes.twilio_server import NUMBER, FakeTwilio


def start(shop: Company, campaign: Campaign, phone: str = LEAD_PHONE) -> Interaction:
    lead = create_lead(company=shop, phone=phone, first_name="Dana")
    return start_campaign_for_lead(lead=lead, campaign=campaign)


def first_text(interaction: Interaction) -> Message:
    return Message.objects.get(interaction=interaction, author=Author.AGENT)


def test_a_new_lead_gets_its_first_text_through_twilio_naming_the_business_and_opt_out(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker, fake_twilio: FakeTwilio
) -> None:
    interaction = start(shop, sms_campaign)
    worker.run_due()
    [create] = fake_twilio.sms_creates()
    assert create["To"] == LEAD_PHONE
    assert create["From"] == NUMBER
    assert "Lone Star Comfort Pros" in create["Body"]
    assert "STOP" in create["Body"]
    assert create["StatusCallback"] == f"{PUBLIC_URL}/webhooks/twilio/sms/status"
    message = first_text(interaction)
    assert message.provider_id == create["sid"]
    assert message.delivery_status == Message.Delivery.QUEUED
    assert message.body == create["Body"]


def test_each_company_sends_through_its_own_provider(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker, fake_twilio: FakeTwilio
) -> None:
    on_simulator = make_company(name="Simulated Plumbing", provider="simulator")
    simulator = get_provider(on_simulator)
    assert isinstance(simulator, SimulatorProvider)
    assert get_provider(shop).name == "twilio"
    start(on_simulator, make_campaign(on_simulator), phone="+15125550177")
    start(shop, sms_campaign)
    worker.run_due()
    assert [c["To"] for c in fake_twilio.sms_creates()] == [LEAD_PHONE]
    assert [s.to for s in simulator.sent if s.kind == "sms"] == ["+15125550177"]


def test_a_company_with_its_own_number_sends_from_it(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker, fake_twilio: FakeTwilio
) -> None:
    shop.twilio_from = "+15125550188"
    shop.save(update_fields=["twilio_from"])
    start(shop, sms_campaign)
    worker.run_due()
    assert fake_twilio.sms_creates()[0]["From"] == "+15125550188"


@pytest.mark.parametrize("lose", ["stall", "drop"])
def test_a_lost_answer_is_marked_unknown_and_reconciled_by_looking_it_up(
    shop: Company,
    sms_campaign: Campaign,
    worker: VirtualWorker,
    fake_twilio: FakeTwilio,
    lose: str,
) -> None:
    if lose == "stall":
        fake_twilio.stall_next(2.5)
    else:
        fake_twilio.drop_next()
    interaction = start(shop, sms_campaign)
    worker.run_due()
    message = first_text(interaction)
    assert message.delivery_status == Message.Delivery.UNKNOWN
    assert message.provider_id is None
    [create] = fake_twilio.sms_creates()
    fake_twilio.set_status(create["sid"], "delivered")
    worker.advance(timedelta(minutes=2))
    message.refresh_from_db()
    assert message.provider_id == create["sid"]
    assert message.delivery_status == Message.Delivery.DELIVERED
    # Looked up, never sent a second time.
    assert len(fake_twilio.sms_creates()) == 1


class CrashAfterAccept:
    """Twilio takes the text, then the worker process dies before our commit."""

    name = "twilio"

    def __init__(self, real: Provider) -> None:
        self.real = real

    def send_sms(self, **kwargs: Any) -> SendResult:
        self.real.send_sms(**kwargs)
        raise KeyboardInterrupt("the worker was killed")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def test_a_crash_between_twilio_accepting_and_our_commit_sends_nothing_twice(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker, fake_twilio: FakeTwilio
) -> None:
    interaction = start(shop, sms_campaign)
    crashing = CrashAfterAccept(get_provider(shop))
    with use_provider(crashing), pytest.raises(KeyboardInterrupt):  # type: ignore[arg-type]
        worker.run_due()
    message = first_text(interaction)
    message.refresh_from_db()
    assert message.delivery_status == Message.Delivery.SENDING
    # After the restart the send task runs again: it must not send.
    assert services.deliver_message(message_id=message.pk, kind="outreach").startswith("skipped")
    worker.advance(timedelta(minutes=2))
    message.refresh_from_db()
    [create] = fake_twilio.sms_creates()
    assert message.provider_id == create["sid"]
    assert message.delivery_status == Message.Delivery.QUEUED
    assert len(fake_twilio.sms_creates()) == 1


def test_the_stale_sweep_finds_a_text_left_sending(
    shop: Company,
    sms_campaign: Campaign,
    worker: VirtualWorker,
    fake_twilio: FakeTwilio,
    clock: VirtualClock,
) -> None:
    interaction = start(shop, sms_campaign)
    crashing = CrashAfterAccept(get_provider(shop))
    with use_provider(crashing), pytest.raises(KeyboardInterrupt):  # type: ignore[arg-type]
        worker.run_due()
    message = first_text(interaction)
    assert services.reconcile_stale_messages() == 0  # too fresh to be called stuck
    clock.advance(timedelta(minutes=5))
    assert services.reconcile_stale_messages() == 1
    message.refresh_from_db()
    assert message.provider_id == fake_twilio.sms_creates()[0]["sid"]
    assert len(fake_twilio.sms_creates()) == 1


def test_a_text_twilio_never_took_goes_out_once_after_it_was_looked_for(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker, fake_twilio: FakeTwilio
) -> None:
    # A 503 may or may not have been taken: here it was not.
    fake_twilio.fail_next(code=20503, status=503)
    interaction = start(shop, sms_campaign)
    worker.run_due()
    message = first_text(interaction)
    assert message.delivery_status == Message.Delivery.UNKNOWN
    assert fake_twilio.sms_creates() == []
    worker.advance(timedelta(minutes=3))
    assert fake_twilio.sms_creates() == []  # still looking, not sending
    worker.advance(timedelta(minutes=30))
    message.refresh_from_db()
    [create] = fake_twilio.sms_creates()
    assert message.provider_id == create["sid"]
    assert InteractionEvent.objects.filter(
        interaction=interaction, detail__contains="no record of this text"
    ).exists()


def test_rate_limiting_puts_the_text_back_and_sends_it_later(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.fail_next(code=20429, status=429)
    interaction = start(shop, sms_campaign)
    worker.run_due()
    message = first_text(interaction)
    assert message.delivery_status == Message.Delivery.QUEUED
    worker.advance(timedelta(minutes=1))
    message.refresh_from_db()
    assert message.provider_id == fake_twilio.sms_creates()[0]["sid"]


@pytest.mark.parametrize("code", ["21211", "21612", "21614"])
def test_a_number_twilio_cannot_text_fails_the_interaction(
    shop: Company,
    sms_campaign: Campaign,
    worker: VirtualWorker,
    fake_twilio: FakeTwilio,
    code: str,
) -> None:
    fake_twilio.refuse_to(LEAD_PHONE, code=int(code))
    interaction = start(shop, sms_campaign)
    worker.run_due()
    message = first_text(interaction)
    assert message.delivery_status == Message.Delivery.FAILED
    assert message.error_code == code
    assert message.sent_at is None
    interaction.refresh_from_db()
    assert interaction.status_label == "Failed"
    worker.advance(timedelta(days=3))
    assert Message.objects.filter(interaction=interaction, author=Author.AGENT).count() == 1


def test_twilio_refusing_an_opted_out_number_opts_the_lead_out(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.refuse_to(LEAD_PHONE, code=21610)
    interaction = start(shop, sms_campaign)
    worker.run_due()
    interaction.refresh_from_db()
    assert interaction.status_label == "Opt-out"
    assert OptOut.objects.get(company=shop, phone=LEAD_PHONE).method == "carrier"
    worker.advance(timedelta(days=3))
    assert fake_twilio.sms_creates() == []


def test_a_company_without_twilio_credentials_is_not_sent_and_says_why(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker, settings: Any
) -> None:
    settings.LEADLINE_TWILIO_AUTH_TOKEN = ""
    interaction = start(shop, sms_campaign)
    worker.run_due()
    message = first_text(interaction)
    assert message.delivery_status == Message.Delivery.BLOCKED
    assert message.error_code == "config"


def test_a_status_callback_that_never_came_is_caught_up_by_fetching_the_sid(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker, fake_twilio: FakeTwilio
) -> None:
    # E.g. Twilio's callback arrived before our commit had stored the SID, and was ignored.
    interaction = start(shop, sms_campaign)
    worker.run_due()
    message = first_text(interaction)
    assert message.delivery_status == Message.Delivery.QUEUED
    fake_twilio.set_status(message.provider_id or "", "delivered")
    worker.advance(timedelta(minutes=2))
    message.refresh_from_db()
    assert message.delivery_status == Message.Delivery.DELIVERED
    assert len(fake_twilio.sms_creates()) == 1


def test_two_look_ups_of_the_same_lost_text_send_it_once(
    shop: Company,
    sms_campaign: Campaign,
    worker: VirtualWorker,
    fake_twilio: FakeTwilio,
    clock: VirtualClock,
) -> None:
    fake_twilio.fail_next(code=20503, status=503)
    interaction = start(shop, sms_campaign)
    worker.run_due()
    assert first_text(interaction).delivery_status == Message.Delivery.UNKNOWN
    # A worker restarts meanwhile: its sweep starts a second look-up of the same text.
    clock.advance(timedelta(minutes=2))
    assert services.reconcile_stale_messages() == 1
    worker.advance(timedelta(minutes=50))
    body = first_text(interaction).body
    assert [c["Body"] for c in fake_twilio.sms_creates()].count(body) == 1


def test_an_earlier_text_with_the_same_words_is_not_taken_for_a_lost_one(
    shop: Company,
    sms_campaign: Campaign,
    worker: VirtualWorker,
    fake_twilio: FakeTwilio,
) -> None:
    interaction = start(shop, sms_campaign)
    worker.run_due()
    words = "See you tomorrow between 8 and 10."
    send_human_message(interaction=interaction, actor=None, body=words)
    worker.run_due()
    fake_twilio.fail_next(code=20503, status=503)
    send_human_message(interaction=interaction, actor=None, body=words)
    worker.run_due()
    worker.advance(timedelta(hours=1))
    first, second = Message.objects.filter(interaction=interaction, body=words).order_by("id")
    assert first.provider_id and second.provider_id
    assert first.provider_id != second.provider_id
    assert [c["Body"] for c in fake_twilio.sms_creates()].count(words) == 2
