"""The agent's phrasing: notes, times, ZIP lists."""

from __future__ import annotations

from datetime import datetime

import pytest

from leadline.agent import writing
from tests.agent.helpers import CHICAGO


@pytest.mark.parametrize(
    ("note", "phrase"),
    [
        ("AC not cooling", "your AC that isn't cooling"),
        ("furnace not heating", "your furnace that isn't heating"),
        ("garage door won't open", "your garage door that won't open"),
        ("drain clogged", "your clogged drain"),
        ("AC out", "your AC that's out"),
        ("leaking pipe", "your leaking pipe"),
        ("water heater", "your water heater"),
        ("AC", "your AC"),
        ("tune up", "an HVAC tune-up"),
        ("panel upgrade", "a panel upgrade"),
        ("EV charger install", "an EV charger install"),
        ("water heater replacement estimate", "a water heater replacement estimate"),
        ("question", "your question"),
        ("", "your service request"),
    ],
)
def test_the_lead_note_as_a_phrase(note: str, phrase: str) -> None:
    assert writing.describe_note(note, None) == phrase


def test_a_long_note_is_read_from_its_first_clause() -> None:
    note = "My AC stopped cooling yesterday and it is really hot in here"
    assert writing.describe_note(note, "ac_repair") == "your AC that stopped cooling"


def test_a_note_that_fits_no_template_falls_back_to_the_job_type() -> None:
    note = "upstairs unit in the bonus room blows but the air feels humid and weird"
    assert writing.describe_note(note, "ac_repair") == "the AC repair you asked about"


def local(hour: int, day: int = 4) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=CHICAGO)


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        (8, 10, "Wed Mar 4, 8-10am"),
        (10, 12, "Wed Mar 4, 10am-12pm"),
        (12, 14, "Wed Mar 4, 12-2pm"),
        (14, 16, "Wed Mar 4, 2-4pm"),
    ],
)
def test_sms_window_labels(start: int, end: int, text: str) -> None:
    assert writing.window_label(local(start), local(end), "sms") == text


def test_voice_window_labels_are_spoken() -> None:
    assert (
        writing.window_label(local(10), local(12), "voice")
        == "Wednesday, March 4, between 10 am and noon"
    )
    assert (
        writing.window_label(local(8), local(10), "voice")
        == "Wednesday, March 4, between 8 and 10 am"
    )


def test_voice_offer_says_each_day_once() -> None:
    windows = [(local(8), local(10)), (local(14), local(16)), (local(8, 5), local(10, 5))]
    assert writing.offer(windows, "voice").startswith(
        "I have Wednesday, March 4, 8 to 10 am, 2 to 4 pm, or Thursday, March 5, 8 to 10 am."
    )


def test_zip_list_collapses_runs() -> None:
    zips = [str(z) for z in range(78701, 78760)] + ["78613", "78660", "78664", "78665"]
    assert writing.area_summary(zips) == "78613, 78660, 78664, 78665 and 78701-78759"


def test_trades_named_from_the_skills() -> None:
    assert writing.trades_phrase(["ac_repair", "leak_repair"]) == "heating and cooling or plumbing"
