"""The simulator phone: a person texts the demo company as a lead and sees the agent answer.

Everything runs as in `make demo`: `leadline serve` on SQLite with the task worker inside
it, so the agent's answer is written by the worker and reaches the page without a reload.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from e2e.conftest import screenshot, sign_in
from e2e.ui import live_pill

# The agent answers within a couple of seconds (worker poll 0.5 s, live feed 0.5 s).
ANSWER_WITHIN_MS = 5000


def _agent_bubbles(page: Page) -> Locator:
    return page.get_by_role("list", name="Messages").locator(".sim-bubble.is-theirs")


def _my_bubbles(page: Page) -> Locator:
    return page.get_by_role("list", name="Messages").locator(".sim-bubble.is-mine")


def test_a_person_texts_as_the_lead_and_the_agent_answers(page: Page, server: str) -> None:
    sign_in(page, server, "admin@demo.test")
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Simulator", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Simulator phone")).to_be_visible()
    expect(page.get_by_text("No conversation open")).to_be_visible()
    expect(live_pill(page)).to_have_text("Live")

    # A new number texts the business; the phone opens that conversation.
    new_text = page.get_by_role("form", name="Text from a new number")
    number = new_text.get_by_label("From").input_value()
    assert number, "no unused number was suggested"
    new_text.get_by_label("Message").fill("Hi, my AC is blowing warm air")
    new_text.get_by_role("button", name="Send text").click()
    expect(page).to_have_url(re.compile(r"/simulator/\d+/$"))
    expect(_my_bubbles(page).filter(has_text="Hi, my AC is blowing warm air")).to_be_visible()
    expect(_agent_bubbles(page).first).to_be_visible(timeout=ANSWER_WITHIN_MS)
    expect(live_pill(page)).to_have_text("Live")
    answers = _agent_bubbles(page).count()

    # Enter sends; the agent's answer arrives without a reload.
    page.evaluate("window.__notReloaded = true")
    composer = page.get_by_label("Text message")
    expect(composer).to_be_focused()
    composer.fill("yes tomorrow morning works")
    composer.press("Enter")
    expect(_my_bubbles(page).filter(has_text="yes tomorrow morning works")).to_be_visible()
    expect(composer).to_have_value("")
    expect(_agent_bubbles(page)).to_have_count(answers + 1, timeout=ANSWER_WITHIN_MS)
    assert page.evaluate("window.__notReloaded") is True, "the page was reloaded"
    latest = _agent_bubbles(page).last
    expect(latest).to_contain_text("Agent")
    expect(latest.locator("[data-sim-delivery]")).to_have_text("Delivered")
    expect(page.locator("[data-sim-waiting]")).to_have_count(0)
    # The conversation list has it at the top, marked as the open one, with the last text.
    first = page.get_by_role("navigation", name="Recent conversations").get_by_role("link").first
    expect(first).to_have_attribute("aria-current", "page")
    expect(first).to_contain_text(number)
    expect(first).to_contain_text(
        latest.locator(".sim-bubble-body").inner_text().splitlines()[0],
        timeout=ANSWER_WITHIN_MS,
    )
    screenshot(page, "simulator-1-agent-answers")

    # Marking the agent's text undelivered shows at once under it.
    latest.get_by_role("button", name="Mark undelivered").click()
    expect(_agent_bubbles(page).last.locator("[data-sim-delivery]")).to_have_text("Undelivered")
    screenshot(page, "simulator-2-marked-undelivered")

    # The Interactions console shows the same conversation.
    reply = _agent_bubbles(page).last.locator(".sim-bubble-body").inner_text()
    page.get_by_role("link", name="Open in Interactions").click()
    panel = page.get_by_role("complementary", name="Interaction details")
    expect(panel.get_by_text("yes tomorrow morning works")).to_be_visible()
    expect(panel.get_by_text(reply.splitlines()[0], exact=False).first).to_be_visible()


def test_a_call_from_the_phone_keeps_a_transcript(page: Page, server: str) -> None:
    sign_in(page, server, "admin@demo.test")
    page.goto(f"{server}/simulator/")
    new_text = page.get_by_role("form", name="Text from a new number")
    new_text.get_by_label("Message").fill("Hello, do you fix furnaces?")
    new_text.get_by_role("button", name="Send text").click()
    expect(page).to_have_url(re.compile(r"/simulator/\d+/$"))
    expect(_agent_bubbles(page).first).to_be_visible(timeout=ANSWER_WITHIN_MS)

    page.get_by_role("button", name=re.compile(r"^☎ Call ")).click()
    say = page.get_by_label("What you say on the call")
    expect(say).to_be_focused()
    say.fill("My furnace is making a banging noise")
    say.press("Enter")
    transcript = page.get_by_role("list", name="Call transcript")
    expect(transcript.locator(".is-mine")).to_contain_text("My furnace is making a banging noise")
    expect(transcript.locator(".is-theirs").first).to_be_visible(timeout=ANSWER_WITHIN_MS)
    screenshot(page, "simulator-3-call-transcript")
    page.get_by_role("button", name="Hang up").click()
    expect(page.get_by_label("Text message")).to_be_visible()
    expect(page.locator(".sim-call-outcome").last).to_have_text("Completed")


def test_a_csr_is_not_offered_the_phone(page: Page, server: str) -> None:
    sign_in(page, server, "csr@demo.test")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Simulator", exact=True)).to_have_count(0)
    response = page.goto(f"{server}/simulator/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="You don't have access to this page")).to_be_visible()
