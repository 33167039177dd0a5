"""Webhooks out: what is sent, to whom, signed how, and what happens when the receiver is down."""

from __future__ import annotations

import hmac
import itertools
from datetime import datetime, timedelta

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from leadline.accounts.models import Company
from leadline.campaigns.models import Campaign, Goal
from leadline.campaigns.services import start_campaign_for_lead
from leadline.channels.services import receive_sms
from leadline.compliance.services import record_opt_out
from leadline.interactions.models import Author, Interaction, Message
from leadline.interactions.services import add_message, change_status
from leadline.kit.clock import VirtualClock
from leadline.kit.errors import DomainError, NotFound
from leadline.simulation.runner import SimulationError, VirtualWorker
from leadline.webhooks import selectors, services
from leadline.webhooks.models import EVENT_TYPES, WebhookDelivery, WebhookEndpoint
from leadline.webhooks.services import create_endpoint
from tests.builders import make_campaign, make_company, make_interaction, make_lead
from tests.webhooks.conftest import Received, Receiver

pytestmark = pytest.mark.django_db


def verify(secret: str, request: Received) -> bool:
    """The receiver's check, written from docs/webhooks.md (not from Leadline's code):
    HMAC-SHA256 with the secret as key over "<timestamp>.<raw body>", hex, after "v1="."""
    timestamp = request.header("Leadline-Webhook-Timestamp")
    given = request.header("Leadline-Webhook-Signature")
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode() + b"." + request.body, "sha256")
    return hmac.compare_digest(given, "v1=" + digest.hexdigest())


def endpoint_for(company: Company, receiver: Receiver, *events: str) -> WebhookEndpoint:
    return create_endpoint(company=company, url=receiver.url, events=events or EVENT_TYPES)


def types_of(receiver: Receiver) -> list[str]:
    return [r.header("Leadline-Webhook-Event") for r in receiver.requests]


def test_a_status_change_is_posted_signed_with_an_event_id(
    shop: Company, worker: VirtualWorker, receiver: Receiver, clock: VirtualClock
) -> None:
    endpoint = endpoint_for(shop, receiver, "interaction.status_changed")
    interaction = make_interaction(shop)
    change_status(interaction=interaction, to="active.hot", actor_kind=Author.AGENT)

    worker.run_due()

    started, hot = receiver.requests
    assert all(verify(endpoint.secret, r) for r in receiver.requests)
    assert hot.header("Content-Type") == "application/json"
    assert hot.header("Leadline-Webhook-Timestamp") == str(int(clock.now().timestamp()))
    body = hot.json
    assert body["type"] == "interaction.status_changed"
    assert body["id"] == hot.header("Leadline-Webhook-Id") != started.header("Leadline-Webhook-Id")
    assert body["data"]["change"]["from_status"] == "started"
    assert body["data"]["change"]["to_status_label"] == "Active: Hot"
    assert body["data"]["change"]["actor"] == "agent"
    assert body["data"]["interaction"]["id"] == interaction.pk
    assert body["data"]["interaction"]["status_label"] == "Active: Hot"
    assert body["data"]["lead"]["id"] == interaction.lead_id
    assert body["company_id"] == shop.pk
    delivery = WebhookDelivery.objects.get(event_id=body["id"])
    assert delivery.state == WebhookDelivery.State.DELIVERED
    assert delivery.last_status_code == 200
    assert delivery.last_response_body == "ok"


def test_a_signature_made_with_another_secret_or_body_does_not_verify(
    shop: Company, worker: VirtualWorker, receiver: Receiver
) -> None:
    endpoint = endpoint_for(shop, receiver, "interaction.status_changed")
    make_interaction(shop)
    worker.run_due()
    (request,) = receiver.requests
    tampered = Received(request.path, request.headers, request.body.replace(b"started", b"bogus"))

    assert verify(endpoint.secret, request)
    assert not verify(endpoint.secret + "x", request)
    assert not verify(endpoint.secret, tampered)


