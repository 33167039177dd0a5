"""Fixtures of the API tests: a company with a Speed to Lead campaign and capacity, a
virtual clock, the simulator provider, and clients that call /api/v1/ with a token."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from leadline.accounts.models import Company, User
from leadline.api.services import create_token
from leadline.campaigns.models import Campaign
from leadline.capacity.services import set_standard_week
from leadline.channels.base import use_provider
from leadline.channels.simulator import SimulatorProvider
from leadline.kit.clock import VirtualClock, use_clock
from leadline.simulation.runner import VirtualWorker
from tests.builders import make_campaign, make_company, make_user

CHICAGO = ZoneInfo("America/Chicago")
# A Tuesday afternoon: inside the allowed hours in Texas.
TUESDAY_AFTERNOON = datetime(2026, 3, 3, 14, 15, tzinfo=CHICAGO)
BASE = "/api/v1"


class Api:
    """Calls the API as one token (or none) through Django's test client."""

    def __init__(self, secret: str | None) -> None:
        self.secret = secret
        self.client = Client()

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.secret}"} if self.secret else {}
        headers.update(extra or {})
        return headers

    def get(self, path: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
        return self.client.get(BASE + path, params or {}, headers=self._headers(kw.get("headers")))

    def post(self, path: str, body: Any = None, *, raw: str | None = None, **kw: Any) -> Any:
        data = raw if raw is not None else json.dumps({} if body is None else body)
        return self.client.post(
            BASE + path,
            data=data,
            content_type="application/json",
            headers=self._headers(kw.get("headers")),
        )

    def call(self, method: str, path: str, body: Any = None) -> Any:
        if method == "GET":
            return self.get(path)
        return self.post(path, body)


def api_for(user: User | None) -> Api:
    return Api(create_token(user=user, name="tests").secret if user is not None else None)


def user_with(company: Company, *permissions: str) -> User:
    """A user of the company with exactly these permissions (no role preset)."""
    user = make_user(company, role="Viewer")
    user.groups.clear()
    for dotted in permissions:
        app_label, codename = dotted.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return User.objects.get(pk=user.pk)


def error_of(response: Any) -> dict[str, Any]:
    """The error object of an answer, after checking it has the one error shape."""
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"status", "code", "message", "field"}, error
    assert error["status"] == response.status_code
    assert error["message"]
    return dict(error)


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
        name="Lone Star Comfort Pros", service_area_zips=["78704", "78745", "78723"]
    )
    set_standard_week(
        company=company, trades=["hvac", "plumbing", "electrical", "garage_doors"], slots=2
    )
    return company


@pytest.fixture
def sms_campaign(shop: Company) -> Campaign:
    return make_campaign(shop)


@pytest.fixture
def worker(clock: VirtualClock, shop: Company) -> VirtualWorker:
    return VirtualWorker(clock)


@pytest.fixture
def csr(shop: Company) -> User:
    return make_user(shop, role="CSR", first_name="Sam", last_name="Patel")


@pytest.fixture
def admin_user(shop: Company) -> User:
    return make_user(shop, role="Administrator", first_name="Ada")


@pytest.fixture
def as_csr(csr: User) -> Api:
    return api_for(csr)


@pytest.fixture
def as_admin(admin_user: User) -> Api:
    return api_for(admin_user)


@pytest.fixture
def rival(db: None) -> Company:
    return make_company(name="Rival Heating")
