"""The Voice Agent over Twilio: calls placed through the REST API (the fake Twilio on
loopback, tests/fakes), the conversation run by signed webhooks as Twilio sends them.

Fixtures (shop on the installation's Twilio account, clock, worker, fake_twilio) are
in tests/channels/conftest.py.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client

from leadline.accounts.models import Company
from leadline.campaigns.models import Campaign
from leadline.campaigns.services import start_campaign_for_lead
from leadline.channels.services import live_call
from leadline.compliance.models import OptOut
from leadline.crm.models import Job
from leadline.crm.services import take_over_lead
from leadline.interactions.models import Author, Call, Interaction
from leadline.kit.clock import VirtualClock
from leadline.simulation.runner import VirtualWorker
from tests.builders import make_lead, make_user
from tests.fakes.twilio_server import ACCOUNT_SID, NUMBER, FakeTwilio, signature

CHICAGO = ZoneInfo("America/Chicago")
LEAD_PHONE = "+15125550143"


def call_creates(fake: FakeTwilio) -> list[dict[str, Any]]:
    """The Calls the fake Twilio was asked to place, oldest first."""
    with fake.lock:
        return [create for create in fake.creates if create["kind"] == "call"]


# ---------------------------------------------------------------- Twilio's side of the call


@dataclass
class TwiML:
    says: list[str]
    action: str | None  # the Gather's action (path and query), None when the call ends
    hangs_up: bool


def public() -> str:
    return str(settings.LEADLINE_PUBLIC_URL)


def parse(body: bytes) -> TwiML:
    # Our own server's answer in a test, not untrusted input.
    root = ET.fromstring(body)  # noqa: S314
    assert root.tag == "Response"
    gather = root.find("Gather")
    if gather is not None:
        assert gather.get("input") == "speech"
        assert gather.get("actionOnEmptyResult") == "true"
    says = [say.text or "" for say in root.iter("Say")]
    action = gather.get("action") if gather is not None else None
    if action is not None:
        assert action.startswith(public())
        action = action[len(public()) :]
    return TwiML(says=says, action=action, hangs_up=root.find("Hangup") is not None)


def post(client: Client, path: str, params: dict[str, str], *, header: str | None = None) -> Any:
    """POST as Twilio does: signed with the account's token over PUBLIC_URL + path."""
    if header is None:
        header = signed(path, params)
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=header)


def signed(path: str, params: dict[str, str], *, token: str | None = None) -> str:
    """The signature Twilio's RequestValidator makes for PUBLIC_URL + path."""
    if token is None:
        return signature(public() + path, params)
    return signature(public() + path, params, token=token)


class Phone:
    """The lead's end of a Twilio call: picks up, speaks, hangs up, via signed webhooks."""

    def __init__(self, client: Client, call_sid: str) -> None:
        self.client = client
        self.sid = call_sid
        self.last: TwiML | None = None

    def params(self, **extra: str) -> dict[str, str]:
        return {
            "CallSid": self.sid,
            "AccountSid": ACCOUNT_SID,
            "From": NUMBER,
            "To": LEAD_PHONE,
            "Direction": "outbound-api",
            "CallStatus": "in-progress",
            **extra,
        }

    def answer(self, answered_by: str = "human") -> TwiML:
        response = post(self.client, "/webhooks/twilio/voice", self.params(AnsweredBy=answered_by))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/xml")
        self.last = parse(response.content)
        return self.last

    def say(self, text: str, *, action: str | None = None) -> TwiML:
        assert self.last is not None and self.last.action is not None
        params = self.params(SpeechResult=text, Confidence="0.92") if text else self.params()
        response = post(self.client, action or self.last.action, params)
        assert response.status_code == 200
        self.last = parse(response.content)
        return self.last

    def status(self, status: str, **extra: str) -> None:
        params = self.params(CallStatus=status, **extra)
        response = post(self.client, "/webhooks/twilio/voice/status", params)
        assert response.status_code == 200


def dial(
    shop: Company, campaign: Campaign, worker: VirtualWorker, fake: FakeTwilio, **lead: Any
) -> tuple[Interaction, Phone]:
    fields = {"note": "garage door opener", "phone": LEAD_PHONE, **lead}
    interaction = start_campaign_for_lead(lead=make_lead(shop, **fields), campaign=campaign)
    worker.run_due()
    call = live_call(interaction)
    assert call is not None and call.provider_id == call_creates(fake)[-1]["sid"]
    return interaction, Phone(Client(), call.provider_id)


