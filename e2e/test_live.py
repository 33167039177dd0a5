"""Live updates: what another process writes reaches open pages without a reload.

The new message is written by a separate Python process on the served database, as a
worker or a webhook of another server process would; the browser learns of it only
through the server-sent events of `leadline serve`.
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect

from e2e.conftest import run_in_server_database, screenshot, sign_in
from e2e.ui import (
    INTERACTIONS,
    live_pill,
    open_row_by_click,
    row_id,
    row_last_activity,
    row_message_count,
    rows,
    thread_entries,
)

# Within this many milliseconds of the write (item 4 of the issue: "within 2 seconds").
LIVE_WITHIN_MS = 2000


def _lead_texts(env: dict[str, str], interaction_id: int, body: str) -> float:
    """Store an inbound text from the lead on the interaction; return when it committed."""
    out = run_in_server_database(
        env,
        "import time\n"
        "from leadline.interactions.models import Author, Interaction, Message\n"
        "from leadline.interactions.services import add_message\n"
        f"interaction = Interaction.objects.get(pk={interaction_id})\n"
        "add_message(interaction=interaction, direction=Message.Direction.INBOUND,\n"
        f"    author=Author.LEAD, body={body!r})\n"
        "print(time.time())\n",
    )
    return float(out.strip().splitlines()[-1])


def test_a_new_message_reaches_the_open_drawer_the_row_and_the_lead_record(
    page: Page, server: str, server_env: dict[str, str]
) -> None:
    sign_in(page, server, "admin@demo.test")
    # Taken-over conversations: the agent sends nothing more in them, so the only new
    # message is the one this test writes. The last row of the page is not "just now".
    page.goto(f"{server}{INTERACTIONS}?status=takeover&channel=sms")
    expect(live_pill(page)).to_have_text("Live")
    row = rows(page).last
    interaction_id = row_id(row)
    row = page.locator(f'[data-ix-row="{interaction_id}"]')
    messages_before = int(row_message_count(row).inner_text())
    expect(row_last_activity(row)).not_to_have_text("just now")
    panel = open_row_by_click(page, row)
    entries_before = thread_entries(panel).count()
    lead_name = panel.get_by_role("heading", level=2).inner_text()
    page.evaluate("window.__notReloaded = true")

    body = f"Is the tech still coming today? ({interaction_id})"
    committed = _lead_texts(server_env, interaction_id, body)

    new_entry = thread_entries(panel).filter(has_text=body)
    expect(new_entry).to_be_visible(timeout=LIVE_WITHIN_MS)
    seen_after = time.time() - committed
    print(f"live update shown {seen_after:.2f} s after the write")
    expect(new_entry).to_contain_text(lead_name)
    expect(thread_entries(panel)).to_have_count(entries_before + 1)
    expect(row_message_count(row)).to_have_text(str(messages_before + 1), timeout=LIVE_WITHIN_MS)
    expect(row_last_activity(row)).to_have_text("just now", timeout=LIVE_WITHIN_MS)
    assert page.evaluate("window.__notReloaded") is True, "the page was reloaded"
    assert seen_after < LIVE_WITHIN_MS / 1000, f"shown {seen_after:.2f} s after the write"
    expect(live_pill(page)).to_have_text("Live")
    new_entry.scroll_into_view_if_needed()
    screenshot(page, "live-1-new-message-in-drawer-and-row")

    # The same on the lead record: the timeline grows in place.
    page.get_by_role("link", name="View Lead").click()
    expect(page).to_have_url(re.compile(r"/leads/\d+/$"))
    expect(live_pill(page)).to_have_text("Live")
    page.evaluate("window.__notReloaded = true")
    body = f"Also, can you check the thermostat? ({interaction_id})"
    _lead_texts(server_env, interaction_id, body)
    timeline = page.get_by_role("list", name="Activity")
    expect(timeline.get_by_role("listitem").filter(has_text=body)).to_be_visible(
        timeout=LIVE_WITHIN_MS
    )
    assert page.evaluate("window.__notReloaded") is True, "the page was reloaded"
    screenshot(page, "live-2-new-message-on-lead-record")


def test_the_live_sign_shows_a_lost_connection_and_its_return(page: Page, server: str) -> None:
    sign_in(page, server, "admin@demo.test")
    feed = re.compile(r"/growth/interactions/live/")
    page.route(feed, lambda route: route.abort())
    page.goto(f"{server}{INTERACTIONS}")
    pill = live_pill(page)
    expect(pill).to_have_text("Reconnecting…")
    expect(pill).to_have_attribute("title", re.compile("connection was lost"))
    screenshot(page, "live-3-connection-lost")

    page.unroute(feed)
    expect(pill).to_have_text("Live", timeout=10_000)
