"""Writes for companies, users and roles."""

from __future__ import annotations

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from leadline.accounts.models import Company, User
from leadline.accounts.roles import ROLE_PRESETS
from leadline.kit.errors import DomainError


def ensure_role_presets() -> dict[str, Group]:
    """Create or refresh the four role groups with exactly their preset permissions."""
    create_permissions(global_apps.get_app_config("accounts"), verbosity=0)
    groups: dict[str, Group] = {}
    for role, perms in ROLE_PRESETS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            wanted.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)
        groups[role] = group
    return groups


@transaction.atomic
def create_user(
    *,
    email: str,
    password: str,
    company: Company | None,
    role: str | None,
    first_name: str = "",
    last_name: str = "",
    superuser: bool = False,
) -> User:
    """Create a user of a company with one role preset."""
    email = email.strip().lower()
    if not email or "@" not in email:
        raise DomainError(f"{email!r} is not an email address")
    if role is not None and role not in ROLE_PRESETS:
        raise DomainError(f"unknown role {role!r}; choose one of {', '.join(ROLE_PRESETS)}")
    if User.objects.filter(email=email).exists():
        raise DomainError(f"a user with the email {email} already exists")
    if company is None and not superuser:
        raise DomainError("a user who is not a superuser must belong to a company")
    if company is not None and role is None:
        raise DomainError(f"choose a role for a user of a company: {', '.join(ROLE_PRESETS)}")
    user = User.objects.create_user(
        email,
        password,
        first_name=first_name,
        last_name=last_name,
        company=company,
        is_superuser=superuser,
        is_staff=superuser,
    )
    if role is not None:
        set_role(user=user, role=role)
    return user


def set_role(*, user: User, role: str) -> None:
    """Give a user exactly one role preset (replacing any other)."""
    groups = ensure_role_presets()
    if role not in groups:
        raise DomainError(f"unknown role {role!r}; choose one of {', '.join(groups)}")
    user.groups.set([groups[role]])
    # Administrators reach the settings pages of Django's admin (scoped to their company).
    user.is_staff = user.is_superuser or role == "Administrator"
    user.save(update_fields=["is_staff"])
