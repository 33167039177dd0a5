"""Live updates: the server-sent event feed and the row fragment that pages fetch after it."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import connection
from django.test import AsyncClient, Client

from leadline.accounts.models import Company, User
from leadline.interactions.live import EventFeed, latest_event_id
from leadline.interactions.models import Interaction, InteractionEvent, Message
from leadline.interactions.services import add_message, change_status
from tests.builders import make_company, make_interaction, make_lead, make_user

pytestmark = pytest.mark.django_db

LIVE = "/growth/interactions/live/"
SECRET = "Gate code is 4471, the dog is friendly"
PAYLOAD_KEYS = {
    "event_id",
    "interaction_id",
    "lead_id",
    "kind",
    "status",
    "status_label",
    "status_group",
}


@pytest.fixture(autouse=True)
def _quick_stream(settings: Any) -> None:
    # A stream of a fifth of a second, polled every 10 ms: each test reads it whole.
    settings.LEADLINE_LIVE_POLL_SECONDS = 0.01
    settings.LEADLINE_LIVE_HEARTBEAT_SECONDS = 0.05
    settings.LEADLINE_LIVE_LIFETIME_SECONDS = 0.2


@pytest.fixture
def viewer(company: Company) -> User:
    return make_user(company, role="Viewer", first_name="Vera")


@dataclass
class Sse:
    """One parsed server-sent event (or a comment line)."""

    event: str = ""
    id: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    comment: str = ""
    retry: str = ""


def parse_sse(text: str) -> list[Sse]:
    found = []
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        item = Sse()
        for line in block.split("\n"):
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "":
                item.comment = value
            elif name == "data":
                item.data = json.loads(value)
            elif name in ("event", "id", "retry"):
                setattr(item, name, value)
        found.append(item)
    return found


@dataclass
class Streamed:
    status: int
    headers: dict[str, str]
    text: str
    seconds: float

    @property
    def events(self) -> list[Sse]:
        return parse_sse(self.text)

    def named(self, name: str) -> list[Sse]:
        return [e for e in self.events if e.event == name]


def stream(
    user: User | None,
    url: str = LIVE,
    *,
    headers: dict[str, str] | None = None,
    after_open: Callable[[], Awaitable[None]] | None = None,
    stop_when: Callable[[str], bool] | None = None,
) -> Streamed:
    """GET the feed under ASGI and read the async stream to its end (or until `stop_when`)."""

    async def run() -> Streamed:
        client = AsyncClient()
        if user is not None:
            await client.aforce_login(user)
        started = time.monotonic()
        response: Any = await client.get(url, headers=headers or {})
        response_headers = dict(response.items())
        if not response.streaming:
            return Streamed(
                response.status_code,
                response_headers,
                response.content.decode(),
                time.monotonic() - started,
            )
        parts: list[str] = []
        async for chunk in response.streaming_content:
            parts.append(chunk.decode() if isinstance(chunk, bytes) else chunk)
            if len(parts) == 1 and after_open is not None:
                await after_open()
            if stop_when is not None and stop_when("".join(parts)):
                break
        return Streamed(
            response.status_code, response_headers, "".join(parts), time.monotonic() - started
        )

    return async_to_sync(run)()


def inbound(interaction: Interaction, body: str = "Tomorrow morning works") -> Message:
    return add_message(interaction=interaction, direction="inbound", author="lead", body=body)


# ---- the stream ------------------------------------------------------------------------------


def test_the_feed_streams_the_companys_events_after_the_cursor_and_no_others(
    company: Company, other_company: Company, viewer: User
) -> None:
    mine = make_interaction(company)
    theirs = make_interaction(other_company)
    cursor = latest_event_id(company=company)
    message = inbound(mine)
    change_status(interaction=mine, to="active.hot")
    inbound(theirs)
    change_status(interaction=theirs, to="active.warm")

    result = stream(viewer, f"{LIVE}?after={cursor}")

    events = result.named("interaction")
    expected = list(InteractionEvent.objects.filter(company=company, id__gt=cursor).order_by("id"))
    assert [e.data["event_id"] for e in events] == [e.pk for e in expected]
    assert [e.data["kind"] for e in events] == ["message_in", "status_changed"]
    assert {e.data["interaction_id"] for e in events} == {mine.pk}
    assert events[0].data == {
        "event_id": expected[0].pk,
        "interaction_id": mine.pk,
        "lead_id": mine.lead_id,
        "kind": "message_in",
        "status": "active.hot",
        "status_label": "Active: Hot",
        "status_group": "active",
    }
    # `id:` is the cursor, so the browser's Last-Event-ID resumes after the last one.
    assert [int(e.id) for e in events] == [e.pk for e in expected]
    assert message.pk not in {e.data.get("message_id") for e in events}
    other_ids = set(
        InteractionEvent.objects.filter(company=other_company).values_list("id", flat=True)
    )
    assert not other_ids & {e.data["event_id"] for e in events}


def test_events_written_while_the_stream_is_open_arrive(company: Company, viewer: User) -> None:
    interaction = make_interaction(company)

    async def write() -> None:
        await sync_to_async(inbound)(interaction)

    result = stream(
        viewer,
        f"{LIVE}?after={latest_event_id(company=company)}",
        after_open=write,
        stop_when=lambda text: "event: interaction" in text,
    )

    [event] = result.named("interaction")
    assert event.data["interaction_id"] == interaction.pk
    assert event.data["kind"] == "message_in"


def test_last_event_id_resumes_after_a_reconnect_and_wins_over_the_page_cursor(
    company: Company, viewer: User
) -> None:
    interaction = make_interaction(company)
    start = latest_event_id(company=company)
    inbound(interaction, "one")
    seen = latest_event_id(company=company)
    inbound(interaction, "two")
    missed = latest_event_id(company=company)

    result = stream(viewer, f"{LIVE}?after={start}", headers={"Last-Event-ID": str(seen)})

    assert [e.data["event_id"] for e in result.named("interaction")] == [missed]
    [ready] = result.named("ready")
    assert ready.id == str(seen)


def test_without_a_cursor_the_feed_starts_at_the_newest_event(
    company: Company, viewer: User
) -> None:
    make_interaction(company)
    newest = latest_event_id(company=company)

    result = stream(viewer)

    assert result.named("interaction") == []
    [ready] = result.named("ready")
    assert ready.id == str(newest)
    assert ready.data == {"cursor": newest}


def test_a_cursor_beyond_the_newest_event_starts_at_the_newest(
    company: Company, viewer: User
) -> None:
    make_interaction(company)
    newest = latest_event_id(company=company)

    result = stream(viewer, f"{LIVE}?after={newest + 1000}")

    assert result.named("ready")[0].data == {"cursor": newest}


def test_the_feed_never_carries_message_bodies_or_event_details(
    company: Company, viewer: User
) -> None:
    interaction = make_interaction(company)
    cursor = latest_event_id(company=company)
    inbound(interaction, SECRET)
    add_message(interaction=interaction, direction="outbound", author="agent", body=SECRET)

    result = stream(viewer, f"{LIVE}?after={cursor}")

    assert len(result.named("interaction")) == 2
    assert "4471" not in result.text
    assert "dog" not in result.text
    for event in result.named("interaction"):
        assert set(event.data) == PAYLOAD_KEYS


def test_the_stream_sets_sse_headers_sends_heartbeats_and_ends_in_bounded_time(
    company: Company, viewer: User
) -> None:
    result = stream(viewer)

    assert result.status == 200
    assert result.headers["Content-Type"].startswith("text/event-stream")
    assert result.headers["Cache-Control"] == "no-cache"
    assert result.headers["X-Accel-Buffering"] == "no"
    assert result.text.startswith("retry: 1000\n\n")
    assert any(e.comment == "keep-alive" for e in result.events)
    assert result.events[-1].event == "bye"
    assert result.seconds < 1.5


def test_a_lead_feed_carries_only_that_leads_events(company: Company, viewer: User) -> None:
    followed = make_interaction(company, lead=make_lead(company, first_name="Followed"))
    other = make_interaction(company, lead=make_lead(company, first_name="Other"))
    cursor = latest_event_id(company=company)
    inbound(other)
    inbound(followed)

    result = stream(viewer, f"{LIVE}?lead={followed.lead_id}&after={cursor}")

    assert [e.data["lead_id"] for e in result.named("interaction")] == [followed.lead_id]


@pytest.mark.parametrize("lead", ["other-company", "nonsense", "0"])
def test_a_lead_feed_for_a_lead_not_of_the_company_is_not_found(
    company: Company, other_company: Company, viewer: User, lead: str
) -> None:
    if lead == "other-company":
        lead = str(make_lead(other_company).pk)

    result = stream(viewer, f"{LIVE}?lead={lead}")

    assert result.status == 404
    assert "event:" not in result.text


def test_events_of_a_lead_without_an_interaction_are_lead_events(
    company: Company, viewer: User
) -> None:
    lead = make_lead(company)
    cursor = latest_event_id(company=company)
    InteractionEvent.objects.create(
        company=company,
        lead=lead,
        kind=InteractionEvent.Kind.NOTE,
        actor_kind="human",
        detail="Called back, no answer",
        created_at=lead.created_at,
    )

    result = stream(viewer, f"{LIVE}?after={cursor}")

    [event] = result.named("lead")
    assert event.data["lead_id"] == lead.pk
    assert event.data["interaction_id"] is None
    assert "Called back" not in result.text


# ---- permissions ------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(db: None) -> None:
    result = stream(None)

    assert result.status == 302
    assert result.headers["Location"].startswith("/login/?next=")


def test_a_user_without_view_customer_chats_gets_403(company: Company) -> None:
    user = make_user(company, role="Viewer")
    user.groups.clear()

    result = stream(User.objects.get(pk=user.pk))

    assert result.status == 403
    assert "event:" not in result.text


def test_a_user_of_no_company_gets_403(db: None) -> None:
    result = stream(make_user(None, role=None, superuser=True))

    assert result.status == 403


@pytest.mark.parametrize("role", ["Viewer", "Manager", "CSR", "Administrator"])
def test_every_role_with_view_customer_chats_may_follow(company: Company, role: str) -> None:
    assert stream(make_user(company, role=role)).status == 200


def test_under_wsgi_the_feed_answers_what_is_new_and_closes(company: Company, viewer: User) -> None:
    interaction = make_interaction(company)
    cursor = latest_event_id(company=company)
    inbound(interaction)
    client = Client()
    client.force_login(viewer)

    response: Any = client.get(f"{LIVE}?after={cursor}")

    assert response.status_code == 200
    events = parse_sse(b"".join(response.streaming_content).decode())
    assert [e.event for e in events if e.event] == ["ready", "interaction", "bye"]


# ---- several processes -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_events_committed_by_another_connection_reach_the_stream(settings: Any) -> None:
    settings.LEADLINE_LIVE_LIFETIME_SECONDS = 3
    company = make_company()
    viewer = make_user(company, role="Viewer")
    interaction = make_interaction(company)
    cursor = latest_event_id(company=company)
    opened = threading.Event()
    errors: list[BaseException] = []

    def other_process() -> None:
        # Its own thread, so its own database connection and transactions, like a worker.
        try:
            opened.wait(5)
            fresh = Interaction.objects.get(pk=interaction.pk)
            inbound(fresh)
            change_status(interaction=fresh, to="active.warm")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    writer = threading.Thread(target=other_process)
    writer.start()

    async def signal() -> None:
        opened.set()

    result = stream(
        viewer,
        f"{LIVE}?after={cursor}",
        after_open=signal,
        stop_when=lambda text: text.count("event: interaction") >= 2,
    )
    writer.join(5)

    assert not errors
    events = result.named("interaction")
    assert [e.data["kind"] for e in events] == ["message_in", "status_changed"]
    assert {e.data["interaction_id"] for e in events} == {interaction.pk}
    assert events[-1].data["status_label"] == "Active: Warm"
    assert result.seconds < 2.5


# ---- the feed's cursor -----------------------------------------------------------------------


def _event_with_id(company: Company, interaction: Interaction, pk: int) -> None:
    InteractionEvent.objects.create(
        pk=pk,
        company=company,
        interaction=interaction,
        lead_id=interaction.lead_id,
        kind=InteractionEvent.Kind.SYSTEM,
        actor_kind="system",
        created_at=interaction.created_at,
    )


def test_an_event_that_commits_late_with_a_lower_id_is_still_delivered_once(
    company: Company,
) -> None:
    interaction = make_interaction(company)
    base = latest_event_id(company=company) + 1000
    now = [0.0]
    feed = EventFeed(company_id=company.pk, after=base, settle_seconds=5, monotonic=lambda: now[0])
    _event_with_id(company, interaction, base + 10)
    assert [e.id for e in feed.poll()] == [base + 10]

    # A transaction that took id base+5 earlier commits only now.
    _event_with_id(company, interaction, base + 5)
    now[0] = 1.0
    assert [e.id for e in feed.poll()] == [base + 5]
    now[0] = 2.0
    assert feed.poll() == []
    assert feed.cursor == base + 10

    # Past the settle window, the feed no longer looks back.
    now[0] = 10.0
    feed.poll()
    _event_with_id(company, interaction, base + 7)
    now[0] = 11.0
    assert feed.poll() == []


def test_a_burst_larger_than_a_batch_is_delivered_over_several_polls(company: Company) -> None:
    interaction = make_interaction(company)
    cursor = latest_event_id(company=company)
    for n in range(7):
        inbound(interaction, f"message {n}")
    feed = EventFeed(company_id=company.pk, after=cursor, batch=3)

    batches = [feed.poll() for _ in range(4)]

    assert [len(b) for b in batches] == [3, 3, 1, 0]
    ids = [e.id for b in batches for e in b]
    assert ids == sorted(set(ids))


# ---- the row fragment ------------------------------------------------------------------------


def row_url(interaction: Interaction) -> str:
    return f"/growth/interactions/{interaction.pk}/row/"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_row_fragment_shows_the_interaction_as_it_is_now(
    company: Company, viewer: User
) -> None:
    interaction = make_interaction(company, lead=make_lead(company, first_name="Rowena"))
    inbound(interaction)
    change_status(interaction=interaction, to="escalated.human_request")

    response = signed_in(viewer).get(row_url(interaction) + "?goal=speed_to_lead&open=5")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith("<tr")
    assert f'data-ix-row="{interaction.pk}"' in html
    assert "Escalated (Human Request)" in html
    assert "Human Request</td>" in html
    assert re.search(r'<td class="ix-num">1</td>', html)
    # Its links keep the list's filters (and not the open drawer).
    assert f"/growth/interactions/{interaction.pk}/drawer/?goal=speed_to_lead" in html
    assert "open=5" not in html.replace(f"open={interaction.pk}", "")


def test_another_companys_row_is_not_found(
    company: Company, other_company: Company, viewer: User
) -> None:
    theirs = make_interaction(other_company)

    response = signed_in(viewer).get(row_url(theirs))

    assert response.status_code == 404
    assert theirs.lead_name not in response.content.decode()


def test_the_row_fragment_needs_view_customer_chats(company: Company) -> None:
    interaction = make_interaction(company)
    user = make_user(company, role="Viewer")
    user.groups.clear()

    assert Client().get(row_url(interaction)).status_code == 302
    assert signed_in(User.objects.get(pk=user.pk)).get(row_url(interaction)).status_code == 403


# ---- the page wiring ------------------------------------------------------------------------


def test_the_list_page_follows_the_feed_from_the_newest_event(
    company: Company, viewer: User
) -> None:
    interaction = make_interaction(company)
    inbound(interaction)

    html = signed_in(viewer).get("/growth/interactions/").content.decode()

    newest = latest_event_id(company=company)
    assert f'data-live-url="{LIVE}?after={newest}"' in html
    assert "data-live-status" in html
    assert 'role="status"' in html
    assert "console/live.js" in html
    assert f'data-ix-row-url="/growth/interactions/{interaction.pk}/row/"' in html


def test_the_drawer_thread_entries_are_keyed_for_merging(company: Company, viewer: User) -> None:
    interaction = make_interaction(company)
    message = inbound(interaction)

    response = signed_in(viewer).get(
        f"/growth/interactions/{interaction.pk}/drawer/", headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert "data-live-list" in html
    assert f'data-live-key="m{message.pk}"' in html
    assert f'data-refresh-url="/growth/interactions/{interaction.pk}/drawer/"' in html
