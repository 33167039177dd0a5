"""The shop world most end-to-end tests share: an HVAC company in Austin with capacity, its
campaigns and CSR, a virtual clock on a Tuesday afternoon, the simulator provider, and a worker
that runs due tasks at virtual time.

Registered once for every test by `pytest_plugins` in tests/conftest.py. A folder whose tests
need a different shop (richer profile, Twilio instead of the simulator) overrides `shop` in its
conftest with `build_shop(...)`; `worker` and the campaigns then use that shop."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any
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
# A Tuesday afternoon: inside the allowed sending hours in Texas, so the agent writes at once.
TUESDAY_AFTERNOON = datetime(2026, 3, 3, 14, 15, tzinfo=CHICAGO)
ALL_TRADES = ("hvac", "plumbing", "electrical", "garage_doors")


def build_shop(*, trades: Sequence[str] = ALL_TRADES, **overrides: Any) -> Company:
    """Lone Star Comfort Pros in Austin, with the standard week of arrival windows for `trades`."""
    fields: dict[str, Any] = {
        "name": "Lone Star Comfort Pros",
        "service_area_zips": ["78704", "78745", "78723"],
    }
    fields.update(overrides)
    company = make_company(**fields)
    set_standard_week(company=company, trades=list(trades), slots=2)
    return company


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
    return build_shop()


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
