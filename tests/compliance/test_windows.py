"""Quiet-hours windows as data: federal 8:00-21:00, narrowed by state, tightened by a company."""

from __future__ import annotations

from datetime import date, time

import pytest

from leadline.compliance.rules import (
    FEDERAL_WINDOW,
    STATE_WINDOWS,
    allowed_window,
    parse_outreach_window,
)

MONDAY = date(2026, 7, 13)
SATURDAY = date(2026, 7, 18)
SUNDAY = date(2026, 7, 19)

# The product brief's table, written out again by hand: (weekday hours, Sunday hours).
BRIEF = {
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
}


def _hours(window: tuple[time, time] | None) -> tuple[int, int] | None:
    return None if window is None else (window[0].hour, window[1].hour)


def test_the_state_table_is_exactly_the_product_brief() -> None:
    assert set(STATE_WINDOWS) == set(BRIEF)
    for state, (weekday, sunday) in BRIEF.items():
        week = STATE_WINDOWS[state]
        assert len(week) == 7
        assert [_hours(w) for w in week[:6]] == [weekday] * 6, state
        assert _hours(week[6]) == sunday, state


@pytest.mark.parametrize("state", sorted(BRIEF))
def test_allowed_window_of_each_state_on_a_weekday_saturday_and_sunday(state: str) -> None:
    weekday, sunday = BRIEF[state]
    assert _hours(allowed_window(state, MONDAY, None)) == weekday
    assert _hours(allowed_window(state, SATURDAY, None)) == weekday
    assert _hours(allowed_window(state, SUNDAY, None)) == sunday


@pytest.mark.parametrize("state", [None, "", "NY", "WA", "HI", "CA", "ZZ"])
def test_a_state_without_its_own_rule_gets_the_federal_window_every_day(state: str | None) -> None:
    for day in (MONDAY, SATURDAY, SUNDAY):
        assert allowed_window(state, day, None) == (time(8), time(21))
    assert all(window == (time(8), time(21)) for window in FEDERAL_WINDOW)


def test_state_codes_are_read_in_any_case() -> None:
    assert allowed_window("tx", SUNDAY, None) == (time(12), time(21))
    assert allowed_window(" al ", SUNDAY, None) is None


def test_a_company_can_tighten_the_window() -> None:
    tighten = {"start": "09:30", "end": "19:00"}
    assert allowed_window("NY", MONDAY, tighten) == (time(9, 30), time(19))
    assert allowed_window("TX", SUNDAY, tighten) == (time(12), time(19))


def test_a_company_cannot_widen_the_legal_window() -> None:
    assert allowed_window("FL", MONDAY, {"start": "06:00", "end": "23:00"}) == (time(8), time(20))
    assert allowed_window("AL", SUNDAY, {"start": "06:00", "end": "23:00"}) is None


def test_a_tightening_that_leaves_nothing_closes_the_day() -> None:
    assert allowed_window("NV", MONDAY, {"start": "20:00"}) is None


def test_only_one_side_of_the_window_can_be_tightened() -> None:
    assert allowed_window("NY", MONDAY, {"end": "18:00"}) == (time(8), time(18))
    assert allowed_window("NY", MONDAY, {"start": "10:00"}) == (time(10), time(21))
    assert allowed_window("NY", MONDAY, {}) == (time(8), time(21))


@pytest.mark.parametrize(
    "value",
    [
        {"start": "9am"},
        {"start": "25:00"},
        {"end": 20},
        {"start": "20:00", "end": "09:00"},
        {"days": ["mon"]},
        ["09:00", "20:00"],
    ],
)
def test_a_malformed_company_window_is_rejected_by_the_parser(value: object) -> None:
    with pytest.raises(ValueError):
        parse_outreach_window(value)  # type: ignore[arg-type]


def test_a_malformed_company_window_leaves_the_legal_window_in_force() -> None:
    assert allowed_window("CT", MONDAY, {"start": "9am"}) == (time(9), time(20))
