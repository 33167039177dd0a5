"""Webhooks out cannot be pointed at the server's own network, cannot hold the worker,
and never turn the admin into a window onto whatever answered."""

from __future__ import annotations

import base64
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from leadline.accounts.models import Company, User
from leadline.kit.clock import VirtualClock
from leadline.kit.errors import DomainError
from leadline.simulation.runner import VirtualWorker
from leadline.webhooks import outbound, services
from leadline.webhooks.models import WebhookDelivery, WebhookEndpoint
from leadline.webhooks.services import create_endpoint
from tests.builders import make_interaction, make_user
from tests.webhooks.conftest import Receiver

pytestmark = pytest.mark.django_db

ENDPOINTS = "/admin/webhooks/webhookendpoint/"
DELIVERIES = "/admin/webhooks/webhookdelivery/"
# example.com's address: public, and never connected to in these tests.
PUBLIC = "93.184.215.14"


class FakeDNS:
    """Answers for names under example.test (which no real resolver knows), counting lookups."""

    def __init__(self) -> None:
        self.names: dict[str, list[str]] = {}
        self.lookups: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        if host not in self.names:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return list(self.names[host])


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> FakeDNS:
    fake = FakeDNS()
    monkeypatch.setattr(outbound, "resolve", fake)
    return fake


@pytest.fixture
def admin_client(client: Client, shop: Company) -> Client:
    administrator: User = make_user(shop, role="Administrator")
    client.force_login(administrator)
    return client


# ------------------------------------------------------------------ which addresses


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("10.0.0.5", "private"),
        ("172.16.3.4", "private"),
        ("192.168.1.20", "private"),
        ("169.254.169.254", "link-local"),  # the cloud metadata service
        ("100.64.0.1", "reserved"),  # carrier-grade NAT
        ("0.0.0.0", "unspecified"),  # noqa: S104 - an address under test, not a bind
        ("224.0.0.251", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fd00::10", "private"),
        ("fec0::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "link-local"),
        ("::ffff:10.0.0.5", "private"),
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
        ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
        ("2001:db8::1", "private"),  # documentation
    ],
)
def test_non_public_addresses_are_refused_with_the_reason(address: str, reason: str) -> None:
    found = outbound.refusal(address)
    assert found is not None and reason in found


