"""Small page helpers for the Growth > Interactions console, shared by the browser tests.

Locators prefer what a person sees (roles, labels, text); the few data attributes used
here are the hooks the console's own scripts rely on (`data-ix-row`).
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

INTERACTIONS = "/growth/interactions/"


def go_to_interactions_by_nav(page: Page) -> None:
    """Growth > Interactions through the top navigation, as the help page says."""
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Growth", exact=True).hover()
    nav.get_by_role("link", name="Interactions", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Interactions")).to_be_visible()


def rows(page: Page) -> Locator:
    """The rows of the interactions table (not its header)."""
    return page.locator("[data-ix-row]")


def row_id(row: Locator) -> int:
    value = row.get_attribute("data-ix-row")
    assert value is not None and value.isdigit(), f"a row without an id: {value!r}"
    return int(value)


def row_cells(row: Locator) -> Locator:
    return row.get_by_role("cell")


def row_badge(row: Locator) -> Locator:
    return row_cells(row).nth(2)


def row_message_count(row: Locator) -> Locator:
    return row_cells(row).nth(7)


def row_last_activity(row: Locator) -> Locator:
    return row_cells(row).nth(6)


def choose(page: Page, label: str, option: str) -> None:
    """Pick an option of a filter; the form submits itself and the page reloads."""
    before = page.url
    page.get_by_label(label, exact=True).select_option(label=option)
    expect(page).not_to_have_url(before)
    expect(page.get_by_label(label, exact=True).locator("option:checked")).to_have_text(option)


def drawer(page: Page) -> Locator:
    return page.get_by_role("complementary", name="Interaction details")


def fact(panel: Locator, term: str) -> Locator:
    """The value of one labelled fact (Phone, Customer, ...) in the drawer or a record."""
    return (
        panel.locator(".ix-facts > div")
        .filter(has=panel.page.locator("dt", has_text=re.compile(f"^{re.escape(term)}$")))
        .locator("dd")
    )


def open_row_by_keyboard(page: Page, row: Locator) -> Locator:
    """Focus a row and press Enter: the drawer opens with that interaction."""
    row.focus()
    expect(row).to_be_focused()
    page.keyboard.press("Enter")
    panel = drawer(page)
    expect(panel.locator(f'[data-ix-drawer="{row_id(row)}"]')).to_be_visible()
    return panel


def open_row_by_click(page: Page, row: Locator) -> Locator:
    row_cells(row).nth(1).click()
    panel = drawer(page)
    expect(panel.locator(f'[data-ix-drawer="{row_id(row)}"]')).to_be_visible()
    return panel


def thread_entries(panel: Locator) -> Locator:
    """The entries (messages and calls) of the conversation thread in the drawer."""
    return panel.locator("[data-live-list] > li")


def live_pill(page: Page) -> Locator:
    """The live-connection status pill ("Live", "Reconnecting…")."""
    return page.locator("[data-live-status]")
