"""Fixtures of the pipeline tests: a company with capacity, a virtual clock, the simulator
provider, and a worker that runs due tasks at virtual time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from leadline.accounts.models import Company, User
from leadline.campaigns.models import Campaign, Channel, Goal
from leadline.capacity.services import set_standard_week
from leadline.channels.base import use_provider
from leadline.channels.simulator import SimulatorProvider
from leadline.kit.clock import VirtualClock, use_clock
from leadline.simulation.runner import VirtualWorker
from tests.builders import make_campaign, make_company, make_user

CHICAGO = ZoneInfo("America/Chicago")
# A Tuesday afternoon: inside the allowed hours in Texas.
TUESDAY_AFTERNOON = datetime(2026, 3, 3, 14, 15, tzinfo=CHICAGO)


@pytest.fixture
def clock() -> Iterator[VirtualClock]:
    virtual = VirtualClock(TUESDAY_AFTERNOON)
    with use_clock(virtual):
        yield virtual


@pytest.fixture
def provider() -> Iterator[SimulatorProvider]:
    simulator = SimulatorProvider()
    with use_provider(simulator):
        yield simulator


@pytest.fixture
def shop(db: None, clock: VirtualClock, provider: SimulatorProvider) -> Company:
    """A company in Austin with the standard week of arrival windows for every trade."""
    company = make_company(
        name="Lone Star Comfort Pros",
        service_area_zips=["78704", "78745", "78723"],
        prices={"ac_repair": "Diagnostic visit $89"},
        brands=["Trane", "Carrier"],
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
def voice_campaign(shop: Company) -> Campaign:
    return make_campaign(shop, name="Speed to Lead: Voice", channel=Channel.VOICE)


@pytest.fixture
def inbound_campaign(shop: Company) -> Campaign:
    return make_campaign(shop, name="Inbound SMS", goal=Goal.INBOUND_SMS)


@pytest.fixture
def worker(clock: VirtualClock, shop: Company) -> VirtualWorker:
    return VirtualWorker(clock)


@pytest.fixture
def csr(shop: Company) -> User:
    return make_user(shop, role="CSR", first_name="Sam", last_name="Patel")
