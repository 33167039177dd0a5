"""Role presets, and the rules for creating users."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate

from leadline.accounts.models import Company, User
from leadline.accounts.roles import ROLE_PRESETS
from leadline.accounts.selectors import role_of
from leadline.accounts.services import create_user, ensure_role_presets, set_role
from leadline.kit.errors import DomainError
from tests.builders import PASSWORD, make_user

pytestmark = pytest.mark.django_db

PERMISSIONS = [
    "accounts.view_customer_chats",
    "accounts.send_message",
    "accounts.listen_call_recording",
    "accounts.administer_company",
]

# What each preset grants, written out from the product's point of view.
EXPECTED = {
    "Administrator": {
        "accounts.view_customer_chats",
        "accounts.send_message",
        "accounts.listen_call_recording",
        "accounts.administer_company",
    },
    "CSR": {
        "accounts.view_customer_chats",
        "accounts.send_message",
        "accounts.listen_call_recording",
    },
    "Manager": {"accounts.view_customer_chats", "accounts.listen_call_recording"},
    "Viewer": {"accounts.view_customer_chats"},
}


def _fresh(user: User) -> User:
    # has_perm caches a user's permissions on the instance.
    return User.objects.get(pk=user.pk)


def test_the_presets_are_the_four_roles_of_the_product() -> None:
    assert list(ROLE_PRESETS) == ["Administrator", "CSR", "Manager", "Viewer"]
    assert {role: set(perms) for role, perms in ROLE_PRESETS.items()} == EXPECTED


@pytest.mark.parametrize("role", list(EXPECTED))
def test_a_role_grants_exactly_its_preset_permissions(company: Company, role: str) -> None:
    user = _fresh(make_user(company, role=role))
    granted = {perm for perm in PERMISSIONS if user.has_perm(perm)}
    assert granted == EXPECTED[role]
    assert user.get_all_permissions() == EXPECTED[role]
    assert role_of(user=user) == role


@pytest.mark.parametrize("role", list(EXPECTED))
def test_only_an_administrator_is_staff(company: Company, role: str) -> None:
    assert make_user(company, role=role).is_staff is (role == "Administrator")


def test_set_role_replaces_the_previous_role(company: Company) -> None:
    user = make_user(company, role="Administrator")

    set_role(user=user, role="Viewer")

    user = _fresh(user)
    assert list(user.groups.values_list("name", flat=True)) == ["Viewer"]
    assert user.get_all_permissions() == EXPECTED["Viewer"]
    assert user.is_staff is False


def test_set_role_refuses_an_unknown_role(company: Company) -> None:
    user = make_user(company, role="CSR")
    with pytest.raises(DomainError, match="unknown role 'Owner'"):
        set_role(user=user, role="Owner")
    assert role_of(user=_fresh(user)) == "CSR"


def test_ensure_role_presets_removes_a_permission_added_by_hand(company: Company) -> None:
    groups = ensure_role_presets()
    admin_perm = groups["Administrator"].permissions.get(codename="administer_company")
    groups["Viewer"].permissions.add(admin_perm)

    ensure_role_presets()

    viewer = _fresh(make_user(company, role="Viewer"))
    assert viewer.get_all_permissions() == EXPECTED["Viewer"]


def test_create_user_refuses_a_duplicate_email_whatever_its_case(company: Company) -> None:
    make_user(company, email="dana@example.test")
    with pytest.raises(DomainError, match="already exists"):
        create_user(email=" Dana@Example.TEST ", password=PASSWORD, company=company, role="CSR")
    assert User.objects.filter(email__iexact="dana@example.test").count() == 1


def test_create_user_refuses_an_unknown_role(company: Company) -> None:
    with pytest.raises(DomainError, match="unknown role 'Owner'; choose one of Administrator"):
        create_user(email="new@example.test", password=PASSWORD, company=company, role="Owner")
    assert not User.objects.filter(email="new@example.test").exists()


def test_create_user_refuses_a_user_without_a_company(db: None) -> None:
    with pytest.raises(DomainError, match="must belong to a company"):
        create_user(email="new@example.test", password=PASSWORD, company=None, role="CSR")
    assert not User.objects.filter(email="new@example.test").exists()


def test_create_user_refuses_something_that_is_not_an_email(company: Company) -> None:
    with pytest.raises(DomainError, match="not an email address"):
        create_user(email="dana", password=PASSWORD, company=company, role="CSR")


def test_a_superuser_needs_no_company(db: None) -> None:
    user = create_user(
        email="ops@example.test", password=PASSWORD, company=None, role=None, superuser=True
    )
    assert (user.is_superuser, user.is_staff, user.company_id) == (True, True, None)


def test_a_created_user_signs_in_with_the_email_in_any_case(company: Company) -> None:
    user = create_user(
        email="Casey.CSR@Example.test", password=PASSWORD, company=company, role="CSR"
    )
    assert user.email == "casey.csr@example.test"
    assert authenticate(username="CASEY.csr@example.TEST", password=PASSWORD) == user
    assert authenticate(username="casey.csr@example.test", password="wrong-password") is None


def test_an_inactive_user_cannot_sign_in(company: Company) -> None:
    user = make_user(company, email="gone@example.test")
    user.is_active = False
    user.save()
    assert authenticate(username="gone@example.test", password=PASSWORD) is None


def test_a_user_of_a_company_needs_a_role(company: Company) -> None:
    with pytest.raises(DomainError, match="choose a role"):
        create_user(email="norole@example.test", password=PASSWORD, company=company, role=None)
