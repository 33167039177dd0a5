"""The API's docs page renders its operations in the browser, from files served here."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from e2e.conftest import screenshot


def test_the_api_docs_page_renders_every_area_without_loading_anything_from_elsewhere(
    page: Page, server: str
) -> None:
    foreign: list[str] = []
    page.on(
        "request",
        lambda request: None if request.url.startswith(server) else foreign.append(request.url),
    )

    page.goto(f"{server}/api/v1/docs")

    expect(page.get_by_role("heading", name=re.compile(r"^Leadline API"))).to_be_visible()
    expect(page.get_by_text("Unable to render this definition")).to_have_count(0)
    create_lead = page.locator(".opblock-post", has_text="/api/v1/leads").first
    expect(create_lead).to_contain_text("Create a lead")
    expect(page.locator(".opblock")).not_to_have_count(0)
    assert foreign == []
    screenshot(page, "api-docs")
