"""Several workers at once: a touch, a send and a booking each happen once."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from leadline.accounts.models import Company
from leadline.campaigns.models import Campaign
from leadline.campaigns.services import run_touch, start_campaign_for_lead
from leadline.channels.services import deliver_message
from leadline.channels.simulator import SimulatorProvider
from leadline.interactions.models import Author, Message
from tests.builders import make_lead

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 4


def at_once(work: Callable[[], str], workers: int = WORKERS) -> list[str]:
    results: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(workers)

    def worker() -> None:
        try:
            start.wait()
            results.append(work())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return results


def test_workers_running_the_same_touch_at_once_send_it_once(
    shop: Company, sms_campaign: Campaign, provider: SimulatorProvider
) -> None:
    interaction = start_campaign_for_lead(lead=make_lead(shop), campaign=sms_campaign)
    results = at_once(lambda: run_touch(interaction_id=interaction.pk, touch=1))
    assert results.count("touch 1 sent") == 1
    [message] = Message.objects.filter(interaction=interaction, author=Author.AGENT)
    sends = at_once(lambda: deliver_message(message_id=message.pk, kind="outreach"))
    assert len([r for r in sends if r.startswith("sent")]) == 1
    assert len(provider.sent) == 1
