"""Engagement labels from reply timing (agent/engagement.py), and how they reach the status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from leadline.accounts.models import Company
from leadline.agent.engagement import engagement_of, replies_from
from leadline.campaigns.models import Campaign
from leadline.campaigns.services import start_campaign_for_lead
from leadline.channels.services import receive_sms
from leadline.interactions.models import Interaction
from leadline.simulation.runner import VirtualWorker
from tests.builders import make_lead

T0 = datetime(2026, 3, 3, 20, 0, tzinfo=UTC)


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def label(inbound: list[tuple[float, str]], ours: list[float], now: float) -> str | None:
    """Our messages go before the lead's at the same minute."""
    thread = [(m, 0, True, body) for m, body in inbound] + [(m, -1, False, "") for m in ours]
    thread.sort(key=lambda item: (item[0], item[1]))
    replies = replies_from([(minutes(m), lead, body) for m, _, lead, body in thread])
    return engagement_of(replies, now=minutes(now))


def test_no_reply_has_no_engagement_label() -> None:
    assert label([], [0], now=10) is None


def test_one_quick_reply_is_warm() -> None:
    assert label([(2, "yes")], [0], now=2) == "warm"


def test_two_quick_replies_within_the_hour_are_hot() -> None:
    assert label([(2, "yes"), (4, "do you service Trane?")], [0, 2], now=4) == "hot"


def test_a_quick_reply_after_a_slow_one_is_hot_when_both_are_within_the_hour() -> None:
    assert label([(20, "yes"), (24, "ok tomorrow")], [0, 20], now=24) == "hot"


def test_a_reply_more_than_five_minutes_after_our_message_is_not_hot() -> None:
    assert label([(2, "yes"), (12, "sure thing works")], [0, 2], now=12) == "warm"


def test_hot_cools_to_warm_after_an_hour_of_silence() -> None:
    assert label([(2, "yes"), (4, "ok")], [0, 2, 4], now=70) == "warm"


def test_two_short_slow_replies_are_cool() -> None:
    assert label([(45, "ok"), (140, "maybe")], [0, 50], now=140) == "cool"


def test_a_long_slow_reply_is_not_cool() -> None:
    replies = [(45, "ok"), (140, "maybe thursday afternoon would work for us")]
    assert label(replies, [0, 50], now=140) == "warm"


def test_a_day_of_silence_is_cold() -> None:
    assert label([(2, "yes")], [0, 2], now=2 + 24 * 60) == "cold"


def test_a_lead_who_writes_first_counts_as_quick() -> None:
    assert label([(0, "hi"), (1, "garage door stuck")], [0.5], now=1) == "hot"


def test_our_answer_in_the_same_second_does_not_make_a_slow_reply_quick() -> None:
    thread = [(minutes(0), False, "hi"), (minutes(45), True, "ok"), (minutes(45), False, "...")]
    thread += [(minutes(140), True, "maybe"), (minutes(140), False, "...")]
    assert engagement_of(replies_from(thread), now=minutes(140)) == "cool"


def test_the_first_reply_moves_started_to_an_active_status(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker
) -> None:
    interaction = start_campaign_for_lead(lead=make_lead(shop), campaign=sms_campaign)
    worker.run_due()
    receive_sms(company=shop, from_phone="+15125550143", body="hey yes")
    worker.run_due()
    interaction.refresh_from_db()
    assert interaction.status_label == "Active: Warm"
    receive_sms(company=shop, from_phone="+15125550143", body="do you service trane units?")
    worker.run_due()
    interaction.refresh_from_db()
    assert interaction.status_label == "Active: Hot"
    assert interaction.engagement == "hot"
    worker.advance(timedelta(minutes=61))
    interaction.refresh_from_db()
    assert interaction.status_label == "Active: Warm"
    worker.advance(timedelta(hours=24))
    interaction.refresh_from_db()
    assert interaction.status_label == "Active: Cold"


def test_slow_short_answers_make_it_cool(
    shop: Company, sms_campaign: Campaign, worker: VirtualWorker
) -> None:
    interaction = start_campaign_for_lead(lead=make_lead(shop), campaign=sms_campaign)
    worker.run_due()
    worker.advance(timedelta(minutes=40))
    receive_sms(company=shop, from_phone="+15125550143", body="ok")
    worker.run_due()
    worker.advance(timedelta(minutes=45))
    receive_sms(company=shop, from_phone="+15125550143", body="maybe")
    worker.run_due()
    interaction = Interaction.objects.get(pk=interaction.pk)
    assert interaction.status_label == "Active: Cool"
