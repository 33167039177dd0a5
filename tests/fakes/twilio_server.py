"""A fake Twilio REST API on loopback, for the tests and the benchmarks.

It speaks the part of Twilio's 2010-04-01 API that Leadline uses (Messages
create/fetch/list, Calls create/fetch/update, Recording media), checks HTTP Basic
auth against one account, and records every request, so a test can count the
creates. It can be told to answer the next creates with a Twilio error, to hold
the answer past the client's timeout, or to take a create and then drop the
connection without answering (the create still counts: Twilio took it).

Webhooks go the other way: `signed_webhook` builds what Twilio would POST,
with the X-Twilio-Signature that the official RequestValidator computes.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from twilio.request_validator import RequestValidator

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "fake-auth-token-0123456789abcdef"
NUMBER = "+15125550199"


@dataclass
class Behaviour:
    """What the fake does with the next create: answer, fail, stall or drop."""

    kind: str  # "error", "delay", "drop"
    status: int = 400
    code: int = 0
    seconds: float = 0.0


@dataclass
class FakeTwilio:
    """The state of the fake: what was created, and what the next creates will meet."""

    account_sid: str = ACCOUNT_SID
    auth_token: str = AUTH_TOKEN
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: dict[str, dict[str, Any]] = field(default_factory=dict)
    recordings: dict[str, bytes] = field(default_factory=dict)
    creates: list[dict[str, Any]] = field(default_factory=list)
    call_updates: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    errors_for_to: dict[str, tuple[int, int]] = field(default_factory=dict)
    upcoming: list[Behaviour] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    # ---- telling the fake what to do ----

    def fail_next(self, *, code: int, status: int = 400) -> None:
        with self.lock:
            self.upcoming.append(Behaviour("error", status=status, code=code))

    def stall_next(self, seconds: float) -> None:
        """Take the next create, then answer only after `seconds` (past the client's timeout)."""
        with self.lock:
            self.upcoming.append(Behaviour("delay", seconds=seconds))

    def drop_next(self) -> None:
        """Take the next create, then close the connection without an answer."""
        with self.lock:
            self.upcoming.append(Behaviour("drop"))

    def refuse_to(self, number: str, *, code: int, status: int = 400) -> None:
        """Answer every create to `number` with this Twilio error (e.g. 21211, 21610)."""
        with self.lock:
            self.errors_for_to[number] = (status, code)

    def set_status(self, sid: str, status: str, *, error_code: int | None = None) -> None:
        with self.lock:
            self.messages[sid]["status"] = status
            self.messages[sid]["error_code"] = error_code

    def sms_creates(self) -> list[dict[str, Any]]:
        with self.lock:
            return [c for c in self.creates if c["kind"] == "message"]

    # ---- answering ----

    def _take(self) -> Behaviour | None:
        with self.lock:
            return self.upcoming.pop(0) if self.upcoming else None

    def create_message(self, form: dict[str, str]) -> dict[str, Any]:
        sid = "SM" + uuid.uuid4().hex
        now = format_datetime(datetime.now(UTC), usegmt=False)
        record = {
            "sid": sid,
            "account_sid": self.account_sid,
            "to": form.get("To", ""),
            "from": form.get("From") or NUMBER,
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "body": form.get("Body", ""),
            "status": "accepted" if form.get("MessagingServiceSid") else "queued",
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "num_segments": "1",
            "num_media": "0",
            "price": None,
            "price_unit": "USD",
            "api_version": "2010-04-01",
            "date_created": now,
            "date_updated": now,
            "date_sent": None,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
            "subresource_uris": {},
            "status_callback": form.get("StatusCallback"),
        }
        with self.lock:
            self.messages[sid] = record
            self.creates.append({"kind": "message", "sid": sid, **form})
        return record

    def create_call(self, form: dict[str, str], lists: dict[str, list[str]]) -> dict[str, Any]:
        sid = "CA" + uuid.uuid4().hex
        now = format_datetime(datetime.now(UTC), usegmt=False)
        record = {
            "sid": sid,
            "account_sid": self.account_sid,
            "to": form.get("To", ""),
            "from": form.get("From", ""),
            "status": "queued",
            "direction": "outbound-api",
            "date_created": now,
            "date_updated": now,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Calls/{sid}.json",
            "subresource_uris": {},
        }
        with self.lock:
            self.calls[sid] = record
            self.creates.append({"kind": "call", "sid": sid, **form, "_lists": lists})
        return record


def _error(status: int, code: int, message: str) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC\w+)/(?P<rest>.+)$")


