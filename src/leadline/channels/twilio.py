"""The Twilio carrier: Messages, Calls and Recordings over Twilio's REST API.

Built on the official `twilio` package. Every request goes to
LEADLINE_TWILIO_API_BASE instead of https://api.twilio.com (staging, the fake
server of the tests), with a short timeout and no automatic retry: a create that
times out or loses its connection raises ProviderUncertain, so the caller looks
the text up instead of sending it a second time.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape

import requests
from django.conf import settings
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from leadline.channels.base import (
    CallResult,
    ProviderBusy,
    ProviderError,
    ProviderUncertain,
    Recording,
    SendResult,
    public_url,
)

logger = logging.getLogger(__name__)

TWILIO_API = "https://api.twilio.com"
DEFAULT_TIMEOUT_SECONDS = 10.0

# Twilio's message statuses -> Message.Delivery values.
MESSAGE_STATUSES = {
    "accepted": "queued",
    "scheduled": "queued",
    "queued": "queued",
    "sending": "sending",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "partially_delivered": "delivered",
    "undelivered": "undelivered",
    "failed": "failed",
    "canceled": "failed",
    "receiving": "received",
    "received": "received",
}
# Twilio's call statuses that end a call before anyone answered -> Call.Outcome values.
CALL_FAILURES = {"busy": "busy", "no-answer": "no_answer", "failed": "failed", "canceled": "failed"}

_SID = re.compile(r"^[A-Za-z]{2}[0-9a-fA-F]{32}$")


def delivery_status(twilio_status: str | None) -> str:
    """Our delivery status for one of Twilio's message statuses (unknown when unheard of)."""
    return MESSAGE_STATUSES.get((twilio_status or "").lower(), "unknown")


class RebasedHttpClient(TwilioHttpClient):
    """Twilio's HTTP client, sending to another base address than https://api.twilio.com."""

    def __init__(self, *, api_base: str, timeout: float) -> None:
        # No pooled retries: a POST must never be repeated by the transport.
        super().__init__(timeout=timeout, max_retries=0)
        self.api_base = api_base.rstrip("/")

    def rebase(self, url: str) -> str:
        if url.startswith(TWILIO_API):
            return self.api_base + url[len(TWILIO_API) :]
        return url

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        return super().request(
            method,
            self.rebase(url),
            params=params,
            data=data,
            headers=headers,
            auth=auth,
            timeout=timeout,
            allow_redirects=allow_redirects,
        )


def _error_code(exc: TwilioRestException) -> str:
    return str(exc.code) if exc.code else str(exc.status)


