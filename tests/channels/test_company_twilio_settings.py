"""Administrators connect their company to Twilio in the company settings; the Auth Token
is write-only, and a sending-programme problem is shown there."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from leadline.accounts.models import Company, User
from leadline.channels.base import get_provider, sender_for, twilio_account_for

pytestmark = pytest.mark.django_db

ACCOUNT = "AC" + "5" * 32
TOKEN = "s3cret-token-never-shown-again"
SERVICE = "MG" + "6" * 32


def change_url(company: Company) -> str:
    return f"/admin/accounts/company/{company.pk}/change/"


def company_form(company: Company, **changes: str) -> dict[str, str]:
    form = {
        "name": company.name,
        "phone": company.phone,
        "time_zone": company.time_zone,
        "service_area_zips": '["78704"]',
        "trades": '["hvac"]',
        "prices": "{}",
        "brands": "[]",
        "business_hours": "",
        "high_activity_messages": "5",
        "high_activity_minutes": "60",
        "outreach_window": "{}",
        "provider": company.provider,
        "twilio_account_sid": company.twilio_account_sid,
        "twilio_auth_token": "",
        "twilio_from": company.twilio_from,
    }
    form.update(changes)
    return form


@pytest.fixture(autouse=True)
def public_address(settings: Any) -> None:
    """Twilio can reach this installation: a company may be switched to it."""
    settings.LEADLINE_PUBLIC_URL = "https://leads.example.com"


@pytest.fixture
def admin_client(client: Client, company_admin: User) -> Client:
    client.force_login(company_admin)
    return client


def test_an_administrator_connects_the_company_own_twilio_account(
    admin_client: Client, company: Company
) -> None:
    response = admin_client.post(
        change_url(company),
        company_form(
            company,
            provider="twilio",
            twilio_account_sid=ACCOUNT,
            twilio_auth_token=TOKEN,
            twilio_from=SERVICE,
        ),
    )
    assert response.status_code == 302, response.content.decode()
    company.refresh_from_db()
    assert (company.provider, company.twilio_account_sid, company.twilio_auth_token) == (
        "twilio",
        ACCOUNT,
        TOKEN,
    )
    account = twilio_account_for(company)
    assert account.uses_messaging_service
    assert sender_for(company) == SERVICE
    assert get_provider(company).name == "twilio"


def test_the_saved_auth_token_is_never_shown_and_an_empty_field_keeps_it(
    admin_client: Client, company: Company
) -> None:
    company.provider = "twilio"
    company.twilio_account_sid = ACCOUNT
    company.twilio_auth_token = TOKEN
    company.twilio_from = "+15125550166"
    company.save()
    page = admin_client.get(change_url(company)).content.decode()
    assert TOKEN not in page
    assert "A token is saved" in page
    response = admin_client.post(change_url(company), company_form(company, name="Renamed"))
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.name == "Renamed"
    assert company.twilio_auth_token == TOKEN


def test_an_own_account_without_its_token_or_sender_is_refused_with_the_field_named(
    admin_client: Client, company: Company
) -> None:
    response = admin_client.post(
        change_url(company),
        company_form(company, provider="twilio", twilio_account_sid=ACCOUNT, twilio_from="nope"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "An own Twilio account needs its Auth Token." in page
    assert "Messaging Service SID (MG...)" in page
    company.refresh_from_db()
    assert company.twilio_account_sid == ""


def test_a_sending_programme_problem_is_on_the_company_page_until_handled(
    admin_client: Client, company: Company
) -> None:
    company.sending_problem = "Carriers are filtering the company's texts (Twilio error 30007)."
    company.save()
    page = admin_client.get(change_url(company), follow=True).content.decode()
    assert "Texts are not getting through" in page
    assert "Twilio error 30007" in page
    response = admin_client.post(
        change_url(company), company_form(company, sending_problem_handled="on")
    )
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.sending_problem == ""