def test_escalation_and_conversion_are_events_of_their_own(
    shop: Company, worker: VirtualWorker, receiver: Receiver
) -> None:
    endpoint_for(shop, receiver)
    escalating = make_interaction(shop)
    converting = make_interaction(shop, lead=make_lead(shop, phone="+15125550177"))
    receiver.requests.clear()
    worker.run_due()
    receiver.requests.clear()

    change_status(interaction=escalating, to="escalated.human_request")
    # A change of reason inside the group is a status change, not a new escalation.
    change_status(interaction=escalating, to="escalated.availability")
    change_status(interaction=converting, to="converted.agent", actor_kind=Author.AGENT)
    worker.run_due()

    assert sorted(types_of(receiver)) == sorted(
        [
            "interaction.status_changed",
            "interaction.escalated",
            "interaction.status_changed",
            "interaction.status_changed",
            "interaction.converted",
        ]
    )
    escalated = next(r.json for r in receiver.requests if r.json["type"].endswith("escalated"))
    assert escalated["data"]["change"]["to_status_label"] == "Escalated (Human Request)"
    converted = next(r.json for r in receiver.requests if r.json["type"].endswith("converted"))
    assert converted["data"]["interaction"]["id"] == converting.pk
    assert converted["data"]["interaction"]["status_group"] == "converted"


def test_an_endpoint_gets_only_the_events_it_subscribed_to(
    shop: Company, worker: VirtualWorker, receiver: Receiver, other_receiver: Receiver
) -> None:
    endpoint_for(shop, receiver, "interaction.escalated")
    endpoint_for(shop, other_receiver, "message.received")
    interaction = make_interaction(shop)
    change_status(interaction=interaction, to="active.warm")
    change_status(interaction=interaction, to="escalated.agent_issue")
    add_message(
        interaction=interaction, direction=Message.Direction.INBOUND, author="lead", body="Hi"
    )
    worker.run_due()

    assert types_of(receiver) == ["interaction.escalated"]
    assert types_of(other_receiver) == ["message.received"]


def test_a_disabled_endpoint_gets_nothing(
    shop: Company, worker: VirtualWorker, receiver: Receiver
) -> None:
    endpoint = endpoint_for(shop, receiver)
    endpoint.enabled = False
    endpoint.save()

    make_interaction(shop)
    worker.run_due()

    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_every_endpoint_gets_the_same_event_id(
    shop: Company, worker: VirtualWorker, receiver: Receiver, other_receiver: Receiver
) -> None:
    first = endpoint_for(shop, receiver, "interaction.status_changed")
    second = endpoint_for(shop, other_receiver, "interaction.status_changed")
    make_interaction(shop)
    worker.run_due()

    (mine,) = receiver.requests
    (theirs,) = other_receiver.requests
    assert mine.header("Leadline-Webhook-Id") == theirs.header("Leadline-Webhook-Id")
    assert mine.body == theirs.body
    # Each is signed with its own endpoint's secret.
    assert verify(first.secret, mine) and verify(second.secret, theirs)
    assert not verify(first.secret, theirs)


def test_another_company_events_never_reach_this_company_endpoints(
    shop: Company, worker: VirtualWorker, receiver: Receiver, other_receiver: Receiver
) -> None:
    other = make_company(name="Other Co")
    endpoint_for(shop, receiver)
    endpoint_for(other, other_receiver)

    interaction = make_interaction(other)
    change_status(interaction=interaction, to="escalated.human_request")
    worker.run_due()

    assert receiver.requests == []
    assert {r.json["company_id"] for r in other_receiver.requests} == {other.pk}
    assert not WebhookDelivery.objects.for_company(shop).exists()


def test_nothing_is_sent_when_the_event_transaction_rolls_back(
    shop: Company, worker: VirtualWorker, receiver: Receiver
) -> None:
    endpoint_for(shop, receiver)
    interaction = make_interaction(shop)
    worker.run_due()
    receiver.requests.clear()
    sent_before = WebhookDelivery.objects.count()

    with pytest.raises(RuntimeError), transaction.atomic():
        change_status(interaction=interaction, to="escalated.human_request")
        raise RuntimeError("the request failed after the change")
    worker.run_due()

    interaction.refresh_from_db()
    assert interaction.status == "started"
    assert WebhookDelivery.objects.count() == sent_before
    assert receiver.requests == []


def test_a_message_from_the_lead_is_announced_without_its_words(
    shop: Company, worker: VirtualWorker, receiver: Receiver
) -> None:
    endpoint_for(shop, receiver, "message.received")
    interaction = make_interaction(shop)
    message = add_message(
        interaction=interaction,
        direction=Message.Direction.INBOUND,
        author="lead",
        body="My AC is blowing warm air",
    )
    # What the agent or a person sends is not "received".
    add_message(interaction=interaction, direction="outbound", author="agent", body="On it")
    worker.run_due()

    (request,) = receiver.requests
    body = request.json
    assert body["type"] == "message.received"
    assert body["data"]["message"]["id"] == message.pk
    assert body["data"]["interaction"]["id"] == interaction.pk
    assert b"warm air" not in request.body


