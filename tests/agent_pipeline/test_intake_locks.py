"""A lead intake in progress does not hold up the company's touches and sends (PostgreSQL).

Found by benchmarks/intake.py: with leads posted in bursts, the worker's touch locked
the company and campaign rows (FOR UPDATE through select_related) while the intake
held the campaign and a key-share lock on the company (its lead's foreign key): the
two deadlocked, the API answered 500 and some leads never got their first text.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from leadline.accounts.models import Company
from leadline.campaigns.intake import take_in_lead
from leadline.campaigns.models import Campaign
from leadline.campaigns.services import run_touch, start_campaign_for_lead
from leadline.channels.services import deliver_message
from leadline.channels.simulator import SimulatorProvider
from leadline.interactions.models import Author, Message
from tests.builders import make_lead

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_touch_and_its_send_go_out_while_another_lead_is_being_taken_in(
    shop: Company, sms_campaign: Campaign, provider: SimulatorProvider
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite runs one writer at a time")
    interaction = start_campaign_for_lead(lead=make_lead(shop), campaign=sms_campaign)
    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def intake_left_open() -> None:
        # An intake that has taken its locks and not yet committed (a slow request).
        try:
            with transaction.atomic():
                take_in_lead(company=shop, phone="+15125550177", first_name="Jo")
                holding.set()
                release.wait(timeout=30)
        except BaseException as exc:
            errors.append(exc)
            holding.set()
        finally:
            connection.close()

    other = threading.Thread(target=intake_left_open)
    other.start()
    try:
        assert holding.wait(timeout=30)
        with connection.cursor() as cursor:
            # Waiting would be the bug: fail fast instead of hanging on the lock.
            cursor.execute("SET lock_timeout = '3s'")
        assert run_touch(interaction_id=interaction.pk, touch=1) == "touch 1 sent"
        [message] = Message.objects.filter(interaction=interaction, author=Author.AGENT)
        assert deliver_message(message_id=message.pk, kind="outreach").startswith("sent")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
        release.set()
        other.join(timeout=30)
    assert errors == []
    assert len(provider.sent) == 1
