"""Fixtures of the webhook tests: a loopback HTTP receiver, on top of the shared shop world
(tests/shop.py: the virtual clock, the simulator provider, the worker)."""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from leadline.accounts.models import Company
from leadline.channels.simulator import SimulatorProvider
from leadline.kit.clock import VirtualClock
from tests.shop import build_shop


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
def shop(db: None, clock: VirtualClock, provider: SimulatorProvider) -> Company:
    """A company in Austin whose agent can text and book (two trades are enough here)."""
    return build_shop(service_area_zips=["78704"], trades=["hvac", "plumbing"])
