"""The provider interface: what Leadline asks of an SMS and voice carrier.

A provider sends; it never decides. Everything that reaches a provider has
already passed the compliance gate at the moment of sending (channels/services).
The provider is chosen per company (`Company.provider`), else by the installation's
LEADLINE_PROVIDER ("simulator" by default, or "twilio", channels/twilio.py).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.conf import settings

from leadline.accounts.models import Company


@dataclass(frozen=True)
class SendResult:
    """What the carrier answered to a send: its id for the message and the first status."""

    provider_id: str
    status: str  # a Message.Delivery value: queued, sent, delivered, failed, ...
    error_code: str = ""


@dataclass(frozen=True)
class CallResult:
    """What the carrier answered to placing a call."""

    provider_id: str
    status: str  # "in_progress" or a Call.Outcome value when it failed at once


@dataclass(frozen=True)
class Recording:
    """A call recording's audio, fetched through Leadline with the company's credentials."""

    content: bytes
    content_type: str  # e.g. "audio/mpeg"


class ProviderError(Exception):
    """The carrier refused the request; `code` is its error code (e.g. Twilio 21211)."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class ProviderUncertain(ProviderError):
    """The request may or may not have reached the carrier (timeout, dropped connection, 5xx).

    Never repeat such a send blindly: look it up with find_sms / fetch_sms first.
    """


class ProviderBusy(ProviderError):
    """The carrier refused for now (rate limited) without accepting anything: try later."""


class Provider(Protocol):
    name: str

    def send_sms(
        self, *, to: str, from_: str, body: str, status_callback: str | None
    ) -> SendResult:
        """Hand one text to the carrier."""
        ...

    def fetch_sms(self, *, provider_id: str) -> SendResult | None:
        """The carrier's current status of a text it accepted, or None if it has no such text."""
        ...

    def find_sms(
        self,
        *,
        to: str,
        from_: str,
        body: str,
        since: datetime,
        exclude: Collection[str] = (),
    ) -> SendResult | None:
        """A text the carrier accepted from `from_` to `to` with `body` since then, if any.

        Ids in `exclude` are texts we already know (an earlier text with the same words).
        """
        ...

    def start_call(self, *, to: str, from_: str, status_callback: str | None) -> CallResult:
        """Dial a number; the call's turns follow with say() (or, for Twilio, its webhooks)."""
        ...

    def say(self, *, call_id: str, text: str) -> None:
        """Speak one agent turn on a live call.

        A carrier that runs calls with its webhooks (Twilio, channels/voice.py) is asked
        for the words: while such a webhook is being answered, channels.services.speak()
        writes the CallTurn and does not call say(), because the turn goes out in the
        webhook's TwiML answer. say() is only called outside a webhook, and then
        redirects the live call to the words.
        """
        ...

    def hang_up(self, *, call_id: str) -> None:
        """End a live call (during a Twilio webhook the TwiML's <Hangup/> does it instead)."""
        ...

    @property
    def keeps_recordings(self) -> bool:
        """Whether this carrier stores call audio that fetch_recording can return."""
        ...

    def fetch_recording(self, *, recording_id: str) -> Recording | None:
        """The audio of a recording, or None when the carrier has none for that id."""
        ...


_override: Provider | None = None
_cache: dict[tuple[str, ...], Provider] = {}
PROVIDERS = ("simulator", "twilio")


def provider_name() -> str:
    """The default provider of this installation (LEADLINE_PROVIDER)."""
    return str(getattr(settings, "LEADLINE_PROVIDER", "") or "simulator").lower()


def provider_name_for(company: Company | None) -> str:
    """The provider a company's texts and calls go through ("simulator" or "twilio")."""
    chosen = company.provider if company is not None else ""
    return str(chosen or provider_name()).lower()


@dataclass(frozen=True)
class TwilioAccount:
    """The Twilio credentials and sender a company uses (its own, else the installation's)."""

    account_sid: str
    auth_token: str
    sender: str  # a number in E.164 or a Messaging Service SID (MG...)

    @property
    def uses_messaging_service(self) -> bool:
        return self.sender.startswith("MG")


def twilio_account_for(company: Company | None) -> TwilioAccount:
    """The company's Twilio account if it set one (SID and token together), else the default."""
    own = company is not None and bool(company.twilio_account_sid and company.twilio_auth_token)
    default_from = str(getattr(settings, "LEADLINE_TWILIO_FROM", ""))
    if own:
        assert company is not None
        return TwilioAccount(
            account_sid=company.twilio_account_sid,
            auth_token=company.twilio_auth_token,
            # An own account needs its own sender: the installation's number is not in it.
            sender=company.twilio_from,
        )
    return TwilioAccount(
        account_sid=str(getattr(settings, "LEADLINE_TWILIO_ACCOUNT_SID", "")),
        auth_token=str(getattr(settings, "LEADLINE_TWILIO_AUTH_TOKEN", "")),
        sender=(company.twilio_from if company is not None else "") or default_from,
    )


def sender_for(company: Company) -> str:
    """What a company's texts are sent from: its Twilio sender, or its office number."""
    if provider_name_for(company) == "twilio":
        return twilio_account_for(company).sender
    return company.phone


def public_url(path: str) -> str:
    """The address the carrier calls for `path` (LEADLINE_PUBLIC_URL + path)."""
    base = str(getattr(settings, "LEADLINE_PUBLIC_URL", "") or "").rstrip("/")
    return f"{base}{path}"


def keeps_recordings_for(company: Company | None) -> bool:
    """Whether the company's carrier keeps call audio, without building a client for it."""
    if _override is not None:
        return _override.keeps_recordings
    return provider_name_for(company) == "twilio"


def get_provider(company: Company | None = None) -> Provider:
    """The provider of `company` (or of the installation); one instance per configuration."""
    if _override is not None:
        return _override
    name = provider_name_for(company)
    if name == "simulator":
        key: tuple[str, ...] = ("simulator",)
        if key not in _cache:
            from leadline.channels.simulator import SimulatorProvider

            _cache[key] = SimulatorProvider()
        return _cache[key]
    if name == "twilio":
        account = twilio_account_for(company)
        if not (account.account_sid and account.auth_token and account.sender):
            raise ProviderError(
                "Twilio is not configured for this company: set its Account SID, Auth Token "
                "and sender, or the installation's LEADLINE_TWILIO_* settings",
                code="config",
            )
        api_base = str(getattr(settings, "LEADLINE_TWILIO_API_BASE", "") or "")
        key = ("twilio", account.account_sid, account.auth_token, account.sender, api_base)
        if key not in _cache:
            from leadline.channels.twilio import TwilioProvider

            _cache[key] = TwilioProvider(
                account_sid=account.account_sid,
                auth_token=account.auth_token,
                sender=account.sender,
                api_base=api_base or "https://api.twilio.com",
            )
        return _cache[key]
    raise ProviderError(
        f"provider {name!r} is not available; use 'simulator' or 'twilio'", code="config"
    )


def forget_providers() -> None:
    """Drop the cached provider instances (after settings or credentials change, in tests)."""
    _cache.clear()


@contextmanager
def use_provider(provider: Provider) -> Iterator[Provider]:
    """Send through another provider for a while (the simulator runner, tests)."""
    global _override
    previous = _override
    _override = provider
    try:
        yield provider
    finally:
        _override = previous
