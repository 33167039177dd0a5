"""Webhooks in Settings: administrators register endpoints and see deliveries; nobody else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from leadline.accounts.models import Company, User
from leadline.interactions.services import change_status
from leadline.kit.clock import VirtualClock
from leadline.simulation.runner import VirtualWorker
from leadline.webhooks.models import WebhookDelivery, WebhookEndpoint
from leadline.webhooks.services import create_endpoint
from tests.builders import make_company, make_interaction, make_user
from tests.webhooks.conftest import Receiver

pytestmark = pytest.mark.django_db

ENDPOINTS = "/admin/webhooks/webhookendpoint/"
DELIVERIES = "/admin/webhooks/webhookdelivery/"


@pytest.fixture
def administrator(shop: Company) -> User:
    return make_user(shop, role="Administrator", first_name="Ada")


@pytest.fixture
def admin_client(client: Client, administrator: User) -> Client:
    client.force_login(administrator)
    return client


@pytest.fixture
def failed_delivery(shop: Company, worker: VirtualWorker, receiver: Receiver) -> WebhookDelivery:
    create_endpoint(company=shop, url=receiver.url, events=["interaction.escalated"])
    receiver.status = 500
    receiver.answers.append((500, "Internal error: database unavailable"))
    interaction = make_interaction(shop)
    change_status(interaction=interaction, to="escalated.human_request")
    worker.advance(timedelta(hours=25))
    delivery: WebhookDelivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.FAILED
    return delivery


def test_an_administrator_registers_an_endpoint_and_sees_its_generated_secret(
    admin_client: Client, shop: Company, clock: VirtualClock
) -> None:
    response = admin_client.post(
        f"{ENDPOINTS}add/",
        {
            "url": "https://crm.example.test/leadline",
            "events": ["interaction.escalated", "lead.opted_out"],
            "enabled": "on",
            "description": "Our CRM",
            "_continue": "1",
        },
    )

    assert response.status_code == 302, response.content.decode()
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.company == shop
    assert endpoint.events == ["interaction.escalated", "lead.opted_out"]
    assert endpoint.created_at == clock.now()
    page = admin_client.get(f"{ENDPOINTS}{endpoint.pk}/change/").content.decode()
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret in page


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"url": "ftp://crm.example.test/", "events": ["lead.opted_out"]}, "http:// or https://"),
        ({"url": "https://crm.example.test/"}, "This field is required"),
        (
            {"url": "https://crm.example.test/", "events": ["lead.created"]},
            "Select a valid choice",
        ),
    ],
)
def test_a_bad_endpoint_form_is_refused_with_a_message(
    admin_client: Client, form: dict[str, object], message: str
) -> None:
    response = admin_client.post(f"{ENDPOINTS}add/", {**form, "enabled": "on"})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_company_is_taken_from_the_administrator_not_the_form(
    admin_client: Client, shop: Company
) -> None:
    other = make_company(name="Other Co")
    admin_client.post(
        f"{ENDPOINTS}add/",
        {
            "url": "https://crm.example.test/",
            "events": ["lead.opted_out"],
            "enabled": "on",
            "company": str(other.pk),
        },
    )

    assert WebhookEndpoint.objects.get().company == shop


def test_an_operator_of_the_installation_registers_an_endpoint_for_a_company(
    client: Client, shop: Company
) -> None:
    client.force_login(make_user(None, role=None, superuser=True))

    response = client.post(
        f"{ENDPOINTS}add/",
        {
            "company": str(shop.pk),
            "url": "https://crm.example.test/",
            "events": ["lead.opted_out"],
            "enabled": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()
    assert WebhookEndpoint.objects.get().company == shop


@pytest.mark.parametrize("role", ["CSR", "Manager", "Viewer"])
def test_other_roles_see_no_webhooks(
    client: Client, shop: Company, failed_delivery: WebhookDelivery, role: str
) -> None:
    endpoint = failed_delivery.endpoint
    client.force_login(make_user(shop, role=role))

    for url in (
        ENDPOINTS,
        f"{ENDPOINTS}{endpoint.pk}/change/",
        DELIVERIES,
        f"{DELIVERIES}{failed_delivery.pk}/change/",
    ):
        response = client.get(url, follow=True)
        assert response.status_code == 403, url
        assert endpoint.secret not in response.content.decode()

    response = client.post(
        DELIVERIES, {"action": "retry_now", "_selected_action": [failed_delivery.pk]}, follow=True
    )
    assert response.status_code == 403
    failed_delivery.refresh_from_db()
    assert failed_delivery.state == WebhookDelivery.State.FAILED


def test_an_administrator_of_another_company_sees_none_of_it(
    client: Client, failed_delivery: WebhookDelivery
) -> None:
    other = make_company(name="Other Co")
    client.force_login(make_user(other, role="Administrator"))
    endpoint = failed_delivery.endpoint

    listing = client.get(ENDPOINTS)
    deliveries = client.get(DELIVERIES)
    assert listing.status_code == deliveries.status_code == 200
    assert endpoint.url not in listing.content.decode()
    assert f"{DELIVERIES}{failed_delivery.pk}/change/" not in deliveries.content.decode()
    assert endpoint.url not in deliveries.content.decode()  # not even in the endpoint filter
    for url in (f"{ENDPOINTS}{endpoint.pk}/change/", f"{DELIVERIES}{failed_delivery.pk}/change/"):
        response = client.get(url, follow=True)
        assert endpoint.secret not in response.content.decode()
        assert "Internal error" not in response.content.decode()

    client.post(DELIVERIES, {"action": "retry_now", "_selected_action": [failed_delivery.pk]})
    failed_delivery.refresh_from_db()
    assert failed_delivery.state == WebhookDelivery.State.FAILED


def test_an_administrator_sees_a_delivery_with_its_response_read_only(
    admin_client: Client, failed_delivery: WebhookDelivery
) -> None:
    listing = admin_client.get(DELIVERIES).content.decode()
    assert f"{DELIVERIES}{failed_delivery.pk}/change/" in listing
    assert "interaction.escalated" in listing

    response = admin_client.get(f"{DELIVERIES}{failed_delivery.pk}/change/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "HTTP 500" in page  # the last error
    assert str(failed_delivery.event_id) in page
    assert "Escalated (Human Request)" in page  # the body that was sent
    assert 'name="_save"' not in page  # nothing to edit
    assert admin_client.get(f"{DELIVERIES}add/").status_code == 403

    by_state = admin_client.get(DELIVERIES, {"state__exact": "failed"}).content.decode()
    assert f"{DELIVERIES}{failed_delivery.pk}/change/" in by_state
    searched = admin_client.get(DELIVERIES, {"q": str(failed_delivery.event_id)}).content.decode()
    assert f"{DELIVERIES}{failed_delivery.pk}/change/" in searched


def test_the_last_response_of_the_receiver_is_shown(
    admin_client: Client, shop: Company, worker: VirtualWorker, receiver: Receiver
) -> None:
    create_endpoint(company=shop, url=receiver.url, events=["interaction.status_changed"])
    receiver.answers.append((422, '{"error": "unknown lead <31>"}'))
    make_interaction(shop)
    worker.run_due()
    delivery = WebhookDelivery.objects.get()

    page = admin_client.get(f"{DELIVERIES}{delivery.pk}/change/").content.decode()

    assert "422" in page
    assert "unknown lead &lt;31&gt;" in page


def test_an_administrator_retries_a_failed_delivery_now(
    admin_client: Client,
    failed_delivery: WebhookDelivery,
    worker: VirtualWorker,
    receiver: Receiver,
) -> None:
    receiver.status = 200
    before = len(receiver.requests)

    response = admin_client.post(
        DELIVERIES, {"action": "retry_now", "_selected_action": [failed_delivery.pk]}, follow=True
    )
    assert "1 delivery will be sent again now." in response.content.decode()
    worker.run_due()

    failed_delivery.refresh_from_db()
    assert failed_delivery.state == WebhookDelivery.State.DELIVERED
    assert len(receiver.requests) == before + 1
    assert receiver.requests[-1].header("Leadline-Webhook-Id") == str(failed_delivery.event_id)


def test_an_administrator_generates_a_new_secret(
    admin_client: Client, failed_delivery: WebhookDelivery
) -> None:
    endpoint = failed_delivery.endpoint
    old = endpoint.secret

    admin_client.post(ENDPOINTS, {"action": "new_secret", "_selected_action": [endpoint.pk]})

    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.secret.startswith("whsec_")
