"""The provider interface: what Leadline asks of an SMS and voice carrier.

A provider sends; it never decides. Everything that reaches a provider has
already passed the compliance gate at the moment of sending (channels/services).
The provider is chosen by the LEADLINE_PROVIDER setting ("simulator" by default;
a Twilio adapter plugs in here later).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


class Provider(Protocol):
    name: str

    def send_sms(
        self, *, to: str, from_: str, body: str, status_callback: str | None
    ) -> SendResult:
        """Hand one text to the carrier."""
        ...

    def start_call(self, *, to: str, from_: str, status_callback: str | None) -> CallResult:
        """Dial a number; the call's turns follow with say()."""
        ...

    def say(self, *, call_id: str, text: str) -> None:
        """Speak one agent turn on a live call."""
        ...

    def hang_up(self, *, call_id: str) -> None:
        """End a live call."""
        ...

    @property
    def keeps_recordings(self) -> bool:
        """Whether this carrier stores call audio that fetch_recording can return."""
        ...

    def fetch_recording(self, *, recording_id: str) -> Recording | None:
        """The audio of a recording, or None when the carrier has none for that id."""
        ...


_override: Provider | None = None
_cache: dict[str, Provider] = {}


def provider_name() -> str:
    """The default provider of this installation (LEADLINE_PROVIDER)."""
    return str(getattr(settings, "LEADLINE_PROVIDER", "") or "simulator").lower()


def provider_name_for(company: Company) -> str:
    """The provider a company's texts and calls go through ("simulator" or "twilio")."""
    return str(getattr(company, "provider", "") or provider_name())


def get_provider() -> Provider:
    """The configured provider (one instance per process)."""
    if _override is not None:
        return _override
    name = provider_name()
    if name not in _cache:
        if name == "simulator":
            from leadline.channels.simulator import SimulatorProvider

            _cache[name] = SimulatorProvider()
        else:
            raise ProviderError(
                f"LEADLINE_PROVIDER={name!r} is not available; use 'simulator'", code="config"
            )
    return _cache[name]


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
