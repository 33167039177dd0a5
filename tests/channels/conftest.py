"""Fixtures of the Twilio tests: the fake Twilio on loopback, the installation configured
for it, a company with capacity and campaigns, a virtual clock and a virtual worker."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from leadline.accounts.models import Company
from leadline.campaigns.models import Campaign, Goal
from leadline.capacity.services import set_standard_week
from leadline.channels.base import forget_providers
from leadline.kit.clock import VirtualClock, use_clock
from leadline.simulation.runner import VirtualWorker
from tests.builders import make_campaign, make_company
from tests.fakes.twilio_server import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    NUMBER,
    FakeTwilio,
    running_fake_twilio,
    signature,
)

CHICAGO = ZoneInfo("America/Chicago")
TUESDAY_AFTERNOON = datetime(2026, 3, 3, 14, 15, tzinfo=CHICAGO)
PUBLIC_URL = "https://leads.example.com"
LEAD_PHONE = "+15125550143"


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    with running_fake_twilio() as fake:
        yield fake


@pytest.fixture
def twilio_settings(settings: Any, fake_twilio: FakeTwilio) -> Iterator[Any]:
    """The installation sends through Twilio, which is the fake on loopback."""
    settings.LEADLINE_PROVIDER = "twilio"
    settings.LEADLINE_TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.LEADLINE_TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.LEADLINE_TWILIO_FROM = NUMBER
    settings.LEADLINE_TWILIO_API_BASE = fake_twilio.url
    settings.LEADLINE_PUBLIC_URL = PUBLIC_URL
    settings.LEADLINE_TWILIO_TIMEOUT_SECONDS = 1.0
    forget_providers()
    yield settings
    forget_providers()


@pytest.fixture
def clock() -> Iterator[VirtualClock]:
    virtual = VirtualClock(TUESDAY_AFTERNOON)
    with use_clock(virtual):
        yield virtual


@pytest.fixture
def shop(db: None, clock: VirtualClock, twilio_settings: Any) -> Company:
    """A company in Austin on the installation's Twilio account and number."""
    company = make_company(
        name="Lone Star Comfort Pros",
        service_area_zips=["78704", "78745", "78723"],
        business_hours="Monday to Saturday, 7 am to 6 pm",
    )
    set_standard_week(
        company=company, trades=["hvac", "plumbing", "electrical", "garage_doors"], slots=2
    )
    return company


@pytest.fixture
def sms_campaign(shop: Company) -> Campaign:
    return make_campaign(shop)


@pytest.fixture
def inbound_campaign(shop: Company) -> Campaign:
    return make_campaign(shop, name="Inbound SMS", goal=Goal.INBOUND_SMS)


@pytest.fixture
def worker(clock: VirtualClock, shop: Company) -> VirtualWorker:
    return VirtualWorker(clock)


def post_signed(
    client: Client,
    path: str,
    params: dict[str, str],
    *,
    token: str = AUTH_TOKEN,
    signed_url: str | None = None,
    sign: bool = True,
) -> Any:
    """POST a Twilio webhook the way Twilio does: form-encoded, signed for the public URL."""
    headers = {}
    if sign:
        headers["X-Twilio-Signature"] = signature(
            signed_url or PUBLIC_URL + path, params, token=token
        )
    return client.post(path, params, headers=headers)
