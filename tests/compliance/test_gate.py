"""The gate's rule, without a database: quiet hours, the 15-minute reply, opt-out, takeover."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from leadline.compliance.gate import (
    Locale,
    Reason,
    SendKind,
    Verdict,
    decide,
    lead_locales,
    lead_time_zone,
)

TX_PHONE = "+15125550143"
TX_ZIP = "78704"
CHICAGO = "America/Chicago"
NEW_YORK = "America/New_York"
TOLL_FREE = "+18005550143"


def at(local: str, zone: str = CHICAGO) -> datetime:
    """An instant given as the wall-clock time in `zone`."""
    return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def verdict(now: datetime, **overrides: Any) -> Verdict:
    fields: dict[str, Any] = {
        "kind": SendKind.OUTREACH,
        "now": now,
        "lead_phone_e164": TX_PHONE,
        "lead_zip": TX_ZIP,
        "company_time_zone": CHICAGO,
        "tighten": None,
        "opted_out": False,
        "agent_paused": False,
        "last_inbound_at": None,
    }
    fields.update(overrides)
    return decide(**fields)


# --- Each state's window, at its edges ---------------------------------------------

# A ZIP and an area code of the same state, so nothing disagrees: (zip, phone, zone).
STATE_LEADS = {
    "FL": ("33101", "+13055550143", NEW_YORK),
    "OK": ("73102", "+14055550143", CHICAGO),
    "MD": ("21201", "+14105550143", NEW_YORK),
    "NJ": ("07102", "+19735550143", NEW_YORK),
    "MA": ("02108", "+16175550143", NEW_YORK),
    "CT": ("06103", "+18605550143", NEW_YORK),
    "TX": ("78704", "+15125550143", CHICAGO),
    "AL": ("35203", "+12055550143", CHICAGO),
    "LA": ("70112", "+15045550143", CHICAGO),
    "MS": ("39201", "+16015550143", CHICAGO),
    "KY": ("40202", "+15025550143", "America/Kentucky/Louisville"),
    "MI": ("48226", "+13135550143", "America/Detroit"),
    "MN": ("55401", "+16125550143", CHICAGO),
    "NM": ("87102", "+15055550143", "America/Denver"),
    "NV": ("89101", "+17025550143", "America/Los_Angeles"),
    "NY": ("10001", "+12125550143", NEW_YORK),
}
# (Monday window, Sunday window) in local hours, from the product brief.
EXPECTED = {
    "FL": ((8, 20), (8, 20)),
    "OK": ((8, 20), (8, 20)),
    "MD": ((8, 20), (8, 20)),
    "NJ": ((8, 20), (8, 20)),
    "MA": ((8, 20), (8, 20)),
    "CT": ((9, 20), (9, 20)),
    "TX": ((9, 21), (12, 21)),
    "AL": ((8, 20), None),
    "LA": ((8, 20), None),
    "MS": ((8, 20), None),
    "KY": ((10, 21), (10, 21)),
    "MI": ((9, 21), (9, 21)),
    "MN": ((9, 21), (9, 21)),
    "NM": ((9, 21), (9, 21)),
    "NV": ((9, 20), (9, 20)),
    "NY": ((8, 21), (8, 21)),
}


def _state_lead(state: str) -> dict[str, Any]:
    zip_code, phone, _ = STATE_LEADS[state]
    return {"lead_zip": zip_code, "lead_phone_e164": phone}


@pytest.mark.parametrize("state", sorted(STATE_LEADS))
@pytest.mark.parametrize("day", ["2026-07-13", "2026-07-19"], ids=["monday", "sunday"])
def test_each_state_window_opens_and_closes_on_the_minute(state: str, day: str) -> None:
    zone = STATE_LEADS[state][2]
    window = EXPECTED[state][0 if day == "2026-07-13" else 1]
    lead = _state_lead(state)
    if window is None:
        for hour in (0, 8, 12, 20, 23):
            assert not verdict(at(f"{day} {hour:02}:00", zone), **lead).allowed
        return
    start, end = window
    assert not verdict(at(f"{day} {start - 1:02}:59", zone), **lead).allowed
    assert verdict(at(f"{day} {start:02}:00", zone), **lead).allowed
    assert verdict(at(f"{day} {end - 1:02}:59", zone), **lead).allowed
    refused = verdict(at(f"{day} {end:02}:00", zone), **lead)
    assert not refused.allowed
    assert refused.reason == Reason.QUIET_HOURS


def test_texas_weekday_opens_at_nine() -> None:
    assert not verdict(at("2026-07-14 08:59")).allowed
    assert verdict(at("2026-07-14 09:00")).allowed


def test_texas_sunday_opens_at_noon() -> None:
    early = verdict(at("2026-07-19 11:59"))
    assert not early.allowed
    assert early.retry_at == at("2026-07-19 12:00").astimezone(UTC)
    assert verdict(at("2026-07-19 12:00")).allowed


def test_alabama_has_no_outreach_on_sunday_and_retries_on_monday_at_eight() -> None:
    refused = verdict(at("2026-07-19 12:00"), **_state_lead("AL"))
    assert not refused.allowed
    assert refused.retry_at == at("2026-07-20 08:00").astimezone(UTC)


def test_federal_window_closes_at_nine_in_the_evening() -> None:
    lead = _state_lead("NY")
    assert verdict(at("2026-07-14 20:59", NEW_YORK), **lead).allowed
    closed = verdict(at("2026-07-14 21:00", NEW_YORK), **lead)
    assert not closed.allowed
    assert closed.retry_at == at("2026-07-15 08:00", NEW_YORK).astimezone(UTC)


# --- Daylight saving time ----------------------------------------------------------

ILLINOIS = {"lead_zip": "60601", "lead_phone_e164": "+13125550143"}


def test_spring_forward_morning_retries_at_eight_daylight_time() -> None:
    # 2026-03-08 01:30 CST; clocks jump to CDT at 2:00, so 8:00 local is 13:00 UTC.
    refused = verdict(utc("2026-03-08 07:30"), **ILLINOIS)
    assert refused.reason == Reason.QUIET_HOURS
    assert refused.retry_at == utc("2026-03-08 13:00")
    assert not verdict(utc("2026-03-08 12:59"), **ILLINOIS).allowed
    assert verdict(utc("2026-03-08 13:00"), **ILLINOIS).allowed


def test_spring_forward_sunday_in_texas_opens_at_noon_daylight_time() -> None:
    refused = verdict(utc("2026-03-08 07:30"))
    assert refused.retry_at == utc("2026-03-08 17:00")


def test_fall_back_morning_retries_at_eight_standard_time() -> None:
    # 2026-11-01 01:30 CDT, the first of the two 1:30s; 8:00 CST is 14:00 UTC.
    refused = verdict(utc("2026-11-01 06:30"), **ILLINOIS)
    assert refused.retry_at == utc("2026-11-01 14:00")
    assert not verdict(utc("2026-11-01 13:59"), **ILLINOIS).allowed
    assert verdict(utc("2026-11-01 14:00"), **ILLINOIS).allowed


def test_fall_back_evening_closes_at_nine_standard_time() -> None:
    assert verdict(utc("2026-11-02 02:59"), **ILLINOIS).allowed
    assert not verdict(utc("2026-11-02 03:00"), **ILLINOIS).allowed


# --- Where the lead is: ZIP, phone, company ----------------------------------------


def test_a_texas_phone_with_a_florida_zip_must_fit_both_windows() -> None:
    lead = {"lead_zip": "33101", "lead_phone_e164": TX_PHONE}
    assert {
        (loc.time_zone, loc.state) for loc in lead_locales(**lead, company_time_zone=CHICAGO)
    } == {
        (NEW_YORK, "FL"),
        (CHICAGO, "TX"),
    }
    # Monday: Texas 9:00-21:00 Central is 10:00-22:00 Eastern; Florida 8:00-20:00 Eastern.
    early = verdict(at("2026-07-13 09:30", NEW_YORK), **lead)
    assert early.reason == Reason.QUIET_HOURS
    assert early.retry_at == at("2026-07-13 10:00", NEW_YORK).astimezone(UTC)
    assert verdict(at("2026-07-13 10:00", NEW_YORK), **lead).allowed
    assert verdict(at("2026-07-13 19:59", NEW_YORK), **lead).allowed
    late = verdict(at("2026-07-13 20:00", NEW_YORK), **lead)
    assert late.retry_at == at("2026-07-14 10:00", NEW_YORK).astimezone(UTC)
    # Sunday: Texas opens at noon Central, 13:00 Eastern.
    sunday = verdict(at("2026-07-19 12:30", NEW_YORK), **lead)
    assert sunday.retry_at == at("2026-07-19 13:00", NEW_YORK).astimezone(UTC)


def test_a_number_spanning_two_zones_must_fit_both() -> None:
    idaho = {"lead_zip": "", "lead_phone_e164": "+12085550143"}
    zones = {loc.time_zone for loc in lead_locales(**idaho, company_time_zone=CHICAGO)}
    assert zones == {"America/Boise", "America/Los_Angeles"}
    refused = verdict(at("2026-07-14 08:30", "America/Boise"), **idaho)
    assert refused.retry_at == at("2026-07-14 08:00", "America/Los_Angeles").astimezone(UTC)


def test_unknown_zip_and_unknown_phone_zone_wait_for_the_company_window() -> None:
    unknown = {"lead_zip": "", "lead_phone_e164": TOLL_FREE}
    assert lead_locales(**unknown, company_time_zone=NEW_YORK) == (
        Locale(NEW_YORK, None, "company"),
    )
    assert verdict(at("2026-07-14 08:30", NEW_YORK), **unknown, company_time_zone=NEW_YORK).allowed
    # The same instant is 7:30 in a Chicago company's zone: too early.
    refused = verdict(at("2026-07-14 08:30", NEW_YORK), **unknown, company_time_zone=CHICAGO)
    assert refused.retry_at == at("2026-07-14 08:00", CHICAGO).astimezone(UTC)


@pytest.mark.parametrize("zip_code", ["", "00000", "abcde", "7870"])
def test_an_unknown_zip_falls_back_to_the_phone(zip_code: str) -> None:
    assert lead_locales(
        lead_zip=zip_code, lead_phone_e164=TX_PHONE, company_time_zone=NEW_YORK
    ) == (Locale(CHICAGO, "TX", "phone"),)


def test_a_zip_without_a_zone_counts_as_unknown() -> None:
    # Military ZIPs (APO/FPO) have a state code but no time zone.
    assert lead_locales(lead_zip="09001", lead_phone_e164=TOLL_FREE, company_time_zone=CHICAGO) == (
        Locale(CHICAGO, None, "company"),
    )


def test_the_lead_time_zone_prefers_the_zip() -> None:
    assert (
        lead_time_zone(lead_zip="33101", lead_phone_e164=TX_PHONE, company_time_zone=CHICAGO)
        == NEW_YORK
    )
    assert (
        lead_time_zone(lead_zip="", lead_phone_e164=TX_PHONE, company_time_zone=NEW_YORK) == CHICAGO
    )
    assert (
        lead_time_zone(lead_zip="", lead_phone_e164=TOLL_FREE, company_time_zone=NEW_YORK)
        == NEW_YORK
    )


def test_a_company_zone_that_is_not_a_zone_is_an_error() -> None:
    with pytest.raises(ValueError):
        verdict(
            at("2026-07-14 12:00"),
            lead_zip="",
            lead_phone_e164=TOLL_FREE,
            company_time_zone="Mars/Base",
        )


def test_a_san_antonio_number_without_a_zip_gets_the_texas_window() -> None:
    assert not verdict(at("2026-07-14 08:30"), lead_zip="", lead_phone_e164="+12105550143").allowed


# --- A reply is not outreach for 15 minutes -----------------------------------------


def test_a_reply_to_a_fresh_lead_message_may_go_at_any_hour() -> None:
    now = at("2026-07-14 23:00")
    assert verdict(now, kind=SendKind.REPLY, last_inbound_at=now - timedelta(minutes=14)).allowed
    assert verdict(now, kind=SendKind.REPLY, last_inbound_at=now).allowed


def test_a_reply_to_an_older_lead_message_is_outreach() -> None:
    now = at("2026-07-14 23:00")
    refused = verdict(now, kind=SendKind.REPLY, last_inbound_at=now - timedelta(minutes=20))
    assert refused.reason == Reason.QUIET_HOURS
    assert refused.retry_at == at("2026-07-15 09:00").astimezone(UTC)


def test_the_reply_grace_ends_at_exactly_fifteen_minutes() -> None:
    now = at("2026-07-14 23:00")
    assert not verdict(
        now, kind=SendKind.REPLY, last_inbound_at=now - timedelta(minutes=15)
    ).allowed


def test_a_reply_with_no_lead_message_is_outreach() -> None:
    assert not verdict(at("2026-07-14 23:00"), kind=SendKind.REPLY).allowed


def test_a_lead_message_stamped_far_in_the_future_does_not_open_the_gate() -> None:
    now = at("2026-07-14 23:00")
    assert not verdict(now, kind=SendKind.REPLY, last_inbound_at=now + timedelta(hours=1)).allowed


def test_the_reply_grace_is_for_replies_only() -> None:
    now = at("2026-07-14 23:00")
    assert not verdict(now, kind=SendKind.OUTREACH, last_inbound_at=now).allowed


# --- Opt-out, takeover, people, bad numbers ------------------------------------------

ALL_KINDS = list(SendKind)
NIGHT = at("2026-07-14 23:00")
NOON = at("2026-07-14 12:00")


@pytest.mark.parametrize(
    "kind",
    [k for k in ALL_KINDS if k not in (SendKind.OPT_OUT_CONFIRMATION, SendKind.HELP_REPLY)],
)
def test_an_opted_out_number_gets_nothing_but_the_confirmation(kind: SendKind) -> None:
    refused = verdict(NOON, kind=kind, opted_out=True, last_inbound_at=NOON)
    assert refused == Verdict(False, Reason.OPTED_OUT, None)


@pytest.mark.parametrize("now", [NOON, NIGHT])
@pytest.mark.parametrize("paused", [False, True])
def test_the_opt_out_confirmation_goes_at_any_hour_even_after_a_takeover(
    now: datetime, paused: bool
) -> None:
    assert verdict(
        now, kind=SendKind.OPT_OUT_CONFIRMATION, opted_out=True, agent_paused=paused
    ).allowed


def test_an_opted_out_number_that_texts_help_still_gets_the_help_answer() -> None:
    assert verdict(NIGHT, kind=SendKind.HELP_REPLY, opted_out=True).allowed


def test_no_opt_out_confirmation_to_a_number_that_is_not_opted_out() -> None:
    refused = verdict(NOON, kind=SendKind.OPT_OUT_CONFIRMATION)
    assert refused.reason == Reason.NOT_OPTED_OUT


@pytest.mark.parametrize("kind", [SendKind.OUTREACH, SendKind.REPLY])
def test_after_a_takeover_the_agent_sends_nothing(kind: SendKind) -> None:
    refused = verdict(NOON, kind=kind, agent_paused=True, last_inbound_at=NOON)
    assert refused == Verdict(False, Reason.TAKEN_OVER, None)


def test_after_a_takeover_a_team_member_may_still_text() -> None:
    assert verdict(NOON, kind=SendKind.HUMAN, agent_paused=True).allowed


def test_a_team_member_is_not_bound_by_quiet_hours() -> None:
    assert verdict(NIGHT, kind=SendKind.HUMAN).allowed


@pytest.mark.parametrize("kind", [SendKind.HELP_REPLY, SendKind.RESUBSCRIBE_CONFIRMATION])
def test_keyword_answers_go_at_any_hour_and_after_a_takeover(kind: SendKind) -> None:
    assert verdict(NIGHT, kind=kind, agent_paused=True).allowed


@pytest.mark.parametrize("phone", [None, "", "5125550143", "+1555", "+15125550143x", "garbage"])
@pytest.mark.parametrize("kind", ALL_KINDS)
def test_an_invalid_number_gets_nothing(phone: str | None, kind: SendKind) -> None:
    refused = verdict(NOON, kind=kind, lead_phone_e164=phone, opted_out=True)
    assert refused == Verdict(False, Reason.INVALID_NUMBER, None)


def test_the_kind_may_be_given_as_its_value() -> None:
    assert verdict(NOON, kind="outreach").allowed
    with pytest.raises(ValueError):
        verdict(NOON, kind="broadcast")


def test_a_naive_time_is_an_error() -> None:
    with pytest.raises(ValueError):
        verdict(datetime(2026, 7, 14, 12, 0))


# --- retry_at --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "now",
    [
        at("2026-07-13 00:00"),
        at("2026-07-13 08:59"),
        at("2026-07-13 21:00"),
        at("2026-07-18 23:59"),
        at("2026-07-19 09:00"),
        at("2026-07-19 11:59:30"),
    ],
)
def test_retry_at_is_the_first_allowed_minute(now: datetime) -> None:
    refused = verdict(now)
    assert refused.reason == Reason.QUIET_HOURS
    assert refused.retry_at is not None
    assert refused.retry_at > now
    assert refused.retry_at.tzinfo is UTC
    assert verdict(refused.retry_at).allowed
    one_minute_earlier = refused.retry_at - timedelta(minutes=1)
    if one_minute_earlier >= now:
        assert not verdict(one_minute_earlier).allowed


def test_a_company_window_that_leaves_nothing_is_reported_without_a_retry() -> None:
    refused = verdict(NOON, tighten={"start": "20:30"}, **_state_lead("FL"))
    assert refused == Verdict(False, Reason.NO_WINDOW, None)


def test_a_company_window_narrows_the_outreach() -> None:
    tighten = {"start": "10:00", "end": "18:00"}
    refused = verdict(at("2026-07-14 09:30"), tighten=tighten)
    assert refused.retry_at == at("2026-07-14 10:00").astimezone(UTC)
    assert not verdict(at("2026-07-14 18:00"), tighten=tighten).allowed