def test_a_lead_texting_stop_is_announced_once_as_opted_out(
    shop: Company, worker: VirtualWorker, receiver: Receiver
) -> None:
    campaign = make_campaign(shop)
    lead = make_lead(shop)
    interaction = start_campaign_for_lead(lead=lead, campaign=campaign)
    endpoint_for(shop, receiver, "lead.opted_out", "interaction.status_changed")
    worker.run_due()

    receive_sms(company=shop, from_phone=lead.phone, body="STOP")
    worker.run_due()
    receive_sms(company=shop, from_phone=lead.phone, body="STOP")
    worker.run_due()

    opted = [r.json for r in receiver.requests if r.json["type"] == "lead.opted_out"]
    assert len(opted) == 1
    assert opted[0]["data"]["lead"]["id"] == lead.pk
    assert opted[0]["data"]["opt_out"]["method"] == "keyword"
    assert all(b"STOP" not in r.body for r in receiver.requests)
    changes = [r.json["data"]["change"] for r in receiver.requests if "change" in r.json["data"]]
    assert changes[-1]["to_status_label"] == "Opt-out"
    assert changes[-1]["from_status"] == "started"
    interaction.refresh_from_db()
    assert interaction.status == "opt_out"


def test_a_carrier_reported_opt_out_is_on_the_timeline_and_announced(
    shop: Company, worker: VirtualWorker, receiver: Receiver
) -> None:
    lead = make_lead(shop)
    endpoint_for(shop, receiver, "lead.opted_out")

    record_opt_out(company=shop, phone=lead.phone, method="carrier", raw_text="21610")
    record_opt_out(company=shop, phone=lead.phone, method="carrier", raw_text="21610")
    worker.run_due()

    (request,) = receiver.requests
    assert request.json["data"]["lead"]["id"] == lead.pk
    assert request.json["data"]["opt_out"]["method"] == "carrier"
    assert request.json["data"]["interaction"] is None
    assert lead.events.filter(kind="opt_out").count() == 1


def test_a_stop_to_a_company_without_an_inbound_campaign_is_still_on_the_timeline_and_announced(
    shop: Company, worker: VirtualWorker, receiver: Receiver
) -> None:
    # The company takes no inbound conversations: the text itself is dropped, the opt-out not.
    lead = make_lead(shop)
    endpoint_for(shop, receiver, "lead.opted_out")

    assert receive_sms(company=shop, from_phone=lead.phone, body="STOP") is None
    assert receive_sms(company=shop, from_phone=lead.phone, body="STOP") is None
    worker.run_due()

    (request,) = receiver.requests
    assert request.json["data"]["lead"]["id"] == lead.pk
    assert request.json["data"]["opt_out"]["method"] == "keyword"
    assert lead.events.filter(kind="opt_out").count() == 1


def _attempt_times(receiver: Receiver) -> list[int]:
    return [int(r.header("Leadline-Webhook-Timestamp")) for r in receiver.requests]


def test_an_endpoint_that_is_down_is_retried_with_backoff_until_it_is_back(
    shop: Company, worker: VirtualWorker, receiver: Receiver, clock: VirtualClock
) -> None:
    endpoint = endpoint_for(shop, receiver, "interaction.escalated")
    receiver.stop()
    interaction = make_interaction(shop)
    change_status(interaction=interaction, to="escalated.human_request")
    happened = clock.now()

    worker.run_due()
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.PENDING
    assert delivery.attempts == 1
    assert "Could not connect" in delivery.last_error
    assert delivery.next_attempt_at == happened + timedelta(seconds=30)

    # Down for the next two tries too (at +30 s and +1 min 30 s) ...
    worker.advance(timedelta(seconds=100))
    delivery.refresh_from_db()
    assert delivery.attempts == 3
    assert delivery.last_attempt_at == happened + timedelta(seconds=90)
    assert delivery.next_attempt_at == happened + timedelta(seconds=210)

    # ... then back, answering 503 once, then 204.
    receiver.start()
    receiver.answers.append((503, "maintenance"))
    receiver.status = 204
    worker.advance(timedelta(minutes=10))

    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.DELIVERED
    assert delivery.attempts == 5
    assert delivery.last_status_code == 204
    assert delivery.delivered_at == happened + timedelta(seconds=450)
    start = int(happened.timestamp())
    assert _attempt_times(receiver) == [start + 210, start + 450]
    ids = {r.header("Leadline-Webhook-Id") for r in receiver.requests}
    assert ids == {str(delivery.event_id)}
    assert [r.header("Leadline-Webhook-Attempt") for r in receiver.requests] == ["4", "5"]
    assert all(verify(endpoint.secret, r) for r in receiver.requests)
    # Delivered is final: nothing more is sent later.
    worker.advance(timedelta(days=2))
    assert len(receiver.requests) == 2


