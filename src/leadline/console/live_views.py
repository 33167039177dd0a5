"""Live updates: the company's interaction events as server-sent events.

`GET /growth/interactions/live/` streams, for a user with View Customer Chats, one SSE
message per event of their company (`event: interaction`, or `event: lead` for an
event with no interaction), with `id:` the feed cursor so that the browser's
`Last-Event-ID` resumes after a reconnect. The data names the records that changed
and their status, never a message body or call content: pages fetch what they show
through the usual permission-checked views. See docs/architecture.md, "Live updates".

The stream ends after a bounded time (`LEADLINE_LIVE_LIFETIME_SECONDS`); the browser
reconnects by itself, so no process holds a connection for ever and a deploy or a
sign-out takes effect within minutes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Iterable
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.handlers.asgi import ASGIRequest
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponseBase, StreamingHttpResponse

from leadline.accounts.roles import VIEW_CUSTOMER_CHATS
from leadline.console.errors import forbidden, not_found
from leadline.interactions.live import EventFeed, LiveEvent, latest_event_id, lead_in_company

log = logging.getLogger(__name__)

# How long a browser waits before reconnecting after the stream ends or drops.
RETRY_MILLISECONDS = 1000


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def _whole_number(text: str | None) -> int | None:
    text = (text or "").strip()
    if text.isdigit() and len(text) < 19:
        return int(text)
    return None


def sse_message(*, event: str, data: dict[str, Any], event_id: int | None = None) -> str:
    """One server-sent event; the data is one line of JSON."""
    lines = []
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append(f"event: {event}")
    lines.append("data: " + json.dumps(data, separators=(",", ":")))
    return "\n".join(lines) + "\n\n"


def _payload(event: LiveEvent) -> dict[str, Any]:
    # Ids, the kind and the status only: this is all a page may learn without a fetch.
    return {
        "event_id": event.id,
        "interaction_id": event.interaction_id,
        "lead_id": event.lead_id,
        "kind": event.kind,
        "status": event.status,
        "status_label": event.status_label,
        "status_group": event.status_group,
    }


def _messages(events: Iterable[LiveEvent], cursor: int) -> str:
    """The events as SSE messages; each `id:` is the highest id delivered up to it.

    That is the event's own id, except for one that committed late with a lower id: it
    must not move a reconnect's Last-Event-ID back.
    """
    parts = []
    for event in events:
        cursor = max(cursor, event.id)
        parts.append(
            sse_message(
                event="interaction" if event.interaction_id is not None else "lead",
                data=_payload(event),
                event_id=cursor,
            )
        )
    return "".join(parts)


def _opening(cursor: int) -> str:
    # `ready` carries the starting cursor as its id, so a reconnect that comes before any
    # event still resumes from here rather than from the newest event at that moment.
    return f"retry: {RETRY_MILLISECONDS}\n\n" + sse_message(
        event="ready", data={"cursor": cursor}, event_id=cursor
    )


async def _stream(
    feed: EventFeed, *, poll: float, heartbeat: float, lifetime: float
) -> AsyncIterator[str]:
    started = last_sent = time.monotonic()
    yield _opening(feed.cursor)
    while True:
        before = feed.cursor
        try:
            events = await sync_to_async(feed.poll)()
        except DatabaseError:
            # The browser reconnects and resumes from the cursor; Django closes the
            # broken connection when the response ends.
            log.warning("live feed: the event query failed; ending the stream", exc_info=True)
            return
        if events:
            yield _messages(events, before)
            last_sent = time.monotonic()
        now = time.monotonic()
        if now - started >= lifetime:
            yield sse_message(event="bye", data={"cursor": feed.cursor}, event_id=feed.cursor)
            return
        if now - last_sent >= heartbeat:
            yield ": keep-alive\n\n"
            last_sent = now
        await asyncio.sleep(poll)


def _may_follow(user: Any) -> bool:
    return user.company_id is not None and user.has_perm(VIEW_CUSTOMER_CHATS)


async def interaction_live(request: HttpRequest) -> HttpResponseBase:
    """The live feed of the user's company (optionally of one lead: `?lead=<id>`)."""
    user: Any = await request.auser()
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not await sync_to_async(_may_follow)(user):
        return await sync_to_async(forbidden)(request)
    company_id: int = user.company_id

    lead_id: int | None = None
    if "lead" in request.GET:
        lead_id = _whole_number(request.GET.get("lead"))
        if lead_id is None or not await sync_to_async(lead_in_company)(
            company=company_id, lead_id=lead_id
        ):
            return await sync_to_async(not_found)(request)

    newest = await sync_to_async(latest_event_id)(company=company_id)
    # A reconnect's Last-Event-ID is newer than the ?after= the page was rendered with.
    asked = _whole_number(request.headers.get("Last-Event-ID"))
    if asked is None:
        asked = _whole_number(request.GET.get("after"))
    # A cursor beyond the newest event (a restored database) would wait for ids that may
    # never come.
    start = newest if asked is None else min(asked, newest)
    feed = EventFeed(company_id=company_id, after=start, lead_id=lead_id)

    content: AsyncIterator[str] | list[str]
    if isinstance(request, ASGIRequest):
        content = _stream(
            feed,
            poll=_setting("LEADLINE_LIVE_POLL_SECONDS", 0.5),
            heartbeat=_setting("LEADLINE_LIVE_HEARTBEAT_SECONDS", 15.0),
            lifetime=_setting("LEADLINE_LIVE_LIFETIME_SECONDS", 300.0),
        )
    else:
        # Under WSGI a long stream would hold a worker thread (and be buffered whole):
        # answer what is new now and let the browser come back after `retry`.
        events = await sync_to_async(feed.poll)()
        content = [
            _opening(start),
            _messages(events, start),
            sse_message(event="bye", data={"cursor": feed.cursor}, event_id=feed.cursor),
        ]
    response = StreamingHttpResponse(content, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
