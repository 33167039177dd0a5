"""The three use cases of the seed help page, played in the browser on the demo data.

A. A CSR notices an Escalated lead, reads the drawer, opens the lead, takes over and
   continues the conversation.
B. An administrator filters Abandoned for the week and looks at the pattern in Insights.
C. A manager reviews a whole SMS thread, and a Voice Agent call's transcript.

Rows are picked through the filters and their ids read from the page, so the tests
do not depend on the demo's random names or order.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

from e2e.conftest import screenshot, sign_in
from e2e.ui import (
    INTERACTIONS,
    choose,
    drawer,
    fact,
    go_to_interactions_by_nav,
    open_row_by_click,
    open_row_by_keyboard,
    row_badge,
    row_id,
    rows,
    thread_entries,
)

DRAWER_FACTS = (
    "Phone",
    "Customer",
    "Lead",
    "Interaction Status",
    "Channel",
    "Goal",
    "Last Activity",
)


def test_a_csr_takes_over_an_escalated_lead_and_continues(page: Page, server: str) -> None:
    sign_in(page, server, "csr@demo.test")
    go_to_interactions_by_nav(page)

    counters = page.get_by_role("list", name="Summary counters")
    counters.get_by_role("link", name=re.compile(r"^Escalated")).click()
    expect(page).to_have_url(re.compile(r"[?&]escalated=1(&|$)"))
    expect(page.get_by_role("switch", name="Escalated Only")).to_be_checked()
    count = rows(page).count()
    assert count > 0, "the demo has escalated interactions"
    expect(rows(page).locator(".ix-badge")).to_have_text([re.compile(r"^Escalated")] * count)

    row = rows(page).first
    interaction_id = row_id(row)
    panel = open_row_by_keyboard(page, row)
    expect(page).to_have_url(re.compile(rf"[?&]open={interaction_id}(&|$)"))
    for term in DRAWER_FACTS:
        expect(fact(panel, term)).to_be_visible()
    expect(fact(panel, "Phone").get_by_role("link")).to_have_attribute("href", re.compile("^tel:"))
    lead_link = fact(panel, "Lead").get_by_role("link")
    expect(lead_link).to_have_attribute("href", re.compile(r"^/leads/\d+/$"))
    expect(fact(panel, "Interaction Status")).to_have_text(re.compile(r"^Escalated"))
    expect(fact(panel, "Channel")).to_have_text(re.compile(r"^(SMS|Voice) Agent$"))
    expect(fact(panel, "Goal")).to_have_text(re.compile(r"^(Speed to Lead|Inbound SMS)$"))
    summary = panel.get_by_role("region", name="Overview Summary")
    expect(summary.get_by_role("paragraph")).not_to_be_empty()
    expect(thread_entries(panel).first).to_be_visible()
    lead_name = panel.get_by_role("heading", level=2).inner_text()
    screenshot(page, "use-case-a-1-escalated-drawer")

    panel.get_by_role("link", name="View Lead").click()
    expect(page).to_have_url(re.compile(r"/leads/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(lead_name)
    chat = page.get_by_role("textbox", name=re.compile(r"^Message to"))
    expect(chat).to_be_disabled()

    page.get_by_role("button", name="Takeover", exact=True).click()
    dialog = page.get_by_role("dialog", name=re.compile(r"^Take over"))
    expect(dialog).to_be_visible()
    screenshot(page, "use-case-a-2-takeover-confirmation")
    dialog.get_by_role("button", name="Take over", exact=True).click()

    banner = page.get_by_role("status").filter(
        has_text=re.compile(r"^\s*The agent is paused for this lead since .+ by Sam Patel")
    )
    expect(banner).to_be_visible()
    expect(page.get_by_role("button", name="Takeover", exact=True)).to_have_count(0)
    expect(chat).to_be_enabled()
    expect(chat).to_be_focused()

    text = f"Hi, this is Sam from the office. Could we come by tomorrow? ({interaction_id})"
    chat.fill(text)
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text("Message queued to send.")).to_be_visible()
    timeline = page.get_by_role("list", name="Activity")
    sent = timeline.get_by_role("listitem").filter(has_text=text)
    expect(sent).to_have_count(1)
    expect(sent).to_contain_text("Sam Patel")
    conversations = page.get_by_role("region", name=re.compile(r"^Conversations"))
    expect(conversations.get_by_text("Takeover", exact=True).first).to_be_visible()
    screenshot(page, "use-case-a-3-lead-after-takeover")

    page.goto(f"{server}{INTERACTIONS}{interaction_id}/")
    expect(fact(drawer(page), "Interaction Status")).to_have_text("Takeover")
    expect(thread_entries(drawer(page)).filter(has_text=text)).to_contain_text("Sam Patel")


def test_b_an_administrator_filters_abandoned_for_the_week(page: Page, server: str) -> None:
    sign_in(page, server, "admin@demo.test")
    go_to_interactions_by_nav(page)

    choose(page, "Status", "Abandoned")
    choose(page, "Time range", "Last 7 days")
    expect(page).to_have_url(re.compile(r"[?&]status=abandoned(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]range=7d(&|$)"))
    count = rows(page).count()
    assert count > 0, "the demo has abandoned interactions this week"
    expect(rows(page).locator(".ix-badge")).to_have_text(["Abandoned"] * count)
    # A week in the company's time zone: no row is older than eight days.
    oldest = datetime.now(UTC) - timedelta(days=8)
    for stamp in rows(page).locator("time").evaluate_all("els => els.map(e => e.dateTime)"):
        assert datetime.fromisoformat(stamp) > oldest, stamp
    # The counters follow the filters: Conversations counts every matching row (the list
    # shows up to 50 of them on a page).
    counters = page.get_by_role("list", name="Summary counters").get_by_role("listitem")
    total = int(counters.filter(has_text="Conversations").locator(".ix-counter-value").inner_text())
    assert count == min(total, 50), (count, total)
    screenshot(page, "use-case-b-1-abandoned-last-7-days")

    page.reload()
    expect(page.get_by_label("Status", exact=True).locator("option:checked")).to_have_text(
        "Abandoned"
    )
    expect(page.get_by_label("Time range", exact=True).locator("option:checked")).to_have_text(
        "Last 7 days"
    )
    expect(rows(page).locator(".ix-badge")).to_have_text(["Abandoned"] * count)

    page.get_by_role("link", name="Insights", exact=True).click()
    expect(page).to_have_url(re.compile(r"/growth/interactions/insights/\?"))
    expect(page).to_have_url(re.compile(r"[?&]status=abandoned(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]range=7d(&|$)"))
    expect(page.get_by_label("Status", exact=True).locator("option:checked")).to_have_text(
        "Abandoned"
    )
    title = re.compile(r"^Response rate by hour and day")
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    heat_map = page.get_by_role("table", name=re.compile(r"^Response rate by day of week"))
    expect(heat_map).to_be_visible()
    expect(heat_map.get_by_role("rowheader", name="Monday")).to_be_visible()
    expect(
        page.get_by_text(re.compile(rf"Based on (the \d+ most recent of )?{total} "))
    ).to_be_visible()
    screenshot(page, "use-case-b-2-insights-heat-map")


def test_c_a_manager_reviews_a_whole_sms_thread(page: Page, server: str) -> None:
    sign_in(page, server, "manager@demo.test")
    go_to_interactions_by_nav(page)
    choose(page, "Status", "Converted: Agent")
    choose(page, "Channel", "SMS Agent")

    counts = [int(text) for text in rows(page).locator("td.ix-num").all_inner_texts()]
    assert counts, "the demo has SMS conversations the agent converted"
    index = next(i for i, n in enumerate(counts) if n >= 4)
    row = rows(page).nth(index)
    expect(row_badge(row)).to_have_text("Converted: Agent")
    panel = open_row_by_click(page, row)
    expect(fact(panel, "Channel")).to_have_text("SMS Agent")
    expect(fact(panel, "Interaction Status")).to_have_text("Converted: Agent")
    lead_name = panel.get_by_role("heading", level=2).inner_text()

    entries = thread_entries(panel)
    expect(entries).to_have_count(counts[index])
    authors = entries.locator(".ix-entry-author").all_inner_texts()
    assert "Agent" in authors and lead_name in authors, authors
    assert set(authors) <= {"Agent", lead_name}, authors
    stamps = entries.locator("time").evaluate_all("els => els.map(e => e.dateTime)")
    moments = [datetime.fromisoformat(stamp) for stamp in stamps]
    assert moments == sorted(moments), "the thread reads oldest first"
    # The agent's first text names the business and says how to opt out.
    first_from_agent = entries.filter(has=page.locator(".ix-entry-author", has_text="Agent"))
    expect(first_from_agent.first).to_contain_text("Reply STOP to opt out")
    expect(panel.get_by_text("read-only")).to_be_visible()
    expect(panel.get_by_role("textbox")).to_have_count(0)
    screenshot(page, "use-case-c-1-sms-thread")

    choose(page, "Channel", "Voice Agent")
    row = rows(page).first
    panel = open_row_by_click(page, row)
    expect(fact(panel, "Channel")).to_have_text("Voice Agent")
    transcripts = panel.get_by_role("list", name="Call transcript")
    expect(transcripts.first).to_be_visible()
    expect(transcripts.first.get_by_role("listitem").first).to_contain_text("Agent")
    # A converted call conversation had at least one answered call: a real exchange
    # (earlier attempts may have reached voicemail and hold only the agent's message).
    turn_counts = [
        transcripts.nth(i).get_by_role("listitem").count() for i in range(transcripts.count())
    ]
    assert max(turn_counts) >= 2, turn_counts
    expect(panel.get_by_text("No audio for this call").first).to_be_visible()
    screenshot(page, "use-case-c-2-call-transcript")
