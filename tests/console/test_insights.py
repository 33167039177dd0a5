"""Growth > Interactions > Insights: each chart's numbers on a fixed data set, filters, access."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from leadline.accounts.models import Company, User
from leadline.campaigns.models import Campaign, Channel, Goal
from leadline.interactions import insights
from leadline.interactions.insights import DASH, interaction_insights
from leadline.interactions.listing import InteractionFilters, TimeRange, parse_query
from leadline.interactions.models import Call, Interaction
from leadline.interactions.services import add_call_turn, add_message, change_status
from leadline.kit import clock
from tests.builders import make_campaign, make_interaction, make_lead, make_user

pytestmark = pytest.mark.django_db

URL = "/growth/interactions/insights/"
# Tuesday 10 March 2026, 10:00 in Chicago (CDT, UTC-5).
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
MONDAY = date(2026, 3, 9)


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    with clock.use_clock(clock.VirtualClock(NOW)):
        yield


def chicago(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A Chicago wall-clock time in March 2026 (CDT, UTC-5) as UTC."""
    return datetime(day.year, day.month, day.day, hour + 5, minute, second, tzinfo=UTC)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(html: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


class Script:
    """Plays one interaction's thread at given times on its own virtual clock."""

    def __init__(self, company: Company, campaign: Campaign, name: str, at: datetime) -> None:
        self.clock = clock.VirtualClock(at)
        with clock.use_clock(self.clock):
            self.interaction = make_interaction(
                company, campaign=campaign, lead=make_lead(company, first_name=name)
            )

    def text(self, at: datetime, direction: str) -> Script:
        self.clock.set(at)
        with clock.use_clock(self.clock):
            add_message(
                interaction=self.interaction,
                direction=direction,
                author="lead" if direction == "inbound" else "agent",
                body="Hello",
            )
        return self

    def call(self, at: datetime, lead_speaks_at: datetime | None) -> Script:
        self.clock.set(at)
        call = Call.objects.create(
            company_id=self.interaction.company_id,
            interaction=self.interaction,
            started_at=at,
            outcome=Call.Outcome.COMPLETED,
        )
        with clock.use_clock(self.clock):
            add_call_turn(call=call, speaker="agent", text="Hi, this is the assistant")
            if lead_speaks_at is not None:
                self.clock.set(lead_speaks_at)
                add_call_turn(call=call, speaker="lead", text="Yes, hello")
        return self

    def status(self, at: datetime, to: str) -> Script:
        self.clock.set(at)
        with clock.use_clock(self.clock):
            change_status(interaction=self.interaction, to=to)
        return self

    def touches(self, n: int) -> Script:
        Interaction.objects.filter(pk=self.interaction.pk).update(touches_sent=n)
        return self


@dataclass
class Story:
    company: Company
    by_name: dict[str, Interaction]


@pytest.fixture
def story(company: Company, other_company: Company) -> Story:
    """Six interactions of `company` (hours in Chicago) and one of another company.

    Ann   SMS,   first text Mon 9:10, replied 9:14 (4 min), touch 1, Converted: Agent
    Ben   SMS,   first text Mon 9:40, never replied, 4 touches, Abandoned
    Cal   SMS,   first text Mon 14:05, second 15:05, replied 15:35 (1 h 30 min), touch 2,
                 Escalated (Human Request) at 15:36
    Dee   SMS,   first text Tue 8:00, no reply yet, touch 1, Started
    Eve   Voice, call Mon 9:20, spoke 30 s in, touch 1, Escalated (Availability) at 9:22
    Fay   Inbound SMS: texted first Mon 11:00, agent answered 11:01, Converted: Agent
    """
    sms = make_campaign(company, name="S2L SMS")
    voice = make_campaign(company, name="S2L Voice", channel=Channel.VOICE)
    inbound = make_campaign(company, name="Inbound", goal=Goal.INBOUND_SMS)
    ann = (
        Script(company, sms, "Ann", chicago(MONDAY, 9, 10))
        .text(chicago(MONDAY, 9, 10), "outbound")
        .text(chicago(MONDAY, 9, 14), "inbound")
        .status(chicago(MONDAY, 9, 30), "converted.agent")
        .touches(1)
    )
    ben = (
        Script(company, sms, "Ben", chicago(MONDAY, 9, 40))
        .text(chicago(MONDAY, 9, 40), "outbound")
        .text(chicago(MONDAY, 10, 40), "outbound")
        .text(chicago(MONDAY, 11, 40), "outbound")
        .text(chicago(MONDAY, 12, 40), "outbound")
        .status(chicago(MONDAY, 13, 0), "abandoned")
        .touches(4)
    )
    cal = (
        Script(company, sms, "Cal", chicago(MONDAY, 14, 5))
        .text(chicago(MONDAY, 14, 5), "outbound")
        .text(chicago(MONDAY, 15, 5), "outbound")
        .text(chicago(MONDAY, 15, 35), "inbound")
        .status(chicago(MONDAY, 15, 36), "escalated.human_request")
        .touches(2)
    )
    dee = (
        Script(company, sms, "Dee", chicago(MONDAY + timedelta(days=1), 8, 0))
        .text(chicago(MONDAY + timedelta(days=1), 8, 0), "outbound")
        .touches(1)
    )
    eve = (
        Script(company, voice, "Eve", chicago(MONDAY, 9, 20))
        .call(chicago(MONDAY, 9, 20), lead_speaks_at=chicago(MONDAY, 9, 20, 30))
        .status(chicago(MONDAY, 9, 22), "escalated.availability")
        .touches(1)
    )
    fay = (
        Script(company, inbound, "Fay", chicago(MONDAY, 11, 0))
        .text(chicago(MONDAY, 11, 0), "inbound")
        .text(chicago(MONDAY, 11, 1), "outbound")
        .status(chicago(MONDAY, 11, 5), "converted.agent")
    )
    (
        Script(other_company, make_campaign(other_company), "Otto", chicago(MONDAY, 9, 0))
        .text(chicago(MONDAY, 9, 0), "outbound")
        .text(chicago(MONDAY, 9, 1), "inbound")
        .status(chicago(MONDAY, 9, 2), "escalated.negative_sentiment")
        .touches(1)
    )
    scripts = {"Ann": ann, "Ben": ben, "Cal": cal, "Dee": dee, "Eve": eve, "Fay": fay}
    return Story(company=company, by_name={k: s.interaction for k, s in scripts.items()})


@pytest.fixture
def viewer(company: Company) -> User:
    return make_user(company, role="Viewer", first_name="Vera")


def figures(company: Company, query: str = "") -> insights.Insights:
    params = dict(part.split("=", 1) for part in query.split("&") if part)
    return interaction_insights(company=company, filters=parse_query(params).filters)


# ---- (a) the heat map ------------------------------------------------------------------------


def test_response_rate_by_hour_and_weekday_of_the_first_outreach(story: Story) -> None:
    data = figures(story.company)
    heat = data.heat_map

    assert heat.zone == "America/Chicago"
    assert (data.outreach, data.replied, data.lead_started) == (5, 3, 1)
    # Monday 9 AM: Ann (replied), Ben (no reply), Eve (spoke on the call).
    assert heat.cells[0][9] == insights.Rate(2, 3)
    assert heat.cells[0][9].percent == 67
    assert heat.cells[0][14] == insights.Rate(1, 1)
    assert heat.cells[1][8] == insights.Rate(0, 1)
    assert heat.cells[1][8].percent == 0
    # Fay wrote first (Inbound SMS): not outreach, so not at 11 AM.
    assert heat.cells[0][11] == insights.Rate(0, 0)
    assert heat.cells[0][11].percent is None
    filled = {(d, h) for d in range(7) for h in range(24) if heat.cells[d][h].whole}
    assert filled == {(0, 9), (0, 14), (1, 8)}
    assert heat.by_weekday[0] == insights.Rate(3, 4)
    assert heat.by_weekday[1] == insights.Rate(0, 1)
    assert heat.by_hour[9] == insights.Rate(2, 3)
    assert heat.total == insights.Rate(3, 5)


def test_the_heat_map_uses_the_company_time_zone(story: Story) -> None:
    Company.objects.filter(pk=story.company.pk).update(time_zone="America/New_York")
    story.company.refresh_from_db()

    heat = figures(story.company).heat_map

    assert heat.cells[0][10] == insights.Rate(2, 3)
    assert heat.cells[0][9].whole == 0


def test_the_heat_map_renders_a_7_by_24_grid_with_counts_in_titles(
    story: Story, viewer: User
) -> None:
    html = signed_in(viewer).get(URL).content.decode()

    table = html[html.index('<table class="in-heat">') : html.index("</table>")]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    assert body.count("<tr>") == 7
    assert all(row.count("<td") == 25 for row in body.split("<tr>")[1:])
    assert f'title="Monday, 9 AM{DASH}10 AM: 2 of 3 replied (67%)"' in table
    assert '<span class="ix-sr-only">67%, 2 of 3 replied</span>' in table
    assert f'title="Tuesday, 8 AM{DASH}9 AM: 0 of 1 replied (0%)"' in table
    assert f'title="Monday, 11 AM{DASH}12 PM: no first outreach"' in table
    assert "Hours in America/Chicago" in html


# ---- (b) outcomes by goal and channel -----------------------------------------------------------


def test_outcomes_by_goal_and_channel_count_each_status_group(story: Story) -> None:
    outcomes = {(o.goal, o.channel): o for o in figures(story.company).outcomes}

    assert list(outcomes) == [
        ("speed_to_lead", "sms"),
        ("speed_to_lead", "voice"),
        ("inbound_sms", "sms"),
    ]
    sms = outcomes[("speed_to_lead", "sms")]
    assert sms.total == 4
    assert sms.by_group == {"active": 1, "converted": 1, "escalated": 1, "closed": 1}
    assert list(sms.by_status.items()) == [
        ("started", 1),
        ("converted.agent", 1),
        ("escalated.human_request", 1),
        ("abandoned", 1),
    ]
    assert outcomes[("speed_to_lead", "voice")].by_group["escalated"] == 1
    assert outcomes[("inbound_sms", "sms")].by_group["converted"] == 1


def test_the_outcomes_table_shows_counts_and_percentages(story: Story, viewer: User) -> None:
    html = signed_in(viewer).get(URL).content.decode()
    section = html[html.index('id="in-outcomes-title"') : html.index('id="in-cadence-title"')]
    rows = text_of(section)

    cells = {
        text_of(row.split("</th>")[0]).strip(): re.findall(
            r'<td class="ix-num">(\d+)(?: <span class="ix-muted">(\d+%)</span>)?</td>', row
        )
        for row in section.split("<tr>")[2:]
    }
    # Interactions, then Converted, Active, Escalated, Closed with their shares.
    sms = cells[next(k for k in cells if k.startswith("Speed to Lead · SMS Agent"))]
    assert sms == [("4", ""), ("1", "25%"), ("1", "25%"), ("1", "25%"), ("1", "25%")]
    inbound = cells[next(k for k in cells if k.startswith("Inbound SMS · SMS Agent"))]
    assert inbound == [("1", ""), ("1", "100%"), ("0", "0%"), ("0", "0%"), ("0", "0%")]
    # The most frequent statuses first; ties in the order of the brief's table.
    assert "Started 1 · Converted: Agent 1 · Escalated (Human Request) 1 · Abandoned 1" in rows
    assert 'title="Speed to Lead · SMS Agent: Converted 1 (25%)"' in section


# ---- (c) where leads stop answering ------------------------------------------------------------


def test_the_cadence_shows_which_touch_leads_replied_after_and_where_silent_ones_stopped(
    story: Story,
) -> None:
    touches = figures(story.company).cadence

    assert [
        (t.touch, t.reached, t.replied, t.ended_silent, t.waiting, t.reply_rate) for t in touches
    ] == [
        (1, 5, 2, 0, 1, 40),
        (2, 2, 1, 0, 0, 50),
        (3, 1, 0, 0, 0, 0),
        (4, 1, 0, 1, 0, 0),
    ]


def test_the_cadence_section_reads_at_a_glance(story: Story, viewer: User) -> None:
    html = signed_in(viewer).get(URL).content.decode()
    section = text_of(html[html.index('id="in-cadence-title"') : html.index('id="in-reply-title"')])

    assert "Most replies come after touch 1: 2 of 3 (67%)." in section
    assert "Leads who never answered most often stopped after touch 4 (1 of 1)." in section
    assert "Touch 1 (first) 5 2 40% 0 1" in section
    assert "Touch 4 1 0 0% 1 0" in section


# ---- (d) time to first reply -------------------------------------------------------------------


def test_median_time_to_first_reply_overall_and_per_channel(story: Story) -> None:
    times = {t.channel: t for t in figures(story.company).reply_times}

    assert list(times) == ["", "sms", "voice"]
    # 30 s (Eve), 4 min (Ann), 1 h 30 min (Cal).
    assert times[""].replies == 3
    assert times[""].median == timedelta(minutes=4)
    assert times[""].buckets == (2, 0, 1, 0)
    assert times["sms"].median == timedelta(minutes=47)
    assert times["voice"].median == timedelta(seconds=30)
    assert times["voice"].buckets == (1, 0, 0, 0)


def test_reply_times_are_written_for_people(story: Story, viewer: User) -> None:
    html = signed_in(viewer).get(URL).content.decode()
    section = text_of(html[html.index('id="in-reply-title"') : html.index('id="in-esc-title"')])

    assert "All channels 4 min median of 3 replies" in section
    assert "SMS Agent 47 min median of 2 replies" in section
    assert "Voice Agent 30 s median of 1 reply" in section


# ---- (e) escalations by reason over time --------------------------------------------------------


def test_escalations_by_reason_per_company_day(story: Story) -> None:
    escalations = figures(story.company).escalations

    assert escalations.period_days == 1
    # The last 30 days: 8 February (local) to today, 10 March.
    assert escalations.periods[0] == date(2026, 2, 8)
    assert escalations.periods[-1] == date(2026, 3, 10)
    monday = escalations.periods.index(MONDAY)
    by_status = {s.status: s for s in escalations.series}
    assert list(by_status) == [
        "escalated.agent_issue",
        "escalated.availability",
        "escalated.skill_handling",
        "escalated.human_request",
        "escalated.negative_sentiment",
    ]
    assert by_status["escalated.human_request"].counts[monday] == 1
    assert by_status["escalated.availability"].counts[monday] == 1
    assert escalations.total == 2


def test_escalations_are_counted_by_week_for_long_ranges(story: Story) -> None:
    escalations = figures(story.company, "range=90d").escalations

    assert escalations.period_days == 7
    assert all(day.weekday() == 0 for day in escalations.periods)
    assert escalations.periods[-1] == MONDAY
    assert sum(s.counts[-1] for s in escalations.series) == 2


def test_escalations_table_and_small_multiples_render(story: Story, viewer: User) -> None:
    html = signed_in(viewer).get(URL).content.decode()
    section = html[html.index('id="in-esc-title"') :]

    assert 'aria-label="Human Request: 1 escalation, Feb 8 to Mar 10"' in section
    assert 'title="Mar 9: 1 escalation (Availability)"' in section
    assert re.search(r"<th scope=\"row\">Mar 9</th>(<td[^>]*>\d</td>){5}", section)


# ---- filters -----------------------------------------------------------------------------------


def test_the_list_filters_apply_to_every_chart(story: Story) -> None:
    voice = figures(story.company, "channel=voice")

    assert voice.analysed == 1
    assert voice.heat_map.total == insights.Rate(1, 1)
    assert [(o.goal, o.channel) for o in voice.outcomes] == [("speed_to_lead", "voice")]
    assert [t.replied for t in voice.cadence] == [1]
    assert [t.channel for t in voice.reply_times] == ["", "voice"]
    assert [s.status for s in voice.escalations.series if s.total] == ["escalated.availability"]

    escalated = figures(story.company, "escalated=1")
    assert escalated.analysed == 2
    assert escalated.outreach == 2


def test_a_selection_without_outreach_says_what_to_do(story: Story, viewer: User) -> None:
    response = signed_in(viewer).get(URL + "?goal=inbound_sms")
    page = text_of(response.content.decode())

    assert response.status_code == 200
    assert "Based on 1 interaction." in page
    assert "No outreach by the agent in this selection." in page
    assert "No lead has replied to the agent's outreach in this selection yet." in page
    assert "No escalations in this selection and time range." in page


def test_a_time_range_with_nothing_in_it_offers_to_clear_the_filters(
    story: Story, viewer: User
) -> None:
    page = text_of(signed_in(viewer).get(URL + "?range=custom&to=2026-01-01").content.decode())

    assert "No interactions match these filters" in page
    assert "Clear filters" in page


def test_a_company_without_conversations_is_told_how_to_start(
    company: Company, viewer: User
) -> None:
    page = text_of(signed_in(viewer).get(URL).content.decode())

    assert "No conversations yet" in page
    assert "Enable a campaign" in page


def test_the_interactions_page_links_to_insights_with_its_filters(
    story: Story, viewer: User
) -> None:
    html = signed_in(viewer).get("/growth/interactions/?channel=voice&range=7d").content.decode()

    assert f'href="{URL}?channel=voice&amp;range=7d">Insights</a>' in html
    back = signed_in(viewer).get(URL + "?channel=voice&range=7d").content.decode()
    assert 'href="/growth/interactions/?channel=voice&amp;range=7d"' in back
    assert f'action="{URL}"' in back


def test_a_large_selection_is_analysed_from_its_most_recent_interactions(
    story: Story, viewer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(insights, "SAMPLE_SIZE", 2)

    data = figures(story.company)
    page = text_of(signed_in(viewer).get(URL).content.decode())

    assert (data.analysed, data.matching, data.capped) == (2, 6, True)
    assert "Based on the 2 most recent of 6 matching interactions." in page


def test_the_figures_take_a_fixed_number_of_queries(story: Story) -> None:
    filters = InteractionFilters(time_range=TimeRange.DAYS_90)
    with CaptureQueriesContext(connection) as queries:
        interaction_insights(company=story.company, filters=filters)

    assert len(queries) <= 6


# ---- who may see it ----------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(db: None) -> None:
    response = Client().get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_a_user_without_view_customer_chats_gets_403(company: Company) -> None:
    user = make_user(company, role="Viewer")
    user.groups.clear()

    response = signed_in(User.objects.get(pk=user.pk)).get(URL)

    assert response.status_code == 403


@pytest.mark.parametrize("role", ["Viewer", "Manager", "CSR", "Administrator"])
def test_every_role_with_view_customer_chats_sees_insights(
    story: Story, company: Company, role: str
) -> None:
    response = signed_in(make_user(company, role=role)).get(URL)

    assert response.status_code == 200
    assert "<h1>Insights</h1>" in response.content.decode()


def test_another_company_sees_none_of_it(story: Story, other_admin: User) -> None:
    page = text_of(signed_in(other_admin).get(URL).content.decode())

    assert "Based on 1 interaction." in page
    assert "Leads replied to 100% of the outreach (1 of 1)." in page
    assert "Negative Sentiment" in page
    assert "Human Request 0" in page
    assert "Speed to Lead · Voice Agent" not in page
    assert "Inbound SMS · SMS Agent" not in page