@pytest.mark.parametrize(
    "address", [PUBLIC, "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert outbound.refusal(address) is None


@pytest.mark.parametrize("url", ["http://2130706433/", "http://0x7f.1/", "http://127.1:8080/"])
def test_other_spellings_of_loopback_are_refused(url: str) -> None:
    # The system resolver reads these as 127.0.0.1; what is checked is what it answers.
    with pytest.raises(outbound.Refused, match=r"\(127.0.0.1\) is a loopback address"):
        outbound.check_url(url, allow_private=False)


# ------------------------------------------------------------------ when an endpoint is saved


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://127.0.0.1:5432/", "127.0.0.1 is a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://[::ffff:10.0.0.5]:8080/", "::ffff:10.0.0.5 is a private address"),
        ("http://localhost:8000/hook", "localhost (127.0.0.1) is a loopback address"),
        ("https://intranet.example.test/hook", "intranet.example.test (10.20.0.7) is a private"),
    ],
)
def test_an_administrator_cannot_register_an_address_of_the_server_network(
    admin_client: Client, dns: FakeDNS, public_only: None, url: str, shown: str
) -> None:
    dns.names["intranet.example.test"] = ["10.20.0.7"]
    dns.names["localhost"] = ["127.0.0.1"]

    response = admin_client.post(
        f"{ENDPOINTS}add/", {"url": url, "events": ["lead.opted_out"], "enabled": "on"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert shown in page
    assert "only to public addresses" in page
    assert not WebhookEndpoint.objects.exists()


def test_a_name_with_one_private_address_among_public_ones_is_refused(
    company: Company, dns: FakeDNS, public_only: None
) -> None:
    dns.names["crm.example.test"] = [PUBLIC, "192.168.0.9"]

    with pytest.raises(DomainError, match=r"crm.example.test \(192.168.0.9\) is a private"):
        create_endpoint(company=company, url="https://crm.example.test/", events=["lead.opted_out"])
    assert not WebhookEndpoint.objects.exists()


def test_a_public_name_is_registered(company: Company, dns: FakeDNS, public_only: None) -> None:
    dns.names["crm.example.test"] = [PUBLIC]

    endpoint = create_endpoint(
        company=company, url="https://crm.example.test/", events=["lead.opted_out"]
    )

    assert endpoint.url == "https://crm.example.test/"
    assert dns.lookups == ["crm.example.test"]


def test_an_installation_that_allows_private_addresses_registers_one(
    admin_client: Client, allow_private_addresses: None, shop: Company
) -> None:
    response = admin_client.post(
        f"{ENDPOINTS}add/",
        {"url": "http://10.0.0.5:8069/leadline", "events": ["lead.opted_out"], "enabled": "on"},
    )

    assert response.status_code == 302, response.content.decode()
    assert WebhookEndpoint.objects.get().url == "http://10.0.0.5:8069/leadline"


# ------------------------------------------------------------------ when a delivery is sent


def test_a_loopback_endpoint_is_not_sent_to_when_private_addresses_are_not_allowed(
    shop: Company,
    worker: VirtualWorker,
    clock: VirtualClock,
    loopback_receiver: Receiver,
    settings: Any,
) -> None:
    # Registered while the installation allowed it; the operator has since turned that off.
    settings.LEADLINE_WEBHOOKS_ALLOW_PRIVATE = True
    create_endpoint(company=shop, url=loopback_receiver.url, events=["interaction.status_changed"])
    settings.LEADLINE_WEBHOOKS_ALLOW_PRIVATE = False

    make_interaction(shop)
    worker.run_due()

    assert loopback_receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.PENDING
    assert delivery.last_status_code is None
    assert delivery.last_error.startswith("Not sent: 127.0.0.1 is a loopback address")
    assert delivery.next_attempt_at == clock.now() + timedelta(seconds=30)


def test_a_name_that_turns_private_after_it_was_saved_is_refused_at_send_time(
    shop: Company,
    worker: VirtualWorker,
    dns: FakeDNS,
    public_only: None,
    loopback_receiver: Receiver,
) -> None:
    url = f"http://rebind.example.test:{loopback_receiver.port}/hooks"
    dns.names["rebind.example.test"] = [PUBLIC]
    create_endpoint(company=shop, url=url, events=["interaction.status_changed"])
    dns.names["rebind.example.test"] = ["127.0.0.1"]  # DNS rebinding

    make_interaction(shop)
    worker.run_due()

    assert loopback_receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert "rebind.example.test (127.0.0.1) is a loopback address" in delivery.last_error


def test_the_connection_goes_to_the_address_that_was_checked(
    shop: Company, worker: VirtualWorker, dns: FakeDNS, receiver: Receiver
) -> None:
    # The name exists only in the fake resolver: the request can reach the receiver only
    # through the address that lookup answered, not through a second lookup elsewhere.
    dns.names["hooks.example.test"] = ["127.0.0.1"]
    create_endpoint(
        company=shop,
        url=f"http://hooks.example.test:{receiver.port}/hooks?source=leadline",
        events=["interaction.status_changed"],
    )

    make_interaction(shop)
    worker.run_due()

    (request,) = receiver.requests
    assert request.path == "/hooks?source=leadline"
    assert request.header("Host") == f"hooks.example.test:{receiver.port}"
    assert dns.lookups == ["hooks.example.test"]
    assert WebhookDelivery.objects.get().state == WebhookDelivery.State.DELIVERED


def test_credentials_in_the_url_are_sent_as_basic_authentication(
    shop: Company, worker: VirtualWorker, dns: FakeDNS, receiver: Receiver
) -> None:
    dns.names["hooks.example.test"] = ["127.0.0.1"]
    create_endpoint(
        company=shop,
        url=f"http://leadline:p%40ss@hooks.example.test:{receiver.port}/in",
        events=["interaction.status_changed"],
    )

    make_interaction(shop)
    worker.run_due()

    (request,) = receiver.requests
    expected = base64.b64encode(b"leadline:p@ss").decode()
    assert request.header("Authorization") == f"Basic {expected}"
    assert request.header("Host") == f"hooks.example.test:{receiver.port}"


def test_through_a_proxy_the_request_names_the_checked_address(
    shop: Company,
    worker: VirtualWorker,
    dns: FakeDNS,
    public_only: None,
    loopback_receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The loopback receiver plays the operator's HTTP proxy (its own address is not checked).
    for name in ("no_proxy", "NO_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{loopback_receiver.port}")
    dns.names["crm.example.test"] = [PUBLIC]
    create_endpoint(
        company=shop,
        url="http://crm.example.test/in/leadline",
        events=["interaction.status_changed"],
    )

    make_interaction(shop)
    worker.run_due()

    (request,) = loopback_receiver.requests
    assert request.path == f"http://{PUBLIC}:80/in/leadline"
    assert request.header("Host") == "crm.example.test"
    assert request.header("Leadline-Webhook-Event") == "interaction.status_changed"


# ------------------------------------------------------------------ slow endpoints


class Dripper:
    """A server on 127.0.0.1 that answers one byte at a time, a fraction of a second apart."""

    def __init__(self, answer: bytes, every: float = 0.1) -> None:
        self.answer = answer
        self.every = every
        self.connections = 0
        self._stop = threading.Event()
        self._server = socket.socket()
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(8)
        self._server.settimeout(0.2)
        self.port = self._server.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except OSError:
                continue
            self.connections += 1
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                for byte in self.answer:
                    if self._stop.wait(self.every):
                        return
                    conn.sendall(bytes([byte]))
            except OSError:
                return  # the client gave up, as it should

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._server.close()


HEADERS = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 200\r\n\r\n"


@pytest.fixture
def drip() -> Iterator[Callable[[bytes], Dripper]]:
    started: list[Dripper] = []

    def start(answer: bytes) -> Dripper:
        server = Dripper(answer)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(HEADERS + b"x" * 200, id="headers-then-a-dripping-body"),
        pytest.param(HEADERS, id="dripping-headers"),
    ],
)
def test_a_dripping_endpoint_fails_the_attempt_at_the_deadline_and_is_retried(
    shop: Company,
    worker: VirtualWorker,
    clock: VirtualClock,
    allow_private_addresses: None,
    drip: Callable[[bytes], Dripper],
    monkeypatch: pytest.MonkeyPatch,
    answer: bytes,
) -> None:
    # 10 bytes a second: each read gets a byte well within any per-read timeout, and
    # the whole answer would take 20 seconds or more.
    server = drip(answer)
    create_endpoint(
        company=shop, url=f"http://127.0.0.1:{server.port}/", events=["interaction.status_changed"]
    )
    monkeypatch.setattr(services, "SEND_TIMEOUT", 1.0)
    make_interaction(shop)

    began = time.monotonic()
    worker.run_due()
    took = time.monotonic() - began

    assert took < 3.0
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.PENDING
    assert delivery.attempts == 1
    assert delivery.last_status_code is None
    assert delivery.last_error == "No complete answer within 1 seconds"
    assert delivery.next_attempt_at == clock.now() + timedelta(seconds=30)

    worker.advance(timedelta(seconds=30))

    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert server.connections == 2


# ------------------------------------------------------------------ what the admin shows


def test_an_answer_that_is_not_text_is_not_shown_in_the_admin(
    admin_client: Client, shop: Company, worker: VirtualWorker, receiver: Receiver
) -> None:
    create_endpoint(company=shop, url=receiver.url, events=["interaction.status_changed"])
    receiver.content_type = "application/octet-stream"
    receiver.answers.append((500, b"R\x00\x00\x00\x08\x00\x00\x00\x03secret-table-row"))
    make_interaction(shop)
    worker.run_due()
    delivery = WebhookDelivery.objects.get()

    page = admin_client.get(f"{DELIVERIES}{delivery.pk}/change/").content.decode()

    assert delivery.last_response_body == (
        "(not shown: the answer is application/octet-stream data, not text)"
    )
    assert "secret-table-row" not in page
    assert "not shown: the answer is application/octet-stream data" in page
    assert "HTTP 500" in page


def test_a_long_text_answer_is_kept_to_its_first_2000_characters(
    shop: Company, worker: VirtualWorker, receiver: Receiver
) -> None:
    create_endpoint(company=shop, url=receiver.url, events=["interaction.status_changed"])
    receiver.content_type = "application/problem+json; charset=utf-8"
    text = '{"detail": "' + "é" * 3000 + '"}'
    receiver.answers.append((400, text))
    make_interaction(shop)
    worker.run_due()

    assert WebhookDelivery.objects.get().last_response_body == text[:2000]


@pytest.mark.parametrize(
    ("content_type", "raw", "shown"),
    [
        ("text/plain", b"ok", "ok"),
        ("text/html; charset=iso-8859-1", "Bient\xf4t".encode("latin-1"), "Bientôt"),
        ("application/json", b'{"ok":true}', '{"ok":true}'),
        ("", b"accepted", "accepted"),
        ("", b"\x89PNG\r\n\x1a\n\xff\xfe", "(not shown: the answer is unlabelled data, not text)"),
        ("text/plain", b"SSH-2.0\x00\x01", "(not shown: the answer is text/plain data, not text)"),
        ("image/png", b"\x89PNG", "(not shown: the answer is image/png data, not text)"),
        ("text/plain", b"", ""),
    ],
)
def test_only_text_answers_are_kept_for_the_admin(
    content_type: str, raw: bytes, shown: str
) -> None:
    assert services.response_text(content_type, raw) == shown


# ------------------------------------------------------------------ the setting


def test_a_bad_allow_private_setting_stops_leadline_with_one_line(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "LEADLINE_WEBHOOKS_ALLOW_PRIVATE": "sometimes",
        "DJANGO_SETTINGS_MODULE": "leadline.settings",
    }
    done = subprocess.run(
        [sys.executable, "-c", "import leadline.settings"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )

    assert done.returncode == 2
    assert "LEADLINE_WEBHOOKS_ALLOW_PRIVATE='sometimes' is not a boolean" in done.stderr
    assert "Traceback" not in done.stderr


# ------------------------------------------------------------------ https


@pytest.fixture
def tls_receiver(
    tmp_path: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Receiver]:
    """The receiver behind TLS with a certificate for hooks.example.test, which the worker
    trusts for this test only."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(  # noqa: S603 - openssl from PATH, fixed arguments
        [  # noqa: S607
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=hooks.example.test", "-addext", "subjectAltName=DNS:hooks.example.test",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert, key)
    assert receiver._server is not None
    receiver._server.socket = server_side.wrap_socket(receiver._server.socket, server_side=True)

    def trusting() -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(cert))

    monkeypatch.setattr(outbound, "tls_context", trusting)
    yield receiver


def test_https_is_verified_against_the_name_while_connecting_to_the_checked_address(
    shop: Company, worker: VirtualWorker, dns: FakeDNS, tls_receiver: Receiver
) -> None:
    dns.names["hooks.example.test"] = ["127.0.0.1"]
    dns.names["other.example.test"] = ["127.0.0.1"]
    create_endpoint(
        company=shop,
        url=f"https://hooks.example.test:{tls_receiver.port}/in",
        events=["interaction.status_changed"],
    )
    create_endpoint(
        company=shop,
        url=f"https://other.example.test:{tls_receiver.port}/in",
        events=["interaction.status_changed"],
    )

    make_interaction(shop)
    worker.run_due()

    (request,) = tls_receiver.requests
    assert request.header("Host") == f"hooks.example.test:{tls_receiver.port}"
    good, bad = WebhookDelivery.objects.order_by("endpoint_id")
    assert good.state == WebhookDelivery.State.DELIVERED
    assert bad.state == WebhookDelivery.State.PENDING
    assert bad.last_error.startswith("Could not connect: TLS:")
    assert "other.example.test" in bad.last_error
