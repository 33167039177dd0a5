"""Reads for companies and users."""

from __future__ import annotations

from django.db.models import QuerySet

from leadline.accounts.models import Company, User
from leadline.accounts.roles import ROLE_PRESETS


def company_users(*, company: Company) -> QuerySet[User]:
    """The active users of a company, by name."""
    return User.objects.filter(company=company, is_active=True).order_by("first_name", "email")


def role_of(*, user: User) -> str | None:
    """The role preset the user holds, if any."""
    names = set(user.groups.values_list("name", flat=True))
    for role in ROLE_PRESETS:
        if role in names:
            return role
    return None
