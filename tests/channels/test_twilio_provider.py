"""The Twilio provider against the fake Twilio REST API on loopback."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from leadline.channels.base import (
    ProviderBusy,
    ProviderError,
    ProviderUncertain,
)
from leadline.channels.twilio import TwilioProvider
from tests.fakes.twilio_server import ACCOUNT_SID, AUTH_TOKEN, NUMBER, FakeTwilio

LEAD = "+15125550143"
CALLBACK = "https://leads.example.com/webhooks/twilio/sms/status"
SERVICE = "MG" + "2" * 32


def provider(fake: FakeTwilio, *, token: str = AUTH_TOKEN, sender: str = NUMBER) -> TwilioProvider:
    return TwilioProvider(
        account_sid=ACCOUNT_SID, auth_token=token, sender=sender, api_base=fake.url, timeout=1.0
    )


def test_a_text_is_created_at_the_configured_api_base_with_its_status_callback(
    fake_twilio: FakeTwilio,
) -> None:
    result = provider(fake_twilio).send_sms(
        to=LEAD, from_=NUMBER, body="Hello from Lone Star", status_callback=CALLBACK
    )
    [create] = fake_twilio.sms_creates()
    assert create["To"] == LEAD
    assert create["From"] == NUMBER
    assert create["Body"] == "Hello from Lone Star"
    assert create["StatusCallback"] == CALLBACK
    assert result.provider_id == create["sid"]
    assert result.status == "queued"


def test_a_messaging_service_sender_is_sent_as_messaging_service_sid(
    fake_twilio: FakeTwilio,
) -> None:
    result = provider(fake_twilio, sender=SERVICE).send_sms(
        to=LEAD, from_=SERVICE, body="Hi", status_callback=None
    )
    [create] = fake_twilio.sms_creates()
    assert create["MessagingServiceSid"] == SERVICE
    assert "From" not in create
    # Twilio answers "accepted" for a service: it has not picked the number yet.
    assert result.status == "queued"


@pytest.mark.parametrize("code", [21211, 21610, 21612, 21614])
def test_a_refused_create_raises_with_twilios_error_code(
    fake_twilio: FakeTwilio, code: int
) -> None:
    fake_twilio.fail_next(code=code)
    with pytest.raises(ProviderError) as refused:
        provider(fake_twilio).send_sms(to=LEAD, from_=NUMBER, body="Hi", status_callback=None)
    assert refused.value.code == str(code)
    assert not isinstance(refused.value, ProviderUncertain)


def test_wrong_credentials_are_refused_not_uncertain(fake_twilio: FakeTwilio) -> None:
    with pytest.raises(ProviderError) as refused:
        provider(fake_twilio, token="not-the-token").send_sms(
            to=LEAD, from_=NUMBER, body="Hi", status_callback=None
        )
    assert refused.value.code == "20003"
    assert fake_twilio.sms_creates() == []


def test_a_create_answered_after_the_timeout_is_uncertain_and_was_taken(
    fake_twilio: FakeTwilio,
) -> None:
    fake_twilio.stall_next(2.5)
    with pytest.raises(ProviderUncertain):
        provider(fake_twilio).send_sms(to=LEAD, from_=NUMBER, body="Hi", status_callback=None)
    assert len(fake_twilio.sms_creates()) == 1


def test_a_create_whose_connection_drops_is_uncertain_and_is_not_repeated(
    fake_twilio: FakeTwilio,
) -> None:
    fake_twilio.drop_next()
    with pytest.raises(ProviderUncertain):
        provider(fake_twilio).send_sms(to=LEAD, from_=NUMBER, body="Hi", status_callback=None)
    assert len(fake_twilio.sms_creates()) == 1


def test_a_server_error_is_uncertain_and_rate_limiting_is_busy(fake_twilio: FakeTwilio) -> None:
    fake_twilio.fail_next(code=20500, status=500)
    with pytest.raises(ProviderUncertain):
        provider(fake_twilio).send_sms(to=LEAD, from_=NUMBER, body="Hi", status_callback=None)
    fake_twilio.fail_next(code=20429, status=429)
    with pytest.raises(ProviderBusy):
        provider(fake_twilio).send_sms(to=LEAD, from_=NUMBER, body="Hi", status_callback=None)


def test_a_text_is_found_again_by_listing_or_by_its_sid(fake_twilio: FakeTwilio) -> None:
    twilio = provider(fake_twilio)
    since = datetime.now(UTC)
    twilio.send_sms(to="+15125550144", from_=NUMBER, body="Someone else", status_callback=None)
    sent = twilio.send_sms(to=LEAD, from_=NUMBER, body="The one", status_callback=None)
    fake_twilio.set_status(sent.provider_id, "delivered")
    found = twilio.find_sms(to=LEAD, from_=NUMBER, body="The one", since=since)
    assert found is not None
    assert (found.provider_id, found.status) == (sent.provider_id, "delivered")
    assert twilio.find_sms(to=LEAD, from_=NUMBER, body="Never sent", since=since) is None
    fetched = twilio.fetch_sms(provider_id=sent.provider_id)
    assert fetched is not None and fetched.status == "delivered"
    assert twilio.fetch_sms(provider_id="SM" + "0" * 32) is None
    # A listing is a read: nothing was created by looking.
    assert len(fake_twilio.sms_creates()) == 2


def test_a_call_is_placed_with_machine_detection_and_the_voice_webhooks(
    fake_twilio: FakeTwilio, settings: object
) -> None:
    result = provider(fake_twilio).start_call(to=LEAD, from_=NUMBER, status_callback=None)
    [create] = [c for c in fake_twilio.creates if c["kind"] == "call"]
    assert result.status == "in_progress"
    assert create["sid"] == result.provider_id
    assert create["MachineDetection"] == "DetectMessageEnd"
    assert create["Url"].endswith("/webhooks/twilio/voice")
    assert create["Record"] == "true"
    provider(fake_twilio).hang_up(call_id=result.provider_id)
    assert fake_twilio.call_updates[-1]["Status"] == "completed"


def test_a_recording_is_fetched_with_the_accounts_credentials(fake_twilio: FakeTwilio) -> None:
    sid = "RE" + "3" * 32
    fake_twilio.recordings[sid] = b"ID3-fake-mp3"
    recording = provider(fake_twilio).fetch_recording(recording_id=sid)
    assert recording is not None
    assert recording.content == b"ID3-fake-mp3"
    assert recording.content_type == "audio/mpeg"
    assert provider(fake_twilio).fetch_recording(recording_id="RE" + "4" * 32) is None
    # Not a recording id at all: never turned into a URL.
    assert provider(fake_twilio).fetch_recording(recording_id="../Messages") is None
