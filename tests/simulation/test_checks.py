"""The checks the scenario tests rely on do catch what they claim to catch."""

from __future__ import annotations

from datetime import timedelta

import pytest

from leadline.crm.models import Lead
from leadline.interactions.models import Author, Message
from leadline.interactions.services import take_over
from leadline.kit.clock import VirtualClock, use_clock
from leadline.simulation.runner import run_scenario
from tests.simulation.checks import (
    agent_messages_after_takeover,
    agent_messages_in_quiet_hours,
    played_lead,
)

SILENT_LEAD: dict[str, object] = {
    "campaign": {"goal": "speed_to_lead", "channel": "sms"},
    "lead": {
        "first_name": "Gwen",
        "phone": "+15125550105",
        "zip": "78723",
        "note": "tune up",
        "created_at": "2026-03-03T14:15:00-06:00",
    },
    "run_to_end": False,
}


def agent(at: str) -> dict[str, str]:
    return {"at": at, "author": "agent", "direction": "outbound", "channel": "sms", "body": "hi"}


def lead_text(at: str) -> dict[str, str]:
    return {"at": at, "author": "lead", "direction": "inbound", "channel": "sms", "body": "hi"}


@pytest.mark.django_db
def test_the_quiet_hours_check_flags_outreach_at_night_but_not_a_fresh_reply() -> None:
    run_scenario(SILENT_LEAD)
    lead = played_lead()
    night = {"messages": [agent("2026-03-03T22:30:00-06:00")]}
    assert len(agent_messages_in_quiet_hours(night, lead)) == 1
    reply = {
        "messages": [lead_text("2026-03-03T22:25:00-06:00"), agent("2026-03-03T22:30:00-06:00")]
    }
    assert agent_messages_in_quiet_hours(reply, lead) == []
    late = {
        "messages": [lead_text("2026-03-03T22:00:00-06:00"), agent("2026-03-03T22:30:00-06:00")]
    }
    assert len(agent_messages_in_quiet_hours(late, lead)) == 1


@pytest.mark.django_db
def test_the_takeover_check_flags_an_agent_text_sent_after_the_takeover() -> None:
    run_scenario(SILENT_LEAD)
    lead = played_lead()
    assert agent_messages_after_takeover(lead) == []
    sent = Message.objects.get(interaction__lead=lead, author=Author.AGENT)
    assert sent.sent_at is not None
    clock = VirtualClock(sent.sent_at - timedelta(minutes=1))
    with use_clock(clock):
        take_over(lead=Lead.objects.get(pk=lead.pk), actor=None)
    assert agent_messages_after_takeover(lead) == [sent.body[:60]]
