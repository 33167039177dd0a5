"""The interaction detail drawer: its facts, the read-only thread, and who sees calls."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from leadline.accounts.models import Company, User
from leadline.campaigns.models import Channel
from leadline.channels.base import Recording, use_provider
from leadline.channels.simulator import SimulatorProvider
from leadline.crm.models import Opportunity
from leadline.interactions.models import Author, Call, CallTurn, Interaction, Message
from leadline.kit import clock
from tests.builders import (
    make_campaign,
    make_company,
    make_customer,
    make_interaction,
    make_lead,
    make_user,
)

pytestmark = pytest.mark.django_db

# Tuesday 10 March 2026, 10:00 in Chicago (CDT, UTC-5).
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
HIDDEN = "Call transcript hidden: needs Listen to Call Recording"
TRANSCRIPT_LINE = "Can someone come look at the furnace tomorrow?"
LABELS = (
    "Phone",
    "Customer",
    "Lead",
    "Interaction Status",
    "Channel",
    "Goal",
    "Last Activity",
    "Overview Summary",
)


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    with clock.use_clock(clock.VirtualClock(NOW)):
        yield


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def drawer_url(interaction: Interaction) -> str:
    return f"/growth/interactions/{interaction.pk}/drawer/"


def page_url(interaction: Interaction) -> str:
    return f"/growth/interactions/{interaction.pk}/"


HTMX = {"HX-Request": "true"}


@pytest.fixture
def staff(company: Company) -> User:
    """Someone on the team who wrote in the thread after a takeover."""
    return make_user(company, role="CSR", first_name="Sam", last_name="Ortiz")


@pytest.fixture
def voice_interaction(company: Company, staff: User) -> Interaction:
    """A Voice Agent interaction with texts, a failed send, a human reply and one recorded call."""
    customer = make_customer(company, first_name="Dana", last_name="Ruiz")
    lead = make_lead(company, customer=customer, phone="+15125550143")
    campaign = make_campaign(company, name="Voice", channel=Channel.VOICE)
    interaction = make_interaction(company, campaign=campaign, lead=lead)
    opportunity = Opportunity.objects.create(
        company=company,
        customer=customer,
        lead=lead,
        title="Furnace replacement",
        created_at=NOW,
    )
    start = NOW - timedelta(minutes=30)
    thread = [
        (
            "outbound",
            Author.AGENT,
            None,
            "Hi Dana, this is Test Company. Reply STOP to opt out.",
            Message.Delivery.DELIVERED,
            "",
        ),
        ("inbound", Author.LEAD, None, "Yes please call me", Message.Delivery.RECEIVED, ""),
        ("outbound", Author.AGENT, None, "Calling you now.", Message.Delivery.FAILED, "30007"),
        (
            "outbound",
            Author.HUMAN,
            staff,
            "Sam here, I will take it from here.",
            Message.Delivery.SENT,
            "",
        ),
        (
            "outbound",
            Author.SYSTEM,
            None,
            "Agent paused after takeover.",
            Message.Delivery.DELIVERED,
            "",
        ),
    ]
    for n, (direction, author, user, body, delivery, error) in enumerate(thread):
        Message.objects.create(
            company=company,
            interaction=interaction,
            direction=direction,
            author=author,
            author_user=user,
            body=body,
            delivery_status=delivery,
            error_code=error,
            created_at=start + timedelta(minutes=n),
        )
    call = Call.objects.create(
        company=company,
        interaction=interaction,
        started_at=start + timedelta(minutes=2, seconds=30),
        ended_at=start + timedelta(minutes=5),
        outcome=Call.Outcome.COMPLETED,
        recording_id="RE123",
        recording_duration=150,
    )
    CallTurn.objects.create(
        call=call, seq=1, speaker=Author.AGENT, text="Hello Dana, how can I help?", at=start
    )
    CallTurn.objects.create(call=call, seq=2, speaker=Author.LEAD, text=TRANSCRIPT_LINE, at=start)
    Interaction.objects.filter(pk=interaction.pk).update(
        opportunity=opportunity,
        status="escalated.human_request",
        status_group="escalated",
        escalated=True,
        summary="Dana's furnace stopped; she asked for a person to call back.",
        last_activity_at=start + timedelta(minutes=4),
        message_count=5,
    )
    return Interaction.objects.get(pk=interaction.pk)


# ---- permissions ---------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["drawer/", ""])
def test_anonymous_is_sent_to_sign_in(voice_interaction: Interaction, suffix: str) -> None:
    response = Client().get(page_url(voice_interaction) + suffix, headers=HTMX)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_a_user_without_view_customer_chats_gets_403(
    company: Company, voice_interaction: Interaction
) -> None:
    user = make_user(company, role="Viewer")
    user.groups.clear()
    client = signed_in(User.objects.get(pk=user.pk))
    assert client.get(drawer_url(voice_interaction), headers=HTMX).status_code == 403
    assert client.get(page_url(voice_interaction)).status_code == 403


def test_another_company_user_gets_404_and_no_data(voice_interaction: Interaction) -> None:
    outsider = make_user(make_company(name="Elsewhere"), role="Administrator")
    client = signed_in(outsider)
    for response in (
        client.get(drawer_url(voice_interaction), headers=HTMX),
        client.get(drawer_url(voice_interaction)),
        client.get(page_url(voice_interaction)),
    ):
        assert response.status_code == 404
        assert "Dana" not in response.content.decode()
    listed = client.get(f"/growth/interactions/?open={voice_interaction.pk}")
    assert listed.status_code == 200
    assert "The interaction in the link could not be found." in listed.content.decode()
    assert "Dana" not in listed.content.decode()


@pytest.mark.parametrize("bad", ["99999999999999999999999", "0"])
def test_unknown_ids_are_404_not_500(company: Company, bad: str) -> None:
    client = signed_in(make_user(company, role="Viewer"))
    response = client.get(f"/growth/interactions/{bad}/drawer/", headers=HTMX)
    assert response.status_code == 404


# ---- content -------------------------------------------------------------------------------


def test_the_drawer_shows_every_fact_and_the_summary(
    company: Company, voice_interaction: Interaction
) -> None:
    response = signed_in(make_user(company, role="Viewer")).get(
        drawer_url(voice_interaction), headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    for label in LABELS:
        assert f">{label}<" in html
    assert '<a href="tel:+15125550143">(512) 555-0143</a>' in html
    assert f'href="/customers/{voice_interaction.customer_id}/">Dana Ruiz</a>' in html
    assert f'href="/leads/{voice_interaction.lead_id}/">Dana Ruiz</a>' in html
    assert (
        f'href="/opportunities/{voice_interaction.opportunity_id}/">Furnace replacement</a>' in html
    )
    assert "ix-badge-escalated" in html
    assert ">Escalated (Human Request)<" in html
    assert "<dd>Voice Agent</dd>" in html
    assert "<dd>Speed to Lead</dd>" in html
    assert '<time datetime="2026-03-10T14:34:00Z" title="Tue, Mar 10, 2026, 9:34 AM CDT"' in html
    assert "Dana&#x27;s furnace stopped; she asked for a person to call back." in html
    view_lead = f'class="ix-button ix-button-primary" href="/leads/{voice_interaction.lead_id}/">'
    assert view_lead + "View Lead</a>" in html


def test_the_thread_is_read_only_with_authors_times_and_delivery(
    company: Company, voice_interaction: Interaction
) -> None:
    html = (
        signed_in(make_user(company, role="Viewer"))
        .get(drawer_url(voice_interaction), headers=HTMX)
        .content.decode()
    )
    order = [
        "Hi Dana, this is Test Company.",
        "Yes please call me",
        "Calling you now.",
        "Sam here, I will take it from here.",
        "Agent paused after takeover.",
    ]
    positions = [html.index(text) for text in order]
    assert positions == sorted(positions)
    assert '<span class="ix-entry-author">Agent</span>' in html
    assert '<span class="ix-entry-author">Dana Ruiz</span>' in html
    assert '<span class="ix-entry-author">Sam Ortiz</span>' in html
    assert '<span class="ix-entry-author">System</span>' in html
    assert ">Delivered<" in html
    assert "Failed · error 30007" in html
    assert ">Sent<" in html
    assert "Mar 10, 9:30 AM" in html
    assert "<textarea" not in html
    assert "<form" not in html


def test_empty_summary_and_no_links_say_so(company: Company) -> None:
    interaction = make_interaction(company)
    html = (
        signed_in(make_user(company, role="Viewer"))
        .get(drawer_url(interaction), headers=HTMX)
        .content.decode()
    )
    assert "No summary yet." in html
    assert "Not linked" in html
    assert "/opportunities/" not in html
    assert "No messages yet." in html
    assert HIDDEN not in html


class RecordingProvider(SimulatorProvider):
    """A carrier stand-in that keeps call audio, as a real voice provider does."""

    AUDIO = b"ID3-fake-mp3-bytes"

    @property
    def keeps_recordings(self) -> bool:
        return True

    def fetch_recording(self, *, recording_id: str) -> Recording | None:
        return Recording(self.AUDIO, "audio/mpeg") if recording_id else None


@pytest.fixture
def recording_provider() -> Iterator[RecordingProvider]:
    with use_provider(RecordingProvider()) as provider:
        yield provider


@pytest.mark.parametrize("role", ["Manager", "CSR", "Administrator"])
def test_calls_with_transcript_and_recording_for_listen_to_call_recording(
    company: Company,
    voice_interaction: Interaction,
    role: str,
    recording_provider: RecordingProvider,
) -> None:
    client = signed_in(make_user(company, role=role))
    call = Call.objects.get(interaction=voice_interaction)
    recording = f"/growth/interactions/{voice_interaction.pk}/calls/{call.pk}/recording"
    for response in (
        client.get(drawer_url(voice_interaction), headers=HTMX),
        client.get(page_url(voice_interaction)),
    ):
        html = response.content.decode()
        assert TRANSCRIPT_LINE in html
        assert "Hello Dana, how can I help?" in html
        assert f'<audio controls preload="none" src="{recording}"' in html
        assert "Call · Completed" in html
        assert HIDDEN not in html


def test_a_viewer_never_receives_call_data(
    company: Company, voice_interaction: Interaction
) -> None:
    client = signed_in(make_user(company, role="Viewer"))
    call = Call.objects.get(interaction=voice_interaction)
    responses = [
        client.get(drawer_url(voice_interaction), headers=HTMX),
        client.get(drawer_url(voice_interaction)),
        client.get(page_url(voice_interaction)),
        client.get(f"/growth/interactions/?open={voice_interaction.pk}"),
    ]
    for response in responses:
        html = response.content.decode()
        assert response.status_code == 200
        assert HIDDEN in html
        assert TRANSCRIPT_LINE not in html
        assert "Hello Dana, how can I help?" not in html
        assert "<audio" not in html
        assert "/calls/" not in html
        assert f"calls/{call.pk}" not in html
        assert "Call · Completed" not in html
        assert "Yes please call me" in html


def test_a_call_without_stored_audio_says_so_instead_of_a_player(
    company: Company, voice_interaction: Interaction
) -> None:
    client = signed_in(make_user(company, role="Manager"))

    html = client.get(drawer_url(voice_interaction), headers=HTMX).content.decode()

    assert "<audio" not in html
    assert "No audio for this call: the voice provider keeps no recordings." in html


def recording_url(interaction: Interaction) -> str:
    call = Call.objects.get(interaction=interaction)
    return f"/growth/interactions/{interaction.pk}/calls/{call.pk}/recording"


def test_the_recording_is_fetched_through_leadline_for_who_may_listen(
    company: Company, voice_interaction: Interaction, recording_provider: RecordingProvider
) -> None:
    response = signed_in(make_user(company, role="Manager")).get(recording_url(voice_interaction))

    assert response.status_code == 200
    assert response["Content-Type"] == "audio/mpeg"
    assert response.content == RecordingProvider.AUDIO


def test_the_recording_is_refused_without_listen_to_call_recording(
    company: Company, voice_interaction: Interaction, recording_provider: RecordingProvider
) -> None:
    response = signed_in(make_user(company, role="Viewer")).get(recording_url(voice_interaction))

    assert response.status_code == 403
    assert RecordingProvider.AUDIO not in response.content


def test_another_company_cannot_fetch_the_recording(
    other_company: Company, voice_interaction: Interaction, recording_provider: RecordingProvider
) -> None:
    client = signed_in(make_user(other_company, role="Administrator"))

    assert client.get(recording_url(voice_interaction)).status_code == 404


def test_a_call_whose_audio_the_provider_does_not_keep_is_not_found(
    company: Company, voice_interaction: Interaction
) -> None:
    response = signed_in(make_user(company, role="Manager")).get(recording_url(voice_interaction))

    assert response.status_code == 404


# ---- opening and closing -------------------------------------------------------------------


def test_rows_open_the_drawer_with_htmx_and_push_the_url(
    company: Company, voice_interaction: Interaction
) -> None:
    html = (
        signed_in(make_user(company, role="Viewer"))
        .get("/growth/interactions/?channel=voice")
        .content.decode()
    )
    pk = voice_interaction.pk
    assert f'hx-get="/growth/interactions/{pk}/drawer/?channel=voice"' in html
    assert 'hx-target="#drawer"' in html
    assert f'hx-push-url="/growth/interactions/?channel=voice&amp;open={pk}"' in html
    assert 'hx-trigger="click, ix-open"' in html
    assert f'href="/growth/interactions/{pk}/?channel=voice" data-ix-row-link' in html
    assert '<aside id="drawer" class="ix-drawer" aria-label="Interaction details"></aside>' in html
    assert "console/interactions.js" in html


def test_reloading_with_open_renders_the_list_with_the_drawer_open(
    company: Company, voice_interaction: Interaction
) -> None:
    html = (
        signed_in(make_user(company, role="Viewer"))
        .get(f"/growth/interactions/?open={voice_interaction.pk}&channel=voice")
        .content.decode()
    )
    assert "<h1>Interactions</h1>" in html
    assert f'data-ix-drawer="{voice_interaction.pk}"' in html
    assert "Overview Summary" in html
    assert f'data-ix-row="{voice_interaction.pk}"' in html
    assert 'class="ix-row is-open"' in html
    assert 'data-close-url="/growth/interactions/?channel=voice"' in html


def test_a_plain_get_of_the_interaction_is_the_page_with_the_drawer_open(
    company: Company, voice_interaction: Interaction
) -> None:
    client = signed_in(make_user(company, role="Viewer"))
    for url in (page_url(voice_interaction), drawer_url(voice_interaction)):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200
        assert "<h1>Interactions</h1>" in html
        assert f'data-ix-drawer="{voice_interaction.pk}"' in html
        assert "HX-Request" in response["Vary"]


def test_the_fragment_varies_on_hx_request(
    company: Company, voice_interaction: Interaction
) -> None:
    response = signed_in(make_user(company, role="Viewer")).get(
        drawer_url(voice_interaction), headers=HTMX
    )
    assert "HX-Request" in response["Vary"]
    assert response.content.decode().lstrip().startswith('<div class="ix-drawer-inner"')


def test_a_history_restore_gets_the_whole_page(
    company: Company, voice_interaction: Interaction
) -> None:
    response = signed_in(make_user(company, role="Viewer")).get(
        drawer_url(voice_interaction),
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<h1>Interactions</h1>" in response.content.decode()


def test_a_company_on_an_unusable_carrier_still_opens_the_drawer_and_says_the_audio_failed(
    company: Company, voice_interaction: Interaction
) -> None:
    # Twilio chosen but not configured (the company page refuses this now; older rows may
    # still hold it): reading never needs the carrier, fetching audio says it failed.
    Company.objects.filter(pk=company.pk).update(provider="twilio")
    client = signed_in(make_user(company, role="Manager"))

    drawer = client.get(drawer_url(voice_interaction), headers=HTMX)
    audio = client.get(recording_url(voice_interaction))

    assert drawer.status_code == 200
    assert "Dana" in drawer.content.decode()
    assert audio.status_code == 502
    assert "carrier could not be reached" in audio.content.decode()