def transcript(interaction: Interaction) -> list[tuple[str, str]]:
    call = Call.objects.filter(interaction=interaction).order_by("-id").first()
    assert call is not None
    return [(t.speaker, t.text) for t in call.turns.order_by("seq")]


# ---------------------------------------------------------------- the conversation


def test_a_call_is_placed_through_twilio_with_the_voice_webhooks_and_machine_detection(
    shop: Company, voice_campaign: Campaign, worker: VirtualWorker, fake_twilio: FakeTwilio
) -> None:
    interaction, _phone = dial(shop, voice_campaign, worker, fake_twilio)
    [create] = call_creates(fake_twilio)
    assert create["To"] == LEAD_PHONE
    assert create["From"] == NUMBER
    assert create["Url"] == f"{public()}/webhooks/twilio/voice"
    assert create["StatusCallback"] == f"{public()}/webhooks/twilio/voice/status"
    assert "completed" in create["_lists"]["StatusCallbackEvent"]
    assert create["MachineDetection"] == "DetectMessageEnd"
    assert "AsyncAmd" not in create  # the answer webhook carries AnsweredBy
    assert create["Record"] == "true"
    assert create["RecordingStatusCallback"] == f"{public()}/webhooks/twilio/voice/recording"
    # Nothing is said (nor written in the transcript) before someone picks up.
    assert transcript(interaction) == []


def test_a_voice_conversation_driven_by_speech_webhooks_books_a_job(
    shop: Company, voice_campaign: Campaign, worker: VirtualWorker, fake_twilio: FakeTwilio
) -> None:
    interaction, phone = dial(shop, voice_campaign, worker, fake_twilio)

    greeting = phone.answer()
    # The agent's opening names the business, the recording and the opt-out itself.
    [opening] = greeting.says
    assert opening.startswith("Hi Dana, this is the virtual assistant for Lone Star Comfort Pros")
    assert "This call may be recorded" in opening
    assert "say stop at any time" in opening
    assert greeting.action is not None and not greeting.hangs_up

    offer = phone.say("Yes, the opener stopped working. Can someone come out?")
    assert offer.says and offer.action is not None
    booked = phone.say("The earliest time is fine")
    assert booked.says

    phone.status("completed", CallDuration="95")
    interaction.refresh_from_db()
    assert interaction.status_label == "Converted: Agent"
    job = Job.objects.get(lead=interaction.lead)
    assert job.booked_by == Job.BookedBy.AGENT
    call = Call.objects.get(interaction=interaction)
    assert call.outcome == Call.Outcome.COMPLETED
    turns = transcript(interaction)
    assert [speaker for speaker, _ in turns] == ["agent", "lead", "agent", "lead", "agent"]
    assert turns[1][1] == "Yes, the opener stopped working. Can someone come out?"
    # What the lead heard is the transcript's agent turns, each once, in order.
    heard = greeting.says + offer.says + booked.says
    assert heard == [text for speaker, text in turns if speaker != Author.LEAD]
    # All of it went out in the TwiML answers: nothing was pushed to the live call.
    assert fake_twilio.call_updates == []


def test_an_opening_without_the_notices_is_preceded_by_the_call_notice(
    shop: Company, voice_campaign: Campaign, worker: VirtualWorker, fake_twilio: FakeTwilio
) -> None:
    from leadline.channels import services

    interaction = start_campaign_for_lead(
        lead=make_lead(shop, phone=LEAD_PHONE), campaign=voice_campaign
    )
    services.place_agent_call(interaction_id=interaction.pk, opening="Hi, it's about your AC.")
    phone = Phone(Client(), call_creates(fake_twilio)[-1]["sid"])
    greeting = phone.answer()
    assert greeting.says == [
        "Hello, this is Lone Star Comfort Pros. This call may be recorded. "
        "If you'd rather not get calls from us, say stop at any time.",
        "Hi, it's about your AC.",
    ]
    assert [s for s, _ in transcript(interaction)] == [Author.SYSTEM, Author.AGENT]


