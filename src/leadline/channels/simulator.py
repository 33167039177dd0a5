"""The built-in carrier stand-in for demos, tests and `leadline simulate`.

It accepts every send at once as delivered and remembers what it was asked to do,
so a test can look at it; the Message and CallTurn rows stay the real record.
Replies, spoken turns and delivery failures are injected through channels/services
(receive_sms, receive_call_turn, report_delivery), exactly where a carrier's
webhooks would arrive.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from leadline.channels.base import CallResult, Recording, SendResult


@dataclass(frozen=True)
class SimulatedSend:
    kind: str  # "sms", "call", "say", "hang_up"
    to: str
    body: str
    provider_id: str


class SimulatorProvider:
    name = "simulator"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.sent: list[SimulatedSend] = []
        self._calls: dict[str, str] = {}

    def _record(self, item: SimulatedSend) -> None:
        with self._lock:
            self.sent.append(item)
            # A long-running demo process must not grow without bound.
            if len(self.sent) > 1000:
                del self.sent[:500]

    def send_sms(
        self, *, to: str, from_: str, body: str, status_callback: str | None
    ) -> SendResult:
        provider_id = "SM" + uuid.uuid4().hex
        self._record(SimulatedSend("sms", to, body, provider_id))
        return SendResult(provider_id=provider_id, status="delivered")

    def fetch_sms(self, *, provider_id: str) -> SendResult | None:
        with self._lock:
            known = any(s.kind == "sms" and s.provider_id == provider_id for s in self.sent)
        return SendResult(provider_id=provider_id, status="delivered") if known else None

    def find_sms(
        self,
        *,
        to: str,
        from_: str,
        body: str,
        since: datetime,
        exclude: Collection[str] = (),
    ) -> SendResult | None:
        with self._lock:
            for item in reversed(self.sent):
                if item.provider_id in exclude:
                    continue
                if item.kind == "sms" and item.to == to and item.body == body:
                    return SendResult(provider_id=item.provider_id, status="delivered")
        return None

    def start_call(self, *, to: str, from_: str, status_callback: str | None) -> CallResult:
        provider_id = "CA" + uuid.uuid4().hex
        with self._lock:
            self._calls[provider_id] = to
        self._record(SimulatedSend("call", to, "", provider_id))
        return CallResult(provider_id=provider_id, status="in_progress")

    def say(self, *, call_id: str, text: str) -> None:
        self._record(SimulatedSend("say", self._calls.get(call_id, ""), text, call_id))

    def hang_up(self, *, call_id: str) -> None:
        with self._lock:
            to = self._calls.pop(call_id, "")
        self._record(SimulatedSend("hang_up", to, "", call_id))

    @property
    def keeps_recordings(self) -> bool:
        # Simulated calls are text turns: there is no audio to play back.
        return False

    def fetch_recording(self, *, recording_id: str) -> Recording | None:
        return None
