"""Reading interactions: the console's list (filters, sort, counters, cursor pages), one
interaction with its summary and thread, calls only with Listen to Call Recording, and the
event timeline since a cursor."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from leadline.accounts.models import Company
from leadline.campaigns.models import Campaign, Channel
from leadline.channels import base
from leadline.channels.base import Recording, use_provider
from leadline.channels.simulator import SimulatorProvider
from leadline.interactions.listing import counters, parse_query
from leadline.interactions.models import Author, Call, Interaction, InteractionEvent
from leadline.interactions.services import add_call_turn, add_message
from leadline.kit import clock
from tests.api.conftest import Api, api_for, error_of, user_with
from tests.builders import make_campaign, make_interaction, make_lead, make_user

SPOKEN = "Can someone come look at the furnace tomorrow?"


@pytest.fixture
def voice_call(shop: Company) -> Interaction:
    """A Voice Agent conversation with one text and one recorded call of two turns."""
    campaign = make_campaign(shop, name="Voice", channel=Channel.VOICE)
    interaction = make_interaction(shop, campaign=campaign, lead=make_lead(shop))
    add_message(interaction=interaction, direction="outbound", author=Author.AGENT, body="Hi Dana!")
    call = Call.objects.create(
        company=shop,
        interaction=interaction,
        started_at=clock.now() + timedelta(seconds=1),
        outcome=Call.Outcome.COMPLETED,
        recording_id="RE123",
        recording_duration=95,
    )
    add_call_turn(call=call, speaker=Author.AGENT, text="Hello Dana, how can I help?")
    add_call_turn(call=call, speaker=Author.LEAD, text=SPOKEN)
    Interaction.objects.filter(pk=interaction.pk).update(summary="Furnace out; wants a visit.")
    return Interaction.objects.get(pk=interaction.pk)


class RecordingProvider(SimulatorProvider):
    """A carrier stand-in that keeps call audio, as a real voice provider does."""

    AUDIO = b"ID3-fake-mp3-bytes"

    @property
    def keeps_recordings(self) -> bool:
        return True

    def fetch_recording(self, *, recording_id: str) -> Recording | None:
        return Recording(self.AUDIO, "audio/mpeg") if recording_id == "RE123" else None


@pytest.fixture
def recordings(shop: Company) -> Iterator[RecordingProvider]:
    with use_provider(RecordingProvider()) as provider:
        yield provider


def _spread(shop: Company, sms_campaign: Campaign) -> list[Interaction]:
    """Six interactions, one status each, a minute of last activity apart (oldest first)."""
    now = clock.now()
    rows = []
    for n, status in enumerate(
        ["started", "active.hot", "escalated.human_request", "converted.agent", "opt_out", "active"]
    ):
        lead = make_lead(shop, phone=f"+1512555{n + 160:04d}", first_name=f"Lead{n}")
        rows.append(
            make_interaction(
                shop,
                campaign=sms_campaign,
                lead=lead,
                status=status,
                at=now - timedelta(minutes=10 - n),
            )
        )
    return rows


def test_the_list_pages_newest_first_with_the_consoles_counters(
    as_csr: Api, shop: Company, sms_campaign: Campaign, rival: Company
) -> None:
    rows = _spread(shop, sms_campaign)
    make_interaction(rival)
    body = as_csr.get("/interactions").json()
    assert [item["id"] for item in body["items"]] == [r.pk for r in rows[::-1]]
    # The very figures the console shows for the same filters.
    figures = counters(company=shop, filters=parse_query({}).filters)
    assert body["counters"] == {
        "escalated": figures.escalated,
        "high_activity": figures.high_activity,
        "conversations": figures.conversations,
        "leads": figures.leads,
        "replied_leads": figures.replied_leads,
        "converted": figures.converted,
        "response_rate": figures.response_rate,
        "conversion_rate": figures.conversion_rate,
    }
    assert (body["next_cursor"], body["previous_cursor"], body["notices"]) == (None, None, [])
    item = body["items"][3]
    assert (item["status"], item["status_label"], item["escalation_reason"]) == (
        "escalated.human_request",
        "Escalated (Human Request)",
        "Human Request",
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "group:escalated"}, ["escalated.human_request"]),
        ({"escalated": "true"}, ["escalated.human_request"]),
        ({"status": "opt_out"}, ["opt_out"]),
        ({"status": "group:active", "sort": "oldest"}, ["started", "active.hot", "active"]),
        ({"q": "Lead4"}, ["opt_out"]),
        ({"q": "(512) 555-0161"}, ["active.hot"]),
        ({"channel": "voice"}, []),
    ],
)
def test_the_list_filters_like_the_console(
    as_csr: Api, shop: Company, sms_campaign: Campaign, params: dict[str, str], expected: list[str]
) -> None:
    _spread(shop, sms_campaign)
    body = as_csr.get("/interactions", params).json()
    assert [item["status"] for item in body["items"]] == expected
    figures = counters(company=shop, filters=parse_query(params).filters)
    assert body["counters"]["conversations"] == figures.conversations


def test_the_list_pages_by_cursor_both_ways(
    as_csr: Api, shop: Company, sms_campaign: Campaign
) -> None:
    now = clock.now()
    made = [
        make_interaction(shop, campaign=sms_campaign, at=now - timedelta(seconds=n))
        for n in range(55)
    ]
    first = as_csr.get("/interactions").json()
    assert len(first["items"]) == 50 and first["previous_cursor"] is None
    second = as_csr.get("/interactions", {"after": first["next_cursor"]}).json()
    assert [i["id"] for i in second["items"]] == [m.pk for m in made[50:]]
    back = as_csr.get("/interactions", {"before": second["previous_cursor"]}).json()
    assert [i["id"] for i in back["items"]] == [i["id"] for i in first["items"]]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "nope"}, "status"),
        ({"sort": "sideways"}, "sort"),
        ({"after": "garbage"}, "after"),
        ({"from": "yesterday"}, "from"),
        ({"from": "9999-12-31"}, "from"),
        ({"range": "custom", "to": "0001-01-01"}, "to"),
        ({"escalated": "maybe"}, "escalated"),
    ],
)
def test_a_bad_filter_is_422_naming_it(
    as_csr: Api, shop: Company, params: dict[str, str], field: str
) -> None:
    response = as_csr.get("/interactions", params)
    assert response.status_code == 422
    assert error_of(response)["field"] == field


def test_an_interaction_comes_with_its_summary_and_thread(
    as_csr: Api, voice_call: Interaction
) -> None:
    body = as_csr.get(f"/interactions/{voice_call.pk}").json()
    assert body["summary"] == "Furnace out; wants a visit."
    assert (body["lead_id"], body["channel"], body["status"]) == (
        voice_call.lead_id,
        "voice",
        "started",
    )
    message, call = body["thread"]
    assert (message["kind"], message["body"], message["author"]) == ("message", "Hi Dana!", "agent")
    assert call["kind"] == "call" and call["outcome"] == "completed"
    assert [t["text"] for t in call["transcript"]] == ["Hello Dana, how can I help?", SPOKEN]
    # The simulator keeps no audio: no download is offered.
    assert call["recording_url"] is None


@pytest.mark.parametrize("role", ["Viewer"])
def test_without_listen_to_call_recording_calls_are_absent_not_flagged(
    shop: Company, voice_call: Interaction, role: str
) -> None:
    api = api_for(make_user(shop, role=role))
    response = api.get(f"/interactions/{voice_call.pk}")
    assert response.status_code == 200
    assert SPOKEN not in response.content.decode()
    body = response.json()
    assert [entry["kind"] for entry in body["thread"]] == ["message"]
    assert "calls" not in body and not any("call" in key for key in body)
    assert api.get(f"/interactions/{voice_call.pk}/calls").status_code == 403
    events = api.get("/events").content.decode()
    assert SPOKEN not in events


def test_calls_and_their_transcripts_for_listen_to_call_recording(
    shop: Company, voice_call: Interaction
) -> None:
    api = api_for(make_user(shop, role="Manager"))
    [call] = api.get(f"/interactions/{voice_call.pk}/calls").json()
    assert call["duration_seconds"] == 95
    assert [t["speaker"] for t in call["transcript"]] == ["agent", "lead"]
    events = api.get("/events").json()["items"]
    assert SPOKEN in [e.get("detail") for e in events if e["kind"] == "call"]


def test_the_recording_downloads_through_leadline_only_for_listeners(
    shop: Company, voice_call: Interaction, recordings: RecordingProvider
) -> None:
    listener = api_for(make_user(shop, role="Manager"))
    [call] = listener.get(f"/interactions/{voice_call.pk}").json()["thread"][1:]
    url = call["recording_url"]
    assert url == f"/api/v1/interactions/{voice_call.pk}/calls/{call['id']}/recording"
    audio = listener.client.get(url, headers={"Authorization": f"Bearer {listener.secret}"})
    assert (audio.status_code, audio["Content-Type"], audio.content) == (
        200,
        "audio/mpeg",
        RecordingProvider.AUDIO,
    )
    viewer = api_for(make_user(shop, role="Viewer"))
    refused = viewer.client.get(url, headers={"Authorization": f"Bearer {viewer.secret}"})
    assert refused.status_code == 403 and error_of(refused)["code"] == "forbidden"


def test_a_call_without_stored_audio_is_404(
    as_csr: Api, voice_call: Interaction, recordings: RecordingProvider
) -> None:
    call = Call.objects.get(interaction=voice_call)
    Call.objects.filter(pk=call.pk).update(recording_id="")
    response = as_csr.get(f"/interactions/{voice_call.pk}/calls/{call.pk}/recording")
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"


def test_another_companys_interaction_is_404(as_csr: Api, rival: Company) -> None:
    theirs = make_interaction(rival)
    for path in (f"/interactions/{theirs.pk}", f"/interactions/{theirs.pk}/calls"):
        response = as_csr.get(path)
        assert response.status_code == 404, path
        assert error_of(response)["code"] == "not_found"


def test_the_event_timeline_continues_from_a_cursor(
    as_csr: Api, shop: Company, sms_campaign: Campaign, rival: Company
) -> None:
    interaction = make_interaction(shop, campaign=sms_campaign)
    make_interaction(rival)
    first = as_csr.get("/events").json()
    assert [e["kind"] for e in first["items"]] == ["status_changed"]
    assert first["items"][0]["interaction_id"] == interaction.pk
    assert first["cursor"] == first["items"][0]["id"]
    add_message(interaction=interaction, direction="inbound", author=Author.LEAD, body="yes")
    later = as_csr.get("/events", {"after": first["cursor"]}).json()
    assert [(e["kind"], e["detail"]) for e in later["items"]] == [("message_in", "yes")]
    idle = as_csr.get("/events", {"after": later["cursor"]}).json()
    assert idle == {"items": [], "cursor": later["cursor"]}
    assert InteractionEvent.objects.filter(company=rival).exists()


def test_events_page_by_limit(as_csr: Api, shop: Company, sms_campaign: Campaign) -> None:
    for _ in range(3):
        make_interaction(shop, campaign=sms_campaign)
    page = as_csr.get("/events", {"limit": 2}).json()
    assert len(page["items"]) == 2
    rest = as_csr.get("/events", {"after": page["cursor"], "limit": 2}).json()
    assert len(rest["items"]) == 1


def test_users_without_view_customer_chats_read_nothing(
    shop: Company, voice_call: Interaction
) -> None:
    api = api_for(user_with(shop))
    for path in ("/interactions", f"/interactions/{voice_call.pk}", "/events", "/leads"):
        response = api.get(path)
        assert response.status_code == 403, path
        assert "View Customer Chats" in error_of(response)["message"]


def test_a_company_switched_to_an_unconfigured_twilio_still_reads_its_interactions(
    shop: Company, voice_call: Interaction
) -> None:
    Company.objects.filter(pk=shop.pk).update(provider="twilio")
    api = api_for(make_user(shop, role="Manager"))
    # The company's own carrier this time, not the tests' simulator stand-in.
    stand_in = base._override
    base._override = None
    try:
        detail = api.get(f"/interactions/{voice_call.pk}")
        calls = api.get(f"/interactions/{voice_call.pk}/calls").json()
        audio = api.get(f"/interactions/{voice_call.pk}/calls/{calls[0]['id']}/recording")
    finally:
        base._override = stand_in
    assert detail.status_code == 200
    assert [call["transcript"][0]["speaker"] for call in calls] == ["agent"]
    # Fetching the audio needs the carrier: it answers that the carrier failed, not a crash.
    assert audio.status_code == 502, audio.content
    assert error_of(audio)["code"] == "carrier_error"
