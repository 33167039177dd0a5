"""Each permission on and off, as the people of the demo company see it.

- View Customer Chats: the Interactions page, the drawer and the records (off: no menu
  item and a 403 page for every one of them).
- Listen to Call Recording: call transcripts and recordings in the drawer and on the lead
  record (off: a "hidden" notice, and the transcript is absent from the HTML itself).
- Send Message: Takeover and the chat area (off: neither is shown, and a POST is refused).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from e2e.conftest import run_in_server_database, screenshot
from e2e.ui import INTERACTIONS, drawer, fact, open_row_by_click, row_id, rows

HIDDEN_CALLS = "Call transcript hidden: needs Listen to Call Recording"
NO_AUDIO = "No audio for this call"
VOICE_CONVERTED = f"{INTERACTIONS}?status=converted.agent&channel=voice"
VOICE_ESCALATED = f"{INTERACTIONS}?escalated=1&channel=voice"
READ_ONLY_NOTE = (
    "You can read this conversation. Taking over and replying need the Send Message permission."
)


def _turn_texts(panel: Locator) -> list[str]:
    """The spoken words of every transcript turn, without the speaker's name."""
    return (
        panel.get_by_role("list", name="Call transcript")
        .locator("li")
        .evaluate_all("items => items.map(li => li.lastChild.textContent.trim())")
    )


def _lead_url(panel: Locator) -> str:
    href = fact(panel, "Lead").get_by_role("link").get_attribute("href")
    assert href is not None and re.fullmatch(r"/leads/\d+/", href), href
    return href


def _csrf_token(page: Page) -> str:
    # Every signed-in page carries one in the Sign out form.
    token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    assert token
    return token


def _open_first_voice_call(page: Page, server: str, path: str) -> tuple[int, Locator]:
    page.goto(f"{server}{path}")
    row = rows(page).first
    interaction_id = row_id(row)
    panel = open_row_by_click(page, row)
    expect(fact(panel, "Channel")).to_have_text("Voice Agent")
    return interaction_id, panel


def test_listen_to_call_recording_on_and_off(signed_in: Callable[[str], Page], server: str) -> None:
    # The manager may listen: transcript and player in the drawer and on the lead record.
    manager = signed_in("manager@demo.test")
    interaction_id, panel = _open_first_voice_call(manager, server, VOICE_CONVERTED)
    expect(panel.get_by_role("list", name="Call transcript").first).to_be_visible()
    # The demo's calls are simulated: the drawer says there is no audio instead of a player.
    expect(panel.get_by_text(NO_AUDIO).first).to_be_visible()
    expect(panel.get_by_text(HIDDEN_CALLS)).to_have_count(0)
    spoken = max(_turn_texts(panel), key=len)
    assert len(spoken) > 20, spoken
    lead_url = _lead_url(panel)
    screenshot(manager, "permissions-1-manager-drawer-with-transcript")
    manager.goto(f"{server}{lead_url}")
    expect(manager.get_by_role("list", name="Activity").get_by_text(spoken)).to_be_visible()

    # The viewer may not: a notice, and neither the words nor the player reach the browser.
    viewer = signed_in("viewer@demo.test")
    viewer.goto(f"{server}{INTERACTIONS}")
    expect(rows(viewer).first).to_be_visible()
    viewer.goto(f"{server}{INTERACTIONS}{interaction_id}/")
    panel = drawer(viewer)
    expect(panel.get_by_text(HIDDEN_CALLS)).to_be_visible()
    expect(fact(panel, "Interaction Status")).to_have_text("Converted: Agent")
    expect(panel.get_by_role("region", name="Overview Summary")).to_be_visible()
    expect(panel.get_by_role("list", name="Call transcript")).to_have_count(0)
    html = viewer.content()
    assert spoken not in html
    assert "<audio" not in html and "/recording" not in html and NO_AUDIO not in html
    fragment = viewer.request.get(
        f"{server}{INTERACTIONS}{interaction_id}/drawer/", headers={"HX-Request": "true"}
    )
    assert fragment.ok and HIDDEN_CALLS in fragment.text() and spoken not in fragment.text()
    screenshot(viewer, "permissions-2-viewer-drawer-transcript-hidden")

    viewer.goto(f"{server}{lead_url}")
    expect(viewer.get_by_text(re.compile(rf"^{HIDDEN_CALLS} \(\d+ calls?\)$"))).to_be_visible()
    assert spoken not in viewer.content()


