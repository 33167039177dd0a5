"""Signing in and out of the console, and its own error pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from leadline.accounts.models import Company
from tests.builders import PASSWORD, make_interaction, make_user

pytestmark = pytest.mark.django_db


def test_the_sign_in_page_shows_a_form(client: Client) -> None:
    response = client.get("/login/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<form method="post" action="/login/">' in html
    assert 'name="username"' in html
    assert 'name="password"' in html
    assert "csrfmiddlewaretoken" in html


@pytest.mark.parametrize("role", ["Administrator", "CSR", "Manager", "Viewer"])
def test_each_role_signs_in_with_email_and_password_and_sees_company_and_role(
    client: Client, company: Company, role: str
) -> None:
    make_user(company, role=role, email=f"{role.lower()}@example.test")

    response = client.post(
        "/login/", {"username": f"{role.upper()}@Example.TEST", "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain == [("/", 302)]
    assert response.status_code == 200
    html = response.content.decode()
    assert company.name in html
    assert f"your role: <strong>{role}</strong>" in html


def test_signing_in_returns_to_the_page_asked_for(client: Client, company: Company) -> None:
    make_user(company, role="Administrator", email="ada@example.test")

    response = client.post(
        "/login/?next=/admin/",
        {"username": "ada@example.test", "password": PASSWORD, "next": "/admin/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_signing_in_never_redirects_to_another_site(client: Client, company: Company) -> None:
    make_user(company, email="dana@example.test")

    response = client.post(
        "/login/",
        {"username": "dana@example.test", "password": PASSWORD, "next": "https://evil.example/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_wrong_password_shows_the_error_and_signs_no_one_in(
    client: Client, company: Company
) -> None:
    make_user(company, email="dana@example.test")

    response = client.post("/login/", {"username": "dana@example.test", "password": "nope-nope"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "That email and password do not match an active account" in html
    assert 'value="dana@example.test"' in html
    assert "_auth_user_id" not in client.session


def test_an_unknown_email_gets_the_same_error(client: Client, db: None) -> None:
    response = client.post("/login/", {"username": "nobody@example.test", "password": PASSWORD})

    assert response.status_code == 200
    assert "That email and password do not match an active account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_home_sends_an_anonymous_visitor_to_sign_in(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_home_counts_only_the_company_own_interactions(
    client: Client, company: Company, other_company: Company
) -> None:
    make_interaction(company)
    for _ in range(3):
        make_interaction(other_company)
    client.force_login(make_user(company, role="Viewer"))

    html = client.get("/").content.decode()

    assert "<dt>Conversations</dt><dd>1</dd>" in html
    assert other_company.name not in html


def test_the_settings_link_shows_only_for_an_administrator(
    client: Client, company: Company
) -> None:
    client.force_login(make_user(company, role="CSR"))
    assert 'href="/admin/"' not in client.get("/").content.decode()

    client.force_login(make_user(company, role="Administrator"))
    assert 'href="/admin/"' in client.get("/").content.decode()


def test_an_unknown_page_is_the_console_own_404_without_a_stack_trace(
    client: Client, settings: Any
) -> None:
    settings.DEBUG = False

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "Back to Leadline" in html
    assert "Traceback" not in html
    assert "URLconf" not in html


def test_signing_out_is_a_post_that_ends_the_session(client: Client, company: Company) -> None:
    client.force_login(make_user(company))

    response = client.post("/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302


def test_signing_out_by_get_is_refused(client: Client, company: Company) -> None:
    client.force_login(make_user(company))

    response = client.get("/logout/")

    assert response.status_code == 405
    assert "_auth_user_id" in client.session


def test_a_signed_in_user_visiting_sign_in_goes_home(client: Client, company: Company) -> None:
    client.force_login(make_user(company))

    response = client.get("/login/")

    assert response.status_code == 302
    assert response["Location"] == "/"
