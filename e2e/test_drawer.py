"""The detail drawer: keyboard, the URL that remembers it, and the records behind its links."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from e2e.conftest import screenshot, sign_in
from e2e.ui import INTERACTIONS, choose, drawer, fact, open_row_by_keyboard, row_id, rows


def test_the_drawer_follows_the_keyboard_and_the_url(page: Page, server: str) -> None:
    sign_in(page, server, "admin@demo.test")
    page.goto(f"{server}{INTERACTIONS}")
    choose(page, "Type", "Opportunity")
    list_url = page.url
    assert "type=opportunity" in list_url and "open=" not in list_url
    table = page.get_by_role("table")
    table_box = table.bounding_box()

    # Arrow keys move between rows; Enter opens the focused one.
    first = rows(page).first
    first.focus()
    page.keyboard.press("ArrowDown")
    second = rows(page).nth(1)
    expect(second).to_be_focused()
    interaction_id = row_id(second)
    panel = open_row_by_keyboard(page, second)
    expect(page).to_have_url(re.compile(rf"[?&]open={interaction_id}(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]type=opportunity(&|$)"))
    expect(second).to_have_attribute("aria-current", "true")
    expect(panel.get_by_role("heading", level=2)).to_be_focused()
    assert table.bounding_box() == table_box, "the table moved when the drawer opened"
    customer = fact(panel, "Customer").get_by_role("link")
    lead = fact(panel, "Lead").get_by_role("link")
    opportunity = fact(panel, "Opportunity").get_by_role("link")
    expect(customer).to_have_attribute("href", re.compile(r"^/customers/\d+/$"))
    expect(lead).to_have_attribute("href", re.compile(r"^/leads/\d+/$"))
    expect(opportunity).to_have_attribute("href", re.compile(r"^/opportunities/\d+/$"))
    customer_name = customer.inner_text()
    opportunity_title = opportunity.inner_text()

    # Esc closes it, drops ?open= (the filters stay) and gives focus back to the row.
    page.keyboard.press("Escape")
    expect(panel.locator("[data-ix-drawer]")).to_have_count(0)
    expect(page).not_to_have_url(re.compile(r"[?&]open="))
    expect(page).to_have_url(re.compile(r"[?&]type=opportunity(&|$)"))
    expect(second).to_be_focused()
    expect(second).not_to_have_attribute("aria-current", "true")

    # A link with ?open=<id> (a reload, a shared link) opens the drawer on arrival.
    page.goto(f"{page.url}&open={interaction_id}")
    panel = drawer(page)
    expect(panel.locator(f'[data-ix-drawer="{interaction_id}"]')).to_be_visible()
    expect(fact(panel, "Opportunity")).to_have_text(opportunity_title)
    expect(page.locator(f'[data-ix-row="{interaction_id}"]')).to_have_attribute(
        "aria-current", "true"
    )
    screenshot(page, "drawer-1-opened-from-the-url")
    page.reload()
    expect(drawer(page).locator(f'[data-ix-drawer="{interaction_id}"]')).to_be_visible()

    # The records behind the links.
    fact(drawer(page), "Customer").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/customers/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(customer_name)
    expect(page.get_by_role("heading", name=re.compile(r"^Leads"))).to_be_visible()
    screenshot(page, "drawer-2-customer-record")
    page.go_back()
    fact(drawer(page), "Opportunity").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/opportunities/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(opportunity_title)
    expect(page.get_by_role("heading", name=re.compile(r"^Interactions"))).to_be_visible()
    screenshot(page, "drawer-3-opportunity-record")