def test_send_message_on_and_off(signed_in: Callable[[str], Page], server: str) -> None:
    # A CSR (with Send Message) sees Takeover and the chat area on an escalated lead.
    csr = signed_in("csr@demo.test")
    _, panel = _open_first_voice_call(csr, server, VOICE_ESCALATED)
    expect(panel.get_by_role("list", name="Call transcript").first).to_be_visible()
    lead_url = _lead_url(panel)
    csr.goto(f"{server}{lead_url}")
    expect(csr.get_by_role("button", name="Takeover", exact=True)).to_be_visible()
    expect(csr.get_by_role("button", name="Take over to reply")).to_be_visible()
    expect(csr.get_by_role("textbox", name=re.compile(r"^Message to"))).to_be_visible()
    expect(csr.get_by_role("form", name="Add a note")).to_be_visible()
    screenshot(csr, "permissions-3-csr-lead-with-takeover")

    # A manager (transcripts, no Send Message) reads the same lead but cannot act on it.
    manager = signed_in("manager@demo.test")
    manager.goto(f"{server}{lead_url}")
    expect(manager.get_by_role("list", name="Call transcript").first).to_be_visible()
    expect(manager.get_by_text(READ_ONLY_NOTE)).to_be_visible()
    _cannot_act(manager)
    screenshot(manager, "permissions-4-manager-lead-read-only")

    # A viewer neither: and a hand-made POST with a valid CSRF token is refused.
    viewer = signed_in("viewer@demo.test")
    viewer.goto(f"{server}{lead_url}")
    expect(viewer.get_by_text(READ_ONLY_NOTE)).to_be_visible()
    _cannot_act(viewer)
    token = _csrf_token(viewer)
    for action, form in (
        ("takeover/", {"confirm": "yes"}),
        ("messages/", {"body": "Sent without Send Message"}),
        ("notes/", {"body": "Written without Send Message"}),
    ):
        answer = viewer.request.post(
            f"{server}{lead_url}{action}", form={"csrfmiddlewaretoken": token, **form}
        )
        assert answer.status == 403, (action, answer.status)
        assert "You don&#x27;t have access to this page" in answer.text()
    csr.reload()
    expect(csr.get_by_role("button", name="Takeover", exact=True)).to_be_visible()
    expect(csr.get_by_text("Sent without Send Message")).to_have_count(0)
    expect(csr.get_by_text("Written without Send Message")).to_have_count(0)


def _cannot_act(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Takeover", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Take over to reply")).to_have_count(0)
    expect(page.get_by_role("textbox", name=re.compile(r"^Message to"))).to_have_count(0)
    expect(page.get_by_role("link", name="Book job")).to_have_count(0)
    expect(page.get_by_role("form", name="Add a note")).to_have_count(0)


@pytest.fixture(scope="module")
def no_chats_user(server: str, server_env: dict[str, str]) -> str:
    """A teammate whose role was taken away in Settings: no permission at all."""
    email = "norole@demo.test"
    run_in_server_database(
        server_env,
        "from leadline.accounts.models import Company, User\n"
        "company = Company.objects.get(users__email='admin@demo.test')\n"
        f"User.objects.create_user({email!r}, 'leadline-demo', company=company,\n"
        "    first_name='Nora', last_name='Nobody')\n",
    )
    return email


def test_view_customer_chats_off(
    signed_in: Callable[[str], Page], server: str, no_chats_user: str
) -> None:
    admin = signed_in("admin@demo.test")
    admin.goto(f"{server}{INTERACTIONS}")
    interaction_id = row_id(rows(admin).first)
    admin.goto(f"{server}{INTERACTIONS}{interaction_id}/")
    lead_url = _lead_url(drawer(admin))

    page = signed_in(no_chats_user)
    expect(page.get_by_text("Lone Star Comfort Pros").first).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Home")).to_be_visible()
    expect(nav.get_by_role("link", name="Growth")).to_have_count(0)
    expect(nav.get_by_role("link", name="Interactions")).to_have_count(0)
    for path in (
        INTERACTIONS,
        f"{INTERACTIONS}{interaction_id}/",
        f"{INTERACTIONS}insights/",
        f"{INTERACTIONS}export.csv",
        f"{INTERACTIONS}live/",
        lead_url,
    ):
        answer = page.goto(f"{server}{path}")
        assert answer is not None and answer.status == 403, (path, answer and answer.status)
        expect(
            page.get_by_role("heading", name="You don't have access to this page")
        ).to_be_visible()
    drawer_answer = page.request.get(
        f"{server}{INTERACTIONS}{interaction_id}/drawer/", headers={"HX-Request": "true"}
    )
    assert drawer_answer.status == 403
    page.goto(f"{server}{INTERACTIONS}")
    screenshot(page, "permissions-5-no-view-customer-chats")


def test_the_call_recording_is_served_only_to_who_may_listen(
    signed_in: Callable[[str], Page], server: str
) -> None:
    manager = signed_in("manager@demo.test")
    interaction_id, panel = _open_first_voice_call(manager, server, VOICE_CONVERTED)
    call_key = panel.locator("li.ix-call").first.get_attribute("data-live-key")
    assert call_key and call_key.startswith("c")
    url = f"{server}{INTERACTIONS}{interaction_id}/calls/{call_key[1:]}/recording"

    viewer = signed_in("viewer@demo.test")
    assert viewer.request.get(url).status == 403
    # The manager may listen, but a simulated call has no audio to give: not found.
    assert manager.request.get(url).status == 404