def test_a_delivery_gives_up_24_hours_after_the_event(
    shop: Company, worker: VirtualWorker, receiver: Receiver, clock: VirtualClock
) -> None:
    endpoint_for(shop, receiver, "interaction.converted")
    receiver.status = 500
    interaction = make_interaction(shop)
    change_status(interaction=interaction, to="converted.agent")
    happened = int(clock.now().timestamp())

    worker.advance(timedelta(hours=23))
    assert WebhookDelivery.objects.get().state == WebhookDelivery.State.PENDING
    worker.advance(timedelta(hours=3))

    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.FAILED
    assert delivery.last_status_code == 500
    assert delivery.next_attempt_at is None
    times = _attempt_times(receiver)
    assert delivery.attempts == len(times)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert times[0] == happened and gaps[:4] == [30, 60, 120, 240]
    assert all(0 < gap <= 3600 for gap in gaps)
    assert gaps == sorted(gaps[:-1]) + gaps[-1:]  # growing, then the last one at the 24 h mark
    assert times[-1] == happened + 24 * 3600
    assert len({r.header("Leadline-Webhook-Id") for r in receiver.requests}) == 1

    worker.advance(timedelta(days=3))
    assert len(receiver.requests) == delivery.attempts


def test_a_worker_dying_after_the_post_leads_to_a_duplicate_with_the_same_event_id(
    shop: Company,
    worker: VirtualWorker,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    endpoint_for(shop, receiver, "interaction.status_changed")

    def killed(*args: object) -> str:
        raise SystemError("the worker was killed before it could record the answer")

    monkeypatch.setattr(services, "_settle", killed)
    make_interaction(shop)
    with pytest.raises(SimulationError):
        worker.run_due()
    monkeypatch.undo()
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.get().state == WebhookDelivery.State.PENDING

    worker.advance(timedelta(minutes=1))

    first, again = receiver.requests
    assert first.header("Leadline-Webhook-Id") == again.header("Leadline-Webhook-Id")
    assert first.body == again.body
    assert WebhookDelivery.objects.get().state == WebhookDelivery.State.DELIVERED


def test_a_timeout_counts_as_a_failed_attempt(
    shop: Company,
    worker: VirtualWorker,
    monkeypatch: pytest.MonkeyPatch,
    allow_private_addresses: None,
) -> None:
    import socket

    # A server that accepts the connection and never answers.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    try:
        create_endpoint(
            company=shop,
            url=f"http://127.0.0.1:{silent.getsockname()[1]}/",
            events=["interaction.status_changed"],
        )
        monkeypatch.setattr(services, "SEND_TIMEOUT", 0.3)
        make_interaction(shop)
        worker.run_due()
    finally:
        silent.close()

    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.PENDING
    assert delivery.last_status_code is None
    assert "0.3 seconds" in delivery.last_error or "timed out" in delivery.last_error


def test_a_redirect_is_not_followed_and_counts_as_a_failure(
    shop: Company, worker: VirtualWorker, receiver: Receiver
) -> None:
    endpoint_for(shop, receiver, "interaction.status_changed")
    receiver.answers.append((302, "moved"))
    make_interaction(shop)
    worker.run_due()

    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.PENDING
    assert delivery.last_status_code == 302
    assert len(receiver.requests) == 1


def test_retry_now_sends_a_failed_delivery_again_at_once(
    shop: Company, worker: VirtualWorker, receiver: Receiver, clock: VirtualClock
) -> None:
    endpoint_for(shop, receiver, "interaction.status_changed")
    receiver.status = 410
    make_interaction(shop)
    worker.advance(timedelta(hours=25))
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.FAILED
    tries = delivery.attempts

    receiver.status = 200
    assert services.retry_now(company=shop, delivery_ids=[delivery.pk]) == 1
    worker.run_due()

    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.DELIVERED
    assert delivery.attempts == tries + 1
    assert len({r.header("Leadline-Webhook-Id") for r in receiver.requests}) == 1


def test_retry_now_ignores_another_company_deliveries(
    shop: Company, worker: VirtualWorker, receiver: Receiver
) -> None:
    other = make_company(name="Other Co")
    endpoint_for(other, receiver, "interaction.status_changed")
    receiver.status = 500
    make_interaction(other)
    worker.advance(timedelta(hours=25))
    theirs = WebhookDelivery.objects.get()

    assert services.retry_now(company=shop, delivery_ids=[theirs.pk]) == 0
    theirs.refresh_from_db()
    assert theirs.state == WebhookDelivery.State.FAILED


@pytest.mark.parametrize(
    ("url", "events", "message"),
    [
        ("ftp://example.test/hook", ["lead.opted_out"], "http:// or https://"),
        ("not a url", ["lead.opted_out"], "http:// or https://"),
        ("https://example.test/hook", [], "at least one event"),
        ("https://example.test/hook", ["lead.created"], "Unknown webhook event lead.created"),
    ],
)
def test_an_endpoint_needs_an_http_url_and_known_events(
    company: Company, url: str, events: list[str], message: str
) -> None:
    with pytest.raises(DomainError, match=message):
        create_endpoint(company=company, url=url, events=events)
    assert not WebhookEndpoint.objects.exists()


def test_each_endpoint_gets_its_own_secret(company: Company) -> None:
    first = create_endpoint(company=company, url="https://a.example.test/", events=EVENT_TYPES)
    second = create_endpoint(company=company, url="https://b.example.test/", events=EVENT_TYPES)

    assert first.secret.startswith("whsec_") and len(first.secret) > 40
    assert first.secret != second.secret
    rotated = services.rotate_secret(company=company, endpoint_id=first.pk)
    assert rotated.secret != first.secret


def test_the_send_task_is_enqueued_with_the_event(
    shop: Company, receiver: Receiver, clock: VirtualClock
) -> None:
    endpoint_for(shop, receiver, "interaction.status_changed")
    interaction: Interaction = make_interaction(shop)

    delivery = WebhookDelivery.objects.get()
    task = DBTaskResult.objects.get(task_path="leadline.webhooks.tasks.deliver_webhook")
    assert task.args_kwargs["args"] == [delivery.pk]
    assert delivery.source_event_id == interaction.events.get().pk
    assert delivery.created_at == clock.now()
    assert isinstance(delivery.created_at, datetime)


def test_an_inbound_campaign_conversation_start_is_announced(
    shop: Company, worker: VirtualWorker, receiver: Receiver
) -> None:
    make_campaign(shop, name="Inbound SMS", goal=Goal.INBOUND_SMS)
    endpoint_for(shop, receiver, "interaction.status_changed", "message.received")

    receive_sms(company=shop, from_phone="+15125550190", body="Do you fix garage doors?")
    worker.run_due()

    assert types_of(receiver)[:2] == ["interaction.status_changed", "message.received"]
    started = receiver.requests[0].json["data"]
    assert started["change"]["from_status"] is None
    assert started["change"]["to_status"] == "started"
    campaign_id = Campaign.objects.get(company=shop, goal=Goal.INBOUND_SMS).pk
    assert started["interaction"]["campaign_id"] == campaign_id


def test_the_selectors_read_only_the_actor_company(
    shop: Company, worker: VirtualWorker, receiver: Receiver
) -> None:
    other = make_company(name="Other Co")
    mine = endpoint_for(shop, receiver, "interaction.status_changed")
    endpoint_for(other, receiver, "interaction.status_changed")
    make_interaction(shop)
    make_interaction(other)
    worker.run_due()
    theirs = WebhookDelivery.objects.for_company(other).get()

    assert list(selectors.endpoints_for(company=shop)) == [mine]
    (ours,) = selectors.deliveries_for(company=shop, state="delivered")
    assert ours.endpoint == mine
    assert not selectors.deliveries_for(company=shop, state="failed").exists()
    assert selectors.delivery(company=shop, delivery_id=ours.pk) == ours
    with pytest.raises(NotFound):
        selectors.delivery(company=shop, delivery_id=theirs.pk)
