"""Fixtures of the webhook tests: a loopback HTTP receiver, a virtual clock and worker."""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from leadline.accounts.models import Company
from leadline.capacity.services import set_standard_week
from leadline.channels.base import use_provider
from leadline.channels.simulator import SimulatorProvider
from leadline.kit.clock import VirtualClock, use_clock
from leadline.simulation.runner import VirtualWorker
from tests.builders import make_company

CHICAGO = ZoneInfo("America/Chicago")
# A Tuesday afternoon: inside the allowed sending hours, so the agent's texts go out.
TUESDAY_AFTERNOON = datetime(2026, 3, 3, 14, 15, tzinfo=CHICAGO)


@dataclass(frozen=True)
class Received:
    """One request as the receiver saw it, raw body included (signatures cover the bytes)."""

    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str:
        return self.headers[name.lower()]


class Receiver:
    """An HTTP server on 127.0.0.1 that records every POST and answers what it is told."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        # Status codes (and bodies) to answer in turn; then `status`.
        self.answers: deque[tuple[int, str | bytes]] = deque()
        self.status = 200
        self.content_type = "text/plain"
        self.port = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/leadline"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.requests.append(
                    Received(
                        path=self.path,
                        headers={k.lower(): v for k, v in self.headers.items()},
                        body=body,
                    )
                )
                status, text = (
                    receiver.answers.popleft() if receiver.answers else (receiver.status, "ok")
                )
                payload = text if isinstance(text, bytes) else text.encode()
                self.send_response(status)
                self.send_header("Content-Type", receiver.content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Go down: connections to the port are refused until `start` again."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


@pytest.fixture
def allow_private_addresses(settings: Any) -> None:
    """The receivers here listen on 127.0.0.1: only an installation that allows private
    addresses (LEADLINE_WEBHOOKS_ALLOW_PRIVATE) sends there."""
    settings.LEADLINE_WEBHOOKS_ALLOW_PRIVATE = True


@pytest.fixture
def public_only(settings: Any) -> None:
    """The default of an installation: webhooks go to public addresses only."""
    settings.LEADLINE_WEBHOOKS_ALLOW_PRIVATE = False


@pytest.fixture
def loopback_receiver() -> Iterator[Receiver]:
    """A receiver on 127.0.0.1 without allowing private addresses: nothing may reach it."""
    running = Receiver()
    running.start()
    yield running
    running.stop()


@pytest.fixture
def receiver(allow_private_addresses: None) -> Iterator[Receiver]:
    running = Receiver()
    running.start()
    yield running
    running.stop()


@pytest.fixture
def other_receiver(allow_private_addresses: None) -> Iterator[Receiver]:
    running = Receiver()
    running.start()
    yield running
    running.stop()


@pytest.fixture
def clock() -> Iterator[VirtualClock]:
    virtual = VirtualClock(TUESDAY_AFTERNOON)
    with use_clock(virtual):
        yield virtual


@pytest.fixture
def provider() -> Iterator[SimulatorProvider]:
    simulator = SimulatorProvider()
    with use_provider(simulator):
        yield simulator


@pytest.fixture
def shop(db: None, clock: VirtualClock, provider: SimulatorProvider) -> Company:
    """A company in Austin whose agent can text and book."""
    company = make_company(name="Lone Star Comfort Pros", service_area_zips=["78704"])
    set_standard_week(company=company, trades=["hvac", "plumbing"], slots=2)
    return company


@pytest.fixture
def worker(clock: VirtualClock, shop: Company) -> VirtualWorker:
    return VirtualWorker(clock)