def test_the_same_speech_webhook_twice_is_answered_once(
    shop: Company, voice_campaign: Campaign, worker: VirtualWorker, fake_twilio: FakeTwilio
) -> None:
    interaction, phone = dial(shop, voice_campaign, worker, fake_twilio)
    phone.answer()
    action = phone.last.action if phone.last else None
    first = phone.say("Yes, the opener stopped working. Can someone come out?", action=action)
    again = phone.say("Yes, the opener stopped working. Can someone come out?", action=action)
    assert again == first
    assert [s for s, _ in transcript(interaction)] == ["agent", "lead", "agent"]
    # A retried answer webhook repeats the greeting and adds nothing.
    greeting_again = phone.answer()
    assert len(transcript(interaction)) == 3
    assert greeting_again.says[0] == transcript(interaction)[0][1]


def test_silence_is_asked_about_once_then_the_call_ends_politely(
    shop: Company, voice_campaign: Campaign, worker: VirtualWorker, fake_twilio: FakeTwilio
) -> None:
    interaction, phone = dial(shop, voice_campaign, worker, fake_twilio)
    phone.answer()
    reprompt = phone.say("")
    assert reprompt.says == ["Sorry, I didn't catch that. Are you still there?"]
    assert reprompt.action is not None
    goodbye = phone.say("")
    assert goodbye.hangs_up and goodbye.action is None
    assert "(512) 555-0100" in goodbye.says[0]
    call = Call.objects.get(interaction=interaction)
    # Nobody spoke: an unanswered attempt, so the cadence's next call follows.
    assert call.outcome == Call.Outcome.NO_ANSWER
    worker.advance(timedelta(hours=1))
    assert len(call_creates(fake_twilio)) == 2


def test_the_lead_answering_after_a_silence_gets_the_agent(
    shop: Company, voice_campaign: Campaign, worker: VirtualWorker, fake_twilio: FakeTwilio
) -> None:
    interaction, phone = dial(shop, voice_campaign, worker, fake_twilio)
    phone.answer()
    phone.say("")
    answer = phone.say("Yes, the opener stopped working. Can someone come out?")
    assert answer.action is not None and "quiet=0" in answer.action
    assert [s for s, _ in transcript(interaction)] == ["agent", "system", "lead", "agent"]


# ---------------------------------------------------------------- nobody, or a machine


def test_a_machine_gets_a_short_voicemail_and_counts_as_unanswered(
    shop: Company, voice_campaign: Campaign, worker: VirtualWorker, fake_twilio: FakeTwilio
) -> None:
    interaction, phone = dial(shop, voice_campaign, worker, fake_twilio)
    voicemail = phone.answer("machine_end_beep")
    assert voicemail.hangs_up and voicemail.action is None
    [message] = voicemail.says
    assert "Lone Star Comfort Pros" in message
    assert "(512) 555-0100" in message
    assert "rather not get calls" in message
    phone.status("completed", AnsweredBy="machine_end_beep")
    call = Call.objects.get(interaction=interaction)
    assert call.outcome == Call.Outcome.VOICEMAIL
    # Our TwiML hangs up; no REST hang-up cuts the voicemail short.
    assert fake_twilio.call_updates == []
    interaction.refresh_from_db()
    assert interaction.inbound_count == 0 and interaction.is_open
    worker.advance(timedelta(hours=1))
    assert len(call_creates(fake_twilio)) == 2


def test_no_voicemail_is_left_for_a_number_that_opted_out_meanwhile(
    shop: Company, voice_campaign: Campaign, worker: VirtualWorker, fake_twilio: FakeTwilio
) -> None:
    from leadline.compliance.services import record_opt_out

    interaction, phone = dial(shop, voice_campaign, worker, fake_twilio)
    record_opt_out(company=shop, phone=LEAD_PHONE, method="keyword", raw_text="STOP")
    voicemail = phone.answer("machine_end_silence")
    assert voicemail.says == [] and voicemail.hangs_up
    assert transcript(interaction) == []


@pytest.mark.parametrize(
    ("status", "outcome"),
    [("no-answer", Call.Outcome.NO_ANSWER), ("busy", Call.Outcome.BUSY)],
)
def test_no_answer_or_busy_is_an_unanswered_attempt_in_the_cadence(
    shop: Company,
    voice_campaign: Campaign,
    worker: VirtualWorker,
    fake_twilio: FakeTwilio,
    status: str,
    outcome: str,
) -> None:
    interaction, phone = dial(shop, voice_campaign, worker, fake_twilio)
    phone.status("ringing")
    phone.status(status)
    phone.status(status)  # a repeated callback changes nothing
    phone.status("ringing")  # nor does a late one
    call = Call.objects.get(interaction=interaction)
    assert call.outcome == outcome
    interaction.refresh_from_db()
    assert interaction.is_open
    worker.advance(timedelta(hours=1))
    assert len(call_creates(fake_twilio)) == 2


