"""Growth > Interactions: permissions, filters, counters, keyset pages and the CSV export."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.db import connection
from django.test import AsyncClient, Client
from django.test.utils import CaptureQueriesContext

from leadline.accounts.models import Company, User
from leadline.campaigns.models import Campaign, Channel, Goal
from leadline.interactions import listing, statuses
from leadline.interactions.models import Interaction, Message
from leadline.kit import clock
from tests.builders import make_campaign, make_company, make_lead, make_user

pytestmark = pytest.mark.django_db

URL = "/growth/interactions/"
EXPORT = "/growth/interactions/export.csv"
# Tuesday 10 March 2026, 10:00 in Chicago (CDT, UTC-5).
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    with clock.use_clock(clock.VirtualClock(NOW)):
        yield


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def row_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-ix-row="(\d+)"', html)]


def link(html: str, rel: str) -> str | None:
    match = re.search(rf'href="([^"]+)" rel="{rel}"', html)
    return match.group(1).replace("&amp;", "&") if match else None


def counter(html: str, label: str) -> str:
    match = re.search(
        rf'ix-counter-label">{re.escape(label)}</span>\s*<span class="ix-counter-value">([^<]*)<',
        html,
    )
    assert match, f"no counter {label}"
    return match.group(1)


def csv_rows(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


@dataclass
class Story:
    """Seven interactions with known statuses, times and messages (see `story`)."""

    company: Company
    by_name: dict[str, Interaction]

    def ids(self, *names: str) -> set[int]:
        return {self.by_name[n].pk for n in names}


def _campaign(company: Company, goal: str, channel: str, cache: dict[Any, Campaign]) -> Campaign:
    key = (goal, channel)
    if key not in cache:
        cache[key] = make_campaign(company, name=f"{goal}/{channel}", goal=goal, channel=channel)
    return cache[key]


def _interaction(
    company: Company,
    cache: dict[Any, Campaign],
    *,
    first: str,
    phone: str,
    status: str,
    ago: timedelta,
    goal: str = Goal.SPEED_TO_LEAD,
    channel: str = Channel.SMS,
    record_type: str = "lead",
    inbound: int = 0,
    lead: Any = None,
) -> Interaction:
    lead = lead or make_lead(company, first_name=first, last_name="Test", phone=phone)
    info = statuses.get(status)
    at = NOW - ago
    return Interaction.objects.create(
        company=company,
        campaign=_campaign(company, goal, channel, cache),
        lead=lead,
        record_type=record_type,
        channel=channel,
        goal=goal,
        status=status,
        status_group=info.group.value,
        escalated=info.group is statuses.Group.ESCALATED,
        lead_name=lead.full_name,
        lead_phone=lead.phone,
        started_at=at - timedelta(hours=1),
        last_activity_at=at,
        created_at=at - timedelta(hours=1),
        updated_at=at,
        inbound_count=inbound,
    )


def _messages(interaction: Interaction, *minutes_ago: int) -> None:
    for n, minutes in enumerate(minutes_ago):
        Message.objects.create(
            company_id=interaction.company_id,
            interaction=interaction,
            direction=Message.Direction.INBOUND if n % 2 else Message.Direction.OUTBOUND,
            author="lead" if n % 2 else "agent",
            body=f"message {n}",
            delivery_status=Message.Delivery.DELIVERED,
            created_at=NOW - timedelta(minutes=minutes),
        )
    Interaction.objects.filter(pk=interaction.pk).update(message_count=len(minutes_ago))


@pytest.fixture
def story(company: Company) -> Story:
    """The fixed data set behind the counter and filter tests.

    Last 30 days: Alice (escalated, 6 messages in the last hour: High Activity), Bruno
    (Converted: Agent, voice), Carla (Abandoned, Inbound SMS, opportunity), Dmitri
    (Active: Hot, 4 recent messages only), Erin (Escalated (Availability), voice: a second
    interaction of Carla's lead, so its row shows Carla's name). Older: Farah (40 days,
    Converted: Human), Gus (100 days).
    """
    cache: dict[Any, Campaign] = {}
    m = timedelta(minutes=1)
    d = timedelta(days=1)
    alice = _interaction(
        company,
        cache,
        first="Alice",
        phone="+15125550101",
        status="escalated.human_request",
        ago=10 * m,
        inbound=2,
    )
    bruno = _interaction(
        company,
        cache,
        first="Bruno",
        phone="+15125550102",
        status="converted.agent",
        ago=2 * d,
        channel=Channel.VOICE,
        record_type="customer",
        inbound=1,
    )
    carla = _interaction(
        company,
        cache,
        first="Carla",
        phone="+15125550103",
        status="abandoned",
        ago=5 * d,
        goal=Goal.INBOUND_SMS,
        record_type="opportunity",
    )
    dmitri = _interaction(
        company,
        cache,
        first="Dmitri",
        phone="+15125550104",
        status="active.hot",
        ago=20 * m,
        inbound=1,
    )
    erin = _interaction(
        company,
        cache,
        first="Erin",
        phone="+15125550105",
        status="escalated.availability",
        ago=20 * d,
        goal=Goal.INBOUND_SMS,
        channel=Channel.VOICE,
        lead=carla.lead,
    )
    farah = _interaction(
        company,
        cache,
        first="Farah",
        phone="+15125550106",
        status="converted.human",
        ago=40 * d,
        inbound=1,
    )
    gus = _interaction(
        company, cache, first="Gus", phone="+15125550107", status="started", ago=100 * d
    )
    _messages(alice, 200, 190, 180, 50, 40, 30, 20, 15, 10)
    _messages(dmitri, 150, 140, 130, 120, 110, 40, 30, 25, 20)
    by_name = {
        "Alice": alice,
        "Bruno": bruno,
        "Carla": carla,
        "Dmitri": dmitri,
        "Erin": erin,
        "Farah": farah,
        "Gus": gus,
    }
    return Story(company=company, by_name=by_name)


@pytest.fixture
def viewer(company: Company) -> User:
    return make_user(company, role="Viewer", first_name="Vera")


# ---- permissions ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", [URL, EXPORT, URL + "?format=csv"])
def test_anonymous_is_sent_to_sign_in(url: str, db: None) -> None:
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("role", ["Viewer", "Manager", "CSR", "Administrator"])
def test_every_role_with_view_customer_chats_sees_the_page_and_the_menu(
    company: Company, role: str
) -> None:
    response = signed_in(make_user(company, role=role)).get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert ">Growth</a>" in html
    assert ">Interactions</a>" in html
    assert "<h1>Interactions</h1>" in html


@pytest.mark.parametrize("url", [URL, EXPORT, URL + "?format=csv"])
def test_a_user_without_view_customer_chats_gets_the_403_page_and_no_menu(
    company: Company, url: str
) -> None:
    user = make_user(company, role="Viewer")
    user.groups.clear()
    response = signed_in(User.objects.get(pk=user.pk)).get(url)
    html = response.content.decode()
    assert response.status_code == 403
    assert "You don&#x27;t have access to this page" in html
    assert ">Growth</a>" not in html


def test_home_shows_no_growth_menu_without_view_customer_chats(company: Company) -> None:
    user = make_user(company, role="Viewer")
    user.groups.clear()
    html = signed_in(User.objects.get(pk=user.pk)).get("/").content.decode()
    assert "Growth" not in html


def test_another_company_user_never_sees_this_company_rows(story: Story) -> None:
    other = make_company(name="Other Co")
    make_user_other = make_user(other, role="Administrator")
    client = signed_in(make_user_other)
    html = client.get(URL + "?range=90d").content.decode()
    assert row_ids(html) == []
    assert "Alice" not in html
    assert counter(html, "Conversations") == "0"
    rows = csv_rows(client.get(EXPORT + "?range=90d"))
    assert len(rows) == 1


# ---- counters ------------------------------------------------------------------------------


def test_counters_for_the_default_30_days(story: Story, viewer: User) -> None:
    html = signed_in(viewer).get(URL).content.decode()
    assert counter(html, "Escalated") == "2"
    assert counter(html, "High Activity") == "1"
    assert counter(html, "Conversations") == "5"
    # Leads Alice, Bruno, Carla (= Erin's lead) and Dmitri; all but Carla replied.
    assert counter(html, "Response Rate") == "75%"
    assert counter(html, "Conversion Rate") == "20%"
    assert set(row_ids(html)) == story.ids("Alice", "Bruno", "Carla", "Dmitri", "Erin")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "range=today",
            {
                "Escalated": "1",
                "High Activity": "1",
                "Conversations": "2",
                "Response Rate": "100%",
                "Conversion Rate": "0%",
            },
        ),
        (
            "range=7d",
            {
                "Escalated": "1",
                "High Activity": "1",
                "Conversations": "4",
                "Response Rate": "75%",
                "Conversion Rate": "25%",
            },
        ),
        (
            "range=90d",
            {
                "Escalated": "2",
                "High Activity": "1",
                "Conversations": "6",
                "Response Rate": "80%",
                "Conversion Rate": "33%",
            },
        ),
        (
            "range=custom&from=2026-03-04&to=2026-03-09",
            {
                "Escalated": "0",
                "High Activity": "0",
                "Conversations": "2",
                "Response Rate": "50%",
                "Conversion Rate": "50%",
            },
        ),
        (
            "channel=voice",
            {
                "Escalated": "1",
                "High Activity": "0",
                "Conversations": "2",
                "Response Rate": "50%",
                "Conversion Rate": "50%",
            },
        ),
        (
            "status=abandoned",
            {
                "Escalated": "0",
                "High Activity": "0",
                "Conversations": "1",
                "Response Rate": "0%",
                "Conversion Rate": "0%",
            },
        ),
        (
            "q=Nobody",
            {
                "Escalated": "0",
                "High Activity": "0",
                "Conversations": "0",
                "Response Rate": "—",
                "Conversion Rate": "—",
            },
        ),
    ],
)
def test_counters_follow_the_filters_and_the_time_range(
    story: Story, viewer: User, query: str, expected: dict[str, str]
) -> None:
    html = signed_in(viewer).get(f"{URL}?{query}").content.decode()
    assert {label: counter(html, label) for label in expected} == expected


def test_high_activity_follows_the_company_setting(story: Story, viewer: User) -> None:
    Company.objects.filter(pk=story.company.pk).update(high_activity_messages=4)
    html = signed_in(viewer).get(URL).content.decode()
    assert counter(html, "High Activity") == "2"
    Company.objects.filter(pk=story.company.pk).update(
        high_activity_messages=5, high_activity_minutes=180
    )
    html = signed_in(viewer).get(URL).content.decode()
    assert counter(html, "High Activity") == "2"


def test_clicking_escalated_filters_the_list_to_escalated(story: Story, viewer: User) -> None:
    client = signed_in(viewer)
    html = client.get(URL).content.decode()
    href = re.search(
        r'class="ix-counter ix-counter-link ix-counter-escalated[^"]*" href="([^"]+)"', html
    )
    assert href
    assert href.group(1) == "/growth/interactions/?escalated=1"
    filtered = client.get(href.group(1).replace("&amp;", "&")).content.decode()
    assert set(row_ids(filtered)) == story.ids("Alice", "Erin")
    assert 'id="ix-escalated" name="escalated" value="1" checked' in filtered


def test_clicking_high_activity_filters_the_list_to_high_activity(
    story: Story, viewer: User
) -> None:
    client = signed_in(viewer)
    html = client.get(URL + "?goal=speed_to_lead").content.decode()
    assert 'href="/growth/interactions/?goal=speed_to_lead&amp;activity=high"' in html
    filtered = client.get(URL + "?goal=speed_to_lead&activity=high").content.decode()
    assert set(row_ids(filtered)) == story.ids("Alice")
    assert counter(filtered, "Conversations") == "1"
    assert 'name="activity" value="high"' in filtered


def test_counters_only_call_matches_the_list(story: Story) -> None:
    query = listing.parse_query({"range": "90d"})
    full = listing.interaction_list(company=story.company, query=query)
    alone = listing.counters(company=story.company, filters=query.filters)
    assert full.counters == alone
    assert full.counters.conversations == len(full.page.rows)


# ---- filters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "names", "selected"),
    [
        ("goal=inbound_sms", {"Carla", "Erin"}, '<option value="inbound_sms" selected>'),
        ("goal=speed_to_lead", {"Alice", "Bruno", "Dmitri"}, 'value="speed_to_lead" selected'),
        ("channel=voice", {"Bruno", "Erin"}, '<option value="voice" selected>'),
        ("channel=sms", {"Alice", "Carla", "Dmitri"}, '<option value="sms" selected>'),
        ("type=customer", {"Bruno"}, '<option value="customer" selected>'),
        ("type=opportunity", {"Carla"}, '<option value="opportunity" selected>'),
        ("type=lead", {"Alice", "Dmitri", "Erin"}, '<option value="lead" selected>'),
        ("status=abandoned", {"Carla"}, '<option value="abandoned" selected>'),
        ("status=group:escalated", {"Alice", "Erin"}, '<option value="group:escalated" selected>'),
        ("status=group:converted", {"Bruno"}, '<option value="group:converted" selected>'),
        ("status=Converted: Agent", {"Bruno"}, '<option value="converted.agent" selected>'),
        ("escalated=1", {"Alice", "Erin"}, 'name="escalated" value="1" checked'),
        ("q=alice", {"Alice"}, 'value="alice"'),
        ("q=(512) 555-0104", {"Dmitri"}, 'value="(512) 555-0104"'),
        ("q=555-0102", {"Bruno"}, 'value="555-0102"'),
        ("q=0103", {"Carla", "Erin"}, 'value="0103"'),
        ("range=90d&status=group:converted", {"Bruno", "Farah"}, '<option value="90d" selected>'),
        ("range=today", {"Alice", "Dmitri"}, '<option value="today" selected>'),
        ("from=2026-03-04&to=2026-03-09", {"Bruno", "Carla"}, 'name="from" value="2026-03-04"'),
        (
            "range=custom&from=2025-01-01",
            {"Alice", "Bruno", "Carla", "Dmitri", "Erin", "Farah", "Gus"},
            '<option value="custom" selected>',
        ),
        ("goal=inbound_sms&channel=voice", {"Erin"}, '<option value="voice" selected>'),
    ],
)
def test_each_filter_narrows_the_list_and_shows_in_the_form(
    story: Story, viewer: User, query: str, names: set[str], selected: str
) -> None:
    html = signed_in(viewer).get(f"{URL}?{query}").content.decode()
    assert set(row_ids(html)) == story.ids(*names)
    assert selected in html


def test_filters_travel_in_the_links(story: Story, viewer: User) -> None:
    html = signed_in(viewer).get(URL + "?channel=voice&sort=oldest").content.decode()
    assert 'href="/growth/interactions/export.csv?sort=oldest&amp;channel=voice"' in html
    assert 'hx-push-url="/growth/interactions/?sort=oldest&amp;channel=voice&amp;open=' in html
    assert '<option value="oldest" selected>' in html
    assert 'method="get" action="/growth/interactions/"' in html


def test_sort_oldest_first_reverses_the_rows(story: Story, viewer: User) -> None:
    client = signed_in(viewer)
    newest = row_ids(client.get(URL).content.decode())
    oldest = row_ids(client.get(URL + "?sort=oldest").content.decode())
    assert newest == [story.by_name[n].pk for n in ("Alice", "Dmitri", "Bruno", "Carla", "Erin")]
    assert oldest == newest[::-1]


def test_rows_show_name_phone_status_reason_channel_goal_time_and_count(
    story: Story, viewer: User
) -> None:
    html = signed_in(viewer).get(URL).content.decode()
    alice = re.search(rf'data-ix-row="{story.by_name["Alice"].pk}".*?</tr>', html, re.S)
    assert alice
    row = alice.group(0)
    assert "Alice Test" in row
    assert "(512) 555-0101" in row
    assert 'class="ix-badge ix-badge-escalated">Escalated (Human Request)<' in row
    assert ">Human Request<" in row
    assert ">SMS Agent<" in row
    assert ">Speed to Lead<" in row
    assert '<time datetime="2026-03-10T14:50:00Z" title="Tue, Mar 10, 2026, 9:50 AM CDT"' in row
    assert ">10 min ago<" in row
    assert '<td class="ix-num">9</td>' in row
    for label in ("Name", "Phone", "Status", "Escalation reason", "Channel", "Goal", "Messages"):
        assert f">{label}</th>" in html
    assert "Last activity" in html


@pytest.mark.parametrize(
    "query",
    [
        "goal=nope",
        "channel=fax",
        "type=<script>alert(1)</script>",
        "status=zzz",
        "status=group:nope",
        "range=1y",
        "range=custom",
        "from=2026-13-45&to=yesterday",
        "from=9999-12-31&to=9999-12-31",
        "range=custom&from=0001-01-01",
        "from=2026-03-09&to=2026-03-01",
        "sort=sideways",
        "escalated=maybe",
        "activity=low",
        "after=garbage",
        "before=20260310T150000.000000Z_99999999999999999999",
        "after=20261310T150000.000000Z_1",
        "after=x&before=y",
        "open=abc",
        "open=99999999999999999999999",
        "q=" + "x" * 500,
        "q=%00%01",
        "format=xml",
    ],
)
def test_invalid_filters_are_ignored_with_a_notice_never_a_500(
    story: Story, viewer: User, query: str
) -> None:
    response = signed_in(viewer).get(f"{URL}?{query}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html
    if query != "format=xml" and query != "q=%00%01":
        assert 'class="ix-notice" role="status"' in html


def test_a_notice_names_what_was_ignored(story: Story, viewer: User) -> None:
    html = signed_in(viewer).get(URL + "?goal=nope&channel=voice").content.decode()
    assert "Ignored Goal “nope”" in html
    assert set(row_ids(html)) == story.ids("Bruno", "Erin")


def test_empty_states_say_what_to_do(company: Company, viewer: User) -> None:
    client = signed_in(viewer)
    html = client.get(URL).content.decode()
    assert "No conversations yet" in html
    assert "enable a campaign" in html
    make_campaign(company)
    cache: dict[Any, Campaign] = {}
    _interaction(
        company, cache, first="Zed", phone="+15125550199", status="started", ago=timedelta(0)
    )
    html = client.get(URL + "?channel=voice").content.decode()
    assert "No interactions match these filters" in html
    assert 'href="/growth/interactions/">Clear filters' in html


# ---- keyset pagination ---------------------------------------------------------------------


@pytest.fixture
def many(company: Company) -> list[Interaction]:
    """123 interactions whose last activity ties in groups of seven (the id breaks the tie)."""
    campaign = make_campaign(company)
    lead = make_lead(company)
    rows = []
    for n in range(123):
        at = NOW - timedelta(minutes=n // 7)
        rows.append(
            Interaction(
                company=company,
                campaign=campaign,
                lead=lead,
                channel=campaign.channel,
                goal=campaign.goal,
                status="started",
                status_group="active",
                lead_name=f"Lead {n:03d}",
                lead_phone=lead.phone,
                started_at=at,
                last_activity_at=at,
                created_at=at,
                updated_at=at,
            )
        )
    Interaction.objects.bulk_create(rows)
    return list(Interaction.objects.filter(company=company))


def _walk(client: Client, start: str, rel: str) -> tuple[list[list[int]], str]:
    pages: list[list[int]] = []
    url: str | None = start
    last = start
    while url:
        html = client.get(url).content.decode()
        pages.append(row_ids(html))
        last = url
        url = link(html, rel)
    return pages, last


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_keyset_pages_walk_every_row_exactly_once_both_ways(
    many: list[Interaction], viewer: User, sort: str
) -> None:
    client = signed_in(viewer)
    expected = [
        i.pk
        for i in sorted(many, key=lambda i: (i.last_activity_at, i.pk), reverse=(sort == "newest"))
    ]
    forward, last_url = _walk(client, f"{URL}?sort={sort}", "next")
    assert [len(page) for page in forward] == [50, 50, 23]
    assert [pk for page in forward for pk in page] == expected

    backward, _ = _walk(client, last_url, "prev")
    assert backward == forward[::-1]


def test_the_first_page_has_no_previous_and_the_last_no_next(
    many: list[Interaction], viewer: User
) -> None:
    client = signed_in(viewer)
    html = client.get(URL).content.decode()
    assert link(html, "prev") is None
    assert '<span class="ix-button is-disabled" aria-disabled="true">← Previous</span>' in html
    assert "after=" in (link(html, "next") or "")


def test_pages_never_use_offset(many: list[Interaction], viewer: User) -> None:
    client = signed_in(viewer)
    html = client.get(URL).content.decode()
    next_url = link(html, "next")
    assert next_url
    with CaptureQueriesContext(connection) as queries:
        client.get(next_url)
    assert queries.captured_queries
    assert not any("OFFSET" in q["sql"].upper() for q in queries.captured_queries)


# ---- CSV ------------------------------------------------------------------------------------


def test_csv_contains_exactly_the_filtered_rows(story: Story, viewer: User) -> None:
    response = signed_in(viewer).get(EXPORT + "?channel=voice")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="interactions-2026-03-10.csv"'
    rows = csv_rows(response)
    assert rows[0] == list(listing.EXPORT_HEADER)
    # Erin's interaction is the second one of Carla's lead.
    assert [row[1] for row in rows[1:]] == ["Bruno Test", "Carla Test"]
    bruno = rows[1]
    assert bruno[2] == "+15125550102"
    assert bruno[3] == "Converted: Agent"
    assert bruno[6] == "Voice Agent"
    assert bruno[7] == "Speed to Lead"
    assert bruno[8] == "Customer"
    assert bruno[9] == "2026-03-08T10:00:00-05:00"
    assert rows[2][5] == "Availability"


def test_format_csv_on_the_list_url_is_the_same_export(story: Story, viewer: User) -> None:
    client = signed_in(viewer)
    assert csv_rows(client.get(URL + "?format=csv&status=group:escalated")) == csv_rows(
        client.get(EXPORT + "?status=group:escalated")
    )


def test_csv_holds_every_matching_row_across_chunks(
    many: list[Interaction], viewer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(listing, "EXPORT_CHUNK", 7)
    rows = csv_rows(signed_in(viewer).get(EXPORT + "?sort=oldest"))
    expected = [i.pk for i in sorted(many, key=lambda i: (i.last_activity_at, i.pk))]
    assert [int(row[0]) for row in rows[1:]] == expected


def test_csv_cells_never_start_a_formula(company: Company, viewer: User) -> None:
    cache: dict[Any, Campaign] = {}
    lead = make_lead(company, first_name="=HYPERLINK(1)", last_name="", phone="+15125550111")
    _interaction(company, cache, first="", phone="", status="started", ago=timedelta(0), lead=lead)
    rows = csv_rows(signed_in(viewer).get(EXPORT))
    assert rows[1][1] == "'=HYPERLINK(1)"


def test_csv_streams_under_asgi(story: Story, viewer: User) -> None:
    async def fetch() -> tuple[int, str]:
        client = AsyncClient()
        await client.aforce_login(viewer)
        response: Any = await client.get(EXPORT, {"status": "group:escalated"})
        parts = [part async for part in response.streaming_content]
        return response.status_code, b"".join(parts).decode("utf-8-sig")

    status, body = async_to_sync(fetch)()
    assert status == 200
    names = [row[1] for row in list(csv.reader(io.StringIO(body)))[1:]]
    assert names == ["Alice Test", "Carla Test"]


def test_the_filter_form_offers_every_choice_with_its_label(viewer: User) -> None:
    html = signed_in(viewer).get(URL).content.decode()
    for label in ("Last Interaction Time", "Goal", "Channel", "Type", "Status", "Escalated Only"):
        assert f">{label}</label>" in html
    for value, label in [
        ("speed_to_lead", "Speed to Lead"),
        ("inbound_sms", "Inbound SMS"),
        ("sms", "SMS Agent"),
        ("voice", "Voice Agent"),
        ("lead", "Lead"),
        ("customer", "Customer"),
        ("opportunity", "Opportunity"),
        ("newest", "Newest first"),
        ("oldest", "Oldest first"),
    ]:
        assert f'<option value="{value}">{label}</option>' in html or (
            f'<option value="{value}" selected>{label}</option>' in html
        )
    for status in statuses.STATUSES:
        assert f'<option value="{status.code}">{status.label}</option>' in html
    for group in ("Active", "Converted", "Escalated", "Closed"):
        assert f'<optgroup label="{group}">' in html
        assert (
            f'<option value="group:{group.lower()}">All {group.lower()} statuses</option>' in html
        )
    for label in (
        "Escalated",
        "High Activity",
        "Conversations",
        "Response Rate",
        "Conversion Rate",
    ):
        assert f'ix-counter-label">{label}<' in html
