"""The simulator phone: an administrator plays the lead, and the agent answers in the worker."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils.html import escape

from leadline.accounts.models import Company, User
from leadline.campaigns.models import Campaign, Goal
from leadline.campaigns.services import start_campaign_for_lead
from leadline.interactions.models import Author, Call, CallTurn, Interaction, Message
from leadline.kit.clock import VirtualClock
from leadline.simulation.runner import VirtualWorker
from tests.builders import make_campaign, make_company, make_lead, make_user

pytestmark = pytest.mark.django_db

# The shop, its campaigns, the clock (a Tuesday afternoon in Austin, inside the allowed hours,
# so the agent writes at once), the simulator and the worker are the shared ones of tests/shop.py.
PHONE = "/simulator/"
SCRIPT = {"X-Leadline-Phone": "1"}


@pytest.fixture
def admin(shop: Company) -> User:
    return make_user(shop, role="Administrator", first_name="Ada")


@pytest.fixture
def browser(admin: User) -> Client:
    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def conversation(shop: Company, sms_campaign: Campaign, worker: VirtualWorker) -> Interaction:
    """A Speed to Lead conversation whose first text the agent has already sent."""
    interaction = start_campaign_for_lead(lead=make_lead(shop), campaign=sms_campaign)
    worker.run_due()
    return interaction


def html(response: Any) -> str:
    return str(response.content.decode())


def part(browser: Client, interaction: Interaction, name: str) -> str:
    response = browser.get(f"{PHONE}{interaction.pk}/live/{name}/")
    assert response.status_code == 200
    return html(response)


def shown(text: str) -> str:
    """The start of a text as the page writes it (first line, HTML-escaped)."""
    return str(escape(text.splitlines()[0][:40]))


def agent_texts(interaction: Interaction) -> list[Message]:
    return list(Message.objects.filter(interaction=interaction, author=Author.AGENT).order_by("id"))


# ---- who may use it --------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(shop: Company) -> None:
    response = Client().get(PHONE)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/simulator/")


@pytest.mark.parametrize("role", ["CSR", "Manager", "Viewer"])
def test_only_administrators_may_use_the_phone(
    shop: Company, conversation: Interaction, role: str
) -> None:
    client = Client()
    client.force_login(make_user(shop, role=role))
    before = Message.objects.count()
    assert client.get(PHONE).status_code == 403
    assert client.get(f"{PHONE}{conversation.pk}/").status_code == 403
    response = client.post(f"{PHONE}{conversation.pk}/text/", {"body": "yes"})
    assert response.status_code == 403
    assert Message.objects.count() == before
    # ... and the navigation does not offer it.
    assert 'href="/simulator/"' not in html(client.get("/"))


def test_an_administrator_finds_the_phone_in_the_navigation(browser: Client) -> None:
    assert 'href="/simulator/"' in html(browser.get("/"))


def test_another_companys_conversation_is_not_found(
    browser: Client, conversation: Interaction, worker: VirtualWorker
) -> None:
    other = make_company(name="Other Co")
    theirs = start_campaign_for_lead(
        lead=make_lead(other, phone="+15125550177"), campaign=make_campaign(other)
    )
    worker.run_due()
    before = Message.objects.count()
    for url in (f"{PHONE}{theirs.pk}/", f"{PHONE}{theirs.pk}/live/thread/"):
        assert browser.get(url).status_code == 404
    assert browser.post(f"{PHONE}{theirs.pk}/text/", {"body": "hi"}).status_code == 404
    assert browser.post(f"{PHONE}{theirs.pk}/call/").status_code == 404
    message = Message.objects.filter(interaction=theirs).first()
    assert message is not None
    undelivered = f"{PHONE}{theirs.pk}/messages/{message.pk}/undelivered/"
    assert browser.post(undelivered).status_code == 404
    # Their text through our conversation's address is not found either.
    ours_with_theirs = f"{PHONE}{conversation.pk}/messages/{message.pk}/undelivered/"
    assert browser.post(ours_with_theirs).status_code == 404
    assert Message.objects.count() == before
    message.refresh_from_db()
    assert message.delivery_status != Message.Delivery.UNDELIVERED


def test_an_unknown_conversation_or_part_is_not_found(
    browser: Client, conversation: Interaction
) -> None:
    assert browser.get(f"{PHONE}999999/").status_code == 404
    assert browser.get(f"{PHONE}{conversation.pk}/live/secrets/").status_code == 404
    assert browser.post(f"{PHONE}999999/text/", {"body": "hello"}).status_code == 404


def test_with_the_twilio_provider_the_phone_is_not_available(
    browser: Client, conversation: Interaction, settings: Any
) -> None:
    settings.LEADLINE_PROVIDER = "twilio"
    response = browser.get(PHONE)
    assert response.status_code == 404
    assert "The simulator phone is off for this company" in html(response)
    before = Message.objects.count()
    assert browser.post(f"{PHONE}{conversation.pk}/text/", {"body": "yes"}).status_code == 404
    assert Message.objects.count() == before
    assert 'href="/simulator/"' not in html(browser.get("/"))


def test_a_company_set_to_twilio_has_no_phone_even_if_the_installation_simulates(
    browser: Client, shop: Company
) -> None:
    shop.provider = "twilio"
    shop.save(update_fields=["provider"])
    assert browser.get(PHONE).status_code == 404


def test_posts_need_the_csrf_token(shop: Company, admin: User, conversation: Interaction) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    before = Message.objects.count()
    response = client.post(f"{PHONE}{conversation.pk}/text/", {"body": "yes"})
    assert response.status_code == 403
    assert Message.objects.count() == before


# ---- the page ----------------------------------------------------------------------------


def test_an_empty_company_says_what_to_do(browser: Client) -> None:
    page = html(browser.get(PHONE))
    assert "No conversations yet. Text the business from a new number" in page
    assert "No conversation open" in page
    # A number none of the company's leads has is offered for the new texter.
    assert 'name="phone" value="(512) 555-0101"' in page


def test_the_list_shows_recent_conversations_with_their_last_text(
    browser: Client, conversation: Interaction
) -> None:
    page = html(browser.get(PHONE))
    first = agent_texts(conversation)[0]
    assert "Dana Ruiz" in page
    assert shown(first.body) in page
    assert f'href="/simulator/{conversation.pk}/"' in page


def test_the_thread_shows_the_agents_text_with_its_delivery_status(
    browser: Client, conversation: Interaction
) -> None:
    page = html(browser.get(f"{PHONE}{conversation.pk}/"))
    first = agent_texts(conversation)[0]
    assert shown(first.body) in page
    thread = part(browser, conversation, "thread")
    assert re.search(r"data-sim-delivery>\s*Delivered", thread)
    assert "Mark undelivered" in thread
    # The page follows the company's live feed.
    assert 'data-live-url="/growth/interactions/live/?after=' in page


# ---- acting as the lead -------------------------------------------------------------------


def test_texting_as_the_lead_gets_the_agents_answer(
    browser: Client, conversation: Interaction, worker: VirtualWorker
) -> None:
    answered_before = len(agent_texts(conversation))
    response = browser.post(
        f"{PHONE}{conversation.pk}/text/", {"body": "My AC is blowing warm air"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{PHONE}{conversation.pk}/"
    lead_text = Message.objects.get(interaction=conversation, author=Author.LEAD)
    assert lead_text.body == "My AC is blowing warm air"
    # Until the worker has run, the phone says the agent is on it.
    thread = part(browser, conversation, "thread")
    assert "My AC is blowing warm air" in thread
    assert "Waiting for the agent" in thread

    worker.run_due()

    answers = agent_texts(conversation)[answered_before:]
    assert answers, "the agent did not answer"
    thread = part(browser, conversation, "thread")
    assert "Waiting for the agent" not in thread
    assert shown(answers[-1].body) in thread
    # The Interactions console shows the same conversation.
    drawer = html(browser.get(f"/growth/interactions/{conversation.pk}/drawer/"))
    assert "My AC is blowing warm air" in drawer
    assert shown(answers[-1].body) in drawer


def test_the_script_gets_no_content_and_where_the_text_landed(
    browser: Client, conversation: Interaction
) -> None:
    response = browser.post(f"{PHONE}{conversation.pk}/text/", {"body": "hello?"}, headers=SCRIPT)
    assert response.status_code == 204
    assert response["X-Phone-Location"] == f"{PHONE}{conversation.pk}/"


def test_an_empty_text_is_refused_with_a_message(
    browser: Client, conversation: Interaction
) -> None:
    before = Message.objects.count()
    response = browser.post(f"{PHONE}{conversation.pk}/text/", {"body": "   "}, follow=True)
    assert "Type a message first." in html(response)
    scripted = browser.post(f"{PHONE}{conversation.pk}/text/", {"body": ""}, headers=SCRIPT)
    assert scripted.status_code == 400
    assert html(scripted) == "Type a message first."
    too_long = browser.post(f"{PHONE}{conversation.pk}/text/", {"body": "a" * 1601}, headers=SCRIPT)
    assert too_long.status_code == 400
    assert "under 1,600 characters" in html(too_long)
    assert Message.objects.count() == before


def test_a_text_from_a_new_number_starts_an_inbound_conversation(
    browser: Client, inbound_campaign: Campaign, worker: VirtualWorker
) -> None:
    response = browser.post(
        f"{PHONE}new/", {"phone": "(512) 555-0188", "body": "Hi, my water heater is leaking"}
    )
    interaction = Interaction.objects.get(lead_phone="+15125550188")
    assert response["Location"] == f"{PHONE}{interaction.pk}/"
    assert interaction.goal == Goal.INBOUND_SMS
    worker.run_due()
    answer = agent_texts(interaction)
    assert answer, "the agent did not answer the new texter"
    page = html(browser.get(response["Location"]))
    assert "Hi, my water heater is leaking" in page
    assert shown(answer[0].body) in page


@pytest.mark.parametrize(
    ("phone", "body", "reason"),
    [
        ("", "hello", "Enter the number the text comes from."),
        ("12345", "hello", "Enter a phone number that can receive texts"),
        ("(512) 555-0100", "hello", "That is the business's own number"),
        ("(512) 555-0188", "  ", "Type the text to send first."),
    ],
)
def test_a_bad_new_texter_is_refused_with_the_reason(
    browser: Client, inbound_campaign: Campaign, phone: str, body: str, reason: str
) -> None:
    response = browser.post(f"{PHONE}new/", {"phone": phone, "body": body}, headers=SCRIPT)
    assert response.status_code == 400
    assert reason in html(response)
    assert not Interaction.objects.exists()


def test_a_new_texter_without_an_inbound_campaign_is_told_why(browser: Client) -> None:
    response = browser.post(
        f"{PHONE}new/", {"phone": "(512) 555-0188", "body": "hello"}, follow=True
    )
    assert "no enabled Inbound SMS campaign" in html(response)
    assert not Message.objects.exists()


def test_marking_a_text_undelivered_changes_the_status_shown(
    browser: Client, conversation: Interaction
) -> None:
    [first] = agent_texts(conversation)
    url = f"{PHONE}{conversation.pk}/messages/{first.pk}/undelivered/"
    response = browser.post(url)
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.delivery_status == Message.Delivery.UNDELIVERED
    thread = part(browser, conversation, "thread")
    assert re.search(r"data-sim-delivery>\s*Undelivered", thread)
    assert "Mark undelivered" not in thread
    # Nothing ever reached the lead, so the conversation failed, as a carrier report does.
    assert "Failed" in part(browser, conversation, "header")
    again = browser.post(url, headers=SCRIPT)
    assert again.status_code == 400
    assert html(again) == "This text is already undelivered."


def test_the_lead_cannot_mark_its_own_text_undelivered(
    browser: Client, conversation: Interaction
) -> None:
    browser.post(f"{PHONE}{conversation.pk}/text/", {"body": "hello"})
    mine = Message.objects.get(interaction=conversation, author=Author.LEAD)
    url = f"{PHONE}{conversation.pk}/messages/{mine.pk}/undelivered/"
    assert browser.post(url).status_code == 404


def test_a_spoken_call_turn_shows_in_the_call_transcript(
    browser: Client,
    conversation: Interaction,
    voice_campaign: Campaign,
    worker: VirtualWorker,
) -> None:
    response = browser.post(f"{PHONE}{conversation.pk}/call/")
    assert response["Location"] == f"{PHONE}{conversation.pk}/"
    call = Call.objects.get(interaction=conversation)
    assert call.direction == "inbound"
    # The line answers as the real number does: who we are, the recording notice, a question.
    greeting = list(CallTurn.objects.filter(call=call).order_by("seq"))
    assert [t.speaker for t in greeting] == [Author.SYSTEM, Author.AGENT]
    assert "Lone Star Comfort Pros" in greeting[0].text
    assert "may be recorded" in greeting[0].text and "say stop" in greeting[0].text
    assert greeting[1].text == "How can we help you today?"
    composer = part(browser, conversation, "composer")
    assert "On a call with Lone Star Comfort Pros" in composer
    assert "Hang up" in composer

    browser.post(f"{PHONE}{conversation.pk}/call/say/", {"text": "My furnace makes a noise"})
    assert "Waiting for the agent" in part(browser, conversation, "thread")
    worker.run_due()

    turns = list(CallTurn.objects.filter(call=call).order_by("seq"))[2:]
    assert [t.speaker for t in turns[:2]] == [Author.LEAD, Author.AGENT]
    thread = part(browser, conversation, "thread")
    assert "You called Lone Star Comfort Pros" in thread
    assert "How can we help you today?" in thread
    assert "My furnace makes a noise" in thread
    assert shown(turns[1].text) in thread
    assert "Waiting for the agent" not in thread
    # The Interactions drawer has the same transcript.
    drawer = html(browser.get(f"/growth/interactions/{conversation.pk}/drawer/"))
    assert "My furnace makes a noise" in drawer

    browser.post(f"{PHONE}{conversation.pk}/call/hang-up/")
    call.refresh_from_db()
    assert call.outcome == Call.Outcome.COMPLETED
    assert "On a call" not in part(browser, conversation, "composer")
    # Speaking after hanging up is refused, with the reason.
    late = browser.post(f"{PHONE}{conversation.pk}/call/say/", {"text": "hello?"}, headers=SCRIPT)
    assert late.status_code == 400
    assert html(late) == "The call has ended; call again to keep talking."


def test_the_agents_call_can_be_answered_from_the_phone(
    browser: Client, shop: Company, voice_campaign: Campaign, worker: VirtualWorker
) -> None:
    interaction = start_campaign_for_lead(
        lead=make_lead(shop, note="garage door opener"), campaign=voice_campaign
    )
    worker.run_due()
    composer = part(browser, interaction, "composer")
    assert "On a call with" in composer
    thread = part(browser, interaction, "thread")
    assert "The agent called you" in thread
    browser.post(f"{PHONE}{interaction.pk}/call/say/", {"text": "Yes, the opener is broken"})
    worker.run_due()
    call = Call.objects.get(interaction=interaction)
    assert list(call.turns.order_by("seq").values_list("speaker", flat=True)) == [
        Author.AGENT,
        Author.LEAD,
        Author.AGENT,
    ]


def test_a_call_joins_the_leads_conversation_and_is_never_doubled(
    browser: Client, shop: Company, inbound_campaign: Campaign
) -> None:
    browser.post(f"{PHONE}new/", {"phone": "(512) 555-0188", "body": "hello"})
    interaction = Interaction.objects.get(lead_phone="+15125550188")
    # The call joins the lead's conversation (no voice campaign is needed for that) ...
    response = browser.post(f"{PHONE}{interaction.pk}/call/", headers=SCRIPT)
    assert response.status_code == 204
    assert Call.objects.filter(interaction=interaction).count() == 1
    # Calling again while on the call does not start a second one.
    browser.post(f"{PHONE}{interaction.pk}/call/", headers=SCRIPT)
    assert Call.objects.filter(interaction=interaction).count() == 1


def test_a_slow_answer_points_at_the_task_worker(
    browser: Client, conversation: Interaction, clock: VirtualClock
) -> None:
    browser.post(f"{PHONE}{conversation.pk}/text/", {"body": "anyone there?"})
    assert "Still waiting" not in part(browser, conversation, "thread")
    clock.set(clock.now() + timedelta(seconds=30))
    thread = part(browser, conversation, "thread")
    assert "Still waiting for the agent. Is the task worker running?" in thread


def test_the_suggested_number_is_one_no_lead_has(browser: Client, shop: Company) -> None:
    # Every fictional number of the business's area code is taken: the next area's is offered.
    for n in range(100):
        make_lead(shop, phone=f"+1512555{100 + n:04d}")
    page = html(browser.get(PHONE))
    assert 'name="phone" value="(737) 555-0100"' in page


def test_the_list_fragment_marks_the_open_conversation(
    browser: Client, conversation: Interaction
) -> None:
    marked = html(browser.get(f"{PHONE}list/?selected={conversation.pk}"))
    assert re.search(rf'href="/simulator/{conversation.pk}/"\s+aria-current="page"', marked)
    plain = html(browser.get(f"{PHONE}list/?selected=not-a-number"))
    assert 'aria-current="page"' not in plain
    assert f'href="/simulator/{conversation.pk}/"' in plain
