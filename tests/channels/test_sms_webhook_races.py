"""The same inbound webhook delivered several times at once: it is taken in once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django_tasks_db.models import DBTaskResult

from leadline.accounts.models import Company
from leadline.campaigns.models import Campaign
from leadline.channels.models import WebhookReceipt
from leadline.crm.models import Lead
from leadline.crm.services import create_lead
from leadline.interactions.models import Message
from tests.channels.conftest import LEAD_PHONE, post_signed
from tests.fakes.twilio_server import inbound_sms_params

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 4


def post_at_once(params: dict[str, str]) -> list[int]:
    statuses: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def deliver() -> None:
        try:
            client = Client()
            start.wait()
            statuses.append(post_signed(client, "/webhooks/twilio/sms", params).status_code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=deliver) for _ in range(THREADS)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=60)
    assert errors == []
    return statuses


def answers_queued() -> int:
    return DBTaskResult.objects.filter(
        task_path="leadline.channels.tasks.handle_inbound_sms"
    ).count()


def test_concurrent_duplicates_from_a_new_number_make_one_lead_one_message_one_answer(
    shop: Company, inbound_campaign: Campaign
) -> None:
    params = inbound_sms_params(from_="+15125550150", body="Can someone look at my AC?")
    assert post_at_once(params) == [200] * THREADS
    assert Lead.objects.filter(company=shop, phone="+15125550150").count() == 1
    assert Message.objects.filter(company=shop, provider_id=params["MessageSid"]).count() == 1
    assert WebhookReceipt.objects.count() == 1
    assert answers_queued() == 1


def test_concurrent_duplicates_for_a_known_lead_make_one_message_one_answer(
    shop: Company, inbound_campaign: Campaign
) -> None:
    create_lead(company=shop, phone=LEAD_PHONE, first_name="Dana")
    params = inbound_sms_params(from_=LEAD_PHONE, body="yes")
    assert post_at_once(params) == [200] * THREADS
    assert Message.objects.filter(company=shop, direction="inbound").count() == 1
    assert answers_queued() == 1
