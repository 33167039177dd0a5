"""Each demo login signs in on the served demo and sees what its role allows."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import screenshot, sign_in

ROLES = {
    "admin@demo.test": ("Administrator", True),
    "csr@demo.test": ("CSR", False),
    "manager@demo.test": ("Manager", False),
    "viewer@demo.test": ("Viewer", False),
}


@pytest.mark.parametrize("email", list(ROLES))
def test_a_demo_user_signs_in_and_lands_on_the_company_home(
    page: Page, server: str, email: str
) -> None:
    role, sees_settings = ROLES[email]

    sign_in(page, server, email)

    expect(page.get_by_text("Lone Star Comfort Pros").first).to_be_visible()
    expect(page.get_by_text(f"your role: {role}")).to_be_visible()
    settings_link = page.get_by_role("link", name="Settings")
    if sees_settings:
        expect(settings_link).to_be_visible()
    else:
        expect(settings_link).to_have_count(0)
    screenshot(page, f"home-{role.lower()}")


def test_a_wrong_password_keeps_the_visitor_on_the_sign_in_page(page: Page, server: str) -> None:
    page.goto(f"{server}/login/")
    page.get_by_label("Email").fill("csr@demo.test")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_contain_text("do not match")
    expect(page).to_have_url(f"{server}/login/")
