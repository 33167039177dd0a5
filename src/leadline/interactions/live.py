"""The live feed: a company's interaction events in id order, for pages that follow them.

Every process writes events to the same table, so a page served by one process sees
what the agent, a webhook or a teammate did in any other. The feed carries no message
text: a page that hears of a change fetches it again through the usual
permission-checked views.

Ids of concurrent transactions can commit out of order on PostgreSQL (the sequence
hands out 41, then 42 commits before 41). A feed that only read `id > last seen`
would skip 41 for good, so `EventFeed` re-reads a short trailing window of ids
(`settle_seconds`) and delivers what it had not delivered yet.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Max

from leadline.accounts.models import Company
from leadline.crm.models import Lead
from leadline.interactions import statuses
from leadline.interactions.models import InteractionEvent

FEED_BATCH = 200
SETTLE_SECONDS = 5.0


@dataclass(frozen=True)
class LiveEvent:
    """What a live page learns of one event: which records changed, never their content."""

    id: int
    kind: str
    interaction_id: int | None
    lead_id: int | None
    # The interaction's status now (not at the event), so a row can be shown as it is.
    status: str

    @property
    def status_label(self) -> str:
        info = statuses.BY_CODE.get(self.status)
        return info.label if info else ""

    @property
    def status_group(self) -> str:
        info = statuses.BY_CODE.get(self.status)
        return info.group.value if info else ""


def latest_event_id(*, company: Company | int) -> int:
    """The id of the company's newest event (0 when it has none): where a new page starts."""
    found = InteractionEvent.objects.for_company(company).aggregate(last=Max("id"))["last"]
    return int(found or 0)


def lead_in_company(*, company: Company | int, lead_id: int) -> bool:
    """Whether the lead is the company's (a feed for another company's lead is not found)."""
    return Lead.objects.for_company(company).filter(pk=lead_id).exists()


class EventFeed:
    """Reads the company's events after a cursor, one batch per `poll()`.

    `cursor` is the highest id delivered so far: the `id:` of the stream, and where a
    reconnecting browser resumes. Not thread-safe; one feed belongs to one stream.
    """

    def __init__(
        self,
        *,
        company_id: int,
        after: int,
        lead_id: int | None = None,
        settle_seconds: float = SETTLE_SECONDS,
        batch: int = FEED_BATCH,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.company_id = company_id
        self.lead_id = lead_id
        self.cursor = after
        # Every id at or below the low-water mark is delivered or given up on.
        self._low_water = after
        self._delivered: set[int] = set()
        self._marks: deque[tuple[float, int]] = deque()
        self._settle = settle_seconds
        self._batch = batch
        self._monotonic = monotonic

    def poll(self) -> list[LiveEvent]:
        """The events not delivered yet, oldest first (at most `batch` new ones)."""
        qs = InteractionEvent.objects.for_company(self.company_id).filter(id__gt=self._low_water)
        if self.lead_id is not None:
            qs = qs.filter(lead_id=self.lead_id)
        # Already-delivered rows of the trailing window come back too; fetching that many
        # more keeps a full batch of new ones within reach.
        rows = qs.order_by("id").values_list(
            "id", "kind", "interaction_id", "lead_id", "interaction__status"
        )[: self._batch + len(self._delivered)]
        fresh = [
            LiveEvent(
                id=pk,
                kind=kind,
                interaction_id=interaction_id,
                lead_id=lead_id,
                status=status or "",
            )
            for pk, kind, interaction_id, lead_id, status in rows
            if pk not in self._delivered
        ][: self._batch]
        for event in fresh:
            self._delivered.add(event.id)
            self.cursor = max(self.cursor, event.id)
        self._settle_window()
        return fresh

    def _settle_window(self) -> None:
        now = self._monotonic()
        self._marks.append((now, self.cursor))
        while self._marks and now - self._marks[0][0] >= self._settle:
            _, mark = self._marks.popleft()
            self._low_water = max(self._low_water, mark)
        if self._delivered:
            self._delivered = {pk for pk in self._delivered if pk > self._low_water}
