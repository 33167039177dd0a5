from __future__ import annotations

import pytest

from leadline.accounts.models import Company
from tests.builders import make_company


@pytest.fixture
def company(db: None) -> Company:
    return make_company()


@pytest.fixture
def other_company(db: None) -> Company:
    return make_company(name="Other Co")