def test_a_failed_call_fails_the_interaction(
    shop: Company, voice_campaign: Campaign, worker: VirtualWorker, fake_twilio: FakeTwilio
) -> None:
    interaction, phone = dial(shop, voice_campaign, worker, fake_twilio)
    phone.status("failed")
    interaction.refresh_from_db()
    assert interaction.status_label == "Failed"


# ---------------------------------------------------------------- compliance and people


def test_saying_stop_calling_me_opts_out_ends_the_call_and_stops_everything(
    shop: Company, voice_campaign: Campaign, worker: VirtualWorker, fake_twilio: FakeTwilio
) -> None:
    interaction, phone = dial(shop, voice_campaign, worker, fake_twilio)
    phone.answer()
    goodbye = phone.say("stop calling me")
    assert goodbye.hangs_up and goodbye.action is None
    assert "won't hear from us again" in goodbye.says[-1]
    interaction.refresh_from_db()
    assert interaction.status_label == "Opt-out"
    assert OptOut.objects.filter(company=shop, phone=LEAD_PHONE, active=True).exists()
    call = Call.objects.get(interaction=interaction)
    assert call.outcome == Call.Outcome.COMPLETED
    assert fake_twilio.call_updates == []  # the hang-up is in the TwiML
    # No later touch dials again, and a late status callback changes nothing.
    phone.status("completed")
    worker.advance(timedelta(days=4))
    assert len(call_creates(fake_twilio)) == 1


def test_a_call_due_in_quiet_hours_is_placed_when_the_allowed_hours_open(
    shop: Company,
    voice_campaign: Campaign,
    clock: VirtualClock,
    worker: VirtualWorker,
    fake_twilio: FakeTwilio,
) -> None:
    clock.set(datetime(2026, 3, 3, 22, 30, tzinfo=CHICAGO))
    start_campaign_for_lead(lead=make_lead(shop, phone=LEAD_PHONE), campaign=voice_campaign)
    worker.run_due()
    assert call_creates(fake_twilio) == []
    worker.advance(timedelta(hours=11))
    assert len(call_creates(fake_twilio)) == 1
    assert clock.now() >= datetime(2026, 3, 4, 9, 0, tzinfo=CHICAGO)


def test_a_takeover_during_the_call_hands_off_politely_and_hangs_up(
    shop: Company, voice_campaign: Campaign, worker: VirtualWorker, fake_twilio: FakeTwilio
) -> None:
    interaction, phone = dial(shop, voice_campaign, worker, fake_twilio)
    phone.answer()
    take_over_lead(lead=interaction.lead, actor=make_user(shop, role="CSR"))
    handoff = phone.say("Yes, the opener stopped working. Can someone come out?")
    assert handoff.hangs_up
    assert handoff.says == [
        "Thanks for your time. A member of our team will follow up with you. Goodbye."
    ]
    turns = transcript(interaction)
    assert [s for s, _ in turns] == ["agent", "lead", "system"]
    interaction.refresh_from_db()
    assert interaction.status_label == "Takeover"
    assert not Job.objects.filter(lead=interaction.lead).exists()


# ---------------------------------------------------------------- signatures and strays


def test_every_voice_webhook_refuses_a_missing_or_wrong_signature_and_stores_nothing(
    shop: Company, voice_campaign: Campaign, worker: VirtualWorker, fake_twilio: FakeTwilio
) -> None:
    interaction, phone = dial(shop, voice_campaign, worker, fake_twilio)
    forged = signed("/webhooks/twilio/voice", phone.params(AnsweredBy="human"), token="wrong")
    for path, params in [
        ("/webhooks/twilio/voice", phone.params(AnsweredBy="human")),
        ("/webhooks/twilio/voice?said=0&quiet=0", phone.params(SpeechResult="stop")),
        ("/webhooks/twilio/voice/status", phone.params(CallStatus="busy")),
        (
            "/webhooks/twilio/voice/recording",
            phone.params(RecordingSid="RE" + "2" * 32, RecordingStatus="completed"),
        ),
    ]:
        for header in (forged, ""):
            assert post(phone.client, path, params, header=header).status_code == 403
    call = Call.objects.get(interaction=interaction)
    assert call.outcome == Call.Outcome.IN_PROGRESS
    assert call.recording_id == ""
    assert transcript(interaction) == []
    assert not OptOut.objects.filter(company=shop).exists()


