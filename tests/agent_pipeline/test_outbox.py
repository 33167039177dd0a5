"""The outbox: a text is queued with its send task, and the task checks again when it sends."""

from __future__ import annotations

from datetime import datetime

import pytest
from django_tasks_db.models import DBTaskResult

from leadline.accounts.models import Company, User
from leadline.campaigns.models import Campaign
from leadline.channels.services import deliver_message
from leadline.channels.simulator import SimulatorProvider
from leadline.compliance.gate import SendKind
from leadline.compliance.services import record_opt_out
from leadline.interactions.models import Author, Message
from leadline.interactions.services import queue_outbound_message, take_over
from leadline.kit.clock import VirtualClock
from leadline.simulation.runner import VirtualWorker
from tests.builders import make_interaction, make_lead
from tests.shop import CHICAGO


def queue(interaction: object, kind: SendKind = SendKind.OUTREACH) -> Message:
    return queue_outbound_message(
        interaction=interaction,  # type: ignore[arg-type]
        body="Hi Dana, Lone Star Comfort Pros here. Reply STOP to opt out.",
        author=Author.AGENT,
        kind=kind.value,
    )


def test_queueing_writes_the_send_task_in_the_same_transaction(
    shop: Company, sms_campaign: Campaign
) -> None:
    interaction = make_interaction(shop, campaign=sms_campaign, lead=make_lead(shop))
    message = queue(interaction)
    assert message.delivery_status == Message.Delivery.QUEUED
    task = DBTaskResult.objects.get(task_path="leadline.channels.tasks.send_message")
    assert task.args_kwargs["args"] == [message.pk, "outreach"]


def test_a_text_is_sent_once_however_often_its_task_runs(
    shop: Company, sms_campaign: Campaign, provider: SimulatorProvider
) -> None:
    interaction = make_interaction(shop, campaign=sms_campaign, lead=make_lead(shop))
    message = queue(interaction)
    assert deliver_message(message_id=message.pk, kind="outreach").startswith("sent")
    assert deliver_message(message_id=message.pk, kind="outreach") == "skipped: already delivered"
    assert len(provider.sent) == 1
    message.refresh_from_db()
    assert message.sent_at is not None


def test_outreach_queued_at_night_waits_for_the_allowed_hours(
    shop: Company,
    sms_campaign: Campaign,
    clock: VirtualClock,
    worker: VirtualWorker,
    provider: SimulatorProvider,
) -> None:
    clock.set(datetime(2026, 3, 3, 23, 0, tzinfo=CHICAGO))
    interaction = make_interaction(shop, campaign=sms_campaign, lead=make_lead(shop))
    message = queue(interaction)
    worker.run_due()
    message.refresh_from_db()
    assert message.delivery_status == Message.Delivery.QUEUED
    assert provider.sent == []
    worker.run_to_end()
    message.refresh_from_db()
    assert message.sent_at == datetime(2026, 3, 4, 9, 0, tzinfo=CHICAGO)


def test_a_takeover_stops_what_the_agent_had_queued(
    shop: Company,
    sms_campaign: Campaign,
    csr: User,
    worker: VirtualWorker,
    provider: SimulatorProvider,
) -> None:
    lead = make_lead(shop)
    interaction = make_interaction(shop, campaign=sms_campaign, lead=lead)
    message = queue(interaction)
    take_over(lead=lead, actor=csr)
    worker.run_due()
    message.refresh_from_db()
    assert message.delivery_status == Message.Delivery.BLOCKED
    assert provider.sent == []


@pytest.mark.parametrize("author", [Author.AGENT, Author.HUMAN])
def test_nothing_goes_to_a_number_that_opted_out_after_it_was_queued(
    shop: Company,
    sms_campaign: Campaign,
    worker: VirtualWorker,
    provider: SimulatorProvider,
    author: str,
) -> None:
    lead = make_lead(shop)
    interaction = make_interaction(shop, campaign=sms_campaign, lead=lead)
    kind = SendKind.REPLY if author == Author.AGENT else SendKind.HUMAN
    message = queue_outbound_message(
        interaction=interaction, body="Still there?", author=author, kind=kind.value
    )
    record_opt_out(company=shop, phone=lead.phone, method="keyword", raw_text="STOP")
    worker.run_due()
    message.refresh_from_db()
    assert message.delivery_status == Message.Delivery.BLOCKED
    assert provider.sent == []
