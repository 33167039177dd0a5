"""Property tests of the gate against an oracle written independently from the code.

For random instants over a year and leads whose ZIP and phone may disagree, an
outreach is allowed exactly when the local time of every place the lead may be is
inside that place's window, and a refusal names a retry moment that is allowed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from leadline.compliance.gate import Reason, SendKind, Verdict, decide

# Bounded and reproducible: the same 200 examples on every run, nothing written to disk.
bounded = settings(max_examples=200, deadline=None, derandomize=True, database=None)

# What the oracle knows about each ZIP and phone: (zone, state), None when unknown.
ZIPS: dict[str, tuple[str, str] | None] = {
    "78704": ("America/Chicago", "TX"),
    "33101": ("America/New_York", "FL"),
    "06103": ("America/New_York", "CT"),
    "35203": ("America/Chicago", "AL"),
    "89101": ("America/Los_Angeles", "NV"),
    "40202": ("America/Kentucky/Louisville", "KY"),
    "10001": ("America/New_York", "NY"),
    "98101": ("America/Los_Angeles", "WA"),
    "96813": ("Pacific/Honolulu", "HI"),
    "": None,
}
PHONES: dict[str, tuple[str, str | None] | None] = {
    "+15125550143": ("America/Chicago", "TX"),
    "+13055550143": ("America/New_York", "FL"),
    "+12065550143": ("America/Los_Angeles", None),
    "+18085550143": ("Pacific/Honolulu", "HI"),
    "+18005550143": None,
}
COMPANY_ZONES = ["America/Chicago", "America/New_York", "America/Los_Angeles"]

# Local hours [start, end) by state: (Monday to Saturday, Sunday); None is closed.
HOURS: dict[str | None, tuple[tuple[int, int], tuple[int, int] | None]] = {
    "TX": ((9, 21), (12, 21)),
    "FL": ((8, 20), (8, 20)),
    "CT": ((9, 20), (9, 20)),
    "AL": ((8, 20), None),
    "NV": ((9, 20), (9, 20)),
    "KY": ((10, 21), (10, 21)),
}
FEDERAL = ((8, 21), (8, 21))


def expected_places(zip_code: str, phone: str, company_zone: str) -> set[tuple[str, str | None]]:
    places = {place for place in (ZIPS[zip_code], PHONES[phone]) if place is not None}
    return places or {(company_zone, None)}


def inside(moment: datetime, zone: str, state: str | None) -> bool:
    local = moment.astimezone(ZoneInfo(zone))
    weekday_hours, sunday_hours = HOURS.get(state, FEDERAL)
    hours = sunday_hours if local.weekday() == 6 else weekday_hours
    if hours is None:
        return False
    minutes = local.hour * 60 + local.minute
    return hours[0] * 60 <= minutes < hours[1] * 60


YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)
anywhere_in_the_year = st.builds(
    lambda minutes, seconds: YEAR_START + timedelta(minutes=minutes, seconds=seconds),
    st.integers(0, 365 * 24 * 60),
    st.integers(0, 59),
)
leads = st.fixed_dictionaries(
    {
        "lead_zip": st.sampled_from(sorted(ZIPS)),
        "lead_phone_e164": st.sampled_from(sorted(PHONES)),
        "company_time_zone": st.sampled_from(COMPANY_ZONES),
    }
)


@st.composite
def cases(draw: st.DrawFn) -> tuple[datetime, dict[str, Any]]:
    """A lead and an instant: anywhere in the year, or on the edge of one of its windows."""
    lead = draw(leads)
    if draw(st.booleans()):
        return draw(anywhere_in_the_year), lead
    # Random instants rarely land on an edge; these sit on the minute a window of one
    # of the lead's places opens or closes, or the minute before.
    places = expected_places(lead["lead_zip"], lead["lead_phone_e164"], lead["company_time_zone"])
    zone, state = draw(st.sampled_from(sorted(places, key=str)))
    day = YEAR_START.date() + timedelta(days=draw(st.integers(0, 364)))
    weekday_hours, sunday_hours = HOURS.get(state, FEDERAL)
    hours = (sunday_hours if day.weekday() == 6 else weekday_hours) or weekday_hours
    local = datetime(
        day.year, day.month, day.day, draw(st.sampled_from(hours)), tzinfo=ZoneInfo(zone)
    )
    return local - timedelta(minutes=draw(st.sampled_from([0, 1]))), lead


def outreach(now: datetime, lead: dict[str, Any], **overrides: Any) -> Verdict:
    fields: dict[str, Any] = {
        "kind": SendKind.OUTREACH,
        "now": now,
        "tighten": None,
        "opted_out": False,
        "agent_paused": False,
        "last_inbound_at": None,
        **lead,
    }
    fields.update(overrides)
    return decide(**fields)


@bounded
@given(case=cases())
def test_outreach_is_allowed_exactly_when_every_place_is_inside_its_window(
    case: tuple[datetime, dict[str, Any]],
) -> None:
    now, lead = case
    places = expected_places(lead["lead_zip"], lead["lead_phone_e164"], lead["company_time_zone"])
    expected = all(inside(now, zone, state) for zone, state in places)
    assert outreach(now, lead).allowed is expected


@bounded
@given(case=cases())
def test_a_refusal_for_quiet_hours_names_the_first_allowed_moment(
    case: tuple[datetime, dict[str, Any]],
) -> None:
    now, lead = case
    verdict = outreach(now, lead)
    if verdict.allowed:
        return
    assert verdict.reason == Reason.QUIET_HOURS
    assert verdict.retry_at is not None
    assert verdict.retry_at > now
    assert verdict.retry_at - now < timedelta(days=2)
    assert outreach(verdict.retry_at, lead).allowed
    just_before = verdict.retry_at - timedelta(minutes=1)
    if just_before >= now:
        assert not outreach(just_before, lead).allowed


@bounded
@given(
    now=anywhere_in_the_year,
    lead=leads,
    kind=st.sampled_from([SendKind.OUTREACH, SendKind.REPLY]),
    opted_out=st.booleans(),
    inbound_age=st.one_of(st.none(), st.integers(0, 120)),
)
def test_an_opted_out_or_taken_over_lead_never_gets_an_automated_send(
    now: datetime, lead: dict[str, Any], kind: SendKind, opted_out: bool, inbound_age: int | None
) -> None:
    last_inbound_at = None if inbound_age is None else now - timedelta(minutes=inbound_age)
    verdict = outreach(
        now,
        lead,
        kind=kind,
        opted_out=opted_out,
        agent_paused=not opted_out,
        last_inbound_at=last_inbound_at,
    )
    assert not verdict.allowed
    assert verdict.reason == (Reason.OPTED_OUT if opted_out else Reason.TAKEN_OVER)
    assert verdict.retry_at is None


@bounded
@given(now=anywhere_in_the_year, lead=leads, age_seconds=st.integers(0, 15 * 60 - 1))
def test_a_reply_to_a_fresh_lead_message_is_never_held_for_quiet_hours(
    now: datetime, lead: dict[str, Any], age_seconds: int
) -> None:
    verdict = outreach(
        now, lead, kind=SendKind.REPLY, last_inbound_at=now - timedelta(seconds=age_seconds)
    )
    assert verdict.allowed


@bounded
@given(now=anywhere_in_the_year, lead=leads, age_minutes=st.integers(15, 24 * 60))
def test_a_reply_to_an_older_lead_message_follows_the_outreach_rule(
    now: datetime, lead: dict[str, Any], age_minutes: int
) -> None:
    reply = outreach(
        now, lead, kind=SendKind.REPLY, last_inbound_at=now - timedelta(minutes=age_minutes)
    )
    assert reply == outreach(now, lead)