class TwilioProvider:
    """Texts and calls through one Twilio account, from one sender (number or MG... service)."""

    name = "twilio"

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        sender: str,
        api_base: str = TWILIO_API,
        timeout: float | None = None,
    ) -> None:
        self.account_sid = account_sid
        self.sender = sender
        self.api_base = api_base.rstrip("/")
        self.timeout = float(
            timeout
            if timeout is not None
            else getattr(settings, "LEADLINE_TWILIO_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS)
        )
        self._auth = (account_sid, auth_token)
        self.http = RebasedHttpClient(api_base=self.api_base, timeout=self.timeout)
        self.client = Client(account_sid, auth_token, http_client=self.http)

    # ---- messages ----

    def _sender_args(self, from_: str) -> dict[str, Any]:
        sender = from_ or self.sender
        if sender.startswith("MG"):
            return {"messaging_service_sid": sender}
        return {"from_": sender}

    def send_sms(
        self, *, to: str, from_: str, body: str, status_callback: str | None
    ) -> SendResult:
        """Create one Message; its SID and first status come back at once."""
        args: dict[str, Any] = {"to": to, "body": body, **self._sender_args(from_)}
        if status_callback:
            args["status_callback"] = status_callback
        try:
            message = self.client.messages.create(**args)
        except TwilioRestException as exc:
            raise self._refused(exc, "create a message") from exc
        except requests.RequestException as exc:
            raise ProviderUncertain(
                f"Twilio did not answer the create: {exc}", code="timeout"
            ) from exc
        return SendResult(
            provider_id=str(message.sid),
            status=delivery_status(message.status),
            error_code=str(message.error_code or ""),
        )

    def fetch_sms(self, *, provider_id: str) -> SendResult | None:
        """The Message's current status, or None when Twilio has no such message."""
        if not _SID.match(provider_id):
            return None
        try:
            message = self.client.messages(provider_id).fetch()
        except TwilioRestException as exc:
            if exc.status == 404:
                return None
            raise self._refused(exc, "fetch a message") from exc
        except requests.RequestException as exc:
            raise ProviderUncertain(f"Twilio did not answer the fetch: {exc}") from exc
        return SendResult(
            provider_id=str(message.sid),
            status=delivery_status(message.status),
            error_code=str(message.error_code or ""),
        )

    def find_sms(
        self,
        *,
        to: str,
        from_: str,
        body: str,
        since: datetime,
        exclude: Collection[str] = (),
    ) -> SendResult | None:
        """An outbound Message to `to` with exactly `body`, created since `since` (a listing).

        The listing filters on To (and From, unless a Messaging Service picks the
        number) and reads the newest page; a text not yet sent has no date_sent, so
        the match is on the creation time, with a little slack for clock skew.
        """
        filters: dict[str, Any] = {"to": to, "limit": 50, "page_size": 50}
        sender = from_ or self.sender
        if not sender.startswith("MG"):
            filters["from_"] = sender
        try:
            listed = self.client.messages.list(**filters)
        except TwilioRestException as exc:
            raise self._refused(exc, "list messages") from exc
        except requests.RequestException as exc:
            raise ProviderUncertain(f"Twilio did not answer the listing: {exc}") from exc
        earliest = since - timedelta(minutes=5)
        for message in listed:
            created = message.date_created
            if message.body != body or not str(message.direction or "").startswith("outbound"):
                continue
            if str(message.sid) in exclude:
                continue
            if created is not None and created < earliest:
                continue
            return SendResult(
                provider_id=str(message.sid),
                status=delivery_status(message.status),
                error_code=str(message.error_code or ""),
            )
        return None

    # ---- calls ----

    def start_call(
        self,
        *,
        to: str,
        from_: str,
        status_callback: str | None,
        answer_url: str | None = None,
        machine_detection: bool = True,
        amd_status_callback: str | None = None,
        record: bool = True,
        recording_status_callback: str | None = None,
        ring_seconds: int = 25,
    ) -> CallResult:
        """Dial `to` with answering-machine detection on; Twilio then asks answer_url for TwiML.

        Defaults: answer_url is PUBLIC_URL/webhooks/twilio/voice, the status callback
        PUBLIC_URL/webhooks/twilio/voice/status, recordings report to
        PUBLIC_URL/webhooks/twilio/voice/recording. AMD runs synchronously and waits for
        the end of a machine's greeting (DetectMessageEnd): the answer webhook then carries
        AnsweredBy, so a person gets the conversation and a machine only the voicemail,
        spoken after the beep (channels/voice.py). The price is a short pause for a person.
        """
        sender = from_ or self.sender
        if sender.startswith("MG"):
            raise ProviderError(
                "A call needs a Twilio phone number as sender, not a Messaging Service",
                code="config",
            )
        args: dict[str, Any] = {
            "to": to,
            "from_": sender,
            "url": answer_url or public_url("/webhooks/twilio/voice"),
            "method": "POST",
            "status_callback": status_callback or public_url("/webhooks/twilio/voice/status"),
            "status_callback_method": "POST",
            "status_callback_event": ["initiated", "ringing", "answered", "completed"],
            "timeout": ring_seconds,
        }
        if machine_detection:
            args["machine_detection"] = "DetectMessageEnd"
            if amd_status_callback:
                # Asynchronous AMD only when asked for: the voice webhooks expect AnsweredBy.
                args["async_amd"] = "true"
                args["async_amd_status_callback"] = amd_status_callback
                args["async_amd_status_callback_method"] = "POST"
        if record:
            args["record"] = True
            args["recording_status_callback"] = recording_status_callback or public_url(
                "/webhooks/twilio/voice/recording"
            )
            args["recording_status_callback_method"] = "POST"
        try:
            call = self.client.calls.create(**args)
        except TwilioRestException as exc:
            raise self._refused(exc, "place a call") from exc
        except requests.RequestException as exc:
            raise ProviderUncertain(f"Twilio did not answer the call create: {exc}") from exc
        status = str(call.status or "")
        return CallResult(
            provider_id=str(call.sid), status=CALL_FAILURES.get(status, "in_progress")
        )

    def fetch_call(self, *, call_id: str) -> str:
        """Twilio's status of a call (queued, ringing, in-progress, completed, busy, ...)."""
        try:
            call = self.client.calls(call_id).fetch()
        except TwilioRestException as exc:
            raise self._refused(exc, "fetch a call") from exc
        except requests.RequestException as exc:
            raise ProviderUncertain(f"Twilio did not answer the call fetch: {exc}") from exc
        return str(call.status or "")

    def update_call(self, *, call_id: str, twiml: str | None = None, status: str = "") -> None:
        """Redirect a live call to new TwiML, or end it (status="completed")."""
        args: dict[str, Any] = {}
        if twiml is not None:
            args["twiml"] = twiml
        if status:
            args["status"] = status
        try:
            self.client.calls(call_id).update(**args)
        except TwilioRestException as exc:
            raise self._refused(exc, "update a call") from exc
        except requests.RequestException as exc:
            raise ProviderUncertain(f"Twilio did not answer the call update: {exc}") from exc

    def say(self, *, call_id: str, text: str) -> None:
        """Speak a turn on a live call and listen for the answer at the voice webhook."""
        action = escape(public_url("/webhooks/twilio/voice"), {'"': "&quot;"})
        twiml = (
            f'<Response><Gather input="speech" action="{action}" method="POST" '
            f'speechTimeout="auto"><Say>{escape(text)}</Say></Gather></Response>'
        )
        self.update_call(call_id=call_id, twiml=twiml)

    def hang_up(self, *, call_id: str) -> None:
        try:
            self.update_call(call_id=call_id, status="completed")
        except ProviderError as exc:
            # A call that already ended cannot be completed again (Twilio 21220): nothing to do.
            if exc.code != "21220":
                raise

    # ---- recordings ----

    @property
    def keeps_recordings(self) -> bool:
        return True

    def fetch_recording(self, *, recording_id: str) -> Recording | None:
        """The MP3 of a recording of this account, or None when Twilio has no such recording."""
        if not _SID.match(recording_id):
            return None
        url = (
            f"{self.api_base}/2010-04-01/Accounts/{self.account_sid}/Recordings/{recording_id}.mp3"
        )
        try:
            response = requests.get(url, auth=self._auth, timeout=self.timeout * 3)
        except requests.RequestException as exc:
            raise ProviderError(f"Twilio did not answer the recording fetch: {exc}") from exc
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            raise ProviderError(
                f"Twilio refused the recording fetch (HTTP {response.status_code})",
                code=str(response.status_code),
            )
        return Recording(
            content=response.content,
            content_type=response.headers.get("Content-Type", "audio/mpeg").split(";")[0],
        )

    # ---- errors ----

    def _refused(self, exc: TwilioRestException, what: str) -> ProviderError:
        message = f"Twilio refused to {what}: {exc.msg or exc.status} (code {_error_code(exc)})"
        if exc.status == 429:
            return ProviderBusy(message, code=_error_code(exc))
        if exc.status >= 500:
            # Twilio may have accepted it before failing: never repeat without looking.
            return ProviderUncertain(message, code=_error_code(exc))
        return ProviderError(message, code=_error_code(exc))