def test_a_signature_over_another_query_is_refused(
    shop: Company, voice_campaign: Campaign, worker: VirtualWorker, fake_twilio: FakeTwilio
) -> None:
    _interaction, phone = dial(shop, voice_campaign, worker, fake_twilio)
    phone.answer()
    params = phone.params(SpeechResult="Yes please")
    signed_for = signed("/webhooks/twilio/voice?said=0&quiet=0", params)
    # Replaying a signed turn with a changed `said` would re-say old turns: refused.
    response = post(
        phone.client, "/webhooks/twilio/voice?said=5&quiet=0", params, header=signed_for
    )
    assert response.status_code == 403


def test_an_unknown_call_is_answered_with_a_polite_hang_up(
    shop: Company, fake_twilio: FakeTwilio
) -> None:
    phone = Phone(Client(), "CA" + "9" * 32)
    for answer in (phone.answer(), phone.answer("machine_end_beep")):
        assert answer.hangs_up and answer.action is None
        assert answer.says == ["Sorry, we can't continue this call. Goodbye."]
    phone.last = TwiML(says=[], action="/webhooks/twilio/voice?said=3&quiet=0", hangs_up=False)
    assert phone.say("hello").hangs_up
    phone.status("completed")  # ignored, not an error
    assert not Call.objects.exists()


