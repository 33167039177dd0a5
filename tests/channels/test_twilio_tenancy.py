"""One company's Twilio traffic never lands in another: the webhooks find the company by the
SID we stored or the number that was called (never the caller's), only among companies on
Twilio, and a sender belongs to one company only (the form, the database, the migration)."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.test import Client

from leadline.accounts.admin import CompanyForm
from leadline.accounts.models import Company
from leadline.campaigns.models import Campaign, Channel, Goal
from leadline.channels.base import sender_for
from leadline.interactions.models import Call, Message
from leadline.kit import clock
from leadline.simulation.runner import VirtualWorker
from tests.builders import make_campaign, make_company, make_interaction, make_user
from tests.channels.conftest import LEAD_PHONE, post_signed
from tests.fakes.twilio_server import (
    ACCOUNT_SID,
    NUMBER,
    FakeTwilio,
    inbound_sms_params,
    status_params,
)

INBOUND = "/webhooks/twilio/sms"
STATUS = "/webhooks/twilio/sms/status"
VOICE = "/webhooks/twilio/voice"
VOICE_STATUS = "/webhooks/twilio/voice/status"
EVIL_ACCOUNT = "AC" + "e" * 32
EVIL_TOKEN = "the-evil-company-token"
NUMBER_A = "+15125550188"
NUMBER_B = "+15125550177"


def settings_form(company: Company, *, by_superuser: bool = False, **changes: str) -> CompanyForm:
    """The Twilio part of the company settings, as an administrator (or superuser) posts it."""
    data = {
        "provider": company.provider,
        "twilio_account_sid": company.twilio_account_sid,
        "twilio_auth_token": "",
        "twilio_from": company.twilio_from,
        **changes,
    }
    form_class = type("Form", (CompanyForm,), {"by_superuser": by_superuser})
    return form_class(instance=company, data=data)


def errors_of(form: CompanyForm, field: str) -> str:
    assert not form.is_valid()
    return " ".join(form.errors.get(field, []))


def inbound_texts(company: Company) -> list[str]:
    return list(
        Message.objects.filter(company=company, direction="inbound").values_list("body", flat=True)
    )


@pytest.fixture
def attacker(shop: Company) -> Company:
    """Another company of the same installation, on the simulator for now."""
    company = make_company(name="Evil Co", provider="simulator")
    make_campaign(company, name="Inbound SMS", goal=Goal.INBOUND_SMS)
    return company


# ---- case a: the installation's default number -------------------------------------------


def test_no_company_may_take_the_installation_number_as_its_sender(
    shop: Company, attacker: Company
) -> None:
    as_admin = settings_form(attacker, provider="simulator", twilio_from=NUMBER)
    assert "installation's own number" in errors_of(as_admin, "twilio_from")
    own_account = settings_form(
        attacker,
        provider="twilio",
        twilio_account_sid=EVIL_ACCOUNT,
        twilio_auth_token=EVIL_TOKEN,
        twilio_from=NUMBER,
    )
    assert "installation's own number" in errors_of(own_account, "twilio_from")
    as_superuser = settings_form(attacker, by_superuser=True, twilio_from=NUMBER)
    assert "installation's own number" in errors_of(as_superuser, "twilio_from")
    attacker.refresh_from_db()
    assert attacker.twilio_from == ""


def test_a_text_to_the_installation_number_reaches_the_company_on_it_even_if_another_claims_it(
    shop: Company, inbound_campaign: Campaign, attacker: Company, worker: VirtualWorker
) -> None:
    # A row saved before the rules (or by hand) that names the installation's number.
    Company.objects.filter(pk=attacker.pk).update(provider="twilio", twilio_from=NUMBER)
    params = inbound_sms_params(from_=LEAD_PHONE, body="Hi, my AC is broken")
    assert post_signed(Client(), INBOUND, params).status_code == 200
    assert inbound_texts(shop) == ["Hi, my AC is broken"]
    assert inbound_texts(attacker) == []


# ---- case b: another company's own number ------------------------------------------------


def test_a_sender_belongs_to_one_company_only(shop: Company, attacker: Company) -> None:
    Company.objects.filter(pk=shop.pk).update(twilio_from=NUMBER_B)
    form = settings_form(
        attacker,
        provider="twilio",
        twilio_account_sid=EVIL_ACCOUNT,
        twilio_auth_token=EVIL_TOKEN,
        twilio_from=NUMBER_B,
    )
    assert errors_of(form, "twilio_from") == "Another company already sends from this number."
    with pytest.raises(IntegrityError), transaction.atomic():
        Company.objects.filter(pk=attacker.pk).update(twilio_from=NUMBER_B)
    attacker.refresh_from_db()
    assert attacker.twilio_from == ""
    shop.refresh_from_db()
    assert sender_for(shop) == NUMBER_B  # B's texts still go out from B's number


def test_a_messaging_service_is_one_sender_whatever_the_letter_case(
    shop: Company, attacker: Company
) -> None:
    service = "MG" + "ab" * 16
    Company.objects.filter(pk=shop.pk).update(twilio_from=service)
    form = settings_form(
        attacker,
        provider="twilio",
        twilio_account_sid=EVIL_ACCOUNT,
        twilio_auth_token=EVIL_TOKEN,
        twilio_from=service.upper(),
    )
    assert errors_of(form, "twilio_from") == "Another company already sends from this number."


def test_an_administrator_cannot_give_the_company_one_of_the_installation_numbers(
    shop: Company, attacker: Company, client: Client
) -> None:
    form = settings_form(attacker, provider="twilio", twilio_from=NUMBER_A)
    assert "Only the installation's operator" in errors_of(form, "twilio_from")
    # Through the settings page the administrator reads the same message.
    client.force_login(make_user(attacker, role="Administrator"))
    response = client.post(
        f"/admin/accounts/company/{attacker.pk}/change/",
        {
            "name": attacker.name,
            "phone": attacker.phone,
            "time_zone": attacker.time_zone,
            "service_area_zips": "[]",
            "trades": "[]",
            "prices": "{}",
            "brands": "[]",
            "business_hours": "",
            "high_activity_messages": "5",
            "high_activity_minutes": "60",
            "outreach_window": "{}",
            "provider": "twilio",
            "twilio_account_sid": "",
            "twilio_auth_token": "",
            "twilio_from": NUMBER_A,
        },
    )
    assert response.status_code == 200
    assert "Only the installation&#x27;s operator" in response.content.decode()
    attacker.refresh_from_db()
    assert attacker.twilio_from == ""


def test_a_superuser_gives_a_company_an_installation_number_and_its_administrator_keeps_it(
    shop: Company, attacker: Company
) -> None:
    given = settings_form(attacker, by_superuser=True, provider="twilio", twilio_from=NUMBER_A)
    assert given.is_valid(), given.errors
    given.save()
    attacker.refresh_from_db()
    assert sender_for(attacker) == NUMBER_A
    # The administrator saves the page again: the sender the operator gave stays.
    unchanged = settings_form(attacker)
    assert unchanged.is_valid(), unchanged.errors
    # Moving it to another installation number is the operator's call again.
    moved = settings_form(attacker, twilio_from="+15125550144")
    assert "Only the installation's operator" in errors_of(moved, "twilio_from")


def test_a_second_company_cannot_join_the_installation_number(
    shop: Company, attacker: Company
) -> None:
    # `shop` is on Twilio (the installation's default) with the installation's number.
    form = settings_form(attacker, provider="twilio")
    assert "Another company already uses the installation's number" in errors_of(
        form, "twilio_from"
    )
    # The company already on it saves its page as before.
    assert settings_form(shop).is_valid()


# ---- case c: an own account claiming someone else's number --------------------------------


def test_webhooks_of_the_installation_number_are_not_checked_with_a_claimant_token(
    shop: Company, inbound_campaign: Campaign, attacker: Company, worker: VirtualWorker
) -> None:
    Company.objects.filter(pk=attacker.pk).update(
        provider="twilio",
        twilio_account_sid=EVIL_ACCOUNT,
        twilio_auth_token=EVIL_TOKEN,
        twilio_from=NUMBER,
    )
    genuine = inbound_sms_params(from_=LEAD_PHONE, body="Can you come today?")
    assert post_signed(Client(), INBOUND, genuine).status_code == 200
    assert inbound_texts(shop) == ["Can you come today?"]
    # The attacker signs a text to the installation's number with its own token: refused.
    forged = inbound_sms_params(from_=LEAD_PHONE, body="forged")
    forged["AccountSid"] = EVIL_ACCOUNT
    assert post_signed(Client(), INBOUND, forged, token=EVIL_TOKEN).status_code == 403
    assert inbound_texts(attacker) == []
    assert inbound_texts(shop) == ["Can you come today?"]


def test_a_request_for_another_twilio_account_is_refused_and_nothing_is_stored(
    shop: Company, inbound_campaign: Campaign
) -> None:
    params = inbound_sms_params(from_=LEAD_PHONE, body="hello")
    params["AccountSid"] = EVIL_ACCOUNT  # signed with the installation's token all the same
    response = post_signed(Client(), INBOUND, params)
    assert response.status_code == 403
    assert "another Twilio account" in response.content.decode()
    assert not Message.objects.exists()


# ---- case d: the caller's number never picks the company ----------------------------------


def test_a_text_from_one_tenant_number_to_another_is_filed_under_the_called_one(
    shop: Company, worker: VirtualWorker
) -> None:
    b = make_company(name="B Co", provider="twilio", twilio_from=NUMBER_B)  # the lower id
    a = make_company(name="A Co", provider="twilio", twilio_from=NUMBER_A)
    for company in (a, b):
        make_campaign(company, name="Inbound SMS", goal=Goal.INBOUND_SMS)
    params = inbound_sms_params(from_=NUMBER_B, to=NUMBER_A, body="Hello A")
    assert post_signed(Client(), INBOUND, params).status_code == 200
    assert inbound_texts(a) == ["Hello A"]
    assert inbound_texts(b) == []


def test_a_text_to_a_number_nobody_uses_is_not_filed_by_its_sender(
    shop: Company, inbound_campaign: Campaign
) -> None:
    params = inbound_sms_params(from_=NUMBER, to="+15125550111", body="to nobody")
    assert post_signed(Client(), INBOUND, params).status_code == 200
    assert not Message.objects.exists()


def test_a_company_not_on_twilio_receives_no_twilio_traffic(shop: Company) -> None:
    elsewhere = make_company(name="Simulated Co", provider="simulator", twilio_from=NUMBER_A)
    make_campaign(elsewhere, name="Inbound SMS", goal=Goal.INBOUND_SMS)
    params = inbound_sms_params(from_=LEAD_PHONE, to=NUMBER_A, body="hello")
    assert post_signed(Client(), INBOUND, params).status_code == 200
    assert not Message.objects.exists()


# ---- status callbacks: by the SID we stored ------------------------------------------------


def test_a_status_callback_is_matched_by_its_message_sid_and_checked_with_the_owner_token(
    shop: Company, sms_campaign: Campaign, attacker: Company, worker: VirtualWorker
) -> None:
    from leadline.campaigns.services import start_campaign_for_lead
    from leadline.crm.services import create_lead

    Company.objects.filter(pk=attacker.pk).update(
        provider="twilio",
        twilio_account_sid=EVIL_ACCOUNT,
        twilio_auth_token=EVIL_TOKEN,
        twilio_from=NUMBER_A,
    )
    lead = create_lead(company=shop, phone=LEAD_PHONE, first_name="Dana")
    start_campaign_for_lead(lead=lead, campaign=sms_campaign)
    worker.run_due()
    message = Message.objects.get(company=shop, direction="outbound")
    sid = message.provider_id or ""
    # The attacker names the shop's text but says it came from the attacker's number.
    forged = status_params(sid=sid, status="undelivered", to=LEAD_PHONE, from_=NUMBER_A)
    forged["AccountSid"] = EVIL_ACCOUNT
    assert post_signed(Client(), STATUS, forged, token=EVIL_TOKEN).status_code == 403
    message.refresh_from_db()
    assert message.delivery_status != Message.Delivery.UNDELIVERED
    genuine = status_params(sid=sid, status="delivered", to=LEAD_PHONE)
    assert post_signed(Client(), STATUS, genuine).status_code == 200
    message.refresh_from_db()
    assert message.delivery_status == Message.Delivery.DELIVERED


def test_a_call_status_is_matched_by_its_call_sid_not_by_the_numbers(
    shop: Company, attacker: Company
) -> None:
    Company.objects.filter(pk=attacker.pk).update(
        provider="twilio",
        twilio_account_sid=EVIL_ACCOUNT,
        twilio_auth_token=EVIL_TOKEN,
        twilio_from=NUMBER_A,
    )
    campaign = make_campaign(shop, name="Voice", channel=Channel.VOICE)
    interaction = make_interaction(shop, campaign=campaign)
    call = Call.objects.create(
        company=shop,
        interaction=interaction,
        provider_id="CA" + "3" * 32,
        started_at=clock.now(),
    )
    forged = {
        "CallSid": call.provider_id or "",
        "AccountSid": EVIL_ACCOUNT,
        "From": LEAD_PHONE,
        "To": NUMBER_A,
        "Called": NUMBER_A,
        "Direction": "inbound",
        "CallStatus": "completed",
    }
    assert post_signed(Client(), VOICE_STATUS, forged, token=EVIL_TOKEN).status_code == 403
    call.refresh_from_db()
    assert call.outcome == Call.Outcome.IN_PROGRESS
    genuine = {**forged, "AccountSid": ACCOUNT_SID, "From": NUMBER, "To": LEAD_PHONE}
    genuine.update(Called=LEAD_PHONE, Direction="outbound-api", CallStatus="busy")
    assert post_signed(Client(), VOICE_STATUS, genuine).status_code == 200
    call.refresh_from_db()
    assert call.outcome == Call.Outcome.BUSY


def test_a_call_from_one_tenant_number_to_another_rings_at_the_called_one(
    shop: Company, fake_twilio: FakeTwilio
) -> None:
    b = make_company(name="B Co", provider="twilio", twilio_from=NUMBER_B)
    a = make_company(name="A Co", provider="twilio", twilio_from=NUMBER_A)
    for company in (a, b):
        make_campaign(company, name="Voice", channel=Channel.VOICE)
    params = {
        "CallSid": "CA" + "6" * 32,
        "AccountSid": ACCOUNT_SID,
        "From": NUMBER_B,
        "To": NUMBER_A,
        "Called": NUMBER_A,
        "Direction": "inbound",
        "CallStatus": "ringing",
    }
    assert post_signed(Client(), VOICE, params).status_code == 200
    call = Call.objects.get(provider_id=params["CallSid"])
    assert call.company_id == a.pk


# ---- the provider can only be switched to a Twilio that works ------------------------------


def test_twilio_is_refused_without_credentials_anywhere(company: Company, settings: Any) -> None:
    settings.LEADLINE_PROVIDER = "simulator"
    settings.LEADLINE_TWILIO_ACCOUNT_SID = ""
    settings.LEADLINE_TWILIO_AUTH_TOKEN = ""
    settings.LEADLINE_TWILIO_FROM = ""
    settings.LEADLINE_PUBLIC_URL = "https://leads.example.com"
    form = settings_form(company, provider="twilio")
    assert "Twilio is not set up for this company" in errors_of(form, "provider")
    own = settings_form(
        company,
        provider="twilio",
        twilio_account_sid=EVIL_ACCOUNT,
        twilio_auth_token=EVIL_TOKEN,
        twilio_from=NUMBER_A,
    )
    assert own.is_valid(), own.errors


def test_twilio_is_refused_without_the_public_address(company: Company, settings: Any) -> None:
    settings.LEADLINE_PROVIDER = "simulator"
    settings.LEADLINE_PUBLIC_URL = ""
    form = settings_form(
        company,
        provider="twilio",
        twilio_account_sid=EVIL_ACCOUNT,
        twilio_auth_token=EVIL_TOKEN,
        twilio_from=NUMBER_A,
    )
    assert "LEADLINE_PUBLIC_URL" in errors_of(form, "provider")
    company.refresh_from_db()
    assert company.provider == ""


# ---- the upgrade: senders shared before the rules are released -----------------------------


def test_the_upgrade_releases_the_installation_number_from_company_senders(
    settings: Any, db: None
) -> None:
    settings.LEADLINE_TWILIO_FROM = NUMBER
    release = importlib.import_module(
        "leadline.accounts.migrations.0003_release_shared_twilio_senders"
    ).release_shared_senders
    untouched = make_company(name="Own number", twilio_from=NUMBER_A)
    # On the installation's account, blank is the same number: cleared without a word.
    on_installation = make_company(name="On default", twilio_from=NUMBER)
    release(apps, None)
    on_installation.refresh_from_db()
    assert (on_installation.twilio_from, on_installation.sending_problem) == ("", "")
    # An own account cannot send from the installation's number: cleared, and told why.
    own = make_company(
        name="Own account",
        twilio_account_sid=EVIL_ACCOUNT,
        twilio_auth_token=EVIL_TOKEN,
        twilio_from=NUMBER,
    )
    release(apps, None)
    own.refresh_from_db()
    assert own.twilio_from == ""
    assert "was removed" in own.sending_problem
    untouched.refresh_from_db()
    assert (untouched.twilio_from, untouched.sending_problem) == (NUMBER_A, "")
