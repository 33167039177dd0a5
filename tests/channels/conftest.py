"""Fixtures of the Twilio tests: the fake Twilio on loopback, the installation configured
for it, and a shop that sends through it; the clock, campaigns and worker are the shared
ones of tests/shop.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from leadline.accounts.models import Company
from leadline.channels.base import forget_providers
from leadline.kit.clock import VirtualClock
from tests.fakes.twilio_server import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    NUMBER,
    FakeTwilio,
    running_fake_twilio,
    signature,
)
from tests.shop import build_shop

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
def shop(db: None, clock: VirtualClock, twilio_settings: Any) -> Company:
    """A company in Austin on the installation's Twilio account and number (no simulator)."""
    return build_shop(business_hours="Monday to Saturday, 7 am to 6 pm")


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