def _handler(fake: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return  # quiet tests

        def _send(self, status: int, payload: Any, content_type: str = "application/json") -> None:
            body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _authorised(self) -> bool:
            expected = base64.b64encode(f"{fake.account_sid}:{fake.auth_token}".encode()).decode()
            return self.headers.get("Authorization", "") == f"Basic {expected}"

        def _route(self, method: str) -> None:
            parts = urlsplit(self.path)
            with fake.lock:
                fake.requests.append((method, parts.path))
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            lists = parse_qs(raw)
            form = {key: values[-1] for key, values in lists.items()}
            query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
            if not self._authorised():
                self._send(401, _error(401, 20003, "Authenticate"))
                return
            match = _PATH.match(parts.path)
            if match is None or match["account"] != fake.account_sid:
                self._send(404, _error(404, 20404, "The requested resource was not found"))
                return
            rest = match["rest"]
            if method == "POST" and rest == "Messages.json":
                self._create_message(form)
            elif method == "GET" and rest == "Messages.json":
                self._list_messages(query)
            elif method == "GET" and rest.startswith("Messages/"):
                self._fetch(fake.messages, rest.removeprefix("Messages/").removesuffix(".json"))
            elif method == "POST" and rest == "Calls.json":
                self._send(201, fake.create_call(form, lists))
            elif rest.startswith("Calls/"):
                self._call(method, rest.removeprefix("Calls/").removesuffix(".json"), form)
            elif method == "GET" and rest.startswith("Recordings/") and rest.endswith(".mp3"):
                audio = fake.recordings.get(rest.removeprefix("Recordings/").removesuffix(".mp3"))
                if audio is None:
                    self._send(404, _error(404, 20404, "The requested resource was not found"))
                else:
                    self._send(200, audio, content_type="audio/mpeg")
            else:
                self._send(404, _error(404, 20404, "The requested resource was not found"))

        def _create_message(self, form: dict[str, str]) -> None:
            refused = fake.errors_for_to.get(form.get("To", ""))
            if refused is not None:
                self._send(refused[0], _error(refused[0], refused[1], "Refused by the fake"))
                return
            behaviour = fake._take()
            if behaviour is not None and behaviour.kind == "error":
                self._send(
                    behaviour.status,
                    _error(behaviour.status, behaviour.code, "Refused by the fake"),
                )
                return
            record = fake.create_message(form)
            if behaviour is not None and behaviour.kind == "drop":
                # Twilio took it, and the answer never arrives.
                self.close_connection = True
                self.connection.close()
                return
            if behaviour is not None and behaviour.kind == "delay":
                time.sleep(behaviour.seconds)
            self._send(201, record)

        def _list_messages(self, query: dict[str, str]) -> None:
            with fake.lock:
                found = [
                    m
                    for m in fake.messages.values()
                    if (not query.get("To") or m["to"] == query["To"])
                    and (not query.get("From") or m["from"] == query["From"])
                ]
            found.reverse()  # newest first, as Twilio lists them
            size = int(query.get("PageSize", "50"))
            self._send(
                200,
                {
                    "messages": found[:size],
                    "page": 0,
                    "page_size": size,
                    "start": 0,
                    "end": max(0, min(size, len(found)) - 1),
                    "first_page_uri": self.path,
                    "next_page_uri": None,
                    "previous_page_uri": None,
                    "uri": self.path,
                },
            )

        def _fetch(self, table: dict[str, dict[str, Any]], sid: str) -> None:
            with fake.lock:
                record = table.get(sid)
            if record is None:
                self._send(404, _error(404, 20404, "The requested resource was not found"))
            else:
                self._send(200, record)

        def _call(self, method: str, sid: str, form: dict[str, str]) -> None:
            if method == "GET":
                self._fetch(fake.calls, sid)
                return
            with fake.lock:
                record = fake.calls.get(sid)
                if record is not None:
                    fake.call_updates.append({"sid": sid, **form})
                    if form.get("Status") == "completed":
                        record["status"] = "completed"
            if record is None:
                self._send(404, _error(404, 20404, "The requested resource was not found"))
            else:
                self._send(200, record)

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

    return Handler


@contextmanager
def running_fake_twilio(fake: FakeTwilio | None = None) -> Iterator[FakeTwilio]:
    """Serve a FakeTwilio on 127.0.0.1 (a free port) for the duration of the block."""
    state = fake or FakeTwilio()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    server.block_on_close = False
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="fake-twilio", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def signature(url: str, params: dict[str, str], *, token: str = AUTH_TOKEN) -> str:
    """The X-Twilio-Signature Twilio would send for a POST of `params` to `url`."""
    return str(RequestValidator(token).compute_signature(url, params))


def inbound_sms_params(
    *, from_: str, to: str = NUMBER, body: str, sid: str | None = None
) -> dict[str, str]:
    """The parameters of Twilio's inbound-message webhook."""
    message_sid = sid or "SM" + uuid.uuid4().hex
    return {
        "ToCountry": "US",
        "ToState": "TX",
        "SmsMessageSid": message_sid,
        "NumMedia": "0",
        "ToCity": "AUSTIN",
        "FromZip": "78704",
        "SmsSid": message_sid,
        "FromState": "TX",
        "SmsStatus": "received",
        "FromCity": "AUSTIN",
        "Body": body,
        "FromCountry": "US",
        "To": to,
        "MessagingServiceSid": "",
        "ToZip": "78701",
        "NumSegments": "1",
        "MessageSid": message_sid,
        "AccountSid": ACCOUNT_SID,
        "From": from_,
        "ApiVersion": "2010-04-01",
    }


def status_params(
    *, sid: str, status: str, to: str, from_: str = NUMBER, error_code: str = ""
) -> dict[str, str]:
    """The parameters of Twilio's message status callback."""
    params = {
        "SmsSid": sid,
        "SmsStatus": status,
        "MessageStatus": status,
        "To": to,
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": from_,
        "ApiVersion": "2010-04-01",
    }
    if error_code:
        params["ErrorCode"] = error_code
    return params