def test_a_webhook_that_breaks_still_answers_twiml(
    shop: Company,
    voice_campaign: Campaign,
    worker: VirtualWorker,
    fake_twilio: FakeTwilio,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from leadline.agent import policy

    def broken(**kwargs: Any) -> str:
        raise RuntimeError("the database went away")

    _interaction, phone = dial(shop, voice_campaign, worker, fake_twilio)
    phone.answer()
    monkeypatch.setattr(policy, "handle_spoken_turn", broken)
    answer = phone.say("Yes please")
    assert answer.hangs_up
    assert answer.says == ["Sorry, we can't continue this call. Goodbye."]


# ---------------------------------------------------------------- the recording


def test_the_recording_is_linked_once_and_played_through_leadline(
    shop: Company, voice_campaign: Campaign, worker: VirtualWorker, fake_twilio: FakeTwilio
) -> None:
    interaction, phone = dial(shop, voice_campaign, worker, fake_twilio)
    phone.answer()
    phone.say("Yes, the opener stopped working. Can someone come out?")
    phone.status("completed", CallDuration="40")
    recording_sid = "RE" + "3" * 32
    fake_twilio.recordings[recording_sid] = b"ID3-the-call-audio"
    params = phone.params(
        RecordingSid=recording_sid,
        RecordingUrl=f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{recording_sid}",
        RecordingStatus="completed",
        RecordingDuration="38",
        RecordingChannels="1",
        RecordingSource="OutboundAPI",
    )
    for _ in range(2):  # a repeated callback is harmless
        assert post(phone.client, "/webhooks/twilio/voice/recording", params).status_code == 200
    call = Call.objects.get(interaction=interaction)
    assert (call.recording_id, call.recording_duration) == (recording_sid, 38)
    assert interaction.events.filter(data__recording=True).count() == 1

    manager = Client()
    manager.force_login(make_user(shop, role="Manager"))
    url = f"/growth/interactions/{interaction.pk}/calls/{call.pk}/recording"
    response = manager.get(url)
    assert response.status_code == 200
    assert response.content == b"ID3-the-call-audio"
    assert response["Content-Type"] == "audio/mpeg"
    drawer = manager.get(f"/growth/interactions/{interaction.pk}/drawer/")
    assert url.encode() in drawer.content
    assert b"api.twilio.com" not in drawer.content

    viewer = Client()
    viewer.force_login(make_user(shop, role="Viewer"))
    assert viewer.get(url).status_code == 403


def test_a_recording_callback_with_impossible_values_is_answered_and_stores_nothing_odd(
    shop: Company, voice_campaign: Campaign, worker: VirtualWorker, fake_twilio: FakeTwilio
) -> None:
    interaction, phone = dial(shop, voice_campaign, worker, fake_twilio)
    phone.answer()
    phone.status("completed", CallDuration="40")
    odd = phone.params(RecordingSid="RE" + "9" * 200, RecordingStatus="completed")
    assert post(phone.client, "/webhooks/twilio/voice/recording", odd).status_code == 200
    huge = phone.params(
        RecordingSid="RE" + "5" * 32, RecordingStatus="completed", RecordingDuration="9" * 30
    )
    assert post(phone.client, "/webhooks/twilio/voice/recording", huge).status_code == 200
    call = Call.objects.get(interaction=interaction)
    assert (call.recording_id, call.recording_duration) == ("RE" + "5" * 32, None)


# ---------------------------------------------------------------- the lead calls in


def test_a_call_to_the_company_number_is_greeted_and_answered_by_the_agent(
    shop: Company, voice_campaign: Campaign, fake_twilio: FakeTwilio
) -> None:
    caller = "+15125550177"
    phone = Phone(Client(), "CA" + "4" * 32)
    inbound = phone.params(Direction="inbound", From=caller, To=NUMBER)
    responses = [post(phone.client, "/webhooks/twilio/voice", inbound) for _ in range(2)]
    first, again = (parse(r.content) for r in responses)
    assert first == again  # a retried webhook does not open a second call
    assert first.says == [
        "Hello, this is Lone Star Comfort Pros. This call may be recorded. "
        "If you'd rather not get calls from us, say stop at any time.",
        "How can we help you today?",
    ]
    phone.last = first
    answer = phone.say("My AC stopped cooling. Can someone come out this week?", action=None)
    assert answer.says and answer.action is not None
    call = Call.objects.get(provider_id=phone.sid)
    assert call.direction == "inbound"
    assert call.interaction.lead.phone == caller
    assert call.interaction.lead.source == "phone"
    assert [s for s, _ in transcript(call.interaction)] == ["system", "agent", "lead", "agent"]
    assert call_creates(fake_twilio) == []


def test_a_call_to_a_company_without_a_voice_campaign_gets_a_polite_goodbye(
    shop: Company, fake_twilio: FakeTwilio
) -> None:
    phone = Phone(Client(), "CA" + "5" * 32)
    inbound = phone.params(Direction="inbound", From="+15125550177", To=NUMBER)
    answer = parse(post(phone.client, "/webhooks/twilio/voice", inbound).content)
    assert answer.hangs_up and answer.says == ["Sorry, we can't continue this call. Goodbye."]
    assert not Call.objects.exists()


# ---------------------------------------------------------------- Twilio refusing the call


def test_a_call_twilio_refuses_for_now_is_placed_again_a_minute_later(
    shop: Company,
    voice_campaign: Campaign,
    worker: VirtualWorker,
    fake_twilio: FakeTwilio,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from leadline.channels.base import ProviderBusy
    from leadline.channels.twilio import TwilioProvider

    real = TwilioProvider.start_call
    refusals = [ProviderBusy("Too many requests", code="20429")]

    def busy_once(self: TwilioProvider, **kwargs: Any) -> Any:
        if refusals:
            raise refusals.pop()
        return real(self, **kwargs)

    monkeypatch.setattr(TwilioProvider, "start_call", busy_once)
    interaction = start_campaign_for_lead(
        lead=make_lead(shop, phone=LEAD_PHONE), campaign=voice_campaign
    )
    worker.run_due()
    assert call_creates(fake_twilio) == []
    assert not Call.objects.filter(interaction=interaction).exists()
    worker.advance(timedelta(minutes=1))
    assert len(call_creates(fake_twilio)) == 1
    assert live_call(interaction) is not None


def test_a_call_create_that_times_out_is_not_a_failed_number(
    shop: Company,
    voice_campaign: Campaign,
    worker: VirtualWorker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from leadline.channels.base import ProviderUncertain
    from leadline.channels.twilio import TwilioProvider

    def times_out(self: TwilioProvider, **kwargs: Any) -> Any:
        raise ProviderUncertain("Twilio did not answer the call create", code="timeout")

    monkeypatch.setattr(TwilioProvider, "start_call", times_out)
    interaction = start_campaign_for_lead(
        lead=make_lead(shop, phone=LEAD_PHONE), campaign=voice_campaign
    )
    worker.run_due()
    call = Call.objects.get(interaction=interaction)
    assert call.outcome == Call.Outcome.FAILED
    interaction.refresh_from_db()
    # The number may be fine (Twilio may even have dialled): the cadence goes on.
    assert interaction.is_open
    assert interaction.events.filter(detail__contains="could not be confirmed").exists()
