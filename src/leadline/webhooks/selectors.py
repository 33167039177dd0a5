"""Reads of webhooks out, each starting from the actor's company."""

from __future__ import annotations

from typing import Any

from leadline.accounts.models import Company
from leadline.kit.errors import NotFound
from leadline.webhooks.models import WebhookDelivery, WebhookEndpoint


def endpoints_for(*, company: Company | None) -> Any:
    """The company's webhook endpoints, oldest first."""
    return WebhookEndpoint.objects.for_company(company).order_by("created_at", "id")


def deliveries_for(
    *, company: Company | None, endpoint_id: int | None = None, state: str | None = None
) -> Any:
    """The company's deliveries, newest first, optionally of one endpoint or in one state."""
    rows = WebhookDelivery.objects.for_company(company).select_related("endpoint")
    if endpoint_id is not None:
        rows = rows.filter(endpoint_id=endpoint_id)
    if state is not None:
        rows = rows.filter(state=state)
    return rows.order_by("-created_at", "-id")


def delivery(*, company: Company | None, delivery_id: int) -> WebhookDelivery:
    """One delivery of the company; another company's id is not found."""
    found: WebhookDelivery | None = deliveries_for(company=company).filter(pk=delivery_id).first()
    if found is None:
        raise NotFound("No such webhook delivery.")
    return found
