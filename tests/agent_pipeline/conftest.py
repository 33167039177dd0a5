"""Fixtures of the pipeline tests: the shared shop world (tests/shop.py), with a shop whose
profile gives the agent prices, brands and business hours to quote."""

from __future__ import annotations

import pytest

from leadline.accounts.models import Company
from leadline.channels.simulator import SimulatorProvider
from leadline.kit.clock import VirtualClock
from tests.shop import build_shop


@pytest.fixture
def shop(db: None, clock: VirtualClock, provider: SimulatorProvider) -> Company:
    """A company in Austin with the standard week of arrival windows for every trade, and the
    prices, brands and hours the agent can answer questions with."""
    return build_shop(
        prices={"ac_repair": "Diagnostic visit $89"},
        brands=["Trane", "Carrier"],
        business_hours="Monday to Saturday, 7 am to 6 pm",
    )
