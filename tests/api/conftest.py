"""Fixtures of the API tests: clients that call /api/v1/ with a token, on top of the shared
shop world (tests/shop.py: the shop with capacity, its campaign, the clock, the simulator)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from leadline.accounts.models import Company, User
from leadline.api.services import create_token
from tests.builders import make_company, make_user

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
