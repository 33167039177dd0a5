from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from leadline.accounts.models import Company, User
from tests.builders import make_company, make_user

# The shop world (virtual clock, simulator provider, the Austin shop, its campaigns, worker, CSR).
pytest_plugins = ["tests.shop"]


def pytest_configure(config: pytest.Config) -> None:
    # WhiteNoise warns that STATIC_ROOT (var/static) is missing; the tests serve from the apps.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")
    # On a fresh clone ./var does not exist yet; SQLite cannot create its test file there.
    database = settings.DATABASES["default"]
    if str(database["ENGINE"]).endswith("sqlite3"):
        Path(str(database["NAME"])).parent.mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # The real hasher costs a third of a second per user and per sign-in.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def company(db: None) -> Company:
    return make_company()


@pytest.fixture
def other_company(db: None) -> Company:
    return make_company(name="Other Co")


@pytest.fixture
def company_admin(company: Company) -> User:
    """An Administrator of `company`."""
    return make_user(company, role="Administrator", first_name="Ada")


@pytest.fixture
def other_admin(other_company: Company) -> User:
    """An Administrator of `other_company`."""
    return make_user(other_company, role="Administrator", first_name="Otto")
