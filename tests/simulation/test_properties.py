"""Whatever happens, in whatever order, the pipeline never sends an agent message in quiet
hours, after an opt-out or after a takeover (hypothesis plays random scenarios)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadline.simulation.runner import ExpectationFailed, run_scenario
from tests.simulation.checks import (
    agent_messages_after_opt_out,
    agent_messages_after_takeover,
    agent_messages_in_quiet_hours,
    played_lead,
)

LEAD_TEXTS = [
    "yes",
    "yes please what do you have",
    "the first one",
    "STOP",
    "no más",
    "wrong number",
    "stop texting me",
    "START",
    "HELP",
    "can i talk to a person",
    "ok",
    "how much is it?",
    "tomorrow morning?",
    "you people are the worst, never showed up",
]
STEPS = st.one_of(
    st.sampled_from(LEAD_TEXTS).map(lambda text: {"lead_says": text}),
    st.sampled_from(["4m", "20m", "50m", "3h", "11h", "1d", "3d"]).map(lambda d: {"wait": d}),
    st.just({"human_takes_over": {}}),
    st.just({"human_says": "Hi, this is Sam from the office."}),
    st.sampled_from(["30006", "21610"]).map(lambda c: {"delivery_fails": {"error_code": c}}),
)
# Weekday afternoon, late evening, just before midnight, Sunday morning (Texas rules).
CREATED = [
    "2026-03-03T14:15:00-06:00",
    "2026-03-03T20:50:00-06:00",
    "2026-06-13T23:40:00-05:00",
    "2026-06-14T08:10:00-05:00",
]


def scenario(created_at: str, channel: str, steps: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": "random",
        "campaign": {"goal": "speed_to_lead", "channel": channel},
        "lead": {
            "first_name": "Dana",
            "last_name": "Ruiz",
            "phone": "+15125550143",
            "zip": "78704",
            "note": "AC not cooling",
            "created_at": created_at,
        },
        "steps": steps,
        "run_to_end": True,
    }


@pytest.mark.slow
@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    created_at=st.sampled_from(CREATED),
    channel=st.sampled_from(["sms", "sms", "voice"]),
    steps=st.lists(STEPS, max_size=8),
)
def test_no_agent_message_in_quiet_hours_after_an_opt_out_or_after_a_takeover(
    created_at: str, channel: str, steps: list[dict[str, Any]]
) -> None:
    try:
        output = run_scenario(scenario(created_at, channel, steps))
    except ExpectationFailed as failed:
        output = failed.output
    lead = played_lead()
    assert agent_messages_in_quiet_hours(output, lead) == []
    assert agent_messages_after_opt_out(lead) == []
    assert agent_messages_after_takeover(lead) == []
